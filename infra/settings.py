"""drs-reprotect's settings: the engine's come from the contract, the deployment's own are declared alike.

The engine's settings (what the function reads from its environment) are defined, defaulted, parsed and
range-checked by `reprotect.contract.SETTINGS` alone; the deployment's own (schedule, alarms, emails,
sizing) are declared the same way in infra/deployment_settings.py. `ReprotectSettings` holds both and
validates itself on construction: a bad value raises ConfigError naming the key and the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from infra.deployment_settings import (
    ALARM_NAME_PREFIX,
    ALARM_NAMES,
    DEPLOYMENT_SETTINGS,
    DRS_EVENTS_ENABLED,
    HUB_EVENT_BUS_ARN,
    LOG_RETENTION,
    MEMORY_MB,
    NOTIFICATION_EMAILS,
    SCHEDULE_EXPRESSION,
    SCHEDULE_TIME_ZONE,
    TIMEOUT_SECONDS,
    BadItem,
    DeploymentSetting,
    ListSetting,
)
from reprotect import contract
from reprotect.contract import Setting, SettingError
from reprotect.tags import TagSpec


class ConfigError(ValueError):
    """Invalid drs-reprotect configuration; the message names the key and the value."""


SPECS_BY_KEY: Mapping[str, Setting | DeploymentSetting | ListSetting] = {
    spec.key: spec for spec in (*contract.SETTINGS, *DEPLOYMENT_SETTINGS)
}


@dataclass(frozen=True)
class ReprotectSettings:
    """Everything a deployment can configure; defaults are the documented ones."""

    schedule_expression: str = str(SCHEDULE_EXPRESSION.default)
    schedule_time_zone: str = str(SCHEDULE_TIME_ZONE.default)
    exclude_tag: str = str(contract.EXCLUDE_TAG.default)
    include_tag: str = str(contract.INCLUDE_TAG.default)  # empty: every server not excluded; set: opt-in
    max_starts_per_run: int = int(contract.MAX_STARTS_PER_RUN.default)
    restart_cooldown_seconds: int = int(contract.RESTART_COOLDOWN_SECONDS.default)
    max_concurrency: int = int(contract.MAX_CONCURRENCY.default)
    dry_run: bool = bool(contract.DRY_RUN.default)
    notify_when_idle: bool = bool(contract.NOTIFY_WHEN_IDLE.default)
    alarm_names: tuple[str, ...] = ALARM_NAMES.default
    alarm_name_prefix: str = str(ALARM_NAME_PREFIX.default)
    drs_events_enabled: bool = bool(DRS_EVENTS_ENABLED.default)
    notification_emails: tuple[str, ...] = NOTIFICATION_EMAILS.default
    log_retention_days: int = int(LOG_RETENTION.default)
    memory_mb: int = int(MEMORY_MB.default)
    timeout_seconds: int = int(TIMEOUT_SECONDS.default)
    retry_mode: str = str(contract.RETRY_MODE.default)  # the function's AWS_RETRY_MODE for DRS
    max_restarts_per_day: int = int(contract.MAX_RESTARTS_PER_DAY.default)  # 0: no limit
    replicating_server_limit: int = int(contract.REPLICATING_SERVER_LIMIT.default)
    max_lag_seconds: int = int(contract.MAX_LAG_SECONDS.default)  # 0: lag is not judged
    remind_after_seconds: int = int(contract.REMIND_AFTER_SECONDS.default)
    hub_event_bus_arn: str = str(HUB_EVENT_BUS_ARN.default)  # empty: no hub
    protect_source_networks: bool = bool(contract.PROTECT_SOURCE_NETWORKS.default)
    reverse_replication: str = str(contract.REVERSE_REPLICATION.default)  # off | report | on
    pace_drs_calls: bool = bool(contract.PACE_DRS_CALLS.default)  # false: botocore's retry_mode instead
    _exclude: TagSpec = field(init=False, repr=False, compare=False)
    _include: TagSpec | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Each value through its spec: `-c` strings parsed, natives type-checked, bounds and rules applied.
        for key in SETTING_NAMES:
            object.__setattr__(self, key, _checked(key, getattr(self, key)))
        exclude = _tag("exclude_tag", self.exclude_tag)
        include = _tag("include_tag", self.include_tag) if self.include_tag else None
        if include and include.key == exclude.key and exclude.value in (None, include.value):
            raise ConfigError(
                f"settings 'include_tag' {self.include_tag!r} and 'exclude_tag' {self.exclude_tag!r}:"
                " every included server would also be excluded"
            )
        object.__setattr__(self, "_exclude", exclude)
        object.__setattr__(self, "_include", include)

    @property
    def exclude(self) -> TagSpec:
        return self._exclude

    @property
    def include(self) -> TagSpec | None:
        return self._include

    def updated(self, overrides: Mapping[str, Any]) -> ReprotectSettings:
        """These settings with `overrides` (native values or `-c` strings) applied; unknown keys refused."""
        refuse_unknown(overrides)
        return replace(self, **overrides)

    def engine_values(self) -> dict[str, bool | int | str]:
        """The engine's settings by key, for `contract.environment`."""
        return {setting.key: getattr(self, setting.key) for setting in contract.SETTINGS}


SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ReprotectSettings) if f.init)


def refuse_unknown(keys: Iterable[str]) -> None:
    unknown = sorted(set(keys) - set(SETTING_NAMES))
    if unknown:
        raise ConfigError(
            f"unknown setting {', '.join(map(repr, unknown))}; known: {', '.join(SETTING_NAMES)}"
        )


def _checked(key: str, raw: Any) -> Any:
    try:
        return SPECS_BY_KEY[key].coerce(raw)
    except SettingError as exc:
        raise _refusal(key, raw, exc) from None


def _tag(key: str, spec: str) -> TagSpec:
    """The Lambda's own parser, so the stack (and its IAM conditions) accepts exactly what the engine does."""
    try:
        return TagSpec.parse(spec)
    except SettingError as exc:
        raise _refusal(key, spec, exc) from None


def _refusal(key: str, raw: Any, exc: SettingError) -> ConfigError:
    value = exc.item if isinstance(exc, BadItem) else raw
    reason = str(exc)
    # The contract's type errors quote the value already ("expected a whole number, got True").
    shown = "" if reason.startswith("expected ") else f"{value!r} "
    return ConfigError(f"setting '{key}': {shown}{reason}")
