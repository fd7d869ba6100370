"""Recovery instances shaped like botocore's ``RecoveryInstance``, and the source server that
``ReverseReplication`` creates for one.

A recovery instance's id is its EC2 instance id. Its ``dataReplicationInfo`` describes replication
in the reverse direction (back towards where the source server came from), with its own state enum:
``NOT_STARTED`` until someone starts it. The model types its ``lagDuration`` and the failback
``elapsedReplicationDuration`` as date-time strings, so they are left out rather than sent as
durations the model would reject or as times nobody can read.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from drs_emulator.fleet.common import (
    AGENT_VERSIONS,
    CPU_MODELS,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    GIB,
    HEX,
    INITIATION_STEPS,
    OS_NAMES,
    RECOVERY_INSTANCE_ID,
    check_choice,
    check_id,
    initiation_steps,
    iso,
    random_id,
    random_server_id,
    resource_arn,
    server_arn,
)

EC2_STATES = ("PENDING", "RUNNING", "STOPPING", "STOPPED", "SHUTTING-DOWN", "TERMINATED", "NOT_FOUND")
ORIGINS = ("AWS", "ON_PREMISES")
REVERSE_STATES = (
    "NOT_STARTED",
    "STOPPED",
    "INITIATING",
    "INITIAL_SYNC",
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
    "DISCONNECTED",
    "REPLICATION_STATE_NOT_AVAILABLE",
)
# Failback from outside AWS goes through the Failback Client, which has initiation steps of its own;
# a recovery instance whose origin is AWS replicates back the way a source server does.
FAILBACK_CLIENT_STEPS = (
    "LINK_FAILBACK_CLIENT_WITH_RECOVERY_INSTANCE",
    "COMPLETE_VOLUME_MAPPING",
    "ESTABLISH_RECOVERY_INSTANCE_COMMUNICATION",
    "DOWNLOAD_REPLICATION_SOFTWARE_TO_FAILBACK_CLIENT",
    "CONFIGURE_REPLICATION_SOFTWARE",
    "PAIR_AGENT_WITH_REPLICATION_SOFTWARE",
    "ESTABLISH_AGENT_REPLICATOR_SOFTWARE_COMMUNICATION",
)


def recovery_instance_arn(instance_id: str, account_id: str, region: str) -> str:
    return resource_arn("recovery-instance", instance_id, account_id, region)


def make_recovery_instance(
    source_server: dict[str, Any] | None = None,
    *,
    recovery_instance_id: str | None = None,
    source_server_id: str | None = None,
    ec2_state: str = "RUNNING",
    is_drill: bool = False,
    origin_environment: str | None = None,
    reverse_state: str = "NOT_STARTED",
    tags: dict[str, str] | None = None,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Build one recovery instance, launched from ``source_server`` when given (its id, properties and
    origin: AWS when it has ``sourceCloudProperties``), else from a made-up server of EC2 origin."""
    server = source_server or {}
    origin = origin_environment or _origin_of(server)
    _check(ec2_state, reverse_state, origin)
    rng = rng or random.Random()
    now = now or datetime.now(UTC)
    instance_id = recovery_instance_id or random_id(rng, "i-", HEX)
    check_id("recovery_instance_id", instance_id, RECOVERY_INSTANCE_ID)
    instance: dict[str, Any] = {
        "recoveryInstanceID": instance_id,
        "ec2InstanceID": instance_id,
        "ec2InstanceState": ec2_state,
        "jobID": random_id(rng, "drsjob-"),
        "sourceServerID": source_server_id or server.get("sourceServerID") or random_server_id(rng),
        "arn": recovery_instance_arn(instance_id, account_id, region),
        "tags": dict(tags or {}),
        "isDrill": is_drill,
        "originEnvironment": origin,
        "dataReplicationInfo": reverse_replication_info(reverse_state, origin, now),
    }
    instance.update(_drawn_details(server, instance_id, origin, region, now, rng))
    return instance


def _origin_of(server: dict[str, Any]) -> str:
    return "ON_PREMISES" if server and "sourceCloudProperties" not in server else "AWS"


def _check(ec2_state: str, reverse_state: str, origin: str) -> None:
    check_choice("ec2InstanceState", ec2_state, EC2_STATES)
    check_choice("dataReplicationState", reverse_state, REVERSE_STATES)
    check_choice("originEnvironment", origin, ORIGINS)


def _drawn_details(
    server: dict[str, Any], instance_id: str, origin: str, region: str, now: datetime, rng: random.Random
) -> dict[str, Any]:
    details: dict[str, Any] = {
        "recoveryInstanceProperties": _properties(server, instance_id, now, rng),
        "pointInTimeSnapshotDateTime": iso(now - timedelta(minutes=rng.randrange(1, 600))),
        "agentVersion": server.get("agentVersion") or rng.choice(AGENT_VERSIONS),
    }
    if origin == "AWS":
        cloud = server.get("sourceCloudProperties") or {}
        details["originAvailabilityZone"] = (
            cloud.get("originAvailabilityZone") or f"{region}{rng.choice('abc')}"
        )
    else:
        details["failback"] = {"state": "FAILBACK_NOT_STARTED", "failbackToOriginalServer": True}
    return details


def reverse_replication_info(state: str, origin: str, now: datetime) -> dict[str, Any]:
    """``dataReplicationInfo`` of a recovery instance whose reverse replication is in ``state``."""
    info: dict[str, Any] = {"dataReplicationState": state}
    if state in ("NOT_STARTED", "REPLICATION_STATE_NOT_AVAILABLE"):
        return info
    names = INITIATION_STEPS if origin == "AWS" else FAILBACK_CLIENT_STEPS
    status = "NOT_STARTED" if state == "INITIATING" else "SUCCEEDED"
    info["dataReplicationInitiation"] = {"startDateTime": iso(now), "steps": initiation_steps(status, names)}
    return info


# EbsVolumeID's pattern allows 8 or 17 hex digits but its length is at most 19: only 8 fit both.
def _properties(
    server: dict[str, Any], instance_id: str, now: datetime, rng: random.Random
) -> dict[str, Any]:
    source = server.get("sourceProperties") or {}
    hostname = (source.get("identificationHints") or {}).get(
        "hostname"
    ) or f"recovered-{rng.randrange(1000):03d}"
    disks = source.get("disks") or [{"deviceName": "/dev/xvda", "bytes": 50 * GIB}]
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    return {
        "lastUpdatedDateTime": iso(now),
        "identificationHints": {
            "hostname": hostname,
            "fqdn": f"{hostname}.corp.example.com",
            "awsInstanceID": instance_id,
        },
        "networkInterfaces": [{"macAddress": mac, "ips": [ip], "isPrimary": True}],
        "disks": [
            {
                "internalDeviceName": d["deviceName"],
                "bytes": d["bytes"],
                "ebsVolumeID": random_id(rng, "vol-", HEX, 8),
            }
            for d in disks
        ],
        "cpus": source.get("cpus") or [{"cores": 2, "modelName": rng.choice(CPU_MODELS)}],
        "ramBytes": source.get("ramBytes") or 8 * GIB,
        "os": source.get("os") or {"fullString": rng.choice(OS_NAMES)},
    }


def reversed_server(
    instance: dict[str, Any],
    *,
    server_id: str,
    original_arn: str,
    account_id: str,
    region: str,
    now: datetime,
) -> dict[str, Any]:
    """The FAILBACK source server ``ReverseReplication`` creates: it replicates ``instance`` back."""
    properties = _reversed_properties(instance["recoveryInstanceProperties"], now)
    server: dict[str, Any] = {
        "sourceServerID": server_id,
        "arn": server_arn(server_id, account_id, region),
        "tags": dict(instance.get("tags", {})),
        "recoveryInstanceId": instance["recoveryInstanceID"],
        "lastLaunchResult": "NOT_STARTED",
        "dataReplicationInfo": {
            "dataReplicationState": "INITIATING",
            "replicatedDisks": [_empty_replicated_disk(d) for d in properties["disks"]],
            "dataReplicationInitiation": {
                "startDateTime": iso(now),
                "steps": initiation_steps("NOT_STARTED"),
            },
        },
        "lifeCycle": {"addedToServiceDateTime": iso(now)},
        "sourceProperties": properties,
        "replicationDirection": "FAILBACK",
        "reversedDirectionSourceServerArn": original_arn,
        "sourceCloudProperties": {"originAccountID": account_id, "originRegion": region},
        "stagingArea": {"status": "NOT_EXTENDED"},
    }
    if "agentVersion" in instance:
        server["agentVersion"] = instance["agentVersion"]
    return server


def _reversed_properties(props: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A source server's ``sourceProperties`` from a recovery instance's ``recoveryInstanceProperties``."""
    return {
        "lastUpdatedDateTime": iso(now),
        "identificationHints": props["identificationHints"],
        "networkInterfaces": props["networkInterfaces"],
        "disks": [{"deviceName": d["internalDeviceName"], "bytes": d["bytes"]} for d in props["disks"]],
        "cpus": props["cpus"],
        "ramBytes": props["ramBytes"],
        "os": props["os"],
    }


def _empty_replicated_disk(disk: dict[str, Any]) -> dict[str, Any]:
    return {
        "deviceName": disk["deviceName"],
        "totalStorageBytes": disk["bytes"],
        "replicatedStorageBytes": 0,
        "rescannedStorageBytes": 0,
        "backloggedStorageBytes": 0,
    }
