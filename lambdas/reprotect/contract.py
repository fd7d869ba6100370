"""The contract between the function and its deployment: every name, default and range, written once.

Both sides import this module. The Lambda reads its environment with it (`config.py`); the CDK app
(`infra/`) writes that environment, validates its settings, names its metrics, event patterns and
table with it. Pure data and the parsers of that data: nothing here imports the AWS SDK or the CDK.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

HANDLER = "reprotect.handler.lambda_handler"
SERVICE_NAME = "drs-reprotect"
METRICS_NAMESPACE = "DrsReprotect"
METRIC_DIMENSION = "service"  # Powertools' default dimension, valued SERVICE_NAME


class Env(StrEnum):
    """Variables the function reads that are not settings: its resources and Powertools'."""

    OUTCOME_TOPIC_ARN = "OUTCOME_TOPIC_ARN"
    IDEMPOTENCY_TABLE_NAME = "IDEMPOTENCY_TABLE_NAME"
    SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
    METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
    LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
    # Empty or unset: no hub. Set: every report also goes to the organization's hub bus (hub.py).
    HUB_EVENT_BUS_ARN = "HUB_EVENT_BUS_ARN"


class Metric(StrEnum):
    """EMF metrics, namespace METRICS_NAMESPACE, dimension METRIC_DIMENSION."""

    SERVERS_STARTED = "ServersStarted"
    SERVERS_WOULD_START = "ServersWouldStart"
    SERVERS_SKIPPED = "ServersSkipped"
    SERVERS_FAILED = "ServersFailed"
    SERVERS_DEFERRED = "ServersDeferred"
    SERVERS_NEEDING_ATTENTION = "ServersNeedingAttention"
    SOURCE_NETWORKS_STARTED = "SourceNetworksStarted"
    SOURCE_NETWORKS_FAILED = "SourceNetworksFailed"
    SOURCE_NETWORKS_NEEDING_ATTENTION = "SourceNetworksNeedingAttention"
    RECOVERY_INSTANCES_REVERSED = "RecoveryInstancesReversed"
    RECOVERY_INSTANCES_FAILED = "RecoveryInstancesFailed"
    RECOVERY_INSTANCES_NEEDING_ATTENTION = "RecoveryInstancesNeedingAttention"
    RUN_FAILED = "RunFailed"
    RUN_DURATION = "RunDuration"
    DUPLICATE_EVENTS = "DuplicateEvents"
    EVENTS_IGNORED = "EventsIgnored"
    HUB_DELIVERY_FAILED = "HubDeliveryFailed"  # 1 when the report did not reach the hub, else 0


# --- Events the function accepts, and the deployment's rules and schedule send ---------------------
SCHEDULE_SOURCE = "drs-reprotect.schedule"  # the Scheduler input's `source`
SCHEDULED_EVENT_SOURCE = "aws.events"
SCHEDULED_EVENT_DETAIL_TYPE = "Scheduled Event"
ALARM_EVENT_SOURCE = "aws.cloudwatch"
ALARM_EVENT_DETAIL_TYPE = "CloudWatch Alarm State Change"
ALARM_STATE = "ALARM"
DRS_EVENT_SOURCE = "aws.drs"
DRS_STALLED_DETAIL_TYPE = "DRS Source Server Data Replication Stalled Change"
# A drill or recovery launch finished; a successful recovery that is not a drill is a cue to look at
# that server's recovery instances (REVERSE_REPLICATION).
DRS_LAUNCH_RESULT_DETAIL_TYPE = "DRS Source Server Launch Result"
DRS_LAUNCH_SUCCEEDED = "RECOVERY_LAUNCH_SUCCEEDED"
DRS_EVENT_DETAIL_TYPES = (DRS_STALLED_DETAIL_TYPE, DRS_LAUNCH_RESULT_DETAIL_TYPE)

# An EventBridge event bus ARN (the hub's), as the function and the deployment both check it.
EVENT_BUS_ARN = r"arn:aws(-[a-z]+)*:events:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:event-bus/[A-Za-z0-9._-]{1,256}"

# --- The table: Powertools' idempotency records and the tool's own items, side by side -------------
TABLE_PARTITION_KEY = "id"
TABLE_TTL_ATTRIBUTE = "expiration"
COOLDOWN_PREFIX = "cooldown#"  # one item per server: its cooldown or lease, and its recent starts
NETWORK_PREFIX = "network#"  # one item per source network: its cooldown or lease, as a server's
REVERSE_PREFIX = "reverse#"  # one item per recovery instance: the claim on its one ReverseReplication
PUBLICATION_PREFIX = "notify#"  # one item per account and Region: the last published report's news
# What is kept of one event (its idempotency record, its run journal): EventBridge and Scheduler
# retry an event for at most 24 hours.
EVENT_RECORD_SECONDS = 24 * 3600
# MAX_RESTARTS_PER_DAY counts this tool's starts of a server within this window.
RESTART_WINDOW_SECONDS = 24 * 3600
# A recovery instance this tool reversed is not asked again for this long, whatever DRS still shows.
REVERSAL_HOLD_SECONDS = 24 * 3600
LIMITS_KEY = "pacer#drs"  # the DRS limits the last run learned (reprotect.limits)

# --- Settings ---------------------------------------------------------------------------------------
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
_WHOLE_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take "٣" or "1_000"


class SettingError(ValueError):
    """A setting's value is wrong; the message says why, after the name the caller puts in front."""


@dataclass(frozen=True)
class Setting:
    """One knob of the engine: its variable, its key in the CDK settings, its default and its bounds.

    The default's type is the setting's type (bool, int or str). `choices` restricts a str setting;
    `low`/`high` bound an int one.
    """

    env: str
    key: str
    default: bool | int | str
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()

    def parse(self, raw: str) -> bool | int | str:
        """The value of an environment string (surrounding spaces ignored)."""
        text = raw.strip()
        if isinstance(self.default, bool):
            return parse_bool(text)
        if isinstance(self.default, int):
            if not _WHOLE_NUMBER.fullmatch(text):
                raise SettingError("is not a whole number")
            return self.check(int(text))
        return self.check(text)

    def coerce(self, raw: Any) -> bool | int | str:
        """The value of a JSON or context value: native types as they are, strings parsed."""
        if isinstance(raw, str):
            return self.parse(raw)
        if isinstance(self.default, bool):
            if isinstance(raw, bool):
                return raw
            raise SettingError(f"expected true or false, got {raw!r}")
        if isinstance(self.default, int):
            if isinstance(raw, int) and not isinstance(raw, bool):
                return self.check(raw)
            raise SettingError(f"expected a whole number, got {raw!r}")
        raise SettingError(f"expected a string, got {raw!r}")

    def check(self, value: bool | int | str) -> bool | int | str:
        """Bounds and choices; returns the value (a choice in lower case)."""
        if isinstance(value, str):
            if self.choices and value.lower() not in self.choices:
                raise SettingError(f"is not supported here: use one of {', '.join(self.choices)}")
            return value.lower() if self.choices else value
        if isinstance(value, bool) or self.low is None or self.high is None:
            return value
        if not self.low <= value <= self.high:
            raise SettingError(f"is out of range: it must be from {self.low} to {self.high}")
        return value

    def to_env(self, value: bool | int | str) -> str:
        """How the deployment writes the value into the function's environment."""
        if isinstance(value, bool):
            return TRUE_WORDS[0] if value else FALSE_WORDS[0]
        return str(value)


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError("is not a boolean: use 'true' or 'false'")


DRY_RUN = Setting("DRY_RUN", "dry_run", False)
# Set but empty means "exclude nothing" to the function; the deployment always sets one.
EXCLUDE_TAG = Setting("EXCLUDE_TAG", "exclude_tag", "AutoReprotect=false")
INCLUDE_TAG = Setting("INCLUDE_TAG", "include_tag", "")
MAX_STARTS_PER_RUN = Setting("MAX_STARTS_PER_RUN", "max_starts_per_run", 100, 1, 4000)
RESTART_COOLDOWN_SECONDS = Setting("RESTART_COOLDOWN_SECONDS", "restart_cooldown_seconds", 3600, 0, 604_800)
MAX_CONCURRENCY = Setting("MAX_CONCURRENCY", "max_concurrency", 10, 1, 50)
NOTIFY_WHEN_IDLE = Setting("NOTIFY_WHEN_IDLE", "notify_when_idle", False)
RETRY_MODE = Setting("AWS_RETRY_MODE", "retry_mode", "standard", choices=("standard", "adaptive"))
# 0: no limit. A server started this many times in RESTART_WINDOW_SECONDS is not started again.
MAX_RESTARTS_PER_DAY = Setting("MAX_RESTARTS_PER_DAY", "max_restarts_per_day", 3, 0, 100)
# DRS's default quota of replicating source servers per account and Region is 300.
REPLICATING_SERVER_LIMIT = Setting("REPLICATING_SERVER_LIMIT", "replicating_server_limit", 300, 1, 10_000)
MAX_LAG_SECONDS = Setting("MAX_LAG_SECONDS", "max_lag_seconds", 3600, 0, 2_592_000)  # 0: lag not judged
# An unchanged report is published again once the last publication is this old (0: every run).
REMIND_AFTER_SECONDS = Setting("REMIND_AFTER_SECONDS", "remind_after_seconds", 86_400, 0, 2_592_000)
# Full sweeps also restart stopped source networks (false: no source-network call at all).
PROTECT_SOURCE_NETWORKS = Setting("PROTECT_SOURCE_NETWORKS", "protect_source_networks", True)
# What to do about recovery instances of EC2 origin whose reverse replication has not started:
# nothing (no call at all), report them, or call ReverseReplication once.
REVERSE_OFF, REVERSE_REPORT, REVERSE_ON = "off", "report", "on"
REVERSE_REPLICATION = Setting(
    "REVERSE_REPLICATION",
    "reverse_replication",
    REVERSE_REPORT,
    choices=(REVERSE_OFF, REVERSE_REPORT, REVERSE_ON),
)
# false: leave DRS throttling to botocore's retry mode (AWS_RETRY_MODE) instead of the pacer.
PACE_DRS_CALLS = Setting("PACE_DRS_CALLS", "pace_drs_calls", True)

SETTINGS: tuple[Setting, ...] = (
    DRY_RUN,
    EXCLUDE_TAG,
    INCLUDE_TAG,
    MAX_STARTS_PER_RUN,
    RESTART_COOLDOWN_SECONDS,
    MAX_CONCURRENCY,
    NOTIFY_WHEN_IDLE,
    RETRY_MODE,
    MAX_RESTARTS_PER_DAY,
    REPLICATING_SERVER_LIMIT,
    MAX_LAG_SECONDS,
    REMIND_AFTER_SECONDS,
    PROTECT_SOURCE_NETWORKS,
    REVERSE_REPLICATION,
    PACE_DRS_CALLS,
)
SETTINGS_BY_KEY: Mapping[str, Setting] = {s.key: s for s in SETTINGS}

# Read by the function but not set by the deployment: botocore's attempts (which the function caps at
# what its deadline allows) and Powertools' log level. Checked as strictly as the settings.
MAX_ATTEMPTS = Setting("AWS_MAX_ATTEMPTS", "max_attempts", 3, 1, 10)
LOG_LEVEL = Setting(
    Env.LOG_LEVEL.value, "log_level", "info", choices=("debug", "info", "warning", "error", "critical")
)
RUNTIME_SETTINGS: tuple[Setting, ...] = (MAX_ATTEMPTS, LOG_LEVEL)


def environment(values: Mapping[str, bool | int | str]) -> dict[str, str]:
    """The function's environment for settings given by key; unset keys are left to the defaults."""
    return {SETTINGS_BY_KEY[key].env: SETTINGS_BY_KEY[key].to_env(value) for key, value in values.items()}
