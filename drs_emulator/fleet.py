"""Seeded generator of realistic DRS source servers, shaped like botocore's ``SourceServer``.

``generate_fleet`` builds a whole account's worth with a sensible mix; ``make_server`` builds one
server with exactly the attributes a test cares about.
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_STAGING_ACCOUNT = "210987654321"

ACTIVE_STATES = (
    "INITIATING",
    "INITIAL_SYNC",
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
    "DISCONNECTED",
)
ALL_STATES = ("STOPPED", *ACTIVE_STATES)

INITIATION_STEPS = (
    "WAIT",
    "CREATE_SECURITY_GROUP",
    "LAUNCH_REPLICATION_SERVER",
    "BOOT_REPLICATION_SERVER",
    "AUTHENTICATE_WITH_SERVICE",
    "DOWNLOAD_REPLICATION_SOFTWARE",
    "CREATE_STAGING_DISKS",
    "ATTACH_STAGING_DISKS",
    "PAIR_REPLICATION_SERVER_WITH_AGENT",
    "CONNECT_AGENT_TO_REPLICATION_SERVER",
    "START_DATA_TRANSFER",
)

# Errors the service reports for each unhealthy state; STOPPED servers often carry the error that
# made an operator (or DRS) stop them.
_STATE_ERRORS = {
    "STALLED": ("NOT_CONVERGING", "SNAPSHOTS_FAILURE", "UNSTABLE_NETWORK", "FAILED_TO_START_DATA_TRANSFER"),
    "DISCONNECTED": ("AGENT_NOT_SEEN",),
    "STOPPED": ("AGENT_NOT_SEEN", "SNAPSHOTS_FAILURE", "FAILED_TO_LAUNCH_REPLICATION_SERVER"),
}

# Share of each non-STOPPED state in a default fleet (the STOPPED share is a parameter).
_ACTIVE_MIX = {
    "CONTINUOUS": 0.82,
    "STALLED": 0.04,
    "DISCONNECTED": 0.04,
    "PAUSED": 0.03,
    "INITIAL_SYNC": 0.02,
    "BACKLOG": 0.02,
    "RESCAN": 0.01,
    "CREATING_SNAPSHOT": 0.01,
    "INITIATING": 0.01,
}

_OS_NAMES = (
    "Amazon Linux 2 (Karoo)",
    "Red Hat Enterprise Linux release 8.8 (Ootpa)",
    "Ubuntu 22.04.3 LTS",
    "Microsoft Windows Server 2019 Datacenter",
    "Microsoft Windows Server 2022 Standard",
)
_CPU_MODELS = (
    "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
    "AMD EPYC 7R13 Processor",
    "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
)
_ROLES = ("web", "app", "db", "cache", "batch", "auth", "search", "files")
_AGENT_VERSIONS = ("4.5.2", "4.6.0", "4.7.1", "4.7.1.1234.567.8901")
_ID_ALPHABET = string.digits + string.ascii_lowercase

GIB = 1024**3


def iso(moment: datetime) -> str:
    """Format a time the way the model's ISO8601DatetimeString pattern wants it (UTC, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def random_server_id(rng: random.Random) -> str:
    return "s-" + "".join(rng.choice(_ID_ALPHABET) for _ in range(17))


def server_arn(server_id: str, account_id: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> str:
    return f"arn:aws:drs:{region}:{account_id}:source-server/{server_id}"


def _duration(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def initiation_steps(status: str = "SUCCEEDED") -> list[dict[str, str]]:
    return [{"name": name, "status": status} for name in INITIATION_STEPS]


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
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> dict[str, Any]:
    """Build one source server with the given replication state and attributes."""
    if state not in ALL_STATES:
        raise ValueError(f"unknown dataReplicationState {state!r}")
    if direction not in ("FAILOVER", "FAILBACK"):
        raise ValueError(f"unknown replicationDirection {direction!r}")
    rng = rng or random.Random()
    now = now or datetime.now(UTC)
    server_id = server_id or random_server_id(rng)
    role = rng.choice(_ROLES)
    hostname = hostname or f"{role}-{rng.randrange(1, 999):03d}"
    added = now - timedelta(days=rng.randrange(5, 400), seconds=rng.randrange(86400))
    first_byte = added + timedelta(minutes=rng.randrange(2, 60))

    disks: list[dict[str, Any]] = [
        {"deviceName": name, "bytes": rng.choice((8, 30, 50, 100, 200, 500)) * GIB}
        for name in ("/dev/xvda", "/dev/xvdb", "/dev/xvdc")[: rng.randrange(1, 4)]
    ]
    replicated_disks = []
    for disk in disks:
        total: int = disk["bytes"]
        done = total if state not in ("INITIAL_SYNC", "INITIATING") else rng.randrange(0, total)
        backlog = rng.randrange(0, 4 * GIB) if state in ("BACKLOG", "STALLED") else 0
        replicated_disks.append(
            {
                "deviceName": disk["deviceName"],
                "totalStorageBytes": total,
                "replicatedStorageBytes": done,
                "rescannedStorageBytes": rng.randrange(0, total) if state == "RESCAN" else 0,
                "backloggedStorageBytes": backlog,
                "volumeStatus": "REGULAR",
            }
        )

    info: dict[str, Any] = {
        "dataReplicationState": state,
        "replicatedDisks": replicated_disks,
        "stagingAvailabilityZone": f"{region}{rng.choice('abc')}",
    }
    if state == "CONTINUOUS":
        info["lagDuration"] = "PT0S"
    elif state != "INITIATING":
        info["lagDuration"] = _duration(rng.randrange(60, 3 * 86400))
    if state in ("INITIAL_SYNC", "BACKLOG", "RESCAN", "CREATING_SNAPSHOT"):
        info["etaDateTime"] = iso(now + timedelta(minutes=rng.randrange(5, 600)))
    started = iso(now - timedelta(minutes=rng.randrange(1, 60)) if state == "INITIATING" else first_byte)
    if state == "INITIATING":
        done_steps = rng.randrange(0, len(INITIATION_STEPS))
        steps = [
            {
                "name": name,
                "status": "SUCCEEDED"
                if i < done_steps
                else "IN_PROGRESS"
                if i == done_steps
                else "NOT_STARTED",
            }
            for i, name in enumerate(INITIATION_STEPS)
        ]
        info["dataReplicationInitiation"] = {"startDateTime": started, "steps": steps}
    else:
        info["dataReplicationInitiation"] = {"startDateTime": started, "steps": initiation_steps()}
    if error is None and state in _STATE_ERRORS and (state != "STOPPED" or rng.random() < 0.4):
        error = rng.choice(_STATE_ERRORS[state])
    if error is not None:
        info["dataReplicationError"] = {"error": error, "rawError": f"{error} reported for {hostname}"}

    last_seen = now - (
        timedelta(hours=rng.randrange(2, 72))
        if state == "DISCONNECTED"
        else timedelta(seconds=rng.randrange(5, 120))
    )
    life_cycle: dict[str, Any] = {
        "addedToServiceDateTime": iso(added),
        "firstByteDateTime": iso(first_byte),
        "elapsedReplicationDuration": _duration(int((now - first_byte).total_seconds())),
        "lastSeenByServiceDateTime": iso(last_seen),
    }
    last_launch_result = rng.choice(("NOT_STARTED", "NOT_STARTED", "SUCCEEDED", "FAILED"))
    if last_launch_result != "NOT_STARTED":
        life_cycle["lastLaunch"] = {
            "initiated": {
                "apiCallDateTime": iso(now - timedelta(days=rng.randrange(1, 90))),
                "jobID": "drsjob-" + "".join(rng.choice(_ID_ALPHABET) for _ in range(17)),
                "type": rng.choice(("DRILL", "RECOVERY")),
            },
            "status": "LAUNCHED" if last_launch_result == "SUCCEEDED" else "FAILED",
        }

    instance_id = "i-" + "".join(rng.choice("0123456789abcdef") for _ in range(17))
    os_name = rng.choice(_OS_NAMES)
    cpus = rng.choice((2, 4, 8, 16))
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
    hints: dict[str, str] = {"hostname": hostname, "fqdn": f"{hostname}.corp.example.com"}
    if ec2_origin or direction == "FAILBACK":
        hints["awsInstanceID"] = instance_id
    else:
        hints["vmWareUuid"] = "-".join(
            "".join(rng.choice("0123456789abcdef") for _ in range(n)) for n in (8, 4, 4, 4, 12)
        )
    source_properties = {
        "lastUpdatedDateTime": iso(last_seen),
        "recommendedInstanceType": rng.choice(("m5.large", "m5.xlarge", "r5.2xlarge", "c5.xlarge")),
        "identificationHints": hints,
        "networkInterfaces": [{"macAddress": mac, "ips": [ip], "isPrimary": True}],
        "disks": disks,
        "cpus": [{"cores": cpus, "modelName": rng.choice(_CPU_MODELS)}],
        "ramBytes": rng.choice((4, 8, 16, 32, 64)) * GIB,
        "os": {"fullString": os_name},
        "supportsNitroInstances": True,
        "architecture": "x86_64",
    }

    arn = server_arn(server_id, account_id, region)
    server: dict[str, Any] = {
        "sourceServerID": server_id,
        "arn": arn,
        "tags": dict(tags) if tags is not None else {"Name": hostname, "Application": role},
        "lastLaunchResult": last_launch_result,
        "dataReplicationInfo": info,
        "lifeCycle": life_cycle,
        "sourceProperties": source_properties,
        "replicationDirection": direction,
        "sourceNetworkID": "sn-" + "".join(rng.choice(_ID_ALPHABET) for _ in range(17)),
        "agentVersion": rng.choice(_AGENT_VERSIONS),
    }
    if extended:
        server["stagingArea"] = {
            "status": "EXTENDED",
            "stagingAccountID": staging_account_id,
            "stagingSourceServerArn": server_arn(server_id, staging_account_id, region),
        }
    else:
        server["stagingArea"] = {"status": "NOT_EXTENDED"}
    if ec2_origin or direction == "FAILBACK":
        server["sourceCloudProperties"] = {
            "originAccountID": account_id,
            "originRegion": region,
            "originAvailabilityZone": f"{region}{rng.choice('abc')}",
        }
    if direction == "FAILBACK":
        # A failback server replicates a recovery instance back to the original source server.
        server["recoveryInstanceId"] = instance_id
        server["reversedDirectionSourceServerArn"] = server_arn(random_server_id(rng), account_id, region)
    return server


def generate_fleet(
    count: int,
    *,
    seed: int = 0,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    stopped: float = 0.15,
    failback: float = 0.04,
    extended: float = 0.04,
    opted_out: float = 0.05,
    ec2_origin: float = 0.3,
    staging_account_id: str = DEFAULT_STAGING_ACCOUNT,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Build ``count`` servers; ids and attributes depend only on ``seed`` (timestamps on ``now``)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    states, weights = zip(*_ACTIVE_MIX.items(), strict=True)
    seen: set[str] = set()
    fleet = []
    for _ in range(count):
        server_id = random_server_id(rng)
        while server_id in seen:
            server_id = random_server_id(rng)
        seen.add(server_id)
        state = "STOPPED" if rng.random() < stopped else rng.choices(states, weights)[0]
        server = make_server(
            state,
            server_id=server_id,
            direction="FAILBACK" if rng.random() < failback else "FAILOVER",
            extended=rng.random() < extended,
            ec2_origin=rng.random() < ec2_origin,
            account_id=account_id,
            region=region,
            staging_account_id=staging_account_id,
            now=now,
            rng=rng,
        )
        if rng.random() < opted_out:
            server["tags"]["AutoReprotect"] = "false"
        fleet.append(server)
    return fleet
