"""Configuration from context: defaults, `-c` strings, precedence, per-environment overrides, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.config import SETTING_NAMES, ConfigError, ReprotectSettings, TagSpec, targets_from_context

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def targets(context: dict[str, Any]) -> list[Any]:
    return targets_from_context(context.get)


def test_cdk_json_lists_every_setting_with_its_default() -> None:
    # Given the settings block shipped in cdk.json
    context = json.loads((REPOSITORY_ROOT / "cdk.json").read_text())["context"]
    # Then it names every setting exactly once, with the built-in default
    assert sorted(context["settings"]) == sorted(SETTING_NAMES)
    (target,) = targets(context)
    assert target.settings == ReprotectSettings()


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


def test_tag_specs() -> None:
    assert TagSpec.parse("AutoReprotect=false") == TagSpec("AutoReprotect", "false")
    assert TagSpec.parse("DR") == TagSpec("DR", None)
    assert TagSpec.parse("a=b=c") == TagSpec("a", "b=c")


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"settings": {"dryrun": True}}, "unknown setting 'dryrun'"),
        (
            {"settings": {"max_starts_per_run": "many"}},
            "'max_starts_per_run': expected a whole number, got 'many'",
        ),
        (
            {"settings": {"max_starts_per_run": True}},
            "'max_starts_per_run': expected a whole number, got True",
        ),
        ({"dry_run": "maybe"}, "'dry_run': expected true or false, got 'maybe'"),
        ({"retry_mode": "legacy"}, "'retry_mode': 'legacy' is not one of standard, adaptive"),
        ({"settings": {"exclude_tag": 5}}, "'exclude_tag': expected a string, got 5"),
        ({"settings": {"alarm_names": [1]}}, "'alarm_names': expected a list of strings"),
        ({"settings": "{not json"}, "context 'settings': not valid JSON"),
        ({"settings": ["dry_run"]}, "context 'settings': expected an object"),
        ({"exclude_tag": ""}, "setting exclude_tag='' is not a tag spec"),
        ({"exclude_tag": "=x"}, "setting exclude_tag='=x' is not a tag spec"),
        ({"include_tag": "DR="}, "setting include_tag='DR=' is not a tag spec"),
        ({"include_tag": "aws:cloudformation:stack-name=x"}, "uses the reserved 'aws:' key prefix"),
        ({"include_tag": "DR=on", "exclude_tag": "DR"}, "every included server would also be excluded"),
        ({"schedule_expression": "rate(1 minutes)"}, "'schedule_expression': 'rate(1 minutes)'"),
        ({"schedule_expression": "every hour"}, "'schedule_expression': 'every hour' is not"),
        ({"schedule_expression": "cron(0 6 * * *)"}, "six-field 'cron(...)'"),
        (
            {"schedule_time_zone": "Mars/Olympus"},
            "'schedule_time_zone': unknown IANA time zone 'Mars/Olympus'",
        ),
        ({"log_retention_days": "10"}, "'log_retention_days': 10 is not a CloudWatch Logs retention period"),
        ({"timeout_seconds": "901"}, "'timeout_seconds': 901 is outside 30..900"),
        ({"memory_mb": 64}, "'memory_mb': 64 is outside 128..10240"),
        ({"notification_emails": "ops"}, "'notification_emails': 'ops' is not an email address"),
        (
            {"alarm_name_prefix": "reprotect"},
            "'alarm_name_prefix': 'reprotect' would match the tool's own alarms",
        ),
        ({"alarm_names": ["reprotect-tool-x"]}, "'alarm_names': 'reprotect-tool-x'"),
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
            "environments[0]: unknown setting 'dry_rn'",
        ),
        (
            {"environments": [{"account": "111111111111", "region": "eu-west-1", "memory_mb": "lots"}]},
            "environments[0]: setting 'memory_mb': expected a whole number, got 'lots'",
        ),
        (
            {"environments": [{"account": "111111111111", "region": "eu-west-1"}] * 2},
            "environments[1]: account 111111111111 and region eu-west-1 are listed twice",
        ),
    ],
)
def test_bad_configuration_names_the_key_and_value(context: dict[str, Any], message: str | None) -> None:
    if message is None:  # a JSON number for the account is accepted as written
        assert targets(context)[0].account == "111111111111"
        return
    with pytest.raises(ConfigError) as error:
        targets(context)
    assert message in str(error.value)
