"""The scenarios, in the order of their sections in docs/benchmarks.md (a new one is a module and a line)."""

from __future__ import annotations

from bench.scenario import Scenario
from bench.scenarios import cold_start, cost, memory, report_size, sweep, throttled

SCENARIOS: tuple[Scenario, ...] = (
    sweep.SCENARIO,
    throttled.SCENARIO,
    memory.SCENARIO,
    cold_start.SCENARIO,
    cost.SCENARIO,
    report_size.SCENARIO,
)
