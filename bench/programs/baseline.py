"""The measured baseline, the plain way: a boto3 paginator with its defaults, then one start at a time."""

from __future__ import annotations

import time
from typing import Any

from bench.programs.measure import main


def run(result: dict[str, Any]) -> None:
    import boto3  # counted in the program's time, as in the handler's

    begun = time.perf_counter()
    drs = boto3.client("drs")
    eligible = []
    for page in drs.get_paginator("describe_source_servers").paginate():
        for server in page["items"]:
            if is_eligible(server):
                eligible.append(server["sourceServerID"])
    timings = []
    for sid in eligible:
        sent = time.perf_counter()
        drs.start_replication(sourceServerID=sid)
        timings.append(time.perf_counter() - sent)
    result["sweepSeconds"] = time.perf_counter() - begun
    result["started"] = len(eligible)
    timings.sort()
    result["startCallMedian"] = timings[len(timings) // 2] if timings else None


def is_eligible(server: dict[str, Any]) -> bool:
    """The handler's default policy written out plainly: stopped, not opted out, failover, not extended."""
    tags = server.get("tags") or {}
    return (
        server["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
        and tags.get("AutoReprotect", "").casefold() != "false"
        and server.get("replicationDirection") != "FAILBACK"
        and (server.get("stagingArea") or {}).get("status") != "EXTENDED"
    )


if __name__ == "__main__":
    main(run)
