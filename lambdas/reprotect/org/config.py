"""The hub functions' configuration, read from the environment when they run (never at import)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from reprotect.config import ConfigError
from reprotect.contract import Setting, SettingError
from reprotect.org import contract as c

SILENT_AFTER = Setting(c.Env.SILENT_AFTER_HOURS.value, "silent_after_hours", c.SILENT_AFTER_HOURS, 1, 168)


@dataclass(frozen=True)
class HubConfig:
    topic_arn: str  # the organization's topic: forwarded reports and the digest
    table_name: str  # the digest table
    organization_id: str
    silent_after_hours: int = c.SILENT_AFTER_HOURS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubConfig:
        """Every variable, failing on the first missing or bad one with its name in the message."""
        env = os.environ if environ is None else environ
        raw_hours = env.get(SILENT_AFTER.env, "").strip()
        try:
            hours = int(SILENT_AFTER.parse(raw_hours)) if raw_hours else c.SILENT_AFTER_HOURS
        except SettingError as exc:
            raise ConfigError(f"{SILENT_AFTER.env}={raw_hours!r} {exc}") from None
        return cls(
            _required(env, c.Env.ORG_TOPIC_ARN),
            _required(env, c.Env.DIGEST_TABLE_NAME),
            _required(env, c.Env.ORGANIZATION_ID),
            hours,
        )


def _required(env: Mapping[str, str], variable: c.Env) -> str:
    value = env.get(variable.value, "").strip()
    if not value:
        raise ConfigError(f"{variable.value} is required")
    return value
