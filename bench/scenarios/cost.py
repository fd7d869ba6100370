"""5. API and table cost: DRS calls and DynamoDB requests per sweep run, per started server."""

from __future__ import annotations

from typing import Any

from bench.markdown import table
from bench.scenario import Figures, Scenario
from bench.testbed import TestBed

# Writes a run makes whatever it starts: Powertools' idempotency record (one PutItem, one
# UpdateItem), the run journal (one UpdateItem per batch of up to 100 servers it sets out to start)
# and the learned DRS limits (one PutItem, only after a run that was throttled).
RUN_KINDS = ("record", "journal", "limits")
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
    writes: dict[str, int] = handler["tableWrites"]
    total, started = sum(requests.values()), handler["startedOk"]
    per_run = {kind: writes.get(kind, 0) for kind in RUN_KINDS}
    return {
        "started": started,
        "notStarted": size - started,
        "describeCalls": handler["describeCalls"],
        "startCalls": handler["startCalls"],
        "tableRequests": total,
        "byOperation": requests,
        "requestsPerStarted": (total - sum(per_run.values())) / started if started else None,
        "serverWrites": writes.get("server", 0),
        "runWrites": per_run,
        "writesPerStarted": writes.get("server", 0) / started if started else 0.0,
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
            ", ".join(f"{k} {v}" for k, v in c["runWrites"].items()),
            c["serverWrites"],
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
    "makes the handler's DynamoDB client), so retries count too; each write is told apart by the item",
    "it touches, and a `provide-client-params` hook records which servers each request names. A run",
    "writes, whatever it starts, Powertools' idempotency record (one PutItem, one UpdateItem), its",
    "journal (one UpdateItem per batch of up to 100 servers it sets out to start) and, only after it was",
    "throttled, the learned DRS limits (one PutItem); it reads the journal and the limits once each",
    "(two GetItems). Each start writes its server's claim (a conditional PutItem) and confirms it into",
    "the cooldown (an UpdateItem), and takes a share of a BatchGetItem (100 keys) for the cooldowns.",
    "The target is judged on the server writes; the journal's grow with the run, one per 100 servers",
    "started at most, so counted with the server writes they would make at most 2.01 per start.",
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
    "Run writes (record, journal, limits)",
    "Server writes",
    "DynamoDB per started (beyond the run's writes)",
    "Writes per started (server writes)",
    "Not-started servers DynamoDB was asked about",
]

SCENARIO = Scenario("cost", "API and table cost", measure, render, needs=("sweep",))
