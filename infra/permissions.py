"""Least privilege for the function, in one inline policy that can be read (and asserted) at a glance.

The tag rules are enforced by IAM as well as by the engine: an explicit Deny refuses StartReplication,
StartSourceNetworkReplication and ReverseReplication on anything carrying the exclude tag, and in opt-in
mode each Allow only covers resources carrying the include tag. A bug in the engine therefore cannot
act on a server, network or recovery instance it was told to leave alone. The source-network actions
are granted only with `source_networks` (PROTECT_SOURCE_NETWORKS), ReverseReplication only with
`reversal` (REVERSE_REPLICATION=on). Actions, resource types and dependent actions are those of the
Service Authorization Reference for AWS Elastic Disaster Recovery.
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
        source_networks: bool = True,
        reversal: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.source_networks = source_networks
        self.reversal = reversal
        self.source_servers_arn = self._arn_of(c.DRS_SOURCE_SERVER_RESOURCE)
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
        statements = [
            iam.PolicyStatement(
                sid="DescribeSourceServersAndRecoveryInstances",
                actions=list(c.DRS_DESCRIBE_ACTIONS),
                resources=["*"],
            ),
            self._allow("StartReplication", c.DRS_START_ACTION, self.source_servers_arn, include),
        ]
        if self.source_networks:
            statements += [
                iam.PolicyStatement(
                    sid="DescribeSourceNetworks", actions=[c.DRS_DESCRIBE_NETWORKS_ACTION], resources=["*"]
                ),
                self._allow(
                    "StartSourceNetworkReplication",
                    c.DRS_START_NETWORK_ACTION,
                    self._arn_of(c.DRS_SOURCE_NETWORK_RESOURCE),
                    include,
                ),
            ]
        if self.reversal:
            statements += [
                self._allow(
                    "ReverseReplication",
                    c.DRS_REVERSE_ACTION,
                    self._arn_of(c.DRS_RECOVERY_INSTANCE_RESOURCE),
                    include,
                ),
                iam.PolicyStatement(
                    sid="ReverseReplicationDependencies",
                    actions=list(c.DRS_REVERSE_DEPENDENT_ACTIONS),
                    resources=["*"],
                ),
            ]
        return [*statements, self._deny_excluded(exclude)]

    def _acting_actions(self) -> list[str]:
        """Every action that changes what DRS protects: the exclude tag's Deny covers each."""
        return [
            c.DRS_START_ACTION,
            *([c.DRS_START_NETWORK_ACTION] if self.source_networks else []),
            *([c.DRS_REVERSE_ACTION] if self.reversal else []),
        ]

    @staticmethod
    def _allow(sid: str, action: str, resource: str, include: TagSpec | None) -> iam.PolicyStatement:
        # Opt-in mode: only resources carrying the include tag (values ignore case, as in the engine).
        return iam.PolicyStatement(
            sid=sid,
            actions=[action],
            resources=[resource],
            conditions=tag_condition(include, operator="StringEqualsIgnoreCase") if include else None,
        )

    def _deny_excluded(self, exclude: TagSpec) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid="NeverActOnExcludedResources",
            effect=iam.Effect.DENY,
            actions=self._acting_actions(),
            resources=["*"],
            # Ignoring case makes the Deny broader than the engine's own check, never narrower.
            conditions=tag_condition(exclude, operator="StringEqualsIgnoreCase"),
        )

    @staticmethod
    def _arn_of(resource: str) -> str:
        # Pseudo parameters rather than the stack's env: the same template works in every account/region.
        return f"arn:{Aws.PARTITION}:drs:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource}"

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
            "drs:DescribeSourceServers, drs:DescribeRecoveryInstances, drs:DescribeSourceNetworks,"
            " drs:DescribeReplicationConfigurationTemplates and ec2:DescribeInstances have no resource type"
            " in the Service Authorization Reference, so they can only be granted on '*'. The Deny"
            " statement's '*' is not a grant.",
        )
        self._acknowledge_resource(
            c.DRS_SOURCE_SERVER_RESOURCE,
            "The tool restarts any stopped source server of this account and region that is not excluded"
            " (the Deny statement) and, in opt-in mode, carries the include tag (the Allow's condition).",
        )
        if self.source_networks:
            self._acknowledge_resource(
                c.DRS_SOURCE_NETWORK_RESOURCE,
                "The tool restarts replication of any stopped source network of this account and region that"
                " is not excluded (the Deny statement) and, in opt-in mode, carries the include tag.",
            )
        if self.reversal:
            self._acknowledge_resource(
                c.DRS_RECOVERY_INSTANCE_RESOURCE,
                "With REVERSE_REPLICATION=on the tool reverses any real recovery of an EC2 workload in this"
                " account and region that is not excluded (the Deny statement) and, in opt-in mode, carries"
                " the include tag; the engine never reverses a drill or an instance from outside AWS.",
            )
        acknowledge(
            self.policy,
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "Publishing to the KMS-encrypted topic needs the GenerateDataKey family on that one key only.",
        )

    def _acknowledge_resource(self, resource: str, reason: str) -> None:
        arn = f"arn:<AWS::Partition>:drs:<AWS::Region>:<AWS::AccountId>:{resource}"
        acknowledge(self.policy, f"AwsSolutions-IAM5[Resource::{arn}]", reason)
