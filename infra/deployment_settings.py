"""The deployment's own settings (the function never reads them), declared the way the contract declares
the engine's: a key, a default whose type is the setting's, bounds, and a rule for what bounds cannot say.

Single values are parsed by the contract's own parser (boolean words, whole numbers, the range's wording).
"""

from __future__ import annotations

import functools
import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from infra import constants as c
from reprotect.contract import EVENT_BUS_ARN, Setting, SettingError

Rule = Callable[[Any], None]  # raises SettingError saying what is wrong with the value


class BadItem(SettingError):
    """One item of a list setting is wrong: the message shows that item rather than the whole list."""

    def __init__(self, item: str, reason: SettingError) -> None:
        super().__init__(str(reason))
        self.item = item


@dataclass(frozen=True)
class DeploymentSetting:
    """A setting of the deployment alone (the function never reads it), shaped like `contract.Setting`.

    The default's type is the setting's type; `low`/`high` bound an int; `rule` checks what bounds cannot.
    """

    key: str
    default: bool | int | str
    low: int | None = None
    high: int | None = None
    rule: Rule | None = None

    def coerce(self, raw: Any) -> bool | int | str:
        """The value of a JSON or context value: native types as they are, strings parsed."""
        # The contract's own parser (boolean words, whole numbers, the range's wording); no variable
        # carries this value, so the spec has no `env`.
        value = Setting("", self.key, self.default, self.low, self.high).coerce(raw)
        if self.rule is not None:
            self.rule(value)
        return value


@dataclass(frozen=True)
class ListSetting:
    """A list of strings: a JSON list, or from `-c` a JSON list or a comma-separated string."""

    key: str
    rule: Rule  # applied to each item
    default: tuple[str, ...] = ()

    def coerce(self, raw: Any) -> tuple[str, ...]:
        items = _string_list(raw)
        for item in items:
            try:
                self.rule(item)
            except SettingError as exc:
                raise BadItem(item, exc) from None
        return items


def _string_list(raw: Any) -> tuple[str, ...]:
    items = raw
    if isinstance(raw, str):
        text = raw.strip()
        items = _json_list(text) if text.startswith("[") else text.split(",")
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise SettingError(f"expected a list of strings, got {raw!r}")
    return tuple(item.strip() for item in items if item.strip())


def _json_list(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingError(f"is not valid JSON ({exc.msg})") from None


# --- Rules bounds cannot express ---------------------------------------------------------------------
_RATE = re.compile(r"^rate\((?P<n>\d+) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
MAX_ALARM_NAME_LENGTH = 255


def _schedule_expression(expression: str) -> None:
    rate = _RATE.match(expression)
    if rate:
        count, singular = int(rate["n"]), not rate["unit"].endswith("s")
        if count < 1 or (count == 1) != singular:
            raise SettingError(
                "needs a positive count and a singular unit only for 1,"
                " e.g. 'rate(1 hour)' or 'rate(30 minutes)'"
            )
        return
    cron = _CRON.match(expression)
    if not cron or len(cron["fields"].split()) != 6:
        raise SettingError("is not 'rate(N unit)' or a six-field 'cron(...)' expression")


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _time_zone(name: str) -> None:
    if _time_zones() and name not in _time_zones():  # no tz database at all: leave it to Scheduler
        raise SettingError("is an unknown IANA time zone")


def _log_retention(days: int) -> None:
    if days not in c.LOG_RETENTION_DAYS:
        periods = ", ".join(map(str, c.LOG_RETENTION_DAYS))
        raise SettingError(f"is not a CloudWatch Logs retention period ({periods})")


def _alarm_name_prefix(prefix: str) -> None:
    own = c.OWN_ALARM_NAME_PREFIX
    if prefix and (own.startswith(prefix) or prefix.startswith(own)):
        raise SettingError(
            f"would match the tool's own alarms ('{own}...'), so a failing sweep would trigger more sweeps"
        )


def _alarm_name(name: str) -> None:
    if not 1 <= len(name) <= MAX_ALARM_NAME_LENGTH or name.startswith(c.OWN_ALARM_NAME_PREFIX):
        raise SettingError("is empty, too long, or one of the tool's own alarms")


def _email(address: str) -> None:
    if not _EMAIL.match(address):
        raise SettingError("is not an email address")


def _event_bus_arn(arn: str) -> None:
    if arn and not re.fullmatch(EVENT_BUS_ARN, arn):
        raise SettingError("is not an EventBridge event bus ARN")


# --- The deployment's own settings -----------------------------------------------------------------------
SCHEDULE_EXPRESSION = DeploymentSetting("schedule_expression", "rate(30 minutes)", rule=_schedule_expression)
SCHEDULE_TIME_ZONE = DeploymentSetting("schedule_time_zone", "UTC", rule=_time_zone)
ALARM_NAMES = ListSetting("alarm_names", _alarm_name)
# Empty turns prefix matching off.
ALARM_NAME_PREFIX = DeploymentSetting("alarm_name_prefix", "drs-reprotect", rule=_alarm_name_prefix)
DRS_EVENTS_ENABLED = DeploymentSetting("drs_events_enabled", True)
NOTIFICATION_EMAILS = ListSetting("notification_emails", _email)
LOG_RETENTION = DeploymentSetting("log_retention_days", 90, rule=_log_retention)
MEMORY_MB = DeploymentSetting("memory_mb", 512, 128, 10_240)
TIMEOUT_SECONDS = DeploymentSetting("timeout_seconds", 300, 30, c.MAX_LAMBDA_TIMEOUT_SECONDS)
# Empty: no hub. An organization's hub bus: every report is also sent there (reprotect.hub).
HUB_EVENT_BUS_ARN = DeploymentSetting("hub_event_bus_arn", "", rule=_event_bus_arn)

DEPLOYMENT_SETTINGS: tuple[DeploymentSetting | ListSetting, ...] = (
    SCHEDULE_EXPRESSION,
    SCHEDULE_TIME_ZONE,
    ALARM_NAMES,
    ALARM_NAME_PREFIX,
    DRS_EVENTS_ENABLED,
    NOTIFICATION_EMAILS,
    LOG_RETENTION,
    MEMORY_MB,
    TIMEOUT_SECONDS,
    HUB_EVENT_BUS_ARN,
)
