"""Builds the CDK app from context: one stack per configured environment, cdk-nag on every synth."""

from __future__ import annotations

from aws_cdk import App, Environment, Stack, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.context import targets_from_context
from infra.org.app import add_organization, member_settings
from infra.org.config import organization_from_context
from infra.stack import DrsReprotectStack
from reprotect import contract


def build_app(app: App) -> list[Stack]:
    """Add the configured stacks and the AwsSolutions checks to `app`; raises ConfigError on bad context."""
    context = app.node.get_all_context()
    # The organization's block and its members' settings are checked before anything is built.
    organization = organization_from_context(context)
    members = member_settings(context, organization) if organization is not None else None
    targets = targets_from_context(context)
    if organization is not None:
        # The StackSets take the place of the environment-agnostic stack; listed environments stay.
        targets = [target for target in targets if target.account is not None]
    stacks: list[Stack] = [
        DrsReprotectStack(
            app,
            target.stack_id,
            settings=target.settings,
            env=Environment(account=target.account, region=target.region) if target.account else None,
        )
        for target in targets
    ]
    if organization is not None and members is not None:  # docs/organization.md
        stacks += add_organization(app, organization, members)
    Tags.of(app).add("project", contract.SERVICE_NAME)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stacks
