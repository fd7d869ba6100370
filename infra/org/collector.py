"""The hub's collector and digest: a rule on the bus hands every report to `collect` (which forwards it
to the organization's topic and records it in the digest table); a daily rule runs `send_digest`."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.failures import last_queue
from infra.nag import acknowledge
from infra.org.bus import REPORTS
from infra.org.hub_function import HubFunction
from reprotect.org import contract as org

RETRY_ATTEMPTS = 3
MAX_EVENT_AGE = Duration.hours(6)  # a report is still worth counting hours late


def _publish_statements(topic: sns.ITopic, key: kms.IKey) -> tuple[iam.PolicyStatement, ...]:
    """Publishing to the organization's encrypted topic."""
    return (
        iam.PolicyStatement(
            sid="PublishToOrganization", actions=[c.TOPIC_PUBLISH_ACTION], resources=[topic.topic_arn]
        ),
        iam.PolicyStatement(sid="EncryptForTopic", actions=list(c.KEY_USE_ACTIONS), resources=[key.key_arn]),
    )


class HubCollector(Construct):
    """The digest table, the collector and the digest functions, and the rules that run them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        topic: sns.ITopic,
        key: kms.IKey,
        organization_id: str,
        digest_schedule: str,
        silent_after_hours: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = self._build_table()
        environment = {
            org.Env.ORG_TOPIC_ARN.value: topic.topic_arn,
            org.Env.DIGEST_TABLE_NAME.value: self.table.table_name,
            org.Env.ORGANIZATION_ID.value: organization_id,
            org.Env.SILENT_AFTER_HOURS.value: str(silent_after_hours),
        }
        self.collector, self.digest = self._build_functions(environment, _publish_statements(topic, key))
        self.dead_letter_queue = self._build_dead_letter_queue()
        self.rule, self.schedule = self._build_rules(bus, digest_schedule)

    def _build_rules(self, bus: events.IEventBus, digest_schedule: str) -> tuple[events.Rule, events.Rule]:
        reports = events.Rule(
            self,
            "Reports",
            description="Every drs-reprotect member report, to the collector",
            event_bus=bus,
            event_pattern=REPORTS,
            targets=[self._target(self.collector)],
        )
        daily = events.Rule(
            self,
            "DailyDigest",
            description="The organization's daily drs-reprotect digest",
            schedule=events.Schedule.expression(digest_schedule),
            targets=[self._target(self.digest)],
        )
        return reports, daily

    def _build_functions(
        self, environment: dict[str, str], publish: tuple[iam.PolicyStatement, ...]
    ) -> tuple[HubFunction, HubFunction]:
        collector = HubFunction(
            self,
            "Collect",
            handler=org.COLLECT_HANDLER,
            description="drs-reprotect hub: forwards and records each member report",
            environment=environment,
            statements=[
                *publish,
                self._table_statement("RecordReports", "dynamodb:PutItem", "dynamodb:UpdateItem"),
            ],
            timeout_seconds=60,
        )
        digest = HubFunction(
            self,
            "Digest",
            handler=org.DIGEST_HANDLER,
            description="drs-reprotect hub: the organization's daily digest",
            environment=environment,
            statements=[*publish, self._table_statement("ReadPlaces", "dynamodb:Query")],
            timeout_seconds=300,
            memory_mb=1024,
        )
        for function in (collector, digest):
            acknowledge(
                function.policy,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "Publishing to the KMS-encrypted organization topic needs the GenerateDataKey family on that"
                " one key only.",
            )
        return collector, digest

    def _build_table(self) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=org.TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=org.TABLE_SORT_KEY, type=dynamodb.AttributeType.STRING),
            time_to_live_attribute=org.TABLE_TTL_ATTRIBUTE,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,  # derived data: the archive keeps every report
        )

    def _table_statement(self, sid: str, *actions: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(sid=sid, actions=list(actions), resources=[self.table.table_arn])

    def _build_dead_letter_queue(self) -> sqs.Queue:
        queue = last_queue(self, "RuleDeadLetterQueue")
        acknowledge(
            queue,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter queue of the hub's rules; it needs none of its own.",
        )
        return queue

    def _target(self, function: HubFunction) -> targets.LambdaFunction:
        return targets.LambdaFunction(
            function.function,
            dead_letter_queue=self.dead_letter_queue,
            retry_attempts=RETRY_ATTEMPTS,
            max_event_age=MAX_EVENT_AGE,
        )
