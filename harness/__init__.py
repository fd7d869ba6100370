"""The local stand-in for AWS that tests, `make demo` and `make bench` share, written once.

- `harness.env`: fake credentials and region, no shared config, metadata off, endpoint variables;
- `harness.moto_server`: moto on loopback, in this process (threaded) or in a process of its own, its
  conditional writes atomic as DynamoDB's are (`harness.atomic_writes`);
- `harness.emulator`: the DRS emulator with a fleet (its faults are `backend.faults`);
- `harness.resources`: the function's topic, queue subscriber and table, and reading them back;
- `harness.context`: the fake Lambda context; `harness.function`: the function, by its public entry;
- `harness.stack`: all of the above for one function, as tests and the demo use it.

This module imports nothing: the benchmark's measured programs import `harness.context` and must not
pay for moto or boto3 by importing the package.
"""
