"""Builds the CDK app from context: one stack per configured environment, cdk-nag on every synth."""

from __future__ import annotations

from aws_cdk import App, Environment, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from infra.context import targets_from_context
from infra.stack import DrsReprotectStack
from reprotect import contract


def build_app(app: App) -> list[DrsReprotectStack]:
    """Add the configured stacks and the AwsSolutions checks to `app`; raises ConfigError on bad context."""
    stacks = [
        DrsReprotectStack(
            app,
            target.stack_id,
            settings=target.settings,
            env=Environment(account=target.account, region=target.region) if target.account else None,
        )
        for target in targets_from_context(app.node.get_all_context())
    ]
    Tags.of(app).add("project", contract.SERVICE_NAME)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stacks
