"""``make_server``: one source server shaped like botocore's ``SourceServer``.

The builder draws from ``rng`` in a fixed order (the generated fleet for a seed depends on it, and
``tests/emulator/test_emulator_fleet.py`` pins it): options that came later override the drawn
values afterwards instead of skipping draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from drs_emulator.fleet.common import (
    ALL_STATES,
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_STAGING_ACCOUNT,
    GIB,
    HEX,
    INITIATION_STEPS,
    RECOVERY_INSTANCE_ID,
    SOURCE_NETWORK_ID,
    check_choice,
    check_id,
    duration,
    initiation_steps,
    iso,
    random_id,
    random_server_id,
    server_arn,
    steps_up_to,
)

LAUNCH_TYPES = ("DRILL", "RECOVERY")
LAUNCH_STATUSES = ("PENDING", "IN_PROGRESS", "LAUNCHED", "FAILED", "TERMINATED")
# lastLaunchResult that goes with each lifeCycle.lastLaunch.status
_LAUNCH_RESULTS = {
    "PENDING": "PENDING",
    "IN_PROGRESS": "PENDING",
    "LAUNCHED": "SUCCEEDED",
    "FAILED": "FAILED",
    "TERMINATED": "SUCCEEDED",
}

# Errors the service reports for each unhealthy state; STOPPED servers often carry the error that
# made an operator (or DRS) stop them.
_STATE_ERRORS = {
    "STALLED": ("NOT_CONVERGING", "SNAPSHOTS_FAILURE", "UNSTABLE_NETWORK", "FAILED_TO_START_DATA_TRANSFER"),
    "DISCONNECTED": ("AGENT_NOT_SEEN",),
    "STOPPED": ("AGENT_NOT_SEEN", "SNAPSHOTS_FAILURE", "FAILED_TO_LAUNCH_REPLICATION_SERVER"),
}
_SYNCING = ("INITIAL_SYNC", "BACKLOG", "RESCAN", "CREATING_SNAPSHOT")

OS_NAMES = (
    "Amazon Linux 2 (Karoo)",
    "Red Hat Enterprise Linux release 8.8 (Ootpa)",
    "Ubuntu 22.04.3 LTS",
    "Microsoft Windows Server 2019 Datacenter",
    "Microsoft Windows Server 2022 Standard",
)
CPU_MODELS = (
    "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
    "AMD EPYC 7R13 Processor",
    "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
)
_ROLES = ("web", "app", "db", "cache", "batch", "auth", "search", "files")
AGENT_VERSIONS = ("4.5.2", "4.6.0", "4.7.1", "4.7.1.1234.567.8901")


@dataclass(frozen=True)
class _Spec:
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


@dataclass(frozen=True)
class _Recovery:
    """Options recovery features need; applied after the draws, so they never shift them."""

    recovery_instance_id: str | None
    lag_seconds: int | None
    initiation_failed_step: str | None
    last_launch: str | None
    last_launch_status: str
    source_network_id: str | None

    def check(self) -> None:
        if self.recovery_instance_id is not None:
            check_id("recovery_instance_id", self.recovery_instance_id, RECOVERY_INSTANCE_ID)
        if self.source_network_id is not None:
            check_id("source_network_id", self.source_network_id, SOURCE_NETWORK_ID)
        if self.lag_seconds is not None and self.lag_seconds < 0:
            raise ValueError(f"lag_seconds must be at least 0, not {self.lag_seconds}")
        if self.initiation_failed_step is not None:
            check_choice("initiation step", self.initiation_failed_step, INITIATION_STEPS)
        if self.last_launch is not None:
            check_choice("last launch type", self.last_launch, LAUNCH_TYPES)
        check_choice("last launch status", self.last_launch_status, LAUNCH_STATUSES)


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
    recovery = _Recovery(
        recovery_instance_id, lag_seconds, initiation_failed_step, last_launch, last_launch_status,
        source_network_id,
    )  # fmt: skip
    recovery.check()
    rng = rng or random.Random()
    aws_origin = ec2_origin or direction == "FAILBACK"
    spec = _Spec(
        state, direction, extended, error, account_id, region, staging_account_id, aws_origin,
        now or datetime.now(UTC),
    )  # fmt: skip
    server = _drawn_server(spec, server_id or random_server_id(rng), hostname, tags, rng)
    _apply_recovery(server, recovery, spec)
    return server


def _drawn_server(
    spec: _Spec, server_id: str, hostname: str | None, tags: dict[str, str] | None, rng: random.Random
) -> dict[str, Any]:
    role = rng.choice(_ROLES)
    hostname = hostname or f"{role}-{rng.randrange(1, 999):03d}"
    added = spec.now - timedelta(days=rng.randrange(5, 400), seconds=rng.randrange(86400))
    first_byte = added + timedelta(minutes=rng.randrange(2, 60))
    disks = _disks(rng)
    info = _replication_info(spec, disks, first_byte, rng)
    _add_error(info, spec, hostname, rng)
    last_seen = _last_seen(spec, rng)
    life_cycle, launch_result = _life_cycle(spec.now, added, first_byte, last_seen, rng)
    instance_id = random_id(rng, "i-", HEX)
    server: dict[str, Any] = {
        "sourceServerID": server_id,
        "arn": server_arn(server_id, spec.account_id, spec.region),
        "tags": dict(tags) if tags is not None else {"Name": hostname, "Application": role},
        "lastLaunchResult": launch_result,
        "dataReplicationInfo": info,
        "lifeCycle": life_cycle,
        "sourceProperties": _source_properties(spec, hostname, disks, last_seen, instance_id, rng),
        "replicationDirection": spec.direction,
        "sourceNetworkID": random_id(rng, "sn-"),
        "agentVersion": rng.choice(AGENT_VERSIONS),
        "stagingArea": _staging_area(spec, server_id),
    }
    if spec.aws_origin:
        server["sourceCloudProperties"] = _cloud_properties(spec, rng)
    if spec.direction == "FAILBACK":
        # A failback server replicates a recovery instance back to the original source server.
        server["recoveryInstanceId"] = instance_id
        server["reversedDirectionSourceServerArn"] = server_arn(
            random_server_id(rng), spec.account_id, spec.region
        )
    return server


def _disks(rng: random.Random) -> list[dict[str, Any]]:
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


def _replication_info(
    spec: _Spec, disks: list[dict[str, Any]], first_byte: datetime, rng: random.Random
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


def _add_error(info: dict[str, Any], spec: _Spec, hostname: str, rng: random.Random) -> None:
    error, state = spec.error, spec.state
    if error is None and state in _STATE_ERRORS and (state != "STOPPED" or rng.random() < 0.4):
        error = rng.choice(_STATE_ERRORS[state])
    if error is not None:
        info["dataReplicationError"] = {"error": error, "rawError": f"{error} reported for {hostname}"}


def _last_seen(spec: _Spec, rng: random.Random) -> datetime:
    if spec.state == "DISCONNECTED":
        return spec.now - timedelta(hours=rng.randrange(2, 72))
    return spec.now - timedelta(seconds=rng.randrange(5, 120))


def _life_cycle(
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
                "type": rng.choice(LAUNCH_TYPES),
            },
            "status": "LAUNCHED" if result == "SUCCEEDED" else "FAILED",
        }
    return life_cycle, result


def _source_properties(
    spec: _Spec,
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


def _staging_area(spec: _Spec, server_id: str) -> dict[str, Any]:
    if not spec.extended:
        return {"status": "NOT_EXTENDED"}
    return {
        "status": "EXTENDED",
        "stagingAccountID": spec.staging_account_id,
        "stagingSourceServerArn": server_arn(server_id, spec.staging_account_id, spec.region),
    }


def _cloud_properties(spec: _Spec, rng: random.Random) -> dict[str, Any]:
    return {
        "originAccountID": spec.account_id,
        "originRegion": spec.region,
        "originAvailabilityZone": f"{spec.region}{rng.choice('abc')}",
    }


# ---- options applied after the draws -------------------------------------------------------------


def _apply_recovery(server: dict[str, Any], recovery: _Recovery, spec: _Spec) -> None:
    if recovery.recovery_instance_id is not None:
        server["recoveryInstanceId"] = recovery.recovery_instance_id
    if recovery.source_network_id is not None:
        server["sourceNetworkID"] = recovery.source_network_id
    if recovery.lag_seconds is not None:
        server["dataReplicationInfo"]["lagDuration"] = duration(recovery.lag_seconds)
    if recovery.initiation_failed_step is not None:
        _fail_initiation(server["dataReplicationInfo"], recovery.initiation_failed_step, spec)
    if recovery.last_launch is not None:
        set_last_launch(server, recovery.last_launch, recovery.last_launch_status, spec.now)


def _fail_initiation(info: dict[str, Any], step: str, spec: _Spec) -> None:
    """The step FAILED, earlier ones SUCCEEDED; DRS retries later and names the failure in the error."""
    initiation = info["dataReplicationInitiation"]
    initiation["steps"] = steps_up_to(INITIATION_STEPS.index(step), "FAILED")
    initiation["nextAttemptDateTime"] = iso(spec.now + timedelta(minutes=5))
    if spec.error is None and step != "WAIT":  # every other step has a FAILED_TO_<step> error
        error = f"FAILED_TO_{step}"
        info["dataReplicationError"] = {"error": error, "rawError": f"{error} during initiation"}


def set_last_launch(server: dict[str, Any], launch_type: str, status: str, now: datetime) -> None:
    """Record a DRILL or RECOVERY launch in ``lifeCycle.lastLaunch`` and ``lastLaunchResult``."""
    previous = server["lifeCycle"].get("lastLaunch", {}).get("initiated", {})
    # Seeded by the server id, not by the caller's rng, so the fleet's draws stay where they were.
    job_id = previous.get("jobID") or random_id(random.Random(server["sourceServerID"]), "drsjob-")
    server["lifeCycle"]["lastLaunch"] = {
        "initiated": {
            "apiCallDateTime": previous.get("apiCallDateTime") or iso(now - timedelta(hours=1)),
            "jobID": job_id,
            "type": launch_type,
        },
        "status": status,
    }
    server["lastLaunchResult"] = _LAUNCH_RESULTS[status]
