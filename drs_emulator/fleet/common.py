"""Names, ids, times and ARNs shared by the builders, shaped by botocore's DRS model."""

from __future__ import annotations

import random
import re
import string
from datetime import UTC, datetime

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

# Patterns of the model's id shapes (SourceServerID, RecoveryInstanceID, SourceNetworkID), anchored;
# RecoveryInstanceID is at most 19 characters long.
SERVER_ID = re.compile(r"s-[0-9a-zA-Z]{17}")
RECOVERY_INSTANCE_ID = re.compile(r"i-[0-9a-fA-F]{8,17}")
SOURCE_NETWORK_ID = re.compile(r"sn-[0-9a-zA-Z]{17}")

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
AGENT_VERSIONS = ("4.5.2", "4.6.0", "4.7.1", "4.7.1.1234.567.8901")

ID_ALPHABET = string.digits + string.ascii_lowercase
HEX = "0123456789abcdef"
GIB = 1024**3


def iso(moment: datetime) -> str:
    """Format a time the way the model's ISO8601DatetimeString pattern wants it (UTC, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def duration(seconds: int) -> str:
    """An ISO 8601 duration such as ``PT2H5S`` (the model's ISO8601DurationString)."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def random_id(rng: random.Random, prefix: str, alphabet: str = ID_ALPHABET, length: int = 17) -> str:
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


def random_server_id(rng: random.Random) -> str:
    return random_id(rng, "s-")


def resource_arn(kind: str, resource_id: str, account_id: str, region: str) -> str:
    """The ARN of a DRS resource: ``source-server``, ``recovery-instance`` or ``source-network``."""
    return f"arn:aws:drs:{region}:{account_id}:{kind}/{resource_id}"


def server_arn(server_id: str, account_id: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> str:
    return resource_arn("source-server", server_id, account_id, region)


def initiation_steps(
    status: str = "SUCCEEDED", names: tuple[str, ...] = INITIATION_STEPS
) -> list[dict[str, str]]:
    return [{"name": name, "status": status} for name in names]


def steps_up_to(index: int, status: str, names: tuple[str, ...] = INITIATION_STEPS) -> list[dict[str, str]]:
    """Steps before ``index`` SUCCEEDED, the one at ``index`` in ``status``, later ones NOT_STARTED."""
    return [
        {"name": name, "status": "SUCCEEDED" if i < index else status if i == index else "NOT_STARTED"}
        for i, name in enumerate(names)
    ]


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; expected one of {allowed}")


def check_id(name: str, value: str, pattern: re.Pattern[str]) -> None:
    if not pattern.fullmatch(value):
        raise ValueError(f"bad {name} {value!r}; expected ^{pattern.pattern}$")
