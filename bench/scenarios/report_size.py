"""6. Report size: the SNS message the handler published, against SNS's limit."""

from __future__ import annotations

from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario
from bench.testbed import TestBed


def measure(_: TestBed, figures: Figures) -> dict[int, dict[str, Any]]:
    return {
        size: {
            "bytes": pair["handler"]["published"][0] if pair["handler"]["published"] else None,
            "truncated": pair["handler"]["truncated"],
            "serversOmitted": pair["handler"]["serversOmitted"],
        }
        for size, pair in figures["sweep"].items()
    }


def render(sizes: dict[int, dict[str, Any]]) -> list[str]:
    rows = [
        [f"{size:,}", f"{s['bytes'] or 0:,}", "yes" if s["truncated"] else "no", s["serversOmitted"]]
        for size, s in sizes.items()
    ]
    return [
        "Bytes of the SNS message (message plus attribute names, types and values) the handler published,",
        "captured by a `provide-client-params` hook. `reprotect.render.fit` trims the server list (most",
        "urgent first) to stay under SNS's 262,144 bytes.",
        "",
        table(["Servers", "SNS message bytes", "Server list trimmed", "Servers omitted"], rows),
        "",
    ]


SCENARIO = Scenario("report", "Report size", measure, render, needs=("sweep",))
