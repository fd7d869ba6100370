"""CloudWatch cross-account observability: an OAM sink per region in the hub account, which the
organization's accounts may link to, and the link each member makes to the sink of its region.

A sink is regional and its ARN ends in an id AWS makes up, so the rollout has two steps: deploy the
sinks, then put their ARNs (the stacks' `SinkArn` outputs) into `sink_arns`; the member template maps
its region to its sink and links only where there is one. Members share the tool's metrics and DRS's
(not all of the account's) and the log groups of drs-reprotect's StackSet stacks (not the others).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Aws, CfnCondition, CfnMapping, CfnOutput, Fn, Stack
from aws_cdk import aws_oam as oam
from constructs import Construct

from reprotect import contract

SINK_NAME = "drs-reprotect"
RESOURCE_TYPES = ("AWS::CloudWatch::Metric", "AWS::Logs::LogGroup")
SHARED_NAMESPACES = (contract.METRICS_NAMESPACE, "AWS/DRS")
NO_SINK = "none"  # a mapping value may not be empty


def shared_namespaces() -> str:
    """The link's metric filter: the tool's namespace and DRS's."""
    return "Namespace IN (" + ", ".join(f"'{namespace}'" for namespace in SHARED_NAMESPACES) + ")"


def stack_set_log_groups(stack_set_names: Sequence[str]) -> str:
    """Log groups of the StackSets' stacks: CloudFormation names them after `StackSet-<name>-<id>`."""
    return " OR ".join(f"LogGroupName LIKE 'StackSet-{name}-%'" for name in stack_set_names)


class SinkStack(Stack):
    """The hub's sink in one region, open to the organization's accounts for metrics and logs."""

    def __init__(self, scope: Construct, construct_id: str, *, organization_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="drs-reprotect: the organization's observability sink", **kwargs
        )
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "OrganizationAccountsLink",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["oam:CreateLink", "oam:UpdateLink"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:PrincipalOrgID": organization_id},
                        "ForAllValues:StringEquals": {"oam:ResourceTypes": list(RESOURCE_TYPES)},
                    },
                }
            ],
        }
        self.sink = oam.CfnSink(self, "Sink", name=SINK_NAME, policy=policy)
        CfnOutput(self, "SinkArn", value=self.sink.attr_arn, description="This region's entry of 'sink_arns'")


class MemberLink(Construct):
    """In a member: the link to the hub's sink of the member's region, if `sinks` has one."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        regions: Sequence[str],
        sinks: Mapping[str, str],
        stack_set_names: Sequence[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.mapping = CfnMapping(
            self, "HubSinks", mapping={region: {"Arn": sinks.get(region, NO_SINK)} for region in regions}
        )
        sink = self.mapping.find_in_map(Aws.REGION, "Arn")
        self.condition = CfnCondition(
            self, "HasHubSink", expression=Fn.condition_not(Fn.condition_equals(sink, NO_SINK))
        )
        self.link = oam.CfnLink(
            self,
            "Link",
            sink_identifier=sink,
            resource_types=list(RESOURCE_TYPES),
            label_template="$AccountName",
            link_configuration=oam.CfnLink.LinkConfigurationProperty(
                metric_configuration=oam.CfnLink.LinkFilterProperty(filter=shared_namespaces()),
                log_group_configuration=oam.CfnLink.LinkFilterProperty(
                    filter=stack_set_log_groups(stack_set_names)
                ),
            ),
        )
        self.link.cfn_options.condition = self.condition
