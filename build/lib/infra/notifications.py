"""Outcome notifications: a KMS-encrypted SNS topic that only accepts TLS, plus optional emails."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra import constants as c

# The one service that publishes to the topic on the tool's behalf: CloudWatch, for the tool's alarms.
# It needs the key to encrypt what it publishes, and only for this account's alarms.
ALARM_SERVICE = "cloudwatch.amazonaws.com"


def this_accounts_alarms() -> dict[str, dict[str, str]]:
    """The confused-deputy guard for CloudWatch acting on the tool's behalf: only alarms of this account
    and region."""
    return {
        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:*"},
    }


class ReprotectNotifications(Construct):
    """The outcome topic, its customer-managed key and email subscriptions."""

    def __init__(self, scope: Construct, construct_id: str, *, emails: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        self.key = self._build_key()
        self.topic = self._build_topic(self.key)
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def _build_key(self) -> kms.Key:
        key = kms.Key(
            self,
            "Key",
            description="drs-reprotect outcome topic",
            enable_key_rotation=True,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowThisAccountsAlarmsToPublishToTheEncryptedTopic",
                principals=[iam.ServicePrincipal(ALARM_SERVICE)],
                actions=list(c.KEY_USE_ACTIONS),
                resources=["*"],  # in a key policy, "*" is this key
                conditions=this_accounts_alarms(),
            )
        )
        return key

    def _build_topic(self, key: kms.IKey) -> sns.Topic:
        topic = sns.Topic(
            self,
            "Topic",
            display_name="drs-reprotect outcomes",
            master_key=key,
            enforce_ssl=True,
        )
        # A topic policy replaces SNS's default one, so let this account's alarms publish explicitly.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowThisAccountsAlarmsToPublish",
                principals=[iam.ServicePrincipal(ALARM_SERVICE)],
                actions=[c.TOPIC_PUBLISH_ACTION],
                resources=[topic.topic_arn],
                conditions=this_accounts_alarms(),
            )
        )
        return topic
