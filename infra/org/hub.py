"""The hub stack, in the hub account and region: the bus every member reports to, its archive, the
organization's topic (forwarded reports and the daily digest), the collector and digest, their alarms,
and the organization's dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra import constants as c
from infra.notifications import ReprotectNotifications
from infra.org.bus import HubBus
from infra.org.collector import HubCollector
from infra.org.config import OrganizationConfig
from infra.org.dashboard import OrgDashboard
from reprotect.org import contract as org

PERIOD = Duration.minutes(5)


class HubStack(Stack):
    """Where the organization's reports meet."""

    def __init__(
        self, scope: Construct, construct_id: str, *, organization: OrganizationConfig, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description="drs-reprotect hub: the organization's reports, digest and dashboard",
            **kwargs,
        )
        self.bus = HubBus(
            self,
            "Bus",
            organization_id=organization.organization_id,
            archive_retention_days=organization.archive_retention_days,
        )
        self.notifications = ReprotectNotifications(self, "Notifications", emails=())
        self.topic = self.notifications.topic
        self._subscribe_digest_readers(organization.digest_emails)
        self.collector = HubCollector(
            self,
            "Collector",
            bus=self.bus.bus,
            topic=self.topic,
            key=self.notifications.key,
            organization_id=organization.organization_id,
            digest_schedule=organization.digest_schedule,
            silent_after_hours=organization.silent_after_hours,
        )
        self.alarms = self._build_alarms()
        self.dashboard = OrgDashboard(
            self,
            "Dashboard",
            regions=tuple(organization.sink_arns),
            functions=[self.collector.collector.function, self.collector.digest.function],
        )
        CfnOutput(
            self, "HubBusArn", value=self.bus.bus.event_bus_arn, description="Members' HUB_EVENT_BUS_ARN"
        )
        CfnOutput(
            self, "OrganizationTopicArn", value=self.topic.topic_arn, description="Reports and the digest"
        )

    def _subscribe_digest_readers(self, emails: Sequence[str]) -> None:
        """Digest readers get the digest only: forwarded reports carry no `kind`."""
        digests = {"kind": sns.SubscriptionFilter.string_filter(allowlist=[org.DIGEST_KIND])}
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email, filter_policy=digests))

    def _build_alarms(self) -> dict[str, cloudwatch.Alarm]:
        """The hub's own trouble, to the organization's topic."""
        collector = self.collector
        watched: dict[str, cloudwatch.IMetric] = {
            "collector-errors": collector.collector.function.metric_errors(period=PERIOD, statistic="Sum"),
            "digest-errors": collector.digest.function.metric_errors(period=PERIOD, statistic="Sum"),
        }
        queues = {
            "rule-dead-letters": collector.dead_letter_queue,
            "collector-failed-invocations": collector.collector.failures.queue,
            "digest-failed-invocations": collector.digest.failures.queue,
        }
        for purpose, queue in queues.items():
            watched[purpose] = queue.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            )
        alarms = {}
        for purpose, metric in watched.items():
            alarm = cloudwatch.Alarm(
                self,
                f"Alarm-{purpose}",
                alarm_name=f"{c.OWN_ALARM_NAME_PREFIX}{self.stack_name}-{purpose}",
                alarm_description=f"drs-reprotect hub: {purpose.replace('-', ' ')}",
                metric=metric,
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(actions.SnsAction(self.topic))
            alarms[purpose] = alarm
        return alarms
