"""The `organization` block of the CDK context (cdk.json, or `-c organization='{...}'`): where the
StackSets are administered, where the hub is, which OUs and regions are protected, and how to roll out.

Parsed and checked before anything is built, like the settings: unknown keys are refused, and every
problem raises ConfigError naming the key and the value. Without the block, the app is what it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from infra import constants as c
from infra.context import _ACCOUNT, _REGION
from infra.deployment_settings import (
    NOTIFICATION_EMAILS,
    SCHEDULE_EXPRESSION,
    BadItem,
    DeploymentSetting,
    ListSetting,
)
from infra.org import preferences
from infra.org.preferences import OperationPreferences
from infra.settings import ConfigError
from reprotect.contract import SettingError
from reprotect.org.contract import BUS_NAME, SILENT_AFTER_HOURS

CONTEXT_KEY = c.CONTEXT_ORGANIZATION
_ORG_ID = re.compile(r"o-[a-z0-9]{10,32}")
_OU_ID = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}")
_BUCKET_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*[a-z0-9]")
MAX_BUCKET_NAME = 63


@dataclass(frozen=True)
class OrganizationConfig:
    """Everything the organization-wide deployment needs; see docs/organization.md for each key."""

    organization_id: str
    admin_account: str  # the management account or a delegated administrator for StackSets
    admin_region: str
    hub_account: str
    hub_region: str
    target_ous: tuple[str, ...]
    canary_ou: str
    regions: tuple[str, ...]
    delegated_admin: bool = True
    operation_preferences: OperationPreferences = preferences.MEMBERS
    canary_operation_preferences: OperationPreferences = preferences.CANARY
    retain_stacks_on_account_removal: bool = False
    asset_bucket_prefix: str = ""  # empty: drs-reprotect-assets-<admin_account>
    create_sinks: bool = True
    sink_arns: Mapping[str, str] = field(default_factory=dict)  # region -> the hub's OAM sink there
    digest_schedule: str = "cron(0 6 * * ? *)"
    digest_emails: tuple[str, ...] = ()
    silent_after_hours: int = SILENT_AFTER_HOURS
    archive_retention_days: int = 90
    settings: Mapping[str, Any] = field(default_factory=dict)  # the members' settings, over the shared ones

    @property
    def hub_bus_arn(self) -> str:
        return f"arn:aws:events:{self.hub_region}:{self.hub_account}:event-bus/{BUS_NAME}"

    @property
    def bucket_prefix(self) -> str:
        return self.asset_bucket_prefix or f"drs-reprotect-assets-{self.admin_account}"


REQUIRED: tuple[str, ...] = (
    *("organization_id", "admin_account", "admin_region", "hub_account", "hub_region"),
    *("target_ous", "canary_ou", "regions"),
)
KEYS = tuple(f.name for f in fields(OrganizationConfig))


def organization_from_context(context: Mapping[str, Any]) -> OrganizationConfig | None:
    """The `organization` block as an OrganizationConfig, or None without one."""
    raw = context.get(CONTEXT_KEY)
    if raw is None or raw == "":
        return None
    block = _decoded(raw)
    unknown = sorted(set(block) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"organization: unknown key {', '.join(map(repr, unknown))}; known: {', '.join(KEYS)}"
        )
    missing = [key for key in REQUIRED if key not in block]
    if missing:
        raise ConfigError(f"organization: missing {', '.join(map(repr, missing))}")
    values = {key: _parsed(key, value) for key, value in block.items()}
    config = OrganizationConfig(**values)
    _check_together(config)
    return config


def _decoded(raw: Any) -> Mapping[str, Any]:
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"context 'organization': not valid JSON ({exc.msg}): {raw!r:.200}") from None
    if not isinstance(value, Mapping):
        raise ConfigError(f"context 'organization': expected an object, got {raw!r:.200}")
    return value


def _parsed(key: str, value: Any) -> Any:
    try:
        return PARSERS[key](value)
    except SettingError as exc:
        if str(exc).startswith("organization"):
            raise ConfigError(str(exc)) from None
        shown = exc.item if isinstance(exc, BadItem) else value
        raise ConfigError(f"organization '{key}': {shown!r} {exc}") from None


def _check_together(config: OrganizationConfig) -> None:
    """What no single key can say."""
    if config.canary_ou in config.target_ous:
        raise ConfigError(
            f"organization 'canary_ou': {config.canary_ou!r} is also in 'target_ous':"
            " its accounts would run both StackSets"
        )
    _check_region_orders(config)
    _check_sinks(config)
    longest = max(len(region) for region in config.regions)
    if len(config.bucket_prefix) + 1 + longest > MAX_BUCKET_NAME:
        raise ConfigError(
            f"organization 'asset_bucket_prefix': {config.bucket_prefix!r} is too long: '<prefix>-<region>'"
            f" must fit S3's {MAX_BUCKET_NAME} characters"
        )


def _check_region_orders(config: OrganizationConfig) -> None:
    for where, prefs in (
        ("operation_preferences", config.operation_preferences),
        ("canary_operation_preferences", config.canary_operation_preferences),
    ):
        stray = [region for region in prefs.region_order if region not in config.regions]
        if stray:
            raise ConfigError(f"organization '{where}' 'region_order': {stray!r} not in 'regions'")


def _check_sinks(config: OrganizationConfig) -> None:
    for region, arn in config.sink_arns.items():
        pattern = rf"arn:aws:oam:{region}:{config.hub_account}:sink/[A-Za-z0-9-]{{1,64}}"
        if region not in config.regions or not re.fullmatch(pattern, arn):
            raise ConfigError(
                f"organization 'sink_arns' {region!r}: {arn!r} is not an OAM sink of the hub account"
                " in one of 'regions'"
            )


# --- One parser per key ---------------------------------------------------------------------------------
def _matching(pattern: re.Pattern[str], shape: str) -> Callable[[str], None]:
    def rule(value: str) -> None:
        if not pattern.fullmatch(value):
            raise SettingError(f"is not {shape}")

    return rule


def _single(
    key: str,
    default: bool | int | str,
    rule: Callable[[Any], None] | None = None,
    low: int | None = None,
    high: int | None = None,
) -> Callable[[Any], Any]:
    return DeploymentSetting(key, default, low, high, rule).coerce


def _unique_list(key: str, rule: Callable[[str], None]) -> Callable[[Any], tuple[str, ...]]:
    def parse(raw: Any) -> tuple[str, ...]:
        items = ListSetting(key, rule).coerce(raw)
        if not items or len(set(items)) != len(items):
            raise SettingError("must be a list of at least one item, each once")
        return items

    return parse


def _preferences(key: str, base: OperationPreferences) -> Callable[[Any], OperationPreferences]:
    def parse(raw: Any) -> OperationPreferences:
        if not isinstance(raw, Mapping):
            raise SettingError("expected an object of operation preferences")
        return base.updated(raw, f"organization '{key}'")

    return parse


def _mapping(raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
        raise SettingError("expected an object")
    return dict(raw)


def _sinks(raw: Any) -> Mapping[str, str]:
    sinks = _mapping(raw)
    if not all(isinstance(arn, str) for arn in sinks.values()):
        raise SettingError("expected an object of region names to sink ARNs")
    return sinks


_ACCOUNT_RULE = _matching(_ACCOUNT, "a 12-digit AWS account id")
_REGION_RULE = _matching(_REGION, "an AWS region name")
_OU_RULE = _matching(_OU_ID, "an organizational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)")

PARSERS: Mapping[str, Callable[[Any], Any]] = {
    "organization_id": _single(
        "organization_id", "", _matching(_ORG_ID, "an organization id (o-xxxxxxxxxx)")
    ),
    "admin_account": _single("admin_account", "", _ACCOUNT_RULE),
    "admin_region": _single("admin_region", "", _REGION_RULE),
    "hub_account": _single("hub_account", "", _ACCOUNT_RULE),
    "hub_region": _single("hub_region", "", _REGION_RULE),
    "target_ous": _unique_list("target_ous", _OU_RULE),
    "canary_ou": _single("canary_ou", "", _OU_RULE),
    "regions": _unique_list("regions", _REGION_RULE),
    "delegated_admin": _single("delegated_admin", True),
    "operation_preferences": _preferences("operation_preferences", preferences.MEMBERS),
    "canary_operation_preferences": _preferences("canary_operation_preferences", preferences.CANARY),
    "retain_stacks_on_account_removal": _single("retain_stacks_on_account_removal", False),
    "asset_bucket_prefix": _single(
        "asset_bucket_prefix", "", _matching(_BUCKET_PREFIX, "an S3 bucket name prefix (a-z, 0-9, -)")
    ),
    "create_sinks": _single("create_sinks", True),
    "sink_arns": _sinks,
    "digest_schedule": _single("digest_schedule", "", SCHEDULE_EXPRESSION.rule),
    "digest_emails": ListSetting("digest_emails", NOTIFICATION_EMAILS.rule).coerce,
    "silent_after_hours": _single("silent_after_hours", SILENT_AFTER_HOURS, None, 1, 168),
    "archive_retention_days": _single("archive_retention_days", 90, None, 1, 3650),
    "settings": _mapping,
}
