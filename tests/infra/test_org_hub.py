"""The hub: a bus only the organization's accounts can put reports on, its archive, the forwarding and
digest functions with least privilege, the topic's digest subscriptions, alarms and the dashboard; the
observability sinks open to the organization; the asset buckets it can read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly

from tests.infra.conftest import only, resources, template_of

ORG = "o-a1b2c3d4e5"
BUS_ARN = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":events:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":event-bus/drs-reprotect-hub",
        ],
    ]
}
REPORTS = {"source": ["drs-reprotect"], "detail-type": ["DRS Reprotect Run Report"]}


@pytest.fixture(scope="module")
def hub(org_assembly: CloudAssembly) -> Template:
    return template_of(org_assembly, "DrsReprotectHub")


def test_the_bus_policy_lets_the_organizations_accounts_put_events_on_this_bus_and_nothing_else(hub) -> None:
    bus = only(hub, "AWS::Events::EventBus")
    assert bus["Name"] == "drs-reprotect-hub"
    assert bus["Policy"]["Statement"] == [
        {
            "Sid": "OrganizationMembersPutReports",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "events:PutEvents",
            "Resource": BUS_ARN,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        }
    ]
    # The one grant is on the bus itself: no separate policy resource could widen it.
    assert resources(hub, "AWS::Events::EventBusPolicy") == {}


def test_every_report_is_archived(hub) -> None:
    archive = only(hub, "AWS::Events::Archive")
    assert archive["EventPattern"] == REPORTS
    assert archive["RetentionDays"] == 90
    assert archive["SourceArn"]["Fn::GetAtt"][1] == "Arn"


def function(hub: Template, handler: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, found),) = [
        (key, value)
        for key, value in resources(hub, "AWS::Lambda::Function").items()
        if value["Properties"]["Handler"] == handler
    ]
    return logical_id, found["Properties"]


def policy_of(hub: Template, properties: dict[str, Any]) -> list[dict[str, Any]]:
    role = properties["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(hub, "AWS::IAM::Policy").values()
        if p["Properties"]["Roles"] == [{"Ref": role}]
    ]
    return policy


def test_a_rule_on_the_bus_hands_each_report_to_the_collector_with_retries_and_a_dead_letter_queue(
    hub,
) -> None:
    collector_id, _ = function(hub, "reprotect.org.handlers.collect")
    (rule,) = [
        r["Properties"]
        for r in resources(hub, "AWS::Events::Rule").values()
        if "EventPattern" in r["Properties"]
    ]
    assert rule["EventPattern"] == REPORTS
    assert rule["EventBusName"] == {"Ref": next(iter(resources(hub, "AWS::Events::EventBus")))}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [collector_id, "Arn"]}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 21600, "MaximumRetryAttempts": 3}
    assert "DeadLetterConfig" in target


def test_the_digest_runs_daily_on_its_schedule(hub) -> None:
    digest_id, properties = function(hub, "reprotect.org.handlers.send_digest")
    (rule,) = [
        r["Properties"]
        for r in resources(hub, "AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"]
    ]
    assert rule["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": [digest_id, "Arn"]}
    assert properties["Environment"]["Variables"]["ORGANIZATION_ID"] == ORG
    assert properties["Environment"]["Variables"]["SILENT_AFTER_HOURS"] == "2"


def actions(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {s["Sid"]: s["Action"] for s in statements}


def test_the_hub_functions_may_do_exactly_their_work(hub) -> None:
    _, collector = function(hub, "reprotect.org.handlers.collect")
    _, digest = function(hub, "reprotect.org.handlers.send_digest")
    common = {
        "PublishToOrganization": "sns:Publish",
        "EncryptForTopic": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "WriteOwnLogs": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "ReportFailedInvocations": "sqs:SendMessage",
    }
    assert actions(policy_of(hub, collector)) == {
        **common,
        "RecordReports": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
    }
    assert actions(policy_of(hub, digest)) == {**common, "ReadPlaces": "dynamodb:Query"}
    for properties in (collector, digest):
        assert (properties["Runtime"], properties["Architectures"]) == ("python3.14", ["arm64"])


def test_the_digest_table_is_keyed_as_the_collector_writes_it(hub) -> None:
    table = only(hub, "AWS::DynamoDB::Table")
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_digest_readers_get_the_digest_only(hub) -> None:
    subscription = only(hub, "AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "dr-team@example.com")
    assert subscription["FilterPolicy"] == {"kind": ["digest"]}


def test_the_hubs_own_trouble_alarms_to_the_organizations_topic(hub) -> None:
    alarms = [a["Properties"] for a in resources(hub, "AWS::CloudWatch::Alarm").values()]
    assert sorted(a["AlarmName"] for a in alarms) == [
        f"reprotect-tool-DrsReprotectHub-{purpose}"
        for purpose in sorted(
            [
                "collector-errors",
                "collector-failed-invocations",
                "digest-errors",
                "digest-failed-invocations",
                "rule-dead-letters",
            ]
        )
    ]
    topic = next(iter(resources(hub, "AWS::SNS::Topic")))
    assert all(a["AlarmActions"] == [{"Ref": topic}] for a in alarms)


def dashboard_widgets(hub: Template) -> list[dict[str, Any]]:
    body = only(hub, "AWS::CloudWatch::Dashboard")["DashboardBody"]
    text = (
        body
        if isinstance(body, str)
        else "".join(p if isinstance(p, str) else "token" for p in body["Fn::Join"][1])
    )
    return json.loads(text)["widgets"]


def test_the_dashboard_shows_the_tools_metrics_by_account_for_each_linked_region(hub) -> None:
    queries = {
        (w["properties"]["region"], w["properties"]["metrics"][0][0]["expression"])
        for w in dashboard_widgets(hub)
        if w["type"] == "metric" and "expression" in str(w["properties"]["metrics"])
    }
    for region in ("us-east-1", "eu-west-1"):
        assert (
            region,
            'SELECT SUM(ServersStarted) FROM SCHEMA("DrsReprotect", service)'
            " GROUP BY AWS.AccountId ORDER BY SUM() DESC LIMIT 50",
        ) in queries
        assert (
            region,
            'SELECT MAX(ServersNeedingAttention) FROM SCHEMA("DrsReprotect", service)'
            " GROUP BY AWS.AccountId ORDER BY MAX() DESC LIMIT 50",
        ) in queries
    assert len(queries) == 2 * 5


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_each_regions_sink_takes_links_from_the_organizations_accounts_only(
    org_assembly, region: str
) -> None:
    template = template_of(org_assembly, f"DrsReprotectSink-{region}")
    sink = only(template, "AWS::Oam::Sink")
    (statement,) = sink["Policy"]["Statement"]
    assert statement["Principal"] == "*"
    assert statement["Action"] == ["oam:CreateLink", "oam:UpdateLink"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": ORG},
        "ForAllValues:StringEquals": {
            "oam:ResourceTypes": ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"]
        },
    }
    assert template.to_json()["Outputs"]["SinkArn"]["Value"] == {"Fn::GetAtt": ["Sink", "Arn"]}


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_each_regions_asset_bucket_is_private_but_readable_by_the_organization(
    org_assembly, region: str
) -> None:
    template = template_of(org_assembly, f"DrsReprotectAssets-{region}")
    bucket = only(template, "AWS::S3::Bucket")
    assert bucket["BucketName"] == f"drs-reprotect-assets-111111111111-{region}"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    statements = only(template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    (read,) = [s for s in statements if s["Effect"] == "Allow"]
    assert (read["Action"], read["Principal"]) == ("s3:GetObject", {"AWS": "*"})
    assert read["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
