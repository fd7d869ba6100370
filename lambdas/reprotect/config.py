"""The engine's configuration: parsed from the environment when the handler runs, never at import."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from reprotect import contract as c
from reprotect.contract import Env, Setting, SettingError
from reprotect.tags import TagSpec

# AWS's own name rules, ASCII only: a name SNS or DynamoDB would refuse fails here, not at the first call.
_TOPIC_ARN = re.compile(r"arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:[A-Za-z0-9_-]{1,256}")
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_BUS_ARN = re.compile(c.EVENT_BUS_ARN)


DEFAULT_EXCLUDE = TagSpec.parse(str(c.EXCLUDE_TAG.default))


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable and the value."""


@dataclass(frozen=True)
class Config:
    topic_arn: str | None
    table_name: str | None
    dry_run: bool = bool(c.DRY_RUN.default)
    # EXCLUDE_TAG (the deployment's one, also denied by IAM); the CLI may add more.
    exclude_tags: tuple[TagSpec, ...] = (DEFAULT_EXCLUDE,)
    include_tag: TagSpec | None = None
    max_starts_per_run: int = int(c.MAX_STARTS_PER_RUN.default)
    restart_cooldown_seconds: int = int(c.RESTART_COOLDOWN_SECONDS.default)
    max_concurrency: int = int(c.MAX_CONCURRENCY.default)
    notify_when_idle: bool = bool(c.NOTIFY_WHEN_IDLE.default)
    retry_mode: str = str(c.RETRY_MODE.default)
    max_restarts_per_day: int = int(c.MAX_RESTARTS_PER_DAY.default)
    replicating_server_limit: int = int(c.REPLICATING_SERVER_LIMIT.default)
    max_lag_seconds: int = int(c.MAX_LAG_SECONDS.default)
    remind_after_seconds: int = int(c.REMIND_AFTER_SECONDS.default)
    protect_source_networks: bool = bool(c.PROTECT_SOURCE_NETWORKS.default)
    reverse_replication: str = str(c.REVERSE_REPLICATION.default)  # off | report | on
    pace_drs_calls: bool = bool(c.PACE_DRS_CALLS.default)
    max_attempts: int = int(c.MAX_ATTEMPTS.default)
    log_level: str = str(c.LOG_LEVEL.default)
    hub_bus_arn: str | None = None  # the organization's hub event bus, if any

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require_resources: bool = True) -> Config:
        """Read every variable, failing on the first bad one with its name and value in the message."""
        env = os.environ if environ is None else environ
        topic, table = _resources(env, require_resources)
        return cls(
            topic_arn=topic,
            table_name=table,
            dry_run=bool(_read(env, c.DRY_RUN)),
            exclude_tags=tuple(spec for spec in (_tag(env, c.EXCLUDE_TAG),) if spec),
            include_tag=_tag(env, c.INCLUDE_TAG),
            max_starts_per_run=int(_read(env, c.MAX_STARTS_PER_RUN)),
            restart_cooldown_seconds=int(_read(env, c.RESTART_COOLDOWN_SECONDS)),
            max_concurrency=int(_read(env, c.MAX_CONCURRENCY)),
            notify_when_idle=bool(_read(env, c.NOTIFY_WHEN_IDLE)),
            retry_mode=str(_read(env, c.RETRY_MODE)),
            max_restarts_per_day=int(_read(env, c.MAX_RESTARTS_PER_DAY)),
            replicating_server_limit=int(_read(env, c.REPLICATING_SERVER_LIMIT)),
            max_lag_seconds=int(_read(env, c.MAX_LAG_SECONDS)),
            remind_after_seconds=int(_read(env, c.REMIND_AFTER_SECONDS)),
            protect_source_networks=bool(_read(env, c.PROTECT_SOURCE_NETWORKS)),
            reverse_replication=str(_read(env, c.REVERSE_REPLICATION)),
            pace_drs_calls=bool(_read(env, c.PACE_DRS_CALLS)),
            max_attempts=int(_read(env, c.MAX_ATTEMPTS)),
            log_level=str(_read(env, c.LOG_LEVEL)),
            hub_bus_arn=_resource(env, _HUB, False),
        )

    def excluded_by(self, tags: Mapping[str, str] | None) -> TagSpec | None:
        """The first exclusion these tags match, or None."""
        return next((spec for spec in self.exclude_tags if spec.matches(tags)), None)

    def with_dry_run(self, dry_run: bool | None) -> Config:
        return self if dry_run is None else replace(self, dry_run=dry_run)


@dataclass(frozen=True)
class _Resource:
    variable: Env
    rule: re.Pattern[str]
    what: str  # what a good value is
    role: str  # what the function uses it for


_TOPIC = _Resource(Env.OUTCOME_TOPIC_ARN, _TOPIC_ARN, "an SNS topic ARN", "the SNS topic for the run report")
_TABLE = _Resource(
    Env.IDEMPOTENCY_TABLE_NAME, _TABLE_NAME, "a DynamoDB table name", "the DynamoDB idempotency table"
)

_HUB = _Resource(
    Env.HUB_EVENT_BUS_ARN, _BUS_ARN, "an EventBridge event bus ARN", "the organization's hub event bus"
)


def _resources(env: Mapping[str, str], required: bool) -> tuple[str | None, str | None]:
    return _resource(env, _TOPIC, required), _resource(env, _TABLE, required)


def _resource(env: Mapping[str, str], resource: _Resource, required: bool) -> str | None:
    value = (env.get(resource.variable) or "").strip() or None
    if value is None:
        if required:
            raise ConfigError(f"{resource.variable} is required: {resource.role}")
        return None
    if not resource.rule.fullmatch(value):
        raise ConfigError(f"{resource.variable}={value!r} is not {resource.what}")
    return value


def _read(env: Mapping[str, str], setting: Setting) -> bool | int | str:
    """The variable's value, or the setting's default when it is unset or blank."""
    raw = env.get(setting.env)
    if raw is None or not raw.strip():
        return setting.default
    try:
        return setting.parse(raw)
    except SettingError as exc:
        raise ConfigError(f"{setting.env}={raw.strip()!r} {exc}") from None


def _tag(env: Mapping[str, str], setting: Setting) -> TagSpec | None:
    # Unset means the documented default; set but blank means "none".
    raw = env.get(setting.env, str(setting.default)).strip()
    if not raw:
        return None
    try:
        return TagSpec.parse(raw)
    except SettingError as exc:
        raise ConfigError(f"{setting.env}={raw!r} {exc}") from None
