"""Reading recovery instances: the EC2 instances DRS launched from source servers, drills or real.

`instances_of` asks DescribeRecoveryInstances about many source servers at once (200 ids a call,
following `nextToken`), never one call per server; `pages` without ids lists every instance.
`RecoveryInstance` keeps what decisions read of each item; anything DRS leaves out is None, never
guessed, except `is_drill`, which is True only when DRS says so (an instance of unknown kind is treated
as a real recovery: never undo a failover). `drill_stated` says whether DRS said either way: reverse
replication, which acts, needs DRS to say the instance is not a drill.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

IDS_PER_CALL = 200  # as DescribeSourceServers; the model bounds recoveryInstanceIDs at 200 too
PAGE_SIZE = 1000


@dataclass(frozen=True)
class RecoveryInstance:
    recovery_instance_id: str
    source_server_id: str | None
    is_drill: bool
    ec2_state: str | None  # ec2InstanceState: PENDING, RUNNING, ..., TERMINATED, NOT_FOUND
    failback_state: str | None  # failback.state, e.g. FAILBACK_IN_PROGRESS, FAILBACK_COMPLETED
    origin: str | None  # originEnvironment: AWS or ON_PREMISES
    reverse_state: str | None  # dataReplicationInfo.dataReplicationState: replication back to the origin
    tags: Mapping[str, str] = field(default_factory=dict, compare=False)
    drill_stated: bool = True  # isDrill was a boolean

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> RecoveryInstance:
        def text(value: Any) -> str | None:
            return value if isinstance(value, str) else None

        return cls(
            str(item.get("recoveryInstanceID") or item.get("ec2InstanceID") or "unknown"),
            text(item.get("sourceServerID")),
            item.get("isDrill") is True,
            text(item.get("ec2InstanceState")),
            text((item.get("failback") or {}).get("state")),
            text(item.get("originEnvironment")),
            text((item.get("dataReplicationInfo") or {}).get("dataReplicationState")),
            tags if isinstance(tags := item.get("tags"), Mapping) else {},
            isinstance(item.get("isDrill"), bool),
        )


def pages(client: Any, source_server_ids: Iterable[str] | None) -> Iterator[list[dict[str, Any]]]:
    """Each page of the recovery instances of these source servers (200 ids a request), or of every
    recovery instance (None)."""
    if source_server_ids is None:
        yield from _listing(client, {"maxResults": PAGE_SIZE})
        return
    ids = sorted(set(source_server_ids))
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = {"sourceServerIDs": ids[start : start + IDS_PER_CALL]}
        yield from _listing(client, {"filters": chunk, "maxResults": PAGE_SIZE})


def _listing(client: Any, request: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    while True:
        page = client.describe_recovery_instances(**request)
        yield list(page.get("items", []))
        token = page.get("nextToken")  # a page may be empty and still carry one
        if not token:
            return
        request["nextToken"] = token


def instances_of(client: Any, source_server_ids: Iterable[str]) -> dict[str, list[RecoveryInstance]]:
    """The recovery instances of each of these source servers, by source server id (absent: none)."""
    found: dict[str, list[RecoveryInstance]] = {}
    for page in pages(client, source_server_ids):
        for item in page:
            instance = RecoveryInstance.from_api(item)
            if instance.source_server_id:
                found.setdefault(instance.source_server_id, []).append(instance)
    return found
