"""The member StackSets: service-managed, targets and preferences from configuration, automatic
deployment, the canary in dry run first; the member template with its hub delivery and OAM link."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Match, Template
from aws_cdk.cx_api import CloudAssembly

from infra.org import preferences
from infra.org.stacksets import MemberStackSetStack
from infra.settings import ReprotectSettings
from tests.infra.conftest import only, resource_types, resources, stack_set_template, template_of

HUB_BUS = "arn:aws:events:us-east-1:222222222222:event-bus/drs-reprotect-hub"
SINKS = {
    "us-east-1": "arn:aws:oam:us-east-1:222222222222:sink/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    "eu-west-1": "arn:aws:oam:eu-west-1:222222222222:sink/1e2d3c4b-5a69-7887-96a5-b4c3d2e1f00f",
}


@pytest.fixture(scope="module")
def members(org_assembly: CloudAssembly) -> Template:
    return template_of(org_assembly, "DrsReprotectMembers")


@pytest.fixture(scope="module")
def canary(org_assembly: CloudAssembly) -> Template:
    return template_of(org_assembly, "DrsReprotectCanary")


@pytest.fixture(scope="module")
def member(org_assembly: CloudAssembly) -> Template:
    return stack_set_template(org_assembly, "DrsReprotectMembers")


@pytest.fixture(scope="module")
def canary_member(org_assembly: CloudAssembly) -> Template:
    return stack_set_template(org_assembly, "DrsReprotectCanary")


def test_the_app_has_the_organizations_stacks_in_their_accounts_and_regions(
    org_assembly: CloudAssembly,
) -> None:
    where = {s.stack_name: (s.environment.account, s.environment.region) for s in org_assembly.stacks}
    # The environment-agnostic stack gives way to the StackSets.
    assert where == {
        "DrsReprotectHub": ("222222222222", "us-east-1"),
        "DrsReprotectSink-us-east-1": ("222222222222", "us-east-1"),
        "DrsReprotectSink-eu-west-1": ("222222222222", "eu-west-1"),
        "DrsReprotectAssets-us-east-1": ("111111111111", "us-east-1"),
        "DrsReprotectAssets-eu-west-1": ("111111111111", "eu-west-1"),
        "DrsReprotectCanary": ("111111111111", "us-east-1"),
        "DrsReprotectMembers": ("111111111111", "us-east-1"),
    }


def test_deploy_order_is_hub_sinks_and_buckets_then_canary_then_members(org_assembly: CloudAssembly) -> None:
    stacks = {s.stack_name for s in org_assembly.stacks}
    depends = {s.stack_name: {d.id for d in s.dependencies} & stacks for s in org_assembly.stacks}
    assert depends["DrsReprotectMembers"] == {"DrsReprotectCanary"}
    assert depends["DrsReprotectCanary"] == {
        "DrsReprotectHub",
        "DrsReprotectAssets-us-east-1",
        "DrsReprotectAssets-eu-west-1",
        "DrsReprotectSink-us-east-1",
        "DrsReprotectSink-eu-west-1",
    }


def test_the_members_stack_set_is_service_managed_with_automatic_deployment_to_the_target_ous(
    members,
) -> None:
    properties = only(members, "AWS::CloudFormation::StackSet")
    assert properties["StackSetName"] == "drs-reprotect"
    assert properties["PermissionModel"] == "SERVICE_MANAGED"
    assert properties["CallAs"] == "DELEGATED_ADMIN"
    assert properties["AutoDeployment"] == {"Enabled": True, "RetainStacksOnAccountRemoval": False}
    assert properties["ManagedExecution"] == {"Active": True}
    assert properties["Capabilities"] == ["CAPABILITY_IAM"]
    assert properties["StackInstancesGroup"] == [
        {
            "DeploymentTargets": {
                "AccountFilterType": "NONE",
                "OrganizationalUnitIds": ["ou-a1b2-11111111", "ou-a1b2-22222222"],
            },
            "Regions": ["us-east-1", "eu-west-1"],
        }
    ]
    assert properties["OperationPreferences"] == {
        "MaxConcurrentPercentage": 25,
        "FailureTolerancePercentage": 10,
        "RegionConcurrencyType": "PARALLEL",
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
    }


def test_the_canary_stack_set_is_the_canary_ou_alone_all_at_once_stopping_at_the_first_failure(
    canary,
) -> None:
    properties = only(canary, "AWS::CloudFormation::StackSet")
    assert properties["StackSetName"] == "drs-reprotect-canary"
    (group,) = properties["StackInstancesGroup"]
    assert group["DeploymentTargets"]["OrganizationalUnitIds"] == ["ou-a1b2-33333333"]
    assert properties["OperationPreferences"]["MaxConcurrentPercentage"] == 100
    assert properties["OperationPreferences"]["FailureTolerancePercentage"] == 0


def test_the_stack_set_deploys_the_member_template_after_its_code_is_in_every_regions_bucket(members) -> None:
    (stack_set,) = resources(members, "AWS::CloudFormation::StackSet").values()
    copies = resources(members, "Custom::CDKBucketDeployment")
    buckets = sorted(copy["Properties"]["DestinationBucketName"] for copy in copies.values())
    assert buckets == [
        "drs-reprotect-assets-111111111111-eu-west-1",
        "drs-reprotect-assets-111111111111-us-east-1",
    ]
    assert set(copies) <= set(stack_set["DependsOn"])
    url = stack_set["Properties"]["TemplateURL"]["Fn::Sub"]
    assert url.startswith(
        "https://s3.us-east-1.${AWS::URLSuffix}/cdk-hnb659fds-assets-111111111111-us-east-1/"
    )


def test_the_code_copys_policy_is_one_merged_statement_per_kind_so_it_fits_iams_limit(members) -> None:
    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for key, p in resources(members, "AWS::IAM::Policy").items()
        if key.startswith("CustomCDKBucketDeployment")
    ]
    writes = [s for s in policy["Statement"] if "s3:PutObject" in s["Action"]]
    (write,) = writes
    assert len(write["Resource"]) == 4  # both buckets and their objects, in one statement


def function_of(template: Template) -> dict[str, Any]:
    return only(template, "AWS::Lambda::Function")


def test_the_member_reads_its_code_from_its_regions_bucket(member) -> None:
    assert function_of(member)["Code"]["S3Bucket"] == {
        "Fn::Join": ["-", ["drs-reprotect-assets-111111111111", {"Ref": "AWS::Region"}]]
    }


def test_the_member_sends_its_reports_to_the_hub_and_may_put_events_on_that_bus_only(member) -> None:
    assert function_of(member)["Environment"]["Variables"]["HUB_EVENT_BUS_ARN"] == HUB_BUS
    statements = [
        statement
        for policy in resources(member, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "events:PutEvents" in statement["Action"]
    ]
    assert statements == [
        {"Sid": "SendReportsToHub", "Effect": "Allow", "Action": "events:PutEvents", "Resource": HUB_BUS}
    ]


def test_without_an_organization_the_function_has_no_hub(template: Template) -> None:
    assert "HUB_EVENT_BUS_ARN" not in function_of(template)["Environment"]["Variables"]
    assert "events:PutEvents" not in str(resources(template, "AWS::IAM::Policy"))


def test_only_the_canary_runs_dry(member, canary_member) -> None:
    assert function_of(member)["Environment"]["Variables"]["DRY_RUN"] == "false"
    assert function_of(canary_member)["Environment"]["Variables"]["DRY_RUN"] == "true"
    # Otherwise the canary is what the members get, resource for resource.
    assert resource_types(canary_member) == resource_types(member)


def test_the_member_links_to_the_hubs_sink_of_its_region_sharing_only_the_tools_data(member) -> None:
    (mapping,) = member.to_json()["Mappings"].values()
    assert mapping == {region: {"Arn": arn} for region, arn in SINKS.items()}
    (link,) = resources(member, "AWS::Oam::Link").values()
    properties = link["Properties"]
    assert properties["SinkIdentifier"]["Fn::FindInMap"][1] == {"Ref": "AWS::Region"}
    assert properties["ResourceTypes"] == ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"]
    assert properties["LinkConfiguration"]["MetricConfiguration"] == {
        "Filter": "Namespace IN ('DrsReprotect', 'AWS/DRS')"
    }
    assert (
        "LogGroupName LIKE 'StackSet-drs-reprotect-%'"
        in properties["LinkConfiguration"]["LogGroupConfiguration"]["Filter"]
    )
    # Linked only where the hub has a sink (the condition compares the region's entry to 'none').
    assert link["Condition"] in member.to_json()["Conditions"]


def test_members_have_no_dashboard_of_their_own_the_organizations_shows_them(member, canary_member) -> None:
    # Dashboards are global to an account and billed beyond three: one per region would cost more than
    # the rest of the member.
    assert resources(member, "AWS::CloudWatch::Dashboard") == {}
    assert resources(canary_member, "AWS::CloudWatch::Dashboard") == {}
    assert len(resources(member, "AWS::CloudWatch::Alarm")) == 6


def test_the_member_template_needs_no_bootstrap_and_no_docker(member) -> None:
    body = member.to_json()
    assert "BootstrapVersion" not in body.get("Parameters", {})
    assert "Rules" not in body
    member.has_resource_properties(
        "AWS::Lambda::Function", {"Layers": [{"Ref": Match.string_like_regexp("Powertools|SsmParameter")}]}
    )


SEVENTEEN = (
    *(
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-west-1",
        "eu-west-2",
    ),
    *("eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2"),
    *("ap-northeast-3", "ap-southeast-1", "ap-southeast-2"),
)


def test_at_17_regions_the_code_copys_policy_stays_well_within_iams_10240_characters() -> None:
    # Given the members' StackSet stack for 17 regions (17 buckets to copy the code to)
    app = App()
    stack = MemberStackSetStack(
        app,
        "DrsReprotectMembers",
        stack_set_name="drs-reprotect",
        organizational_units=["ou-a1b2-11111111"],
        regions=SEVENTEEN,
        preferences=preferences.MEMBERS,
        delegated_admin=True,
        retain_stacks=False,
        template={"settings": ReprotectSettings(), "sinks": {}, "stack_set_names": ("drs-reprotect",)},
        asset_bucket_prefix="drs-reprotect-assets-111111111111",
        env=Environment(account="111111111111", region="us-east-1"),
    )
    template = Template.from_stack(stack)
    # Then the copy's one policy, merged, is far from IAM's limit for a role's inline policies
    (policy,) = [
        p for key, p in resources(template, "AWS::IAM::Policy").items() if key.startswith("CustomCDK")
    ]
    document = policy["Properties"]["PolicyDocument"]
    assert len(json.dumps(document, separators=(",", ":"))) < 10_240 / 2
    assert len(resources(template, "Custom::CDKBucketDeployment")) == 17
