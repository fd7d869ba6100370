"""The organization's stacks, added to the app when the context has an `organization` block.

| stack | account, region | holds |
| --- | --- | --- |
| `DrsReprotectHub` | hub | bus + policy + archive, topic, collector, digest, alarms, dashboard |
| `DrsReprotectSink-<region>` | hub, each region | the OAM sink (unless `create_sinks` is false) |
| `DrsReprotectAssets-<region>` | administrator, each region | the member code's bucket |
| `DrsReprotectCanary` | administrator | StackSet `drs-reprotect-canary`: the canary OU, dry run |
| `DrsReprotectMembers` | administrator | StackSet `drs-reprotect`: the target OUs |

Deploy order follows the dependencies: the hub, sinks and buckets, then the canary, then the members.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import App, Environment, Stack

from infra.context import shared_settings
from infra.org.assets import AssetBucketStack
from infra.org.config import OrganizationConfig
from infra.org.hub import HubStack
from infra.org.observability import SinkStack
from infra.org.stacksets import MemberStackSetStack
from infra.settings import ConfigError, ReprotectSettings

HUB_STACK = "DrsReprotectHub"
CANARY_STACK = "DrsReprotectCanary"
MEMBERS_STACK = "DrsReprotectMembers"
CANARY_STACK_SET = "drs-reprotect-canary"
MEMBERS_STACK_SET = "drs-reprotect"
OWN_SETTINGS = ("hub_event_bus_arn",)  # what the organization sets for its members


def member_settings(context: Mapping[str, Any], organization: OrganizationConfig) -> ReprotectSettings:
    """The members' settings: the shared ones, the organization's `settings`, and the hub's bus."""
    taken = sorted(set(organization.settings) & set(OWN_SETTINGS))
    if taken:
        raise ConfigError(f"organization 'settings': {taken!r} is set by the organization (the hub's bus)")
    try:
        settings = shared_settings(context).updated(organization.settings)
    except ConfigError as exc:
        raise ConfigError(f"organization 'settings': {exc}") from None
    return settings.updated({"hub_event_bus_arn": organization.hub_bus_arn})


def add_organization(app: App, organization: OrganizationConfig, settings: ReprotectSettings) -> list[Stack]:
    """Add the organization's stacks to `app`, the members with `settings` (see `member_settings`)."""
    admin, hub_account = organization.admin_account, organization.hub_account
    hub = HubStack(
        app,
        HUB_STACK,
        organization=organization,
        env=Environment(account=hub_account, region=organization.hub_region),
    )
    regional: list[Stack] = [
        AssetBucketStack(
            app,
            f"DrsReprotectAssets-{region}",
            bucket_name=f"{organization.bucket_prefix}-{region}",
            organization_id=organization.organization_id,
            env=Environment(account=admin, region=region),
        )
        for region in organization.regions
    ]
    if organization.create_sinks:
        regional += [
            SinkStack(
                app,
                f"DrsReprotectSink-{region}",
                organization_id=organization.organization_id,
                env=Environment(account=hub_account, region=region),
            )
            for region in organization.regions
        ]
    canary = _stack_set(app, organization, CANARY_STACK, settings.updated({"dry_run": True}), canary=True)
    members = _stack_set(app, organization, MEMBERS_STACK, settings, canary=False)
    for stack in (hub, *regional):
        canary.add_stack_dependency(stack)
    members.add_stack_dependency(canary)
    return [hub, *regional, canary, members]


def _stack_set(
    app: App, organization: OrganizationConfig, stack_id: str, settings: ReprotectSettings, *, canary: bool
) -> MemberStackSetStack:
    return MemberStackSetStack(
        app,
        stack_id,
        stack_set_name=CANARY_STACK_SET if canary else MEMBERS_STACK_SET,
        organizational_units=[organization.canary_ou] if canary else organization.target_ous,
        regions=organization.regions,
        preferences=organization.canary_operation_preferences
        if canary
        else organization.operation_preferences,
        delegated_admin=organization.delegated_admin,
        retain_stacks=organization.retain_stacks_on_account_removal,
        template={
            "settings": settings,
            "sinks": organization.sink_arns,
            "stack_set_names": (CANARY_STACK_SET, MEMBERS_STACK_SET),
        },
        asset_bucket_prefix=organization.bucket_prefix,
        env=Environment(account=organization.admin_account, region=organization.admin_region),
    )
