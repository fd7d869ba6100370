"""The engine's configuration: parsed from the environment when the handler runs, never at import."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

# Tag keys and values as DRS accepts them (TagKey/TagValue in the service model allow these characters).
_TAG_PART = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)


# The optional variables, each with a documented default (the resources are required).
OPTIONAL_VARIABLES = (
    "DRY_RUN",
    "EXCLUDE_TAG",
    "INCLUDE_TAG",
    "MAX_STARTS_PER_RUN",
    "RESTART_COOLDOWN_SECONDS",
    "MAX_CONCURRENCY",
    "NOTIFY_WHEN_IDLE",
    "AWS_RETRY_MODE",
)
RETRY_MODES = ("standard", "adaptive")
RESOURCE_VARIABLES = ("OUTCOME_TOPIC_ARN", "IDEMPOTENCY_TABLE_NAME")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class TagSpec:
    """`key=value` matches that exact pair; a bare `key` matches the key with any value."""

    key: str
    value: str | None = None

    @classmethod
    def parse(cls, spec: str, variable: str) -> TagSpec:
        key, sep, value = spec.partition("=")
        key = key.strip()
        value = value.strip()
        if not key or (sep and not value) or len(key) > 128 or len(value) > 256:
            raise ConfigError(f"{variable}={spec!r} is not a tag spec: use 'key=value' or 'key'")
        if not _TAG_PART.match(key) or not _TAG_PART.match(value) or key.lower().startswith("aws:"):
            raise ConfigError(f"{variable}={spec!r} has characters a DRS tag cannot hold")
        return cls(key, value if sep else None)

    def matches(self, tags: Mapping[str, str] | None) -> bool:
        """Values compare ignoring case, as the IAM Deny on the exclude tag does (StringEqualsIgnoreCase)."""
        if not tags or self.key not in tags:
            return False
        return self.value is None or tags[self.key].casefold() == self.value.casefold()

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"


@dataclass(frozen=True)
class Config:
    topic_arn: str | None
    table_name: str | None
    dry_run: bool = False
    exclude_tag: TagSpec | None = TagSpec("AutoReprotect", "false")
    include_tag: TagSpec | None = None
    max_starts_per_run: int = 100
    restart_cooldown_seconds: int = 3600
    max_concurrency: int = 10
    notify_when_idle: bool = False
    retry_mode: str = "standard"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require_resources: bool = True) -> Config:
        """Read every variable, failing on the first bad one with its name in the message."""
        env = os.environ if environ is None else environ
        topic = _text(env, "OUTCOME_TOPIC_ARN")
        table = _text(env, "IDEMPOTENCY_TABLE_NAME")
        if require_resources:
            if topic is None:
                raise ConfigError("OUTCOME_TOPIC_ARN is required: the SNS topic for the run report")
            if not re.match(r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$", topic):
                raise ConfigError(f"OUTCOME_TOPIC_ARN={topic!r} is not an SNS topic ARN")
            if table is None:
                raise ConfigError("IDEMPOTENCY_TABLE_NAME is required: the DynamoDB idempotency table")
        if table is not None and not re.match(r"^[\w.-]{3,255}$", table):
            raise ConfigError(f"IDEMPOTENCY_TABLE_NAME={table!r} is not a DynamoDB table name")
        # Set but empty means "exclude nothing"; unset means the documented default.
        exclude = env.get("EXCLUDE_TAG", "AutoReprotect=false").strip()
        include = _text(env, "INCLUDE_TAG")
        return cls(
            topic_arn=topic,
            table_name=table,
            dry_run=_bool(env, "DRY_RUN", False),
            exclude_tag=TagSpec.parse(exclude, "EXCLUDE_TAG") if exclude else None,
            include_tag=TagSpec.parse(include, "INCLUDE_TAG") if include else None,
            max_starts_per_run=_int(env, "MAX_STARTS_PER_RUN", 100, 1, 4000),
            restart_cooldown_seconds=_int(env, "RESTART_COOLDOWN_SECONDS", 3600, 0, 7 * 86400),
            max_concurrency=_int(env, "MAX_CONCURRENCY", 10, 1, 50),
            notify_when_idle=_bool(env, "NOTIFY_WHEN_IDLE", False),
            retry_mode=_choice(env, "AWS_RETRY_MODE", RETRY_MODES),
        )

    def with_dry_run(self, dry_run: bool | None) -> Config:
        return self if dry_run is None else replace(self, dry_run=dry_run)


def _text(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(name)
    if value is None:
        return default
    return value.strip() or None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _text(env, name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 'true' or 'false'")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = _text(env, name)
    if raw is None:
        return choices[0]
    if raw.lower() not in choices:
        raise ConfigError(f"{name}={raw!r} is not supported here: use one of {', '.join(choices)}")
    return raw.lower()


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={raw!r} is out of range: it must be from {low} to {high}")
    return value
