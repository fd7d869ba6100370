"""Where drs-reprotect's settings come from in CDK context, and which wins.

Precedence, lowest first: built-in defaults < the `settings` block (cdk.json or `-c settings='{...}'`)
< a top-level context key named like a setting (`-c dry_run=true`) < the environment's own entry in
`environments`. `-c` delivers strings: objects and lists given as JSON are decoded here; single values
are parsed by the settings themselves (infra/settings.py). Unknown settings are refused wherever they
appear. Every problem raises ConfigError naming the key and the value, so `cdk synth` fails before building.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra import constants as c
from infra.settings import SETTING_NAMES, ConfigError, ReprotectSettings

_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
# What a setting's key looks like. CDK's own context keys never do (`@aws-cdk/...` feature flags,
# `aws:cdk:...`, `acknowledged-issue-numbers`, `cdk-...`, lookups' `name:account=...`), so a top-level
# key of this shape that names no setting is a mistyped setting, not CDK's.
_SETTING_LIKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_OWN_KEYS = (c.CONTEXT_SETTINGS, c.CONTEXT_ENVIRONMENTS, c.CONTEXT_ORGANIZATION)
_PLACE_KEYS = ("account", "region")


@dataclass(frozen=True)
class DeploymentTarget:
    """One stack to synthesize: where it goes (None = environment-agnostic) and its settings."""

    stack_id: str
    account: str | None
    region: str | None
    settings: ReprotectSettings


def targets_from_context(context: Mapping[str, Any]) -> list[DeploymentTarget]:
    """The stacks the context asks for (e.g. `app.node.get_all_context()`): one per environment entry,
    or one environment-agnostic stack when there is none."""
    shared = shared_settings(context)
    raw = context.get(c.CONTEXT_ENVIRONMENTS)
    entries = _decoded(raw, c.CONTEXT_ENVIRONMENTS, list, "a list of {account, region, ...} objects") or []
    if not entries:
        return [DeploymentTarget(c.STACK_NAME_PREFIX, None, None, shared)]
    targets: list[DeploymentTarget] = []
    for index, entry in enumerate(entries):
        where = f"environments[{index}]"
        target = _target(shared, entry, where)
        if any(known.stack_id == target.stack_id for known in targets):
            raise ConfigError(
                f"{where}: account {target.account} and region {target.region} are listed twice"
            )
        targets.append(target)
    return targets


def shared_settings(context: Mapping[str, Any]) -> ReprotectSettings:
    """Defaults, then the `settings` block, then top-level keys named like a setting."""
    raw = context.get(c.CONTEXT_SETTINGS)
    block = _decoded(raw, c.CONTEXT_SETTINGS, Mapping, "an object of settings") or {}
    shared = _applied(ReprotectSettings(), block, f"context '{c.CONTEXT_SETTINGS}'")
    top_level = {
        key: value
        for key, value in context.items()
        if _SETTING_LIKE.match(key) and key not in _OWN_KEYS and value is not None
    }
    _refuse_misspelled(context)
    return _applied(shared, top_level, "context")


def _refuse_misspelled(context: Mapping[str, Any]) -> None:
    """`-c dry-run=true` or `-c DRY_RUN=true`: a setting in another spelling, which the shape above lets
    pass as one of CDK's own keys (those use hyphens too), so it would be silently ignored."""
    for key in context:
        meant = key.lower().replace("-", "_")
        if meant != key and meant in SETTING_NAMES:
            raise ConfigError(
                f"context: unknown setting {key!r}; did you mean {meant!r}? known: {', '.join(SETTING_NAMES)}"
            )


def _target(shared: ReprotectSettings, entry: Any, where: str) -> DeploymentTarget:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected an object with 'account' and 'region', got {entry!r}")
    account, region = str(entry.get("account", "")), str(entry.get("region", ""))
    if not _ACCOUNT.match(account):
        raise ConfigError(
            f"{where}: 'account' must be a 12-digit AWS account id, got {entry.get('account')!r}"
        )
    if not _REGION.match(region):
        raise ConfigError(f"{where}: 'region' is not an AWS region name, got {entry.get('region')!r}")
    overrides = {key: value for key, value in entry.items() if key not in _PLACE_KEYS}
    settings = _applied(shared, overrides, where)
    return DeploymentTarget(f"{c.STACK_NAME_PREFIX}-{account}-{region}", account, region, settings)


def _applied(base: ReprotectSettings, overrides: Mapping[str, Any], where: str) -> ReprotectSettings:
    try:
        return base.updated(overrides)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _decoded(raw: Any, key: str, kind: type, description: str) -> Any:
    """A context value as cdk.json holds it, or decoded from the JSON string that `-c` delivers."""
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"context '{key}': not valid JSON ({exc.msg}): {raw!r}") from exc
    if value is not None and not isinstance(value, kind):
        raise ConfigError(f"context '{key}': expected {description}, got {raw!r}")
    return value
