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


DEFAULT_EXCLUDE = TagSpec.parse(str(c.EXCLUDE_TAG.default))


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable and the value."""


@dataclass(frozen=True)
class Config:
    topic_arn: str | None
    table_name: str | None
    dry_run: bool = bool(c.DRY_RUN.default)
    exclude_tag: TagSpec | None = DEFAULT_EXCLUDE
    include_tag: TagSpec | None = None
    max_starts_per_run: int = int(c.MAX_STARTS_PER_RUN.default)
    restart_cooldown_seconds: int = int(c.RESTART_COOLDOWN_SECONDS.default)
    max_concurrency: int = int(c.MAX_CONCURRENCY.default)
    notify_when_idle: bool = bool(c.NOTIFY_WHEN_IDLE.default)
    retry_mode: str = str(c.RETRY_MODE.default)
    pace_drs_calls: bool = bool(c.PACE_DRS_CALLS.default)
    max_attempts: int = int(c.MAX_ATTEMPTS.default)
    log_level: str = str(c.LOG_LEVEL.default)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require_resources: bool = True) -> Config:
        """Read every variable, failing on the first bad one with its name and value in the message."""
        env = os.environ if environ is None else environ
        topic, table = _resources(env, require_resources)
        return cls(
            topic_arn=topic,
            table_name=table,
            dry_run=bool(_read(env, c.DRY_RUN)),
            exclude_tag=_tag(env, c.EXCLUDE_TAG),
            include_tag=_tag(env, c.INCLUDE_TAG),
            max_starts_per_run=int(_read(env, c.MAX_STARTS_PER_RUN)),
            restart_cooldown_seconds=int(_read(env, c.RESTART_COOLDOWN_SECONDS)),
            max_concurrency=int(_read(env, c.MAX_CONCURRENCY)),
            notify_when_idle=bool(_read(env, c.NOTIFY_WHEN_IDLE)),
            retry_mode=str(_read(env, c.RETRY_MODE)),
            pace_drs_calls=bool(_read(env, c.PACE_DRS_CALLS)),
            max_attempts=int(_read(env, c.MAX_ATTEMPTS)),
            log_level=str(_read(env, c.LOG_LEVEL)),
        )

    def with_dry_run(self, dry_run: bool | None) -> Config:
        return self if dry_run is None else replace(self, dry_run=dry_run)


def _resources(env: Mapping[str, str], required: bool) -> tuple[str | None, str | None]:
    topic = (env.get(Env.OUTCOME_TOPIC_ARN) or "").strip() or None
    table = (env.get(Env.IDEMPOTENCY_TABLE_NAME) or "").strip() or None
    if required:
        if topic is None:
            raise ConfigError(f"{Env.OUTCOME_TOPIC_ARN} is required: the SNS topic for the run report")
        if not _TOPIC_ARN.fullmatch(topic):
            raise ConfigError(f"{Env.OUTCOME_TOPIC_ARN}={topic!r} is not an SNS topic ARN")
        if table is None:
            raise ConfigError(f"{Env.IDEMPOTENCY_TABLE_NAME} is required: the DynamoDB idempotency table")
    if table is not None and not _TABLE_NAME.fullmatch(table):
        raise ConfigError(f"{Env.IDEMPOTENCY_TABLE_NAME}={table!r} is not a DynamoDB table name")
    return topic, table


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
