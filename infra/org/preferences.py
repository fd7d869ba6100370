"""StackSet operation preferences as the `organization` block gives them, checked like any setting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.deployment_settings import DeploymentSetting, ListSetting
from reprotect.contract import SettingError

REGION_CONCURRENCY = ("PARALLEL", "SEQUENTIAL")
CONCURRENCY_MODES = ("SOFT_FAILURE_TOLERANCE", "STRICT_FAILURE_TOLERANCE")


def _one_of(choices: tuple[str, ...]) -> Any:
    def rule(value: str) -> None:
        if value not in choices:
            raise SettingError(f"is not one of {', '.join(choices)}")

    return rule


def _anything(value: str) -> None:
    """Region names in `region_order` are checked against the organization's regions."""


@dataclass(frozen=True)
class OperationPreferences:
    """How CloudFormation rolls a StackSet operation out: per region, at most `max_concurrent_percentage`
    of the accounts at once (rounded down, at least one); a region stops after more than
    `failure_tolerance_percentage` of its accounts failed (rounded down); regions one after another or
    all at once; with SOFT_FAILURE_TOLERANCE the concurrency stays as set whatever fails."""

    max_concurrent_percentage: int
    failure_tolerance_percentage: int
    region_concurrency_type: str = "PARALLEL"
    concurrency_mode: str = "SOFT_FAILURE_TOLERANCE"
    region_order: tuple[str, ...] = ()

    def updated(self, raw: Mapping[str, Any], where: str) -> OperationPreferences:
        """These preferences with `raw`'s keys applied; SettingError names the key."""
        unknown = sorted(set(raw) - set(SPECS))
        if unknown:
            raise SettingError(
                f"{where}: unknown key {', '.join(map(repr, unknown))}; known: {', '.join(SPECS)}"
            )
        values = dict(self.__dict__)
        for key, value in raw.items():
            try:
                values[key] = SPECS[key].coerce(value)
            except SettingError as exc:
                raise SettingError(f"{where} '{key}': {value!r} {exc}") from None
        return OperationPreferences(**values)

    def to_cfn(self) -> dict[str, Any]:
        """The StackSet's `OperationPreferences` property."""
        out: dict[str, Any] = {
            "MaxConcurrentPercentage": self.max_concurrent_percentage,
            "FailureTolerancePercentage": self.failure_tolerance_percentage,
            "RegionConcurrencyType": self.region_concurrency_type,
            "ConcurrencyMode": self.concurrency_mode,
        }
        if self.region_order:
            out["RegionOrder"] = list(self.region_order)
        return out


SPECS: Mapping[str, DeploymentSetting | ListSetting] = {
    "max_concurrent_percentage": DeploymentSetting("max_concurrent_percentage", 25, 1, 100),
    "failure_tolerance_percentage": DeploymentSetting("failure_tolerance_percentage", 10, 0, 100),
    "region_concurrency_type": DeploymentSetting(
        "region_concurrency_type", "PARALLEL", rule=_one_of(REGION_CONCURRENCY)
    ),
    "concurrency_mode": DeploymentSetting(
        "concurrency_mode", "SOFT_FAILURE_TOLERANCE", rule=_one_of(CONCURRENCY_MODES)
    ),
    "region_order": ListSetting("region_order", _anything),
}

# Sized for hundreds of accounts in 17 regions: a quarter of each region's accounts at once, all regions
# together, a region stopping once a tenth of its accounts failed (docs/organization.md, the rollout).
MEMBERS = OperationPreferences(25, 10)
# The canary OU is a handful of accounts: all at once, and any failure stops it.
CANARY = OperationPreferences(100, 0)
