"""The member StackSets, administered from the management account or a delegated administrator.

`MemberTemplate` is the member: the same `DrsReprotect` construct as a single-account deployment, plus
its observability link, synthesized as a StackSet template whose Lambda code is read from the asset
bucket of the member's region (cdk-stacksets). `MemberStackSetStack` holds one service-managed StackSet
of it: the canary's (one OU, dry run) or the rest's, deployed to the target OUs with automatic
deployment to accounts that join them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from aws_cdk import CfnResource, Stack
from aws_cdk import aws_s3 as s3
from cdk_stacksets import (
    Capability,
    DeploymentType,
    StackSet,
    StackSetStack,
    StackSetTarget,
    StackSetTemplate,
)
from constructs import Construct

from infra.nag import acknowledge
from infra.org.observability import MemberLink
from infra.org.preferences import OperationPreferences
from infra.reprotect import DrsReprotect
from infra.settings import ReprotectSettings

# cdk-stacksets copies the member's code with one BucketDeployment per region; their shared handler's
# policy would hold one statement per bucket (IAM allows 10,240 characters). Merged, it is one.
MINIMIZE_POLICIES = "@aws-cdk/aws-iam:minimizePolicies"
BUCKET_DEPLOYMENT_HANDLER = "Custom::CDKBucketDeployment"


class MemberTemplate(StackSetStack):
    """What every member account and region gets."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ReprotectSettings,
        regions: Sequence[str],
        sinks: Mapping[str, str],
        stack_set_names: Sequence[str],
        asset_buckets: Sequence[s3.IBucket],
        asset_bucket_prefix: str,
    ) -> None:
        super().__init__(
            scope, construct_id, asset_buckets=list(asset_buckets), asset_bucket_prefix=asset_bucket_prefix
        )
        self.reprotect = DrsReprotect(self, "Reprotect", settings=settings)
        # No dashboard per member: dashboards are global to an account and cost $3 a month beyond its
        # first three, so 17 regions would cost an account ~$42 a month for what the organization's
        # dashboard shows by account and region (docs/organization.md, "What it costs").
        self.reprotect.monitoring.node.try_remove_child("Dashboard")
        self.link = MemberLink(
            self, "Observability", regions=regions, sinks=sinks, stack_set_names=stack_set_names
        )


class MemberStackSetStack(Stack):
    """One service-managed StackSet of the member template (and the copies of its code it needs)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stack_set_name: str,
        organizational_units: Sequence[str],
        regions: Sequence[str],
        preferences: OperationPreferences,
        delegated_admin: bool,
        retain_stacks: bool,
        template: Mapping[str, Any],
        asset_bucket_prefix: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"drs-reprotect StackSet {stack_set_name}", **kwargs
        )
        self.node.set_context(MINIMIZE_POLICIES, True)
        buckets = [
            s3.Bucket.from_bucket_name(self, f"AssetBucket-{region}", f"{asset_bucket_prefix}-{region}")
            for region in regions
        ]
        self.member = MemberTemplate(
            self,
            "Member",
            asset_buckets=buckets,
            asset_bucket_prefix=asset_bucket_prefix,
            regions=regions,
            **template,
        )
        self.stack_set = self._build_stack_set(
            stack_set_name, organizational_units, regions, delegated_admin, retain_stacks
        )
        # cdk-stacksets has no ConcurrencyMode; the StackSet resource does.
        resource = cast(CfnResource, self.stack_set.node.default_child)
        resource.add_property_override("OperationPreferences", preferences.to_cfn())
        self._acknowledge_code_copy(asset_bucket_prefix, regions)

    def _build_stack_set(
        self,
        name: str,
        organizational_units: Sequence[str],
        regions: Sequence[str],
        delegated_admin: bool,
        retain_stacks: bool,
    ) -> StackSet:
        return StackSet(
            self,
            "StackSet",
            stack_set_name=name,
            description="drs-reprotect: restarts stopped AWS DRS replication in every account and region",
            template=StackSetTemplate.from_stack_set_stack(self.member),
            target=StackSetTarget.from_organizational_units(
                regions=list(regions), organizational_units=list(organizational_units)
            ),
            deployment_type=DeploymentType.service_managed(
                delegated_admin=delegated_admin,
                auto_deploy_enabled=True,
                auto_deploy_retain_stacks=retain_stacks,
            ),
            capabilities=[Capability.IAM],
            managed_execution=True,
        )

    def _acknowledge_code_copy(self, prefix: str, regions: Sequence[str]) -> None:
        """cdk-stacksets' copy of the code into each region's bucket is CDK's BucketDeployment, whose
        handler is CDK's own; its findings are acknowledged here, one by one."""
        (handler,) = [c for c in self.node.children if c.node.id.startswith(BUCKET_DEPLOYMENT_HANDLER)]
        acknowledge(
            handler,
            "AwsSolutions-L1",
            "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib with the AWS CLI layer it"
            " ships, and upgraded with aws-cdk-lib.",
        )
        acknowledge(
            handler.node.find_child("ServiceRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment handler writes its logs with AWS's basic execution policy.",
        )
        policy = handler.node.find_child("ServiceRole").node.find_child("DefaultPolicy")
        copy = "CDK's BucketDeployment copies the code zip from the CDK asset bucket to each region's bucket"
        for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"):
            acknowledge(
                policy, f"AwsSolutions-IAM5[Action::{action}]", f"{copy}: CDK's grant on those buckets only."
            )
        source = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{self.account}-{self.region}/*"
        acknowledge(
            policy, f"AwsSolutions-IAM5[Resource::{source}]", f"{copy}: it reads the asset it copies."
        )
        for region in regions:
            target = f"arn:<AWS::Partition>:s3:::{prefix}-{region}/*"
            acknowledge(
                policy, f"AwsSolutions-IAM5[Resource::{target}]", f"{copy}: it writes to this region's."
            )
