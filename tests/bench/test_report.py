"""docs/benchmarks.md rendered from made-up figures: every section and target, no runs."""

from __future__ import annotations

from typing import Any

from bench import report
from bench.scenario import Figures
from bench.scenarios import SCENARIOS, cost, memory, report_size, sweep


def handler_result(started: int, seconds: float) -> dict[str, Any]:
    return {
        "sweepSeconds": seconds,
        "processSeconds": seconds + 0.3,
        "startedOk": started,
        "cpuSeconds": 0.5,
        "emulatorCpuSeconds": 0.1,
        "motoCpuSeconds": 0.2,
        "maxRssKb": 70_000,
        "tableRequests": {"BatchGetItem": 1, "PutItem": started + 1, "UpdateItem": 1},
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


def throttled_result(started: int, failed: int) -> dict[str, Any]:
    return {
        "counts": {"started": started, "deferred": 0, "failed": failed},
        "reasons": {},
        "eligible": started + failed,
        "startCalls": 300,
        "throttled": 100,
        "sustainedRate": 9.0,
        "shareOfLimit": 0.9,
        "sweepSeconds": 20.0,
    }


def figures() -> Figures:
    pairs = {1000: (handler_result(300, 4.0), baseline_result(32.0))}
    out: Figures = {
        "sweep": {size: {"handler": h, "baseline": b, **sweep.ratios(h, b)} for size, (h, b) in pairs.items()}
    }
    out["throttled"] = {"standard": throttled_result(200, 1), "adaptive": throttled_result(201, 0)}
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
    assert "none failed: 1 failed, **missed**." in page
    assert "Target: at most 1.5x the plain script: 1.25x, met." in page


def test_a_partial_run_renders_only_its_sections_under_their_usual_numbers() -> None:
    partial = {"cold": figures()["cold"]}

    page = report.render(SCENARIOS, partial, elapsed=1.0)

    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## 4. Cold start", "## Targets"]
