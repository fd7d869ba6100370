"""The deployment read back: what `cdk deploy` created is wired as the template says, and what moto does
not create or ignores is exactly the known list (a new silent skip fails here)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from harness.env import ACCOUNT, REGION
from reprotect.contract import HANDLER, Env
from tests.e2e.conftest import Deployed

pytestmark = pytest.mark.e2e

# moto 5.2.5 reports CREATE_COMPLETE for these without creating them.
NOT_CREATED_BY_MOTO = {
    "AWS::CDK::Metadata",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::Scheduler::Schedule",
}
# ...and creates these resources without these properties of the template.
IGNORED_BY_MOTO = {
    ("AWS::Lambda::Function", "Architectures"),
    ("AWS::Lambda::Function", "Layers"),
    ("AWS::Lambda::Function", "LoggingConfig"),
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"),
    ("AWS::DynamoDB::Table", "TimeToLiveSpecification"),
}


def arn_of(deployed: Deployed, logical_id: str) -> str:
    """The deployed ARN of a resource whose physical id is not its ARN."""
    kind = deployed.deployment.template["Resources"][logical_id]["Type"]
    physical = deployed.deployment.physical(logical_id)
    if kind == "AWS::SQS::Queue":
        attributes = deployed.client("sqs").get_queue_attributes(
            QueueUrl=physical, AttributeNames=["QueueArn"]
        )
        return str(attributes["Attributes"]["QueueArn"])
    prefix = {
        "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/",
        "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/",
        "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:",
        "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:",
    }[kind]
    return prefix + physical


def referenced(value: Any) -> str:
    """The logical id a `Ref` or `Fn::GetAtt` names."""
    return str(value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0])


def test_the_function_runs_the_deployed_asset_with_the_contracts_handler(deployed: Deployed) -> None:
    config = deployed.client("lambda").get_function_configuration(FunctionName=deployed.function_name)
    code = deployed.deployment.properties(deployed.deployment.one("AWS::Lambda::Function").logical_id)["Code"]
    bucket = f"cdk-hnb659fds-assets-{ACCOUNT}-{REGION}"  # the bootstrap's, as the template's Fn::Sub names it

    asset = deployed.client("s3").get_object(Bucket=bucket, Key=code["S3Key"])["Body"].read()

    assert (config["Handler"], config["Runtime"], config["Timeout"]) == (HANDLER, "python3.14", 300)
    names = zipfile.ZipFile(io.BytesIO(asset)).namelist()
    assert "reprotect/handler.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "requirements" in n]


def test_the_function_environment_names_the_deployed_topic_and_table(deployed: Deployed) -> None:
    config = deployed.client("lambda").get_function_configuration(FunctionName=deployed.function_name)
    env = config["Environment"]["Variables"]
    key = deployed.deployment.one("AWS::KMS::Key")

    topic = deployed.client("sns").get_topic_attributes(TopicArn=env[Env.OUTCOME_TOPIC_ARN])["Attributes"]
    table = deployed.client("dynamodb").describe_table(TableName=env[Env.IDEMPOTENCY_TABLE_NAME])["Table"]

    assert env[Env.OUTCOME_TOPIC_ARN] == deployed.topic_arn
    assert env[Env.IDEMPOTENCY_TABLE_NAME] == deployed.table_name
    assert topic["KmsMasterKeyId"] == arn_of(deployed, key.logical_id)
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_each_rule_targets_the_function_with_its_dead_letter_queue_and_retries(deployed: Deployed) -> None:
    function = deployed.deployment.one("AWS::Lambda::Function").logical_id
    events, function_arn = deployed.client("events"), arn_of(deployed, function)
    policy = json.loads(deployed.client("lambda").get_policy(FunctionName=deployed.function_name)["Policy"])
    allowed = {s["Condition"]["ArnLike"]["AWS:SourceArn"] for s in policy["Statement"]}
    rules = deployed.deployment.of_type("AWS::Events::Rule")
    assert len(rules) == 2

    for rule in rules:
        (wanted,) = deployed.deployment.properties(rule.logical_id)["Targets"]
        (target,) = events.list_targets_by_rule(Rule=rule.physical_id)["Targets"]
        rule_arn = events.describe_rule(Name=rule.physical_id)["Arn"]

        assert target["Arn"] == function_arn
        assert target["DeadLetterConfig"]["Arn"] == arn_of(
            deployed, referenced(wanted["DeadLetterConfig"]["Arn"])
        )
        assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
        assert rule_arn in allowed


def test_the_roles_policies_name_the_deployed_arns(deployed: Deployed) -> None:
    iam, deployment = deployed.client("iam"), deployed.deployment
    function = deployment.one("AWS::Lambda::Function").logical_id
    queue = deployment.properties(deployment.logical_ids("AWS::Scheduler::Schedule")[0])["Target"]

    statements: dict[str, Any] = {}
    for policy in deployment.of_type("AWS::IAM::Policy"):
        properties = deployment.properties(policy.logical_id)
        (role,) = properties["Roles"]
        role_name = deployment.physical(referenced(role))
        document = iam.get_role_policy(RoleName=role_name, PolicyName=properties["PolicyName"])
        for statement in document["PolicyDocument"]["Statement"]:
            statements[statement.get("Sid") or statement["Action"]] = statement["Resource"]

    assert statements == {
        "DescribeSourceServersAndRecoveryInstances": "*",
        "StartReplication": f"arn:aws:drs:{REGION}:{ACCOUNT}:source-server/*",
        "NeverActOnExcludedResources": "*",
        "DescribeSourceNetworks": "*",
        "StartSourceNetworkReplication": f"arn:aws:drs:{REGION}:{ACCOUNT}:source-network/*",
        "PublishOutcome": deployed.topic_arn,
        "EncryptOutcome": arn_of(deployed, deployment.one("AWS::KMS::Key").logical_id),
        "IdempotencyRecords": arn_of(deployed, deployment.one("AWS::DynamoDB::Table").logical_id),
        "WriteOwnLogs": arn_of(deployed, deployment.one("AWS::Logs::LogGroup").logical_id),
        "ReportFailedInvocations": arn_of(deployed, failure_queue(deployment)),
        "lambda:InvokeFunction": [arn_of(deployed, function), arn_of(deployed, function) + ":*"],
        "sqs:SendMessage": arn_of(deployed, referenced(queue["DeadLetterConfig"]["Arn"])),
    }


def test_moto_creates_every_resource_but_exactly_these_types(deployed: Deployed) -> None:
    assert deployed.deployment.not_created() == NOT_CREATED_BY_MOTO


def test_moto_ignores_exactly_these_deployed_properties(deployed: Deployed) -> None:
    lam, dynamodb = deployed.client("lambda"), deployed.client("dynamodb")
    config = lam.get_function_configuration(FunctionName=deployed.function_name)
    table = deployed.table_name
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"]
    pitr = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]

    found = {
        ("AWS::Lambda::Function", "Architectures"): config["Architectures"] != ["arm64"],
        ("AWS::Lambda::Function", "Layers"): len(config["Layers"]) != 1,
        ("AWS::Lambda::Function", "LoggingConfig"): "LoggingConfig" not in config,
        ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"): pitr["PointInTimeRecoveryDescription"][
            "PointInTimeRecoveryStatus"
        ]
        != "ENABLED",
        ("AWS::DynamoDB::Table", "TimeToLiveSpecification"): ttl != "ENABLED",
    }
    assert {gap for gap, ignored in found.items() if ignored} == IGNORED_BY_MOTO


def failure_queue(deployment: Any) -> str:
    """The logical id of the queue the function's EventInvokeConfig sends failed invocations to."""
    (config_id,) = deployment.logical_ids("AWS::Lambda::EventInvokeConfig")  # moto does not create it
    config = deployment.properties(config_id)
    return str(referenced(config["DestinationConfig"]["OnFailure"]["Destination"]))
