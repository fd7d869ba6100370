"""Outcome topic: customer-managed key with rotation, services allowed to use it, TLS-only, emails."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from infra.notifications import ReprotectNotifications
from tests.infra.conftest import bare_stack, only, resource_types

THIS_ACCOUNTS_ALARMS = {
    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
    "ArnLike": {
        "aws:SourceArn": {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":cloudwatch:",
                    {"Ref": "AWS::Region"},
                    ":",
                    {"Ref": "AWS::AccountId"},
                    ":alarm:*",
                ],
            ]
        }
    },
}


def test_key_rotates_and_lets_only_this_accounts_alarms_encrypt(template: Template) -> None:
    key = only(template, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True
    service_statements = [s for s in key["KeyPolicy"]["Statement"] if "Service" in s["Principal"]]
    # No grant to EventBridge (nothing of the tool publishes through it), and the one to CloudWatch
    # only for alarms of this account and region: no confused deputy.
    assert service_statements == [
        {
            "Sid": "AllowThisAccountsAlarmsToPublishToTheEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": THIS_ACCOUNTS_ALARMS,
        }
    ]


def test_topic_is_encrypted_with_that_key(template: Template) -> None:
    key = next(iter(template.find_resources("AWS::KMS::Key")))
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": {"Fn::GetAtt": [key, "Arn"]}})


def test_topic_policy_enforces_tls_and_admits_this_accounts_alarms(template: Template) -> None:
    topic = {"Ref": next(iter(template.find_resources("AWS::SNS::Topic")))}
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [topic],
            "PolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "sns:Publish",
                            "Resource": topic,
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ),
                    {
                        "Sid": "AllowThisAccountsAlarmsToPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": "sns:Publish",
                        "Resource": topic,
                        "Condition": THIS_ACCOUNTS_ALARMS,
                    },
                ],
                "Version": "2012-10-17",
            },
        },
    )


def test_no_subscriptions_by_default(template: Template) -> None:
    template.resource_count_is("AWS::SNS::Subscription", 0)


def test_email_subscriptions_from_configuration(opt_in_template: Template) -> None:
    opt_in_template.resource_count_is("AWS::SNS::Subscription", 2)
    for email in ("ops@example.com", "dr@example.com"):
        opt_in_template.has_resource_properties(
            "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": email}
        )


def test_notifications_construct_alone_in_a_bare_stack() -> None:
    # Given only the notifications construct with one email
    stack = bare_stack()
    notifications = ReprotectNotifications(stack, "Notifications", emails=["dr@example.com"])
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then it is the key, the topic encrypted with it, the topic's policy and the subscription
    assert resource_types(template) == [
        "AWS::KMS::Key",
        "AWS::SNS::Subscription",
        "AWS::SNS::Topic",
        "AWS::SNS::TopicPolicy",
    ]
    topic = only(template, "AWS::SNS::Topic")
    assert topic["KmsMasterKeyId"] == stack.resolve(notifications.key.key_arn)
    subscription = only(template, "AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "dr@example.com")
    assert subscription["TopicArn"] == stack.resolve(notifications.topic.topic_arn)
