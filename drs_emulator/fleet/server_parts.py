"""The drawn parts of a source server, one function per part of botocore's ``SourceServer``.

``make_server`` calls them in a fixed order; each draws from ``rng`` in a fixed order. Keep both:
the fleet for a seed depends on them (``tests/emulator/test_emulator_fleet.py`` pins it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from drs_emulator.fleet.common import (
    CPU_MODELS,
    GIB,
    HEX,
    INITIATION_STEPS,
    OS_NAMES,
    duration,
    initiation_steps,
    iso,
    random_id,
    server_arn,
    steps_up_to,
)

# Errors the service reports for each unhealthy state; STOPPED servers often carry the error that
# made an operator (or DRS) stop them.
_STATE_ERRORS = {
    "STALLED": ("NOT_CONVERGING", "SNAPSHOTS_FAILURE", "UNSTABLE_NETWORK", "FAILED_TO_START_DATA_TRANSFER"),
    "DISCONNECTED": ("AGENT_NOT_SEEN",),
    "STOPPED": ("AGENT_NOT_SEEN", "SNAPSHOTS_FAILURE", "FAILED_TO_LAUNCH_REPLICATION_SERVER"),
}
_SYNCING = ("INITIAL_SYNC", "BACKLOG", "RESCAN", "CREATING_SNAPSHOT")


@dataclass(frozen=True)
class ServerSpec:
    """What the caller chose; everything else is drawn."""

    state: str
    direction: str
    extended: bool
    error: str | None
    account_id: str
    region: str
    staging_account_id: str
    aws_origin: bool
    now: datetime


def disks(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"deviceName": name, "bytes": rng.choice((8, 30, 50, 100, 200, 500)) * GIB}
        for name in ("/dev/xvda", "/dev/xvdb", "/dev/xvdc")[: rng.randrange(1, 4)]
    ]


def _replicated_disk(disk: dict[str, Any], state: str, rng: random.Random) -> dict[str, Any]:
    total: int = disk["bytes"]
    done = total if state not in ("INITIAL_SYNC", "INITIATING") else rng.randrange(0, total)
    backlog = rng.randrange(0, 4 * GIB) if state in ("BACKLOG", "STALLED") else 0
    return {
        "deviceName": disk["deviceName"],
        "totalStorageBytes": total,
        "replicatedStorageBytes": done,
        "rescannedStorageBytes": rng.randrange(0, total) if state == "RESCAN" else 0,
        "backloggedStorageBytes": backlog,
        "volumeStatus": "REGULAR",
    }


def replication_info(
    spec: ServerSpec, disks: list[dict[str, Any]], first_byte: datetime, rng: random.Random
) -> dict[str, Any]:
    state = spec.state
    info: dict[str, Any] = {
        "dataReplicationState": state,
        "replicatedDisks": [_replicated_disk(disk, state, rng) for disk in disks],
        "stagingAvailabilityZone": f"{spec.region}{rng.choice('abc')}",
    }
    if state == "CONTINUOUS":
        info["lagDuration"] = "PT0S"
    elif state != "INITIATING":
        info["lagDuration"] = duration(rng.randrange(60, 3 * 86400))
    if state in _SYNCING:
        info["etaDateTime"] = iso(spec.now + timedelta(minutes=rng.randrange(5, 600)))
    info["dataReplicationInitiation"] = _initiation(state, spec.now, first_byte, rng)
    return info


def _initiation(state: str, now: datetime, first_byte: datetime, rng: random.Random) -> dict[str, Any]:
    if state != "INITIATING":
        return {"startDateTime": iso(first_byte), "steps": initiation_steps()}
    started = iso(now - timedelta(minutes=rng.randrange(1, 60)))
    return {
        "startDateTime": started,
        "steps": steps_up_to(rng.randrange(0, len(INITIATION_STEPS)), "IN_PROGRESS"),
    }


def add_error(info: dict[str, Any], spec: ServerSpec, hostname: str, rng: random.Random) -> None:
    error, state = spec.error, spec.state
    if error is None and state in _STATE_ERRORS and (state != "STOPPED" or rng.random() < 0.4):
        error = rng.choice(_STATE_ERRORS[state])
    if error is not None:
        info["dataReplicationError"] = {"error": error, "rawError": f"{error} reported for {hostname}"}


def last_seen(spec: ServerSpec, rng: random.Random) -> datetime:
    if spec.state == "DISCONNECTED":
        return spec.now - timedelta(hours=rng.randrange(2, 72))
    return spec.now - timedelta(seconds=rng.randrange(5, 120))


def life_cycle(
    now: datetime, added: datetime, first_byte: datetime, last_seen: datetime, rng: random.Random
) -> tuple[dict[str, Any], str]:
    life_cycle: dict[str, Any] = {
        "addedToServiceDateTime": iso(added),
        "firstByteDateTime": iso(first_byte),
        "elapsedReplicationDuration": duration(int((now - first_byte).total_seconds())),
        "lastSeenByServiceDateTime": iso(last_seen),
    }
    result = rng.choice(("NOT_STARTED", "NOT_STARTED", "SUCCEEDED", "FAILED"))
    if result != "NOT_STARTED":
        life_cycle["lastLaunch"] = {
            "initiated": {
                "apiCallDateTime": iso(now - timedelta(days=rng.randrange(1, 90))),
                "jobID": random_id(rng, "drsjob-"),
                "type": rng.choice(("DRILL", "RECOVERY")),
            },
            "status": "LAUNCHED" if result == "SUCCEEDED" else "FAILED",
        }
    return life_cycle, result


def source_properties(
    spec: ServerSpec,
    hostname: str,
    disks: list[dict[str, Any]],
    last_seen: datetime,
    instance_id: str,
    rng: random.Random,
) -> dict[str, Any]:
    os_name = rng.choice(OS_NAMES)
    cpus = rng.choice((2, 4, 8, 16))
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    hints: dict[str, str] = {"hostname": hostname, "fqdn": f"{hostname}.corp.example.com"}
    if spec.aws_origin:
        hints["awsInstanceID"] = instance_id
    else:
        hints["vmWareUuid"] = "-".join("".join(rng.choice(HEX) for _ in range(n)) for n in (8, 4, 4, 4, 12))
    return {
        "lastUpdatedDateTime": iso(last_seen),
        "recommendedInstanceType": rng.choice(("m5.large", "m5.xlarge", "r5.2xlarge", "c5.xlarge")),
        "identificationHints": hints,
        "networkInterfaces": [{"macAddress": mac, "ips": [ip], "isPrimary": True}],
        "disks": disks,
        "cpus": [{"cores": cpus, "modelName": rng.choice(CPU_MODELS)}],
        "ramBytes": rng.choice((4, 8, 16, 32, 64)) * GIB,
        "os": {"fullString": os_name},
        "supportsNitroInstances": True,
        "architecture": "x86_64",
    }


def staging_area(spec: ServerSpec, server_id: str) -> dict[str, Any]:
    if not spec.extended:
        return {"status": "NOT_EXTENDED"}
    return {
        "status": "EXTENDED",
        "stagingAccountID": spec.staging_account_id,
        "stagingSourceServerArn": server_arn(server_id, spec.staging_account_id, spec.region),
    }


def cloud_properties(spec: ServerSpec, rng: random.Random) -> dict[str, Any]:
    return {
        "originAccountID": spec.account_id,
        "originRegion": spec.region,
        "originAvailabilityZone": f"{spec.region}{rng.choice('abc')}",
    }
