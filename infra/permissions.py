"""Least privilege for the function, in one inline policy that can be read (and asserted) at a glance.

The tag rules are enforced by IAM as well as by the engine: an explicit Deny refuses StartReplication on
any server carrying the exclude tag, and in opt-in mode the Allow only covers servers carrying the
include tag. A bug in the engine therefore cannot start a server it was told to leave alone.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.nag import acknowledge
from reprotect.tags import TagSpec


def tag_condition(tag: TagSpec, *, operator: str) -> dict[str, dict[str, str]]:
    """`aws:ResourceTag` condition: `operator` compares a `key=value`; a bare `key` means "tag present"."""
    condition_key = f"aws:ResourceTag/{tag.key}"
    if tag.value is None:
        return {"Null": {condition_key: "false"}}
    return {operator: {condition_key: tag.value}}


def hub_statement(bus_arn: str) -> iam.PolicyStatement:
    """Sending reports to the organization's hub: PutEvents on that one bus (its policy admits the
    organization's accounts)."""
    return iam.PolicyStatement(sid="SendReportsToHub", actions=[c.HUB_PUT_ACTION], resources=[bus_arn])


class ReprotectPermissions(Construct):
    """Everything the function may do, attached to its role as one policy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        role: iam.IRole,
        exclude: TagSpec,
        include: TagSpec | None,
        topic: sns.ITopic,
        key: kms.IKey,
        table: dynamodb.ITable,
        log_group: logs.ILogGroup,
        failure_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        # Pseudo parameters rather than the stack's env: the same template works in every account/region.
        self.source_servers_arn = (
            f"arn:{Aws.PARTITION}:drs:{Aws.REGION}:{Aws.ACCOUNT_ID}:{c.DRS_SOURCE_SERVER_RESOURCE}"
        )
        self.policy = iam.Policy(
            self,
            "Policy",
            statements=[
                *self._build_drs_statements(exclude, include),
                self._build_notification_statement(topic),
                self._build_key_statement(key),
                self._build_table_statement(table),
                self._build_log_statement(log_group),
                self._build_failure_statement(failure_queue),
            ],
        )
        self.policy.attach_to_role(role)
        self._acknowledge_findings()

    def _build_drs_statements(self, exclude: TagSpec, include: TagSpec | None) -> list[iam.PolicyStatement]:
        return [
            iam.PolicyStatement(
                sid="DescribeSourceServersAndRecoveryInstances",
                actions=list(c.DRS_DESCRIBE_ACTIONS),
                resources=["*"],
            ),
            iam.PolicyStatement(
                sid="StartReplication",
                actions=[c.DRS_START_ACTION],
                resources=[self.source_servers_arn],
                # Opt-in mode: only servers carrying the include tag (values ignore case, as in the engine).
                conditions=tag_condition(include, operator="StringEqualsIgnoreCase") if include else None,
            ),
            iam.PolicyStatement(
                sid="NeverStartExcludedServers",
                effect=iam.Effect.DENY,
                actions=[c.DRS_START_ACTION],
                resources=["*"],
                # Ignoring case makes the Deny broader than the engine's own check, never narrower.
                conditions=tag_condition(exclude, operator="StringEqualsIgnoreCase"),
            ),
        ]

    @staticmethod
    def _build_notification_statement(topic: sns.ITopic) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid="PublishOutcome", actions=[c.TOPIC_PUBLISH_ACTION], resources=[topic.topic_arn]
        )

    @staticmethod
    def _build_key_statement(key: kms.IKey) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid="EncryptOutcome",
            actions=list(c.KEY_USE_ACTIONS),
            resources=[key.key_arn],
        )

    @staticmethod
    def _build_table_statement(table: dynamodb.ITable) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid="IdempotencyRecords", actions=list(c.TABLE_ITEM_ACTIONS), resources=[table.table_arn]
        )

    @staticmethod
    def _build_log_statement(log_group: logs.ILogGroup) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid="WriteOwnLogs",
            actions=list(c.LOG_WRITE_ACTIONS),
            resources=[log_group.log_group_arn],
        )

    @staticmethod
    def _build_failure_statement(queue: sqs.IQueue) -> iam.PolicyStatement:
        # Lambda sends a failed asynchronous invocation to its on-failure destination as the function.
        return iam.PolicyStatement(
            sid="ReportFailedInvocations", actions=["sqs:SendMessage"], resources=[queue.queue_arn]
        )

    def _acknowledge_findings(self) -> None:
        acknowledge(
            self.policy,
            "AwsSolutions-IAM5[Resource::*]",
            "drs:DescribeSourceServers and drs:DescribeRecoveryInstances have no resource type in the"
            " Service Authorization Reference, so they can only be granted on '*'. The Deny statement's '*'"
            " is not a grant.",
        )
        acknowledge(
            self.policy,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:drs:<AWS::Region>:<AWS::AccountId>:source-server/*]",
            "The tool restarts any stopped source server of this account and region that is not excluded"
            " (the Deny statement) and, in opt-in mode, carries the include tag (the Allow's condition).",
        )
        acknowledge(
            self.policy,
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "Publishing to the KMS-encrypted topic needs the GenerateDataKey family on that one key only.",
        )
