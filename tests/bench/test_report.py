"""docs/benchmarks.md rendered from made-up figures: every section and target, no runs."""

from __future__ import annotations

from typing import Any

from bench import report
from bench.scenario import Figures
from bench.scenarios import SCENARIOS, cost, memory, report_size, sweep, throttled


def handler_result(started: int, seconds: float) -> dict[str, Any]:
    return {
        "sweepSeconds": seconds,
        "processSeconds": seconds + 0.3,
        "startedOk": started,
        "cpuSeconds": 0.5,
        "emulatorCpuSeconds": 0.1,
        "motoCpuSeconds": 0.2,
        "maxRssKb": 70_000,
        "tableRequests": {"BatchGetItem": 1, "GetItem": 2, "PutItem": started + 1, "UpdateItem": started + 2},
        "tableWrites": {"server": 2 * started, "record": 2, "journal": 1},
        "describeCalls": 1,
        "startCalls": started,
        "tableServersNotStarted": 0,
        "published": [60_000],
        "truncated": False,
        "serversOmitted": 0,
    }


def baseline_result(seconds: float) -> dict[str, Any]:
    return {
        "sweepSeconds": seconds,
        "processSeconds": seconds + 0.3,
        "startCallMedian": 0.103,
        "maxRssKb": 60_000,
    }


def throttled_result(started: int, failed: int, share: float = 0.95) -> dict[str, Any]:
    return {
        "counts": {"started": started, "deferred": 0, "failed": failed},
        "reasons": {"deferred/throttled": 1} if started < 60 else {},
        "eligible": 60,
        "notStarted": 60 - started,
        "failed": failed,
        "startCalls": 70,
        "throttled": 10,
        "refusedPerStart": 10 / started,
        "shareOfLimit": share,
        "startsPerSecond": 9.0,
        "startingSeconds": 6.5,
        "sweepSeconds": 7.0,
        "tableWrites": {"server": 2 * started, "record": 2, "journal": 1, "limits": 1},
    }


def throttled_figures() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for limiter in ("strict", "strict-hint", "bursty", "bursty-hint", "drop"):
        runs = {
            "pacer": [throttled_result(60, 0, share) for share in (0.94, 0.95, 0.96)],
            "standard": [throttled_result(59, 1, 0.3)] * 3,
            "adaptive": [throttled_result(60, 0, 0.6)] * 3,
        }
        if limiter == "strict-hint":
            runs["pacer"] = [throttled_result(60, 0, share) for share in (0.85, 0.8, 0.95)]
        if limiter == "drop":
            for result in (r for by_mode in runs.values() for r in by_mode):
                result.update(droppedAfter=3.0, followSeconds=2.0, rateAfterDrop=2.9)
        out[limiter] = {mode: throttled.summarize(by_mode) for mode, by_mode in runs.items()}
    return out


def figures() -> Figures:
    pairs = {1000: (handler_result(300, 4.0), baseline_result(32.0))}
    out: Figures = {
        "sweep": {size: {"handler": h, "baseline": b, **sweep.ratios(h, b)} for size, (h, b) in pairs.items()}
    }
    out["throttled"] = throttled_figures()
    for derived in (memory, cost, report_size):
        out[derived.SCENARIO.name] = derived.SCENARIO.measure(None, out)  # type: ignore[arg-type]
    out["cold"] = {"handler": [0.5], "plain": [0.4], "handlerMedian": 0.5, "plainMedian": 0.4, "ratio": 1.25}
    return out


def test_every_section_is_rendered_in_order_with_its_targets() -> None:
    page = report.render(SCENARIOS, figures(), elapsed=12.0)

    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Sweep speed",
        "## 2. Throttled",
        "## 3. Memory",
        "## 4. Cold start",
        "## 5. API and table cost",
        "## 6. Report size",
        "## Targets",
    ]
    assert "| 1,000 | 300 | 4.00 | 32.00 | **8.0x** |" in page
    assert (
        "Targets at 1,000 servers: at least 7x the baseline: 8.0x, met; within 1.5x the ideal: 1.29x, met."
        in page
    )
    assert (
        "| strict (burst 1) | yes (1 s) | `pacer` (default) | **85%** | 85%, 80%, 95% | **0.17** | 0 | 0 |"
        in page
    )
    assert "at least 90% of what the limiter allows: 85%, **missed**" in page
    assert "the rate follows the new limit within 5 s: 2.0 s, met" in page
    assert "Target: at most 1.5x the plain script: 1.25x, met." in page


def test_a_partial_run_renders_only_its_sections_under_their_usual_numbers() -> None:
    partial = {"cold": figures()["cold"]}

    page = report.render(SCENARIOS, partial, elapsed=1.0)

    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## 4. Cold start", "## Targets"]
