"""3. Memory: the measured processes' own peak resident memory in the sweep runs."""

from __future__ import annotations

from bench.markdown import table
from bench.scenario import Figures, Scenario
from bench.testbed import TestBed


def measure(_: TestBed, figures: Figures) -> dict[int, dict[str, int]]:
    return {
        size: {
            "handlerPeakBytes": pair["handler"]["maxRssKb"] * 1024,
            "baselinePeakBytes": pair["baseline"]["maxRssKb"] * 1024,
        }
        for size, pair in figures["sweep"].items()
    }


def render(peaks: dict[int, dict[str, int]]) -> list[str]:
    rows = [
        [f"{size:,}", f"{p['handlerPeakBytes'] / 2**20:.1f}", f"{p['baselinePeakBytes'] / 2**20:.1f}"]
        for size, p in peaks.items()
    ]
    return [
        "Peak resident memory of the measured process in the sweep runs above: `VmHWM` from"
        " `/proc/self/status`, read by the process itself (`ru_maxrss` would include the benchmark's own"
        " size, since Linux carries it across fork and exec).",
        "",
        table(["Servers", "Handler peak RSS (MiB)", "Baseline peak RSS (MiB)"], rows),
        "",
    ]


SCENARIO = Scenario("memory", "Memory", measure, render, needs=("sweep",))
