"""Source networks shaped like botocore's ``SourceNetwork``: a VPC whose configuration DRS replicates
from its origin Region into this one, so it can be recreated on recovery."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from drs_emulator.fleet.common import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    HEX,
    SOURCE_NETWORK_ID,
    check_choice,
    check_id,
    random_id,
    resource_arn,
)

REPLICATION_STATUSES = ("STOPPED", "IN_PROGRESS", "PROTECTED", "ERROR")
RECOVERY_RESULTS = (
    "NOT_STARTED",
    "IN_PROGRESS",
    "SUCCESS",
    "FAIL",
    "PARTIAL_SUCCESS",
    "ASSOCIATE_SUCCESS",
    "ASSOCIATE_FAIL",
)
_LAUNCHED = ("SUCCESS", "PARTIAL_SUCCESS", "ASSOCIATE_SUCCESS")
ERROR_DETAILS = "Failed to read the source VPC configuration"


def source_network_arn(network_id: str, account_id: str, region: str) -> str:
    return resource_arn("source-network", network_id, account_id, region)


def make_source_network(
    status: str = "PROTECTED",
    *,
    source_network_id: str | None = None,
    vpc_id: str | None = None,
    tags: dict[str, str] | None = None,
    origin_account_id: str | None = None,
    origin_region: str | None = None,
    details: str | None = None,
    last_recovery: str | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Build one source network in ``status``, replicated from ``origin_region`` of ``origin_account_id``
    (default: this Region and account). ``last_recovery`` (a ``RecoveryResult``) adds ``lastRecovery``;
    a successful one also the recovered VPC (``launchedVpcID``) and its stack (``cfnStackName``)."""
    _check(status, last_recovery)
    rng = rng or random.Random()
    network = _drawn_network(status, account_id, region, rng)
    chosen = {
        "sourceNetworkID": source_network_id,
        "sourceVpcID": vpc_id,
        "tags": None if tags is None else dict(tags),
        "sourceRegion": origin_region,
        "sourceAccountID": origin_account_id,
    }
    network.update({key: value for key, value in chosen.items() if value is not None})
    check_id("source_network_id", network["sourceNetworkID"], SOURCE_NETWORK_ID)
    network["arn"] = source_network_arn(network["sourceNetworkID"], account_id, region)
    if details is not None or status == "ERROR":
        network["replicationStatusDetails"] = ERROR_DETAILS if details is None else details
    if last_recovery is not None:
        _add_last_recovery(network, last_recovery, now or datetime.now(UTC), rng)
    return network


def _drawn_network(status: str, account_id: str, region: str, rng: random.Random) -> dict[str, Any]:
    return {
        "sourceNetworkID": random_id(rng, "sn-"),
        "sourceVpcID": random_id(rng, "vpc-", HEX),
        "tags": {"Name": f"vpc-{rng.choice(('prod', 'shared', 'dmz'))}"},
        "replicationStatus": status,
        "sourceRegion": region,
        "sourceAccountID": account_id,
    }


def _check(status: str, last_recovery: str | None) -> None:
    check_choice("replicationStatus", status, REPLICATION_STATUSES)
    if last_recovery is not None:
        check_choice("lastRecoveryResult", last_recovery, RECOVERY_RESULTS)


def _add_last_recovery(network: dict[str, Any], result: str, now: datetime, rng: random.Random) -> None:
    called = now - timedelta(days=rng.randrange(1, 90))
    # lastRecovery.apiCallDateTime is a timestamp in the model: epoch seconds on the wire.
    network["lastRecovery"] = {
        "apiCallDateTime": round(called.timestamp(), 3),
        "jobID": random_id(rng, "drsjob-"),
        "lastRecoveryResult": result,
    }
    if result in _LAUNCHED:
        network["launchedVpcID"] = random_id(rng, "vpc-", HEX)
        network["cfnStackName"] = f"drs-{network['sourceNetworkID']}"
