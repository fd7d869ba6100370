"""The local stand-in for AWS that tests, `make demo` and `make bench` share, written once.

- `harness.env`: fake credentials and region, no shared config, metadata off, endpoint variables;
- `harness.moto_server`: moto on loopback, in this process (threaded) or in a process of its own, its
  conditional writes atomic as DynamoDB's are (`harness.atomic_writes`);
- `harness.emulator`: the DRS emulator with a fleet (its faults are `backend.faults`);
- `harness.resources`: the function's topic, queue subscriber and table, and reading them back;
- `harness.context`: the fake Lambda context; `harness.function`: the function, by its public entry;
- `harness.stack`: all of the above for one function, as tests and the demo use it;
- for `make e2e`: `harness.moto_patches` (what moto 5.2.5 lacks to take `cdk deploy`, in one place),
  `harness.lambda_runtime` (the deployed zip run as Lambda runs it), `harness.cdk` (the pinned CDK CLI
  against a local endpoint) and `harness.deployment` (a deployed stack read back).

This module imports nothing: the benchmark's measured programs import `harness.context` and must not
pay for moto or boto3 by importing the package.
"""
