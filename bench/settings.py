"""What the benchmarks run: paths, fleet, latency, sizes, and the knobs read from the environment.

`BENCH_SIZES` (default `100,1000,4000`) picks the sweep sizes, `BENCH_ONLY` (default: all of them,
e.g. `sweep,throttled,cold`) the scenarios, `BENCH_THROTTLE_REPEATS` (default 3) the runs of each
throttled shape and mode; with any of them set, docs/benchmarks.md is left alone. `BENCH_RAW` names a
file for every figure as JSON.
"""

from __future__ import annotations

import os
from pathlib import Path

from reprotect.contract import MAX_CONCURRENCY, MAX_STARTS_PER_RUN, REPLICATING_SERVER_LIMIT

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"

SIZES = tuple(int(x) for x in os.environ.get("BENCH_SIZES", "100,1000,4000").split(","))
ONLY = frozenset(os.environ["BENCH_ONLY"].split(",")) if os.environ.get("BENCH_ONLY") else None
RAW = os.environ.get("BENCH_RAW")
WRITES_OUTPUT = not any(os.environ.get(v) for v in ("BENCH_ONLY", "BENCH_SIZES", "BENCH_THROTTLE_REPEATS"))

LATENCY = 0.1  # seconds the emulator waits before answering each DRS call
STOPPED = 0.33  # share of stopped servers in the generated fleets
SEED = 2026
CONCURRENCY = int(MAX_CONCURRENCY.default)  # the runs keep the function's default
# The runs raise MAX_STARTS_PER_RUN to its maximum: the default of 100 would defer most starts. So
# is REPLICATING_SERVER_LIMIT: generated fleets replicate far more than DRS's default quota of 300.
UNCAPPED = {
    MAX_STARTS_PER_RUN.env: str(MAX_STARTS_PER_RUN.high),
    REPLICATING_SERVER_LIMIT.env: str(REPLICATING_SERVER_LIMIT.high),
}
COLD_REPEATS = 11
# The throttled runs, in the conditions: 60 stopped servers, 20 ms per call, 10 calls/s.
THROTTLE_SERVERS = 60
THROTTLE_LATENCY = 0.02
THROTTLE_RATE = 10.0
THROTTLE_BUDGET_MS = 300_000
THROTTLE_DROP_AFTER = 3.0  # seconds after the first StartReplication, the falling limit falls
THROTTLE_FOLLOW_SLACK = 1.5  # calls sent per second, over the new limit, that still follow it
THROTTLE_MODES = ("pacer", "standard", "adaptive")  # the default first: the targets are judged on it
THROTTLE_REPEATS = int(os.environ.get("BENCH_THROTTLE_REPEATS", "3"))  # runs of each shape and mode
SNS_LIMIT = 262_144
