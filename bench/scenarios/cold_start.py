"""4. Cold start: a fresh handler process beside a plain boto3 script making the same call."""

from __future__ import annotations

from statistics import median
from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario, progress
from bench.settings import COLD_REPEATS
from bench.testbed import TestBed, fleet_emulator


def measure(bed: TestBed, _: Figures) -> dict[str, Any]:
    handler, plain = [], []
    with fleet_emulator(100, stopped=0.0, latency=0.0) as server:
        resources = bed.fresh_resources()
        for _repeat in range(COLD_REPEATS):
            # A new dedupe key per run would need a new event; a new table per run is simpler.
            handler.append(bed.run("handler", server.url, bed.fresh_resources())["processSeconds"])
            plain.append(bed.run("describe", server.url, resources)["processSeconds"])
    progress(f"cold start: handler {median(handler):.2f} s, plain {median(plain):.2f} s")
    return {
        "handler": handler,
        "plain": plain,
        "handlerMedian": median(handler),
        "plainMedian": median(plain),
        "ratio": median(handler) / median(plain),
    }


def render(cold: dict[str, Any]) -> list[str]:
    return [
        "Whole-process wall time of a fresh interpreter on a 100-server healthy fleet (no latency): the",
        "handler answering one scheduled event (imports, Powertools, idempotency record, one",
        "DescribeSourceServers page, no cooldown reads) beside a script that imports boto3, creates a DRS",
        f"client and makes the same DescribeSourceServers call. Median of {COLD_REPEATS} alternating runs.",
        "",
        table(
            ["Program", "Median (s)", "Runs (s)"],
            [
                ["handler", f"{cold['handlerMedian']:.3f}", ", ".join(f"{t:.2f}" for t in cold["handler"])],
                ["plain boto3", f"{cold['plainMedian']:.3f}", ", ".join(f"{t:.2f}" for t in cold["plain"])],
            ],
        ),
        "",
    ]


SCENARIO = Scenario("cold", "Cold start", measure, render)
