"""The measured plain script of the cold start: import boto3, make a DRS client, read the handler's pages."""

from __future__ import annotations

from typing import Any

from bench.programs.measure import main


def run(result: dict[str, Any]) -> None:
    import boto3  # counted in the program's time, as in the handler's

    drs = boto3.client("drs")
    request: dict[str, Any] = {"maxResults": 1000}  # as the handler asks
    servers = 0
    while True:
        page = drs.describe_source_servers(**request)
        servers += len(page["items"])
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    result["servers"] = servers


if __name__ == "__main__":
    main(run)
