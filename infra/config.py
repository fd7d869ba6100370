"""Typed settings for drs-reprotect and their parsing from CDK context.

Precedence, lowest first: built-in defaults < the `settings` block (cdk.json or `-c settings='{...}'`)
< a top-level context key named like a setting (`-c dry_run=true`) < the environment's own entry in
`environments`. Values given with `-c` arrive as strings; booleans, integers and lists are parsed.
Every problem raises ConfigError naming the bad key and value, so `cdk synth` fails before building.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from infra import constants as c
from reprotect.contract import RETRY_MODE, SettingError
from reprotect.tags import TagSpec

RETRY_MODES = RETRY_MODE.choices


class ConfigError(ValueError):
    """Invalid drs-reprotect configuration; the message names the key and the value."""


# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = frozenset(
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
)
MAX_LAMBDA_TIMEOUT_SECONDS = 900

_RATE = re.compile(r"^rate\((?P<n>\d+) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_TRUE = frozenset(("true", "1", "yes", "on"))
_FALSE = frozenset(("false", "0", "no", "off"))


def parse_tag(spec: str, setting: str) -> TagSpec:
    """The Lambda's own parser, so the stack (and its IAM conditions) accepts exactly what the engine does."""
    try:
        return TagSpec.parse(spec)
    except SettingError as exc:
        raise ConfigError(f"setting {setting}={spec!r} {exc}") from None


@dataclass(frozen=True)
class ReprotectSettings:
    """Everything a deployment can configure; defaults are the documented ones."""

    schedule_expression: str = "rate(30 minutes)"
    schedule_time_zone: str = "UTC"
    exclude_tag: str = "AutoReprotect=false"
    include_tag: str = ""  # empty: every server not excluded; set: opt-in mode
    max_starts_per_run: int = 100
    restart_cooldown_seconds: int = 3600
    max_concurrency: int = 10
    dry_run: bool = False
    notify_when_idle: bool = False
    alarm_names: tuple[str, ...] = ()
    alarm_name_prefix: str = "drs-reprotect"  # empty: no prefix matching
    drs_events_enabled: bool = True
    notification_emails: tuple[str, ...] = ()
    log_retention_days: int = 90
    memory_mb: int = 512
    timeout_seconds: int = 300
    retry_mode: str = "standard"  # AWS_RETRY_MODE for the function's DRS client: standard or adaptive
    _exclude: TagSpec = field(init=False, repr=False, compare=False)
    _include: TagSpec | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_exclude", parse_tag(self.exclude_tag, "exclude_tag"))
        include = parse_tag(self.include_tag, "include_tag") if self.include_tag else None
        object.__setattr__(self, "_include", include)
        self._check_schedule()
        self._check_numbers()
        self._check_tags()
        self._check_alarm_matching()
        if self.retry_mode not in RETRY_MODES:
            raise ConfigError(
                f"setting 'retry_mode': {self.retry_mode!r} is not one of {', '.join(RETRY_MODES)}"
            )
        for email in self.notification_emails:
            if not _EMAIL.match(email):
                raise ConfigError(f"setting 'notification_emails': {email!r} is not an email address")

    @property
    def exclude(self) -> TagSpec:
        return self._exclude

    @property
    def include(self) -> TagSpec | None:
        return self._include

    def _check_schedule(self) -> None:
        rate = _RATE.match(self.schedule_expression)
        cron = _CRON.match(self.schedule_expression)
        if rate:
            if int(rate["n"]) < 1 or (int(rate["n"]) == 1) != (not rate["unit"].endswith("s")):
                raise ConfigError(
                    f"setting 'schedule_expression': {self.schedule_expression!r} needs a positive"
                    " count and a singular unit only for 1, e.g. 'rate(1 hour)' or 'rate(30 minutes)'"
                )
        elif not cron or len(cron["fields"].split()) != 6:
            raise ConfigError(
                f"setting 'schedule_expression': {self.schedule_expression!r} is not 'rate(N unit)'"
                " or a six-field 'cron(...)' expression"
            )
        zones = zoneinfo.available_timezones()
        if zones and self.schedule_time_zone not in zones:
            raise ConfigError(
                f"setting 'schedule_time_zone': unknown IANA time zone {self.schedule_time_zone!r}"
            )

    def _check_numbers(self) -> None:
        ranges = {
            "max_starts_per_run": (1, 4000),
            "restart_cooldown_seconds": (0, 7 * 24 * 3600),
            "max_concurrency": (1, 50),
            "memory_mb": (128, 10240),
            "timeout_seconds": (30, MAX_LAMBDA_TIMEOUT_SECONDS),
        }
        for name, (low, high) in ranges.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ConfigError(f"setting '{name}': {value} is outside {low}..{high}")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ConfigError(
                f"setting 'log_retention_days': {self.log_retention_days} is not a CloudWatch Logs"
                f" retention period ({', '.join(map(str, sorted(LOG_RETENTION_DAYS)))})"
            )

    def _check_tags(self) -> None:
        include, exclude = self._include, self._exclude
        if include and include.key == exclude.key and exclude.value in (None, include.value):
            raise ConfigError(
                f"settings 'include_tag' {self.include_tag!r} and 'exclude_tag' {self.exclude_tag!r}:"
                " every included server would also be excluded"
            )

    def _check_alarm_matching(self) -> None:
        prefix = self.alarm_name_prefix
        if prefix and (
            c.OWN_ALARM_NAME_PREFIX.startswith(prefix) or prefix.startswith(c.OWN_ALARM_NAME_PREFIX)
        ):
            raise ConfigError(
                f"setting 'alarm_name_prefix': {prefix!r} would match the tool's own alarms"
                f" ('{c.OWN_ALARM_NAME_PREFIX}...'), so a failing sweep would trigger more sweeps"
            )
        for name in self.alarm_names:
            if not 1 <= len(name) <= 255 or name.startswith(c.OWN_ALARM_NAME_PREFIX):
                raise ConfigError(
                    f"setting 'alarm_names': {name!r} is empty, too long, or one of the tool's own alarms"
                )


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ReprotectSettings) if f.init)
_HINTS = typing.get_type_hints(ReprotectSettings)


def _coerce(name: str, raw: Any) -> Any:
    """Convert a context value (JSON, or a string from `-c`) to the setting's type."""
    kind = _HINTS[name]
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        raise ConfigError(f"setting '{name}': expected true or false, got {raw!r}")
    if kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw):
            return int(raw)
        raise ConfigError(f"setting '{name}': expected a whole number, got {raw!r}")
    if kind is str:
        if isinstance(raw, str):
            return raw.strip()
        raise ConfigError(f"setting '{name}': expected a string, got {raw!r}")
    # tuple[str, ...]: a JSON list, or a comma-separated string from `-c`
    if isinstance(raw, str):
        text = raw.strip()
        items = _json(text, name) if text.startswith("[") else [part for part in text.split(",")]
    else:
        items = raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ConfigError(f"setting '{name}': expected a list of strings, got {raw!r}")
    return tuple(item.strip() for item in items if item.strip())


def _json(text: str, key: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"context '{key}': not valid JSON ({exc.msg}): {text!r}") from exc


def apply_overrides(base: ReprotectSettings, overrides: Mapping[str, Any], where: str) -> ReprotectSettings:
    """Return `base` with `overrides` applied; unknown keys and bad values raise ConfigError."""
    unknown = sorted(set(overrides) - set(SETTING_NAMES))
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting {', '.join(map(repr, unknown))}; known: {', '.join(SETTING_NAMES)}"
        )
    try:
        values = {name: _coerce(name, raw) for name, raw in overrides.items()}
        return dataclasses.replace(base, **values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


@dataclass(frozen=True)
class DeploymentTarget:
    """One stack to synthesize: where it goes (None = environment-agnostic) and its settings."""

    stack_id: str
    account: str | None
    region: str | None
    settings: ReprotectSettings


def _as_mapping(raw: Any, key: str) -> Mapping[str, Any]:
    value = _json(raw, key) if isinstance(raw, str) else raw
    if not isinstance(value, Mapping):
        raise ConfigError(f"context '{key}': expected an object of settings, got {raw!r}")
    return value


def _as_list(raw: Any, key: str) -> Sequence[Any]:
    value = _json(raw, key) if isinstance(raw, str) else raw
    if not isinstance(value, list):
        raise ConfigError(
            f"context '{key}': expected a list of {{account, region, ...}} objects, got {raw!r}"
        )
    return value


def targets_from_context(get: Callable[[str], Any]) -> list[DeploymentTarget]:
    """Read `settings`, per-setting keys and `environments` from context (e.g. `app.node.try_get_context`)."""
    shared = ReprotectSettings()
    raw_settings = get(c.CONTEXT_SETTINGS)
    if raw_settings is not None:
        shared = apply_overrides(shared, _as_mapping(raw_settings, c.CONTEXT_SETTINGS), "context 'settings'")
    top_level = {name: get(name) for name in SETTING_NAMES if get(name) is not None}
    shared = apply_overrides(shared, top_level, "context")

    raw_environments = get(c.CONTEXT_ENVIRONMENTS)
    environments = [] if raw_environments is None else _as_list(raw_environments, c.CONTEXT_ENVIRONMENTS)
    if not environments:
        return [DeploymentTarget(c.STACK_NAME_PREFIX, None, None, shared)]

    targets: list[DeploymentTarget] = []
    for index, entry in enumerate(environments):
        where = f"environments[{index}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: expected an object with 'account' and 'region', got {entry!r}")
        account, region = str(entry.get("account", "")), str(entry.get("region", ""))
        if not _ACCOUNT.match(account):
            raise ConfigError(
                f"{where}: 'account' must be a 12-digit AWS account id, got {entry.get('account')!r}"
            )
        if not _REGION.match(region):
            raise ConfigError(f"{where}: 'region' is not an AWS region name, got {entry.get('region')!r}")
        overrides = {key: value for key, value in entry.items() if key not in ("account", "region")}
        settings = apply_overrides(shared, overrides, where)
        stack_id = f"{c.STACK_NAME_PREFIX}-{account}-{region}"
        if any(target.stack_id == stack_id for target in targets):
            raise ConfigError(f"{where}: account {account} and region {region} are listed twice")
        targets.append(DeploymentTarget(stack_id, account, region, settings))
    return targets
