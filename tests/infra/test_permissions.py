"""Least privilege: every statement of the function's policy, exactly; tag rules enforced by IAM."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from infra.permissions import ReprotectPermissions
from reprotect.tags import TagSpec
from tests.infra.conftest import bare_stack, only, resources


def drs_arn(resource: str) -> dict[str, Any]:
    """`arn:${Partition}:drs:${Region}:${Account}:<resource>`, as the template writes it."""
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":drs:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                f":{resource}",
            ],
        ]
    }


SOURCE_SERVERS = drs_arn("source-server/*")
SOURCE_NETWORKS = drs_arn("source-network/*")
RECOVERY_INSTANCES = drs_arn("recovery-instance/*")


def function_policy(template: Template) -> dict[str, Any]:
    """The one policy attached to the function's role (and the only one on that role)."""
    function = next(iter(resources(template, "AWS::Lambda::Function").values()))
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = [p["Properties"] for p in resources(template, "AWS::IAM::Policy").values()]
    attached = [p for p in policies if p["Roles"] == [{"Ref": role}]]
    assert len(attached) == 1
    return attached[0]["PolicyDocument"]


def statements(template: Template) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in function_policy(template)["Statement"]}


def _id(template: Template, resource_type: str) -> str:
    return next(iter(template.find_resources(resource_type)))


def test_exact_statements_by_default(template: Template) -> None:
    assert statements(template) == {
        "DescribeSourceServersAndRecoveryInstances": {
            "Sid": "DescribeSourceServersAndRecoveryInstances",
            "Effect": "Allow",
            # No resource type for any; DescribeRecoveryInstances depends on ec2:DescribeInstances
            "Action": ["drs:DescribeSourceServers", "drs:DescribeRecoveryInstances", "ec2:DescribeInstances"],
            "Resource": "*",
        },
        "StartReplication": {
            "Sid": "StartReplication",
            "Effect": "Allow",
            "Action": "drs:StartReplication",
            "Resource": SOURCE_SERVERS,
        },
        "DescribeSourceNetworks": {
            "Sid": "DescribeSourceNetworks",
            "Effect": "Allow",
            "Action": "drs:DescribeSourceNetworks",
            "Resource": "*",  # no resource type
        },
        "StartSourceNetworkReplication": {
            "Sid": "StartSourceNetworkReplication",
            "Effect": "Allow",
            "Action": "drs:StartSourceNetworkReplication",
            "Resource": SOURCE_NETWORKS,
        },
        # REVERSE_REPLICATION is `report` by default: no drs:ReverseReplication at all
        "NeverActOnExcludedResources": {
            "Sid": "NeverActOnExcludedResources",
            "Effect": "Deny",
            "Action": ["drs:StartReplication", "drs:StartSourceNetworkReplication"],
            "Resource": "*",
            "Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/AutoReprotect": "false"}},
        },
        "PublishOutcome": {
            "Sid": "PublishOutcome",
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Resource": {"Ref": _id(template, "AWS::SNS::Topic")},
        },
        "EncryptOutcome": {
            "Sid": "EncryptOutcome",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": {"Fn::GetAtt": [_id(template, "AWS::KMS::Key"), "Arn"]},
        },
        "IdempotencyRecords": {
            "Sid": "IdempotencyRecords",
            "Effect": "Allow",
            "Action": [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:BatchGetItem",
            ],
            "Resource": {"Fn::GetAtt": [_id(template, "AWS::DynamoDB::Table"), "Arn"]},
        },
        "WriteOwnLogs": {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::GetAtt": [_id(template, "AWS::Logs::LogGroup"), "Arn"]},
        },
        "ReportFailedInvocations": {
            "Sid": "ReportFailedInvocations",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": {"Fn::GetAtt": [failure_queue(template), "Arn"]},
        },
    }


def failure_queue(template: Template) -> str:
    """The on-failure destination's queue: the one the EventInvokeConfig names."""
    config = only(template, "AWS::Lambda::EventInvokeConfig")
    return str(config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0])


def test_opt_in_allows_only_servers_with_the_include_tag(opt_in_template: Template) -> None:
    start = statements(opt_in_template)["StartReplication"]
    assert start["Resource"] == SOURCE_SERVERS
    assert start["Condition"] == {"StringEqualsIgnoreCase": {"aws:ResourceTag/DR": "auto"}}


def test_bare_exclude_key_denies_any_server_carrying_the_tag(opt_in_template: Template) -> None:
    deny = statements(opt_in_template)["NeverActOnExcludedResources"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Null": {"aws:ResourceTag/NoReprotect": "false"}}


def test_reverse_replication_on_grants_it_on_recovery_instances_only_with_what_it_needs(
    opt_in_template: Template,
) -> None:
    # Given REVERSE_REPLICATION=on and PROTECT_SOURCE_NETWORKS=false (and opt-in mode)
    granted = statements(opt_in_template)
    # Then ReverseReplication is allowed on recovery instances carrying the include tag only
    assert granted["ReverseReplication"] == {
        "Sid": "ReverseReplication",
        "Effect": "Allow",
        "Action": "drs:ReverseReplication",
        "Resource": RECOVERY_INSTANCES,
        "Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/DR": "auto"}},
    }
    # with its dependent actions (Service Authorization Reference): DescribeSourceServers and
    # ec2:DescribeInstances are in the describe statement, the third has a statement of its own
    assert (
        granted["ReverseReplicationDependencies"]["Action"] == "drs:DescribeReplicationConfigurationTemplates"
    )
    assert granted["ReverseReplicationDependencies"]["Resource"] == "*"
    assert "ec2:DescribeInstances" in granted["DescribeSourceServersAndRecoveryInstances"]["Action"]
    # and the exclude tag's Deny covers it; no source-network action is granted or needed
    assert granted["NeverActOnExcludedResources"]["Action"] == [
        "drs:StartReplication",
        "drs:ReverseReplication",
    ]
    assert not {"DescribeSourceNetworks", "StartSourceNetworkReplication"} & set(granted)
    assert "drs:StartSourceNetworkReplication" not in json.dumps(function_policy(opt_in_template))


def test_no_reverse_replication_is_granted_unless_it_is_on(
    template: Template, plain_template: Template
) -> None:
    for default in (template, plain_template):
        assert "drs:ReverseReplication" not in json.dumps(function_policy(default))


def test_same_arn_pattern_in_every_environment(opt_in_template: Template, plain_template: Template) -> None:
    # Pseudo parameters, not the env's literal account/region: one template shape for StackSets too.
    assert statements(plain_template)["StartReplication"]["Resource"] == SOURCE_SERVERS
    assert "Condition" not in statements(plain_template)["StartReplication"]
    assert statements(opt_in_template)["StartReplication"]["Resource"] == SOURCE_SERVERS


def test_permissions_construct_alone_in_a_bare_stack() -> None:
    # Given only the permissions, for resources the caller made, in opt-in mode with a bare exclude key
    stack = bare_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Topic", master_key=key)
    table = dynamodb.Table(
        stack, "Table", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
    )
    log_group = logs.LogGroup(stack, "Logs")
    queue = sqs.Queue(stack, "Failures")
    permissions = ReprotectPermissions(
        stack,
        "Permissions",
        role=role,
        exclude=TagSpec("NoReprotect"),
        include=TagSpec("DR", "auto"),
        topic=topic,
        key=key,
        table=table,
        log_group=log_group,
        failure_queue=queue,
    )
    # When it is synthesized on its own
    template = Template.from_stack(stack)
    # Then one policy, on that role only, grants exactly the function's actions on those resources
    policy = only(template, "AWS::IAM::Policy")
    assert policy["Roles"] == [stack.resolve(role.role_name)]
    assert stack.resolve(permissions.policy.policy_name) == policy["PolicyName"]
    by_sid = {statement["Sid"]: statement for statement in policy["PolicyDocument"]["Statement"]}
    assert by_sid["StartReplication"]["Condition"] == {
        "StringEqualsIgnoreCase": {"aws:ResourceTag/DR": "auto"}
    }
    assert by_sid["NeverActOnExcludedResources"]["Condition"] == {
        "Null": {"aws:ResourceTag/NoReprotect": "false"}
    }
    assert by_sid["PublishOutcome"]["Resource"] == stack.resolve(topic.topic_arn)
    assert by_sid["EncryptOutcome"]["Resource"] == stack.resolve(key.key_arn)
    assert by_sid["IdempotencyRecords"]["Resource"] == stack.resolve(table.table_arn)
    assert by_sid["WriteOwnLogs"]["Resource"] == stack.resolve(log_group.log_group_arn)
    assert by_sid["ReportFailedInvocations"]["Resource"] == stack.resolve(queue.queue_arn)
    assert sorted(by_sid) == sorted(
        [
            "DescribeSourceServersAndRecoveryInstances",
            "StartReplication",
            "DescribeSourceNetworks",
            "StartSourceNetworkReplication",
            "NeverActOnExcludedResources",
            "PublishOutcome",
            "EncryptOutcome",
            "IdempotencyRecords",
            "WriteOwnLogs",
            "ReportFailedInvocations",
        ]
    )
