"""5. API and table cost: DRS calls and DynamoDB requests per sweep run, per started server."""

from __future__ import annotations

from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario
from bench.testbed import TestBed

# Powertools' idempotency record costs one PutItem and one UpdateItem per run, whatever the fleet.
RUN_CONSTANT = 2
WRITES = ("PutItem", "DeleteItem", "UpdateItem")


def measure(_: TestBed, figures: Figures) -> dict[str, Any]:
    """Per size, and the worst of every size for the targets."""
    by_size = {size: _cost(size, pair["handler"]) for size, pair in figures["sweep"].items()}
    return {
        "bySize": by_size,
        "notStartedServersAsked": max(c["notStartedServersAsked"] for c in by_size.values()),
        "writesPerStarted": max(c["writesPerStarted"] for c in by_size.values()),
    }


def _cost(size: int, handler: dict[str, Any]) -> dict[str, Any]:
    requests: dict[str, int] = handler["tableRequests"]
    total, started = sum(requests.values()), handler["startedOk"]
    writes = sum(requests.get(operation, 0) for operation in WRITES)
    return {
        "started": started,
        "notStarted": size - started,
        "describeCalls": handler["describeCalls"],
        "startCalls": handler["startCalls"],
        "tableRequests": total,
        "byOperation": requests,
        "requestsPerStarted": (total - RUN_CONSTANT) / started if started else None,
        "writesPerStarted": (writes - RUN_CONSTANT) / started if started else 0.0,
        "notStartedServersAsked": handler["tableServersNotStarted"],
    }


def render(cost: dict[str, Any]) -> list[str]:
    rows = [
        [
            f"{size:,}",
            c["started"],
            c["notStarted"],
            c["describeCalls"],
            c["startCalls"],
            c["tableRequests"],
            ", ".join(f"{k} {v}" for k, v in sorted(c["byOperation"].items())),
            "-" if c["requestsPerStarted"] is None else f"{c['requestsPerStarted']:.2f}",
            f"{c['writesPerStarted']:.2f}",
            c["notStartedServersAsked"],
        ]
        for size, c in cost["bySize"].items()
    ]
    return [*_INTRO, table(_HEADER, rows), ""]


_INTRO = [
    "Per run of the sweeps above. DRS calls come from the emulator's call log. DynamoDB requests are",
    "counted in the handler's process by a `before-send` hook on the default boto3 session (which",
    "makes the handler's DynamoDB client), so retries count too; a `provide-client-params` hook",
    "records which servers each request names. The run's constant is the Powertools idempotency",
    "record (one PutItem, one UpdateItem); each start costs a conditional PutItem (the claim) and a",
    "share of a BatchGetItem (100 keys each) for the cooldowns.",
    "",
]
_HEADER = [
    "Servers",
    "Started",
    "Not started",
    "DescribeSourceServers",
    "StartReplication",
    "DynamoDB requests",
    "By operation",
    f"DynamoDB per started (beyond the run's {RUN_CONSTANT})",
    "Writes per started",
    "Not-started servers DynamoDB was asked about",
]

SCENARIO = Scenario("cost", "API and table cost", measure, render, needs=("sweep",))
