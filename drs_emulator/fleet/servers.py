"""``make_server``: one source server shaped like botocore's ``SourceServer``.

The builder draws from ``rng`` in a fixed order (the generated fleet for a seed depends on it, and
``tests/emulator/test_emulator_fleet.py`` pins it): the parts come from ``server_parts``, and options
that came later (``server_options``) override drawn values afterwards instead of skipping draws.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from drs_emulator.fleet import server_parts as parts
from drs_emulator.fleet.common import (
    AGENT_VERSIONS,
    ALL_STATES,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_STAGING_ACCOUNT,
    HEX,
    check_choice,
    random_id,
    random_server_id,
    server_arn,
)
from drs_emulator.fleet.server_options import RecoveryOptions

# What generated hosts are named after (and tagged with, as Application).
_ROLES = ("web", "app", "db", "cache", "batch", "auth", "search", "files")


def make_server(
    state: str = "CONTINUOUS",
    *,
    server_id: str | None = None,
    tags: dict[str, str] | None = None,
    direction: str = "FAILOVER",
    extended: bool = False,
    hostname: str | None = None,
    error: str | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    staging_account_id: str = DEFAULT_STAGING_ACCOUNT,
    ec2_origin: bool = False,
    recovery_instance_id: str | None = None,
    lag_seconds: int | None = None,
    initiation_failed_step: str | None = None,
    last_launch: str | None = None,
    last_launch_status: str = "LAUNCHED",
    source_network_id: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Build one source server with the given replication state and attributes."""
    check_choice("dataReplicationState", state, ALL_STATES)
    check_choice("replicationDirection", direction, ("FAILOVER", "FAILBACK"))
    recovery = RecoveryOptions(
        recovery_instance_id, lag_seconds, initiation_failed_step, last_launch, last_launch_status,
        source_network_id,
    )  # fmt: skip
    recovery.check()
    rng = rng or random.Random()
    aws_origin = ec2_origin or direction == "FAILBACK"
    spec = parts.ServerSpec(
        state, direction, extended, error, account_id, region, staging_account_id, aws_origin,
        now or datetime.now(UTC),
    )  # fmt: skip
    server = _drawn_server(spec, server_id or random_server_id(rng), hostname, tags, rng)
    recovery.apply(server, spec.now, spec.error)
    return server


def _drawn_server(
    spec: parts.ServerSpec,
    server_id: str,
    hostname: str | None,
    tags: dict[str, str] | None,
    rng: random.Random,
) -> dict[str, Any]:
    role = rng.choice(_ROLES)
    hostname = hostname or f"{role}-{rng.randrange(1, 999):03d}"
    added = spec.now - timedelta(days=rng.randrange(5, 400), seconds=rng.randrange(86400))
    first_byte = added + timedelta(minutes=rng.randrange(2, 60))
    disks = parts.disks(rng)
    info = parts.replication_info(spec, disks, first_byte, rng)
    parts.add_error(info, spec, hostname, rng)
    last_seen = parts.last_seen(spec, rng)
    life_cycle, launch_result = parts.life_cycle(spec.now, added, first_byte, last_seen, rng)
    instance_id = random_id(rng, "i-", HEX)
    server: dict[str, Any] = {
        "sourceServerID": server_id,
        "arn": server_arn(server_id, spec.account_id, spec.region),
        "tags": dict(tags) if tags is not None else {"Name": hostname, "Application": role},
        "lastLaunchResult": launch_result,
        "dataReplicationInfo": info,
        "lifeCycle": life_cycle,
        "sourceProperties": parts.source_properties(spec, hostname, disks, last_seen, instance_id, rng),
        "replicationDirection": spec.direction,
        "sourceNetworkID": random_id(rng, "sn-"),
        "agentVersion": rng.choice(AGENT_VERSIONS),
        "stagingArea": parts.staging_area(spec, server_id),
    }
    if spec.aws_origin:
        server["sourceCloudProperties"] = parts.cloud_properties(spec, rng)
    if spec.direction == "FAILBACK":
        # A failback server replicates a recovery instance back to the original source server.
        server["recoveryInstanceId"] = instance_id
        server["reversedDirectionSourceServerArn"] = server_arn(
            random_server_id(rng), spec.account_id, spec.region
        )
    return server
