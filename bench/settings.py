"""What the benchmarks run: paths, fleet, latency, sizes, and the knobs read from the environment.

`BENCH_SIZES` (default `100,1000,4000`) picks the sweep sizes, `BENCH_ONLY` (default: all of them,
e.g. `sweep,throttled,cold`) the scenarios; with either set, docs/benchmarks.md is left alone.
`BENCH_RAW` names a file for every figure as JSON.
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
WRITES_OUTPUT = not os.environ.get("BENCH_ONLY") and not os.environ.get("BENCH_SIZES")

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
THROTTLE_RATE = 10.0
THROTTLE_FLEET = 700  # about 200 eligible servers: a run of ~20 s at 10 starts/s
RETRY_MODES = ("standard", "adaptive")  # the default first: the targets are judged on it
SNS_LIMIT = 262_144
