"""The `organization` block: what it accepts, and every refusal naming the key and the value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import ConfigError
from infra.org import preferences
from infra.org.app import member_settings
from infra.org.config import KEYS, OrganizationConfig, organization_from_context

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "examples" / "organization.json"
SAMPLE: dict[str, Any] = json.loads(SAMPLE_FILE.read_text())
MINIMAL = {key: SAMPLE[key] for key in ("organization_id", "admin_account", "admin_region", "hub_account")}
MINIMAL |= {key: SAMPLE[key] for key in ("hub_region", "target_ous", "canary_ou", "regions")}


def parse(**changes: Any) -> OrganizationConfig:
    config = organization_from_context({"organization": {**MINIMAL, **changes}})
    assert config is not None
    return config


def test_without_the_block_there_is_no_organization() -> None:
    assert organization_from_context({}) is None
    assert organization_from_context({"organization": ""}) is None


def test_the_sample_as_cdk_json_holds_it_and_as_the_command_line_delivers_it() -> None:
    as_object = organization_from_context({"organization": SAMPLE})
    as_string = organization_from_context({"organization": json.dumps(SAMPLE)})

    assert as_object == as_string
    assert as_object is not None
    assert as_object.regions == ("us-east-1", "eu-west-1")
    assert as_object.hub_bus_arn == "arn:aws:events:us-east-1:222222222222:event-bus/drs-reprotect-hub"


def test_defaults_are_the_documented_ones() -> None:
    config = parse()

    assert config.delegated_admin is True
    assert config.operation_preferences == preferences.OperationPreferences(
        25, 10, "PARALLEL", "SOFT_FAILURE_TOLERANCE"
    )
    assert config.canary_operation_preferences == preferences.OperationPreferences(
        100, 0, "PARALLEL", "SOFT_FAILURE_TOLERANCE"
    )
    assert config.bucket_prefix == "drs-reprotect-assets-111111111111"
    assert (config.create_sinks, dict(config.sink_arns), config.retain_stacks_on_account_removal) == (
        True,
        {},
        False,
    )
    assert (config.digest_schedule, config.silent_after_hours, config.archive_retention_days) == (
        "cron(0 6 * * ? *)",
        2,
        90,
    )


def test_preferences_are_merged_over_their_defaults_and_render_for_the_stack_set() -> None:
    config = parse(operation_preferences={"max_concurrent_percentage": "40", "region_order": ["eu-west-1"]})

    assert config.operation_preferences.to_cfn() == {
        "MaxConcurrentPercentage": 40,
        "FailureTolerancePercentage": 10,
        "RegionConcurrencyType": "PARALLEL",
        "ConcurrencyMode": "SOFT_FAILURE_TOLERANCE",
        "RegionOrder": ["eu-west-1"],
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"organisation_id": "o-x"}, "organization: unknown key 'organisation_id'; known: organization_id,"),
        (
            {"organization_id": "a1b2c3d4e5"},
            "organization 'organization_id': 'a1b2c3d4e5' is not an organization id",
        ),
        (
            {"admin_account": "11111111111"},
            "organization 'admin_account': '11111111111' is not a 12-digit AWS account",
        ),
        ({"hub_region": "eu-west"}, "organization 'hub_region': 'eu-west' is not an AWS region name"),
        ({"regions": []}, "organization 'regions': [] must be a list of at least one item, each once"),
        ({"regions": ["eu-west-1", "eu-west-1"]}, "must be a list of at least one item, each once"),
        (
            {"regions": ["eu-west-1", "mars-1"]},
            "organization 'regions': 'mars-1' is not an AWS region",
        ),
        ({"target_ous": ["ou-1"]}, "organization 'target_ous': 'ou-1' is not an organizational unit id"),
        (
            {"canary_ou": "ou-a1b2-11111111"},
            "organization 'canary_ou': 'ou-a1b2-11111111' is also in 'target_ous'",
        ),
        ({"delegated_admin": "perhaps"}, "organization 'delegated_admin': 'perhaps' is not a boolean"),
        (
            {"operation_preferences": {"max_concurrent_percentage": 0}},
            "organization 'operation_preferences' 'max_concurrent_percentage': 0 is out of range",
        ),
        (
            {"operation_preferences": {"region_concurrency_type": "parallel"}},
            "'region_concurrency_type': 'parallel' is not one of PARALLEL, SEQUENTIAL",
        ),
        (
            {"operation_preferences": {"max_concurrency": 5}},
            "organization 'operation_preferences': unknown key 'max_concurrency'",
        ),
        (
            {"canary_operation_preferences": {"region_order": ["ap-south-1"]}},
            "organization 'canary_operation_preferences' 'region_order': ['ap-south-1'] not in 'regions'",
        ),
        (
            {"sink_arns": {"eu-west-1": "arn:aws:oam:eu-west-1:999999999999:sink/x"}},
            "'sink_arns' 'eu-west-1': 'arn:aws:oam:eu-west-1:999999999999:sink/x' is not an OAM sink",
        ),
        (
            {"sink_arns": {"ap-south-1": "arn:aws:oam:ap-south-1:222222222222:sink/x"}},
            "organization 'sink_arns' 'ap-south-1'",
        ),
        (
            {"asset_bucket_prefix": "Assets"},
            "organization 'asset_bucket_prefix': 'Assets' is not an S3 bucket name",
        ),
        ({"asset_bucket_prefix": "a" * 55}, "is too long: '<prefix>-<region>' must fit S3's 63 characters"),
        ({"digest_schedule": "daily"}, "organization 'digest_schedule': 'daily' is not 'rate(N unit)'"),
        ({"digest_emails": ["dr-team"]}, "organization 'digest_emails': 'dr-team' is not an email address"),
        (
            {"silent_after_hours": 0},
            "organization 'silent_after_hours': 0 is out of range: it must be from 1 to 168",
        ),
        ({"settings": ["dry_run"]}, "organization 'settings': ['dry_run'] expected an object"),
    ],
)
def test_every_refusal_names_the_key_and_the_value(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(**changes)
    assert message in str(caught.value)


def test_missing_keys_are_named() -> None:
    with pytest.raises(ConfigError, match="organization: missing 'hub_account', 'regions'"):
        organization_from_context(
            {"organization": {k: v for k, v in MINIMAL.items() if k not in ("hub_account", "regions")}}
        )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "context 'organization': not valid JSON"),
        ("[1]", "context 'organization': expected an object"),
    ],
)
def test_malformed_blocks_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        organization_from_context({"organization": raw})


def test_every_key_is_documented() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "organization.md").read_text()
    assert [key for key in KEYS if f"`{key}`" not in guide] == []


def test_members_get_the_shared_settings_the_organizations_own_and_the_hub() -> None:
    config = parse(settings={"max_starts_per_run": 20})

    settings = member_settings({"settings": {"dry_run": False, "include_tag": "DR=auto"}}, config)

    assert (settings.max_starts_per_run, settings.include_tag) == (20, "DR=auto")
    assert settings.hub_event_bus_arn == config.hub_bus_arn


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_start": 5}, "organization 'settings': unknown setting 'max_start'"),
        (
            {"hub_event_bus_arn": "arn:aws:events:us-east-1:222222222222:event-bus/x"},
            "is set by the organization",
        ),
    ],
)
def test_bad_member_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        member_settings({}, parse(settings=settings))


def test_the_hub_bus_setting_takes_only_an_event_bus_arn() -> None:
    from infra import ReprotectSettings

    with pytest.raises(
        ConfigError, match="setting 'hub_event_bus_arn': 'drs-reprotect-hub' is not an EventBridge"
    ):
        ReprotectSettings(hub_event_bus_arn="drs-reprotect-hub")
