"""The member StackSet deployed into moto's CloudFormation, as far as moto goes: `create_stack_set` and
`create_stack_instances` with the synthesized template and the synthesized StackSet's own properties,
into an organization of OUs and accounts; each member stack's resources created in its account and
region. What moto does not do is asserted too (MOTO_GAPS), so the list in docs/organization.md stays true.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.cx_api import CloudAssembly
from moto import mock_aws
from moto.awslambda.models import lambda_backends
from moto.cloudformation.models import cloudformation_backends
from moto.dynamodb.models import dynamodb_backends
from moto.kms.models import Key
from moto.sns.models import sns_backends
from moto.ssm.models import Parameter, ssm_backends

from tests.infra.conftest import only, stack_set_template, template_of

ADMIN_REGION = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1")
BUCKET_PREFIX = "drs-reprotect-assets-111111111111"
HUB_BUS = "arn:aws:events:us-east-1:222222222222:event-bus/drs-reprotect-hub"

# Resource types of the member template that moto's CloudFormation skips (with a warning), created by
# real CloudFormation only.
MOTO_SKIPS = {
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Oam::Link",
    "AWS::Scheduler::Schedule",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
}


@pytest.fixture(scope="module")
def templates(org_assembly: CloudAssembly) -> dict[str, Any]:
    return {
        "members": stack_set_template(org_assembly, "DrsReprotectMembers").to_json(),
        "canary": stack_set_template(org_assembly, "DrsReprotectCanary").to_json(),
        "members-stack-set": only(
            template_of(org_assembly, "DrsReprotectMembers"), "AWS::CloudFormation::StackSet"
        ),
        "canary-stack-set": only(
            template_of(org_assembly, "DrsReprotectCanary"), "AWS::CloudFormation::StackSet"
        ),
        "code": _code_zip(org_assembly),
    }


def _code_zip(assembly: CloudAssembly) -> tuple[str, bytes]:
    """The member's code as cdk-assets publishes it: the staged directory, zipped, under its hash."""
    (directory,) = [p for p in Path(assembly.directory).glob("asset.*") if (p / "reprotect").is_dir()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(directory.rglob("*.py")):
            archive.write(path, path.relative_to(directory))
    return f"{directory.name.removeprefix('asset.')}.zip", buffer.getvalue()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(Key, "create_from_cloudformation_json", _key_with_cloudformation_tags)
    with mock_aws():
        yield


_create_key = Key.create_from_cloudformation_json


def _key_with_cloudformation_tags(
    resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any
) -> Key:
    """moto's AWS::KMS::Key reads Tags in KMS's API form (TagKey/TagValue), not CloudFormation's (Key/Value),
    and fails on every tagged key; the app tags everything. This gives moto the form it reads."""
    properties = cloudformation_json["Properties"]
    tags = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
    changed = {**cloudformation_json, "Properties": {**properties, "Tags": tags}}
    return _create_key(resource_name, changed, *args, **kwargs)


def organization() -> dict[str, list[str]]:
    """An organization in moto: two target OUs (one with a nested OU) and a canary OU; account ids by OU."""
    org = boto3.client("organizations", region_name=ADMIN_REGION)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]

    def ou(name: str, parent: str) -> str:
        return str(org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"])

    def account(name: str, parent: str) -> str:
        created = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        org.move_account(AccountId=created["AccountId"], SourceParentId=root, DestinationParentId=parent)
        return str(created["AccountId"])

    production, staging, canary = ou("Production", root), ou("Staging", root), ou("Canary", root)
    business_unit = ou("BusinessUnitA", production)
    return {
        "root": [root],
        "ous": [production, staging],
        "canary-ou": [canary],
        "members": [
            account("prod-1", production),
            account("bu-a-1", business_unit),
            account("staging-1", staging),
        ],
        "canary": [account("canary-1", canary)],
    }


def publish_code_and_layer(code: tuple[str, bytes], accounts: list[str], parameter: str) -> None:
    """What the rollout finds in place: each region's asset bucket holding the code (the Assets stacks and
    the StackSets stack's copy), and AWS's public Powertools parameter in every account and region (moto
    reserves `/aws/` names for itself, so it goes into moto's store directly)."""
    key, body = code
    s3 = boto3.client("s3", region_name=ADMIN_REGION)
    for region in REGIONS:
        bucket = f"{BUCKET_PREFIX}-{region}"
        location = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=bucket, **location)
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        for account in accounts:
            layer = (
                f"arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:1"
            )
            ssm_backends[account][region]._parameters[parameter].append(
                Parameter(account, parameter, layer, "String", None, None, None, datetime.now(UTC), 1, "text")
            )


def deploy(
    name: str, template: dict[str, Any], stack_set: dict[str, Any], ous: list[str]
) -> tuple[str, set[str]]:
    """create_stack_set and create_stack_instances as CloudFormation makes them from the StackSet resource;
    returns the operation id and the resource types moto skipped."""
    cfn = boto3.client("cloudformation", region_name=ADMIN_REGION)
    (group,) = stack_set["StackInstancesGroup"]
    assert group["DeploymentTargets"]["OrganizationalUnitIds"]  # the template's own OUs (sample ids)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfn.create_stack_set(
            StackSetName=name,
            TemplateBody=json.dumps(template),
            PermissionModel=stack_set["PermissionModel"],
            AutoDeployment=stack_set["AutoDeployment"],
            CallAs=stack_set["CallAs"],
            Capabilities=stack_set["Capabilities"],
            ManagedExecution=stack_set["ManagedExecution"],
        )
        operation = cfn.create_stack_instances(
            StackSetName=name,
            DeploymentTargets={"OrganizationalUnitIds": ous},  # moto's organization has its own ids
            Regions=group["Regions"],
            OperationPreferences=stack_set["OperationPreferences"],
            CallAs=stack_set["CallAs"],
        )["OperationId"]
    skipped = {str(w.message).split()[3] for w in caught if "not supported by moto" in str(w.message)}
    return operation, skipped


def powertools_parameter(template: dict[str, Any]) -> str:
    (parameter,) = template["Parameters"].values()
    return str(parameter["Default"])


def function_in(account: str, region: str) -> Any:
    (function,) = lambda_backends[account][region].list_functions()
    return function


def test_the_member_stack_set_deploys_to_every_account_of_the_target_ous_in_every_region(
    aws, templates
) -> None:
    # Given an organization and what the rollout finds in place
    org = organization()
    publish_code_and_layer(
        templates["code"], org["members"] + org["canary"], powertools_parameter(templates["members"])
    )

    # When the canary, then the members' StackSet is created and its instances deployed
    canary_op, _ = deploy(
        "drs-reprotect-canary", templates["canary"], templates["canary-stack-set"], org["canary-ou"]
    )
    members_op, skipped = deploy(
        "drs-reprotect", templates["members"], templates["members-stack-set"], org["ous"]
    )

    # Then every account of the OUs (nested ones included) has an instance in every region
    cfn = boto3.client("cloudformation", region_name=ADMIN_REGION)
    instances = cfn.list_stack_instances(StackSetName="drs-reprotect")["Summaries"]
    assert sorted((i["Account"], i["Region"]) for i in instances) == sorted(
        (account, region) for account in org["members"] for region in REGIONS
    )
    assert {i["Status"] for i in instances} == {"CURRENT"}
    for name, operation in (("drs-reprotect-canary", canary_op), ("drs-reprotect", members_op)):
        described = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation)
        assert described["StackSetOperation"]["Status"] == "SUCCEEDED"
    # And each member has its function, wired to its own topic and table and to the hub; the canary runs dry
    for account in org["members"]:
        for region in REGIONS:
            variables = function_in(account, region).environment_vars
            assert variables["HUB_EVENT_BUS_ARN"] == HUB_BUS
            assert variables["DRY_RUN"] == "false"
            (topic,) = sns_backends[account][region].topics
            assert variables["OUTCOME_TOPIC_ARN"] == topic
            assert variables["IDEMPOTENCY_TABLE_NAME"] in dynamodb_backends[account][region].tables
    for region in REGIONS:
        assert function_in(org["canary"][0], region).environment_vars["DRY_RUN"] == "true"
    # And moto skipped exactly the types it does not support (real CloudFormation creates them)
    assert skipped == MOTO_SKIPS


def test_what_moto_does_not_do_with_stack_sets(aws, templates) -> None:
    # Given the members' StackSet deployed into moto
    org = organization()
    publish_code_and_layer(templates["code"], org["members"], powertools_parameter(templates["members"]))
    operation, _ = deploy("drs-reprotect", templates["members"], templates["members-stack-set"], org["ous"])
    cfn = boto3.client("cloudformation", region_name=ADMIN_REGION)
    orgs = boto3.client("organizations", region_name=ADMIN_REGION)

    # ManagedExecution is not kept (moto reports it off), and no operation preference is applied: the
    # operation is done at once, with per-account results only for explicit accounts
    assert cfn.describe_stack_set(StackSetName="drs-reprotect")["StackSet"]["ManagedExecution"] == {
        "Active": False
    }
    assert (
        cfn.list_stack_set_operation_results(StackSetName="drs-reprotect", OperationId=operation)["Summaries"]
        == []
    )
    # Automatic deployment does not happen: an account joining a target OU gets no instance
    joined = orgs.create_account(Email="new@example.com", AccountName="new")["CreateAccountStatus"][
        "AccountId"
    ]
    orgs.move_account(AccountId=joined, SourceParentId=org["root"][0], DestinationParentId=org["ous"][0])
    accounts = {i["Account"] for i in cfn.list_stack_instances(StackSetName="drs-reprotect")["Summaries"]}
    assert joined not in accounts
    # A service-managed instance's stack is hidden: its account's CloudFormation does not list it
    member, region = org["members"][0], REGIONS[1]
    assert function_in(member, region) is not None
    assert cloudformation_backends[member][region].list_stacks(None) == []
    # moto's Lambda keeps neither the arm64 architecture nor the Powertools layer of the template
    function = function_in(org["members"][0], REGIONS[0])
    assert (function.architectures, function.layers) == (["x86_64"], [])
