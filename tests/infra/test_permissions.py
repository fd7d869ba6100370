"""Least privilege: every statement of the function's policy, exactly; tag rules enforced by IAM."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from tests.infra.conftest import resources

SOURCE_SERVERS = {
    "Fn::Join": [
        "",
        [
            "arn:",
            {"Ref": "AWS::Partition"},
            ":drs:",
            {"Ref": "AWS::Region"},
            ":",
            {"Ref": "AWS::AccountId"},
            ":source-server/*",
        ],
    ]
}


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
        "DescribeSourceServers": {
            "Sid": "DescribeSourceServers",
            "Effect": "Allow",
            "Action": "drs:DescribeSourceServers",
            "Resource": "*",  # the action has no resource type
        },
        "StartReplication": {
            "Sid": "StartReplication",
            "Effect": "Allow",
            "Action": "drs:StartReplication",
            "Resource": SOURCE_SERVERS,
        },
        "NeverStartExcludedServers": {
            "Sid": "NeverStartExcludedServers",
            "Effect": "Deny",
            "Action": "drs:StartReplication",
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
    }


def test_opt_in_allows_only_servers_with_the_include_tag(opt_in_template: Template) -> None:
    start = statements(opt_in_template)["StartReplication"]
    assert start["Resource"] == SOURCE_SERVERS
    assert start["Condition"] == {"StringEqualsIgnoreCase": {"aws:ResourceTag/DR": "auto"}}


def test_bare_exclude_key_denies_any_server_carrying_the_tag(opt_in_template: Template) -> None:
    deny = statements(opt_in_template)["NeverStartExcludedServers"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Null": {"aws:ResourceTag/NoReprotect": "false"}}


def test_same_arn_pattern_in_every_environment(opt_in_template: Template, plain_template: Template) -> None:
    # Pseudo parameters, not the env's literal account/region: one template shape for StackSets too.
    assert statements(plain_template)["StartReplication"]["Resource"] == SOURCE_SERVERS
    assert "Condition" not in statements(plain_template)["StartReplication"]
    assert statements(opt_in_template)["StartReplication"]["Resource"] == SOURCE_SERVERS
