"""ReprotectSettings: engine settings through the contract, the deployment's own alike, bad values named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra import ConfigError, ReprotectSettings, TagSpec
from infra.context import targets_from_context
from infra.settings import DEPLOYMENT_SETTINGS, SETTING_NAMES, SPECS_BY_KEY
from reprotect import contract

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
BOOLEAN_SETTINGS = sorted(name for name, spec in SPECS_BY_KEY.items() if isinstance(spec.default, bool))


def targets(context: dict[str, Any]) -> list[Any]:
    return targets_from_context(context)


def test_cdk_json_lists_every_setting_with_its_default() -> None:
    # Given the settings block shipped in cdk.json
    context = json.loads((REPOSITORY_ROOT / "cdk.json").read_text())["context"]
    # Then it names every setting exactly once, with the built-in default
    assert sorted(context["settings"]) == sorted(SETTING_NAMES)
    (target,) = targets(context)
    assert target.settings == ReprotectSettings()


def test_every_setting_is_the_contracts_or_the_deployments_own() -> None:
    engine = {setting.key for setting in contract.SETTINGS}
    deployment = {setting.key for setting in DEPLOYMENT_SETTINGS}
    assert not engine & deployment
    assert set(SETTING_NAMES) == engine | deployment == set(SPECS_BY_KEY)


@pytest.mark.parametrize("setting", contract.SETTINGS, ids=lambda setting: setting.key)
def test_engine_defaults_and_ranges_are_the_contracts(setting: contract.Setting) -> None:
    # Given a setting the function reads, Then the deployment's default is the contract's
    assert getattr(ReprotectSettings(), setting.key) == setting.default
    if setting.low is None or setting.high is None:
        return
    # And its bounds are the contract's, in the contract's words
    for inside in (setting.low, setting.high):
        assert getattr(ReprotectSettings().updated({setting.key: inside}), setting.key) == inside
    for outside in (setting.low - 1, setting.high + 1):
        with pytest.raises(ConfigError) as error:
            ReprotectSettings().updated({setting.key: outside})
        assert str(error.value) == (
            f"setting '{setting.key}': {outside} is out of range:"
            f" it must be from {setting.low} to {setting.high}"
        )


@pytest.mark.parametrize("name", BOOLEAN_SETTINGS)
def test_booleans_accept_the_contracts_words_and_no_others(name: str) -> None:
    for word in contract.TRUE_WORDS:
        assert getattr(ReprotectSettings().updated({name: word.upper()}), name) is True
    for word in contract.FALSE_WORDS:
        assert getattr(ReprotectSettings().updated({name: f" {word} "}), name) is False
    # `on`/`off` were accepted by the deployment once, never by the function: refused now
    for word in ("on", "off"):
        with pytest.raises(ConfigError, match=f"setting '{name}': '{word}' is not a boolean"):
            ReprotectSettings().updated({name: word})


def test_construction_validates_and_normalizes() -> None:
    settings = ReprotectSettings(retry_mode="ADAPTIVE", alarm_names=["db-lag"], include_tag=" DR=auto ")
    assert (settings.retry_mode, settings.alarm_names, settings.include_tag) == (
        "adaptive",
        ("db-lag",),
        "DR=auto",
    )
    assert settings.include == TagSpec("DR", "auto")
    assert settings.exclude == TagSpec("AutoReprotect", "false")
    with pytest.raises(ConfigError, match="setting 'max_starts_per_run': 5000 is out of range"):
        ReprotectSettings(max_starts_per_run=5000)
    with pytest.raises(ConfigError, match="setting 'dry_run': expected true or false, got 1"):
        ReprotectSettings(dry_run=1)  # type: ignore[arg-type]


def test_engine_values_are_what_the_contract_writes_into_the_environment() -> None:
    settings = ReprotectSettings(dry_run=True, max_concurrency=5)
    assert contract.environment(settings.engine_values()) == {
        "DRY_RUN": "true",
        "EXCLUDE_TAG": "AutoReprotect=false",
        "INCLUDE_TAG": "",
        "MAX_STARTS_PER_RUN": "100",
        "RESTART_COOLDOWN_SECONDS": "3600",
        "MAX_CONCURRENCY": "5",
        "NOTIFY_WHEN_IDLE": "false",
        "AWS_RETRY_MODE": "standard",
        "MAX_RESTARTS_PER_DAY": "3",
        "REPLICATING_SERVER_LIMIT": "300",
        "MAX_LAG_SECONDS": "3600",
        "REMIND_AFTER_SECONDS": "86400",
        "PROTECT_SOURCE_NETWORKS": "true",
        "REVERSE_REPLICATION": "report",
        "PACE_DRS_CALLS": "true",
    }


def test_tag_specs() -> None:
    assert TagSpec.parse("AutoReprotect=false") == TagSpec("AutoReprotect", "false")
    assert TagSpec.parse("DR") == TagSpec("DR", None)
    assert TagSpec.parse("a=b=c") == TagSpec("a", "b=c")


@pytest.mark.parametrize(
    ("context", "message"),
    [
        (
            {"settings": {"max_starts_per_run": "many"}},
            "setting 'max_starts_per_run': 'many' is not a whole number",
        ),
        (
            {"settings": {"max_starts_per_run": True}},
            "setting 'max_starts_per_run': expected a whole number, got True",
        ),
        (
            {"max_starts_per_run": "4001"},
            "'max_starts_per_run': '4001' is out of range: it must be from 1 to 4000",
        ),
        ({"dry_run": "maybe"}, "setting 'dry_run': 'maybe' is not a boolean: use 'true' or 'false'"),
        ({"dry_run": "on"}, "setting 'dry_run': 'on' is not a boolean"),
        (
            {"retry_mode": "legacy"},
            "setting 'retry_mode': 'legacy' is not supported here: use one of standard, adaptive",
        ),
        ({"settings": {"exclude_tag": 5}}, "setting 'exclude_tag': expected a string, got 5"),
        ({"settings": {"alarm_names": [1]}}, "setting 'alarm_names': expected a list of strings"),
        ({"alarm_names": "[db-lag"}, "setting 'alarm_names': '[db-lag' is not valid JSON"),
        ({"exclude_tag": ""}, "setting 'exclude_tag': '' is not a tag spec"),
        ({"exclude_tag": "=x"}, "setting 'exclude_tag': '=x' is not a tag spec"),
        ({"include_tag": "DR="}, "setting 'include_tag': 'DR=' is not a tag spec"),
        ({"include_tag": "aws:cloudformation:stack-name=x"}, "uses the reserved 'aws:' key prefix"),
        ({"include_tag": "bad*key"}, "has characters a DRS tag cannot hold"),
        ({"include_tag": "DR=on", "exclude_tag": "DR"}, "every included server would also be excluded"),
        ({"schedule_expression": "rate(1 minutes)"}, "'schedule_expression': 'rate(1 minutes)'"),
        ({"schedule_expression": "every hour"}, "'schedule_expression': 'every hour' is not"),
        ({"schedule_expression": "cron(0 6 * * *)"}, "six-field 'cron(...)'"),
        (
            {"schedule_time_zone": "Mars/Olympus"},
            "setting 'schedule_time_zone': 'Mars/Olympus' is an unknown IANA time zone",
        ),
        (
            {"log_retention_days": "10"},
            "setting 'log_retention_days': '10' is not a CloudWatch Logs retention period",
        ),
        (
            {"timeout_seconds": "901"},
            "setting 'timeout_seconds': '901' is out of range: it must be from 30 to 900",
        ),
        ({"memory_mb": 64}, "setting 'memory_mb': 64 is out of range: it must be from 128 to 10240"),
        (
            {"replicating_server_limit": 0},
            "setting 'replicating_server_limit': 0 is out of range: it must be from 1 to 10000",
        ),
        ({"max_lag_seconds": "1h"}, "setting 'max_lag_seconds': '1h' is not a whole number"),
        ({"notification_emails": "ops"}, "setting 'notification_emails': 'ops' is not an email address"),
        (
            {"notification_emails": ["dr@example.com", "ops"]},
            "setting 'notification_emails': 'ops' is not an email address",
        ),
        (
            {"alarm_name_prefix": "reprotect"},
            "setting 'alarm_name_prefix': 'reprotect' would match the tool's own alarms",
        ),
        ({"alarm_names": ["reprotect-tool-x"]}, "setting 'alarm_names': 'reprotect-tool-x'"),
    ],
)
def test_bad_values_name_the_key_and_value(context: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        targets(context)
    assert message in str(error.value)
