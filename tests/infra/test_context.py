"""Settings from CDK context: `-c` strings, precedence, environments, unknown keys, malformed context."""

from __future__ import annotations

from typing import Any

import pytest

from infra import ConfigError, ReprotectSettings
from infra.context import targets_from_context
from infra.settings import SETTING_NAMES

# What the CDK CLI puts into every app's context besides ours (seen with `cdk synth`), and what
# cdk.context.json or a user's cdk.json may add: none of it is a drs-reprotect setting.
CDK_OWN_CONTEXT: dict[str, Any] = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
    "aws:cdk:version-reporting": True,
    "aws:cdk:bundling-stacks": ["**"],
    "@aws-cdk/core:failSynthOnValidationErrors": False,
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
    "acknowledged-issue-numbers": [34892],
    "availability-zones:account=111111111111:region=eu-west-1": ["eu-west-1a"],
    "cdk-migrate": True,
    "cli-telemetry": False,  # cdk.json turns the CLI's telemetry off in the context
}


def targets(context: dict[str, Any]) -> list[Any]:
    return targets_from_context(context)


def test_no_environments_gives_one_environment_agnostic_stack() -> None:
    (target,) = targets({"environments": []})
    assert (target.stack_id, target.account, target.region) == ("DrsReprotect", None, None)


def test_environments_as_a_json_string_from_the_command_line() -> None:
    # Given what `cdk synth -c environments='[...]'` delivers: a string
    raw = (
        '[{"account": "111111111111", "region": "eu-west-1"},'
        ' {"account": "222222222222", "region": "us-east-1"}]'
    )
    # Then there is one uniquely named stack per environment
    assert [t.stack_id for t in targets({"environments": raw})] == [
        "DrsReprotect-111111111111-eu-west-1",
        "DrsReprotect-222222222222-us-east-1",
    ]


def test_strings_from_the_command_line_are_parsed() -> None:
    (target,) = targets(
        {
            "dry_run": "TRUE",
            "notify_when_idle": "yes",
            "max_starts_per_run": "7",
            "alarm_names": "a, b",
            "notification_emails": '["x@example.com"]',
            "settings": '{"drs_events_enabled": "false"}',
            "retry_mode": "adaptive",
        }
    )
    settings = target.settings
    assert settings.retry_mode == "adaptive"
    assert (settings.dry_run, settings.notify_when_idle, settings.drs_events_enabled) == (True, True, False)
    assert settings.max_starts_per_run == 7
    assert settings.alarm_names == ("a", "b")
    assert settings.notification_emails == ("x@example.com",)


def test_precedence_defaults_then_settings_then_top_level_then_environment() -> None:
    context = {
        "settings": {"max_starts_per_run": 10, "max_concurrency": 3, "dry_run": True},
        "max_starts_per_run": "20",
        "environments": [
            {"account": "111111111111", "region": "eu-west-1", "max_starts_per_run": 30},
            {"account": "222222222222", "region": "eu-west-1"},
        ],
    }
    first, second = (t.settings for t in targets(context))
    assert (first.max_starts_per_run, first.max_concurrency, first.dry_run) == (30, 3, True)
    assert (second.max_starts_per_run, second.max_concurrency, second.dry_run) == (20, 3, True)
    assert second.restart_cooldown_seconds == ReprotectSettings().restart_cooldown_seconds


def test_cdks_own_context_keys_are_not_settings() -> None:
    # Given everything the CDK CLI and cdk.json put into context besides our settings
    (target,) = targets({**CDK_OWN_CONTEXT, "dry_run": "true"})
    # Then none of it is refused, and only the setting applies
    assert target.settings == ReprotectSettings(dry_run=True)


def test_a_mistyped_setting_on_the_command_line_is_refused() -> None:
    # Given `cdk synth -c max_start=5` (meant: max_starts_per_run)
    with pytest.raises(ConfigError) as error:
        targets({**CDK_OWN_CONTEXT, "max_start": "5"})
    # Then synth stops, naming the key and listing the known ones
    assert str(error.value) == f"context: unknown setting 'max_start'; known: {', '.join(SETTING_NAMES)}"
    assert "max_starts_per_run" in str(error.value)


@pytest.mark.parametrize("key", ["dry-run", "DRY_RUN", "Max-Starts-Per-Run"])
def test_a_setting_spelled_with_hyphens_or_capitals_is_refused_not_ignored(key: str) -> None:
    # Given `cdk synth -c dry-run=true`: shaped like one of CDK's own keys, but meant as a setting
    with pytest.raises(ConfigError) as error:
        targets({**CDK_OWN_CONTEXT, key: "true"})
    # Then synth stops, naming the key, the setting it resembles and the known ones
    meant = key.lower().replace("-", "_")
    assert str(error.value).startswith(f"context: unknown setting {key!r}; did you mean {meant!r}? known: ")


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"settings": {"dryrun": True}},
            "context 'settings': unknown setting 'dryrun'; known: schedule_expression",
        ),
        ({"settings": "{not json"}, "context 'settings': not valid JSON"),
        ({"settings": ["dry_run"]}, "context 'settings': expected an object"),
        ({"environments": "[{]"}, "context 'environments': not valid JSON"),
        ({"environments": {"account": "111111111111"}}, "context 'environments': expected a list"),
        ({"environments": ["111111111111"]}, "environments[0]: expected an object"),
        (
            {"environments": [{"account": "1234", "region": "eu-west-1"}]},
            "environments[0]: 'account' must be",
        ),
        ({"environments": [{"account": 111111111111, "region": "eu-west-1"}]}, None),
        (
            {"environments": [{"account": "111111111111", "region": "europe"}]},
            "'region' is not an AWS region name",
        ),
        (
            {"environments": [{"account": "111111111111"}]},
            "environments[0]: 'region' is not an AWS region name",
        ),
        (
            {"environments": [{"account": "111111111111", "region": "eu-west-1", "dry_rn": "true"}]},
            "environments[0]: unknown setting 'dry_rn'; known: schedule_expression",
        ),
        (
            {"environments": [{"account": "111111111111", "region": "eu-west-1", "memory_mb": "lots"}]},
            "environments[0]: setting 'memory_mb': 'lots' is not a whole number",
        ),
        (
            {"environments": [{"account": "111111111111", "region": "eu-west-1"}] * 2},
            "environments[1]: account 111111111111 and region eu-west-1 are listed twice",
        ),
    ],
)
def test_bad_context_names_the_key_and_value(context: dict[str, Any], message: str | None) -> None:
    if message is None:  # a JSON number for the account is accepted as written
        assert targets(context)[0].account == "111111111111"
        return
    with pytest.raises(ConfigError) as error:
        targets(context)
    assert message in str(error.value)
