"""`make bench` (`python -m bench`): how fast, light and gentle one sweep is, against the DRS emulator.

- `bench.programs`: the measured programs, each a module run as `python -m` in a fresh interpreter
  (a cold Lambda): `handler` answers `events/scheduler.json` once; `baseline` is the plain boto3 way;
  `describe` makes the handler's DescribeSourceServers calls and nothing else.
- `bench.testbed`: the harness as the bench uses it: the DRS emulator in this process, moto in a
  process of its own (neither shares a GIL with the measured program), fresh resources per run.
- `bench.scenarios`: one module per scenario: a function returning its figures, and its section.
- `bench.targets`: the targets as data, one row each, and the function that judges them.
- `bench.report`: the page `docs/benchmarks.md`, from the sections and the targets.

A new scenario is a module in `bench/scenarios/` whose `SCENARIO` returns its figures and renders
its section, a line in `bench.scenarios.SCENARIOS`, and its targets as rows in `bench.targets`.
Faults it sets on the emulator go through the backend's `faults`.

This module imports nothing: every measured program imports it first.
"""
