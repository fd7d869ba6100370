"""The hub's event bus: members in any account of the organization may put their reports on it, and
nobody else; every report is archived."""

from __future__ import annotations

from typing import cast

from aws_cdk import Aws, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import constants as c
from reprotect.org import contract as org

REPORTS = events.EventPattern(source=[org.EVENT_SOURCE], detail_type=[org.DETAIL_TYPE])


class HubBus(Construct):
    """The bus (named `drs-reprotect-hub`, so members can be told its ARN before it exists), its policy
    and its archive."""

    def __init__(
        self, scope: Construct, construct_id: str, *, organization_id: str, archive_retention_days: int
    ) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus", event_bus_name=org.BUS_NAME)
        # Any principal, but only of this organization, and only PutEvents on this bus. The bus's own
        # Policy property (its ARN built from its fixed name: the policy cannot reference the bus itself).
        self.arn = f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:event-bus/{org.BUS_NAME}"
        self.policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="OrganizationMembersPutReports",
                    principals=[iam.AnyPrincipal()],
                    actions=[c.HUB_PUT_ACTION],
                    resources=[self.arn],
                    conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id}},
                )
            ]
        )
        cast(events.CfnEventBus, self.bus.node.default_child).policy = self.policy
        self.archive = events.Archive(
            self,
            "Archive",
            source_event_bus=self.bus,
            event_pattern=REPORTS,
            retention=Duration.days(archive_retention_days),
            description="Every drs-reprotect member report, replayable",
        )
