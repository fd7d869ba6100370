"""The measured handler: a cold process that imports `reprotect.handler` and answers one scheduled event."""

from __future__ import annotations

import os
import time
from typing import Any

from bench.programs.measure import main

BUDGET_VARIABLE = "BENCH_BUDGET_MS"  # the fake Lambda context's budget (default 900 s, Lambda's longest)


def run(result: dict[str, Any]) -> None:
    # Imported here, so the program's own imports count in its time as the handler's would.
    import boto3

    from bench.programs.hooks import observe
    from harness.context import FakeContext
    from harness.events import load_event
    from harness.function import lambda_handler

    boto3.setup_default_session()
    seen = observe(boto3.DEFAULT_SESSION)
    handler = lambda_handler()
    event = load_event("scheduler.json")
    begun = time.perf_counter()
    report = handler(event, FakeContext(budget_ms=int(os.environ.get(BUDGET_VARIABLE, "900000"))))
    result["sweepSeconds"] = time.perf_counter() - begun
    result["counts"] = report["counts"]
    result["status"] = report["status"]
    result["truncated"] = report.get("truncated", False)
    result["reasons"] = reasons(report["servers"])
    result["serversOmitted"] = report.get("serversOmitted", 0)
    result["tableRequests"] = seen.table_requests
    result["tableWrites"] = seen.table_writes
    result["tableServers"] = sorted(seen.table_servers)
    result["published"] = seen.published


def reasons(servers: list[dict[str, Any]]) -> dict[str, int]:
    """How many listed servers had each outcome/reason."""
    out: dict[str, int] = {}
    for server in servers:
        key = f"{server['outcome']}/{server['reason']}"
        out[key] = out.get(key, 0) + 1
    return out


if __name__ == "__main__":
    main(run)
