"""2. Throttled: a token bucket on StartReplication, once per retry mode."""

from __future__ import annotations

from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario, progress
from bench.settings import RETRY_MODES, THROTTLE_FLEET, THROTTLE_RATE, UNCAPPED
from bench.testbed import TestBed, fleet_emulator
from reprotect.contract import RETRY_MODE


def measure(bed: TestBed, _: Figures) -> dict[str, dict[str, Any]]:
    return {mode: _run(bed, mode) for mode in RETRY_MODES}


def _run(bed: TestBed, mode: str) -> dict[str, Any]:
    with fleet_emulator(THROTTLE_FLEET) as server:
        server.backend.faults.rate_limit("StartReplication", rate=THROTTLE_RATE, burst=THROTTLE_RATE)
        result = bed.run_handler(server, {**UNCAPPED, RETRY_MODE.env: mode})
        calls = server.backend.calls_of("StartReplication")
    ok = sorted(c.timestamp for c in calls if c.status == 200)
    first = min(c.timestamp for c in calls)
    # The bucket starts full: the first `burst` calls pass at once, so the sustained rate leaves them out.
    span = ok[-1] - first if ok else 0.0
    result["sustainedRate"] = (len(ok) - THROTTLE_RATE) / span if span > 0 else 0.0
    result["shareOfLimit"] = result["sustainedRate"] / THROTTLE_RATE
    counts = result["counts"]
    result["eligible"] = counts["started"] + counts["deferred"] + counts["failed"]
    progress(f"throttled ({mode}): {result['sustainedRate']:.2f}/s, {result['throttled']} x 429")
    return result


def render(results: dict[str, dict[str, Any]]) -> list[str]:
    return [
        f"{THROTTLE_FLEET} servers, the emulator's token bucket at {THROTTLE_RATE:.0f} StartReplication"
        f" calls/s (burst {THROTTLE_RATE:.0f}), 100 ms latency, default concurrency, once per retry mode"
        " (`AWS_RETRY_MODE`). The sustained rate leaves out the bucket's initial burst:"
        " (successful starts - burst) / (last successful start - first StartReplication).",
        "",
        table(
            [
                "Retry mode",
                "Eligible",
                "Started",
                "Deferred",
                "Failed",
                "StartReplication calls",
                "429s answered",
                "Sustained rate",
                "Share of limit",
                "Run (s)",
            ],
            [_row(mode, result) for mode, result in results.items()],
        ),
        "",
        "`adaptive` shares botocore's client-side rate limiter among the workers: far fewer refused calls,"
        " for some throughput.",
        "",
    ]


def _row(mode: str, result: dict[str, Any]) -> list[Any]:
    counts = result["counts"]
    deferred = {k: v for k, v in result["reasons"].items() if k.startswith("deferred/")}
    return [
        f"`{mode}`" + (" (default)" if mode == RETRY_MODES[0] else ""),
        result["eligible"],
        counts["started"],
        f"{counts['deferred']} {deferred or ''}".strip(),
        counts["failed"],
        result["startCalls"],
        result["throttled"],
        f"{result['sustainedRate']:.2f}/s",
        f"**{result['shareOfLimit']:.0%}**",
        f"{result['sweepSeconds']:.1f}",
    ]


SCENARIO = Scenario("throttled", "Throttled", measure, render)
