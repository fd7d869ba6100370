from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reprotect import observability
from reprotect.config import Config, ConfigError
from reprotect.contract import SettingError
from reprotect.tags import TagSpec

BASE = {
    "OUTCOME_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:drs-reprotect",
    "IDEMPOTENCY_TABLE_NAME": "drs-reprotect-idempotency",
}


def test_defaults_are_the_documented_ones() -> None:
    config = Config.from_env(BASE)

    assert config.dry_run is False
    assert config.exclude_tags == (TagSpec("AutoReprotect", "false"),)
    assert config.include_tag is None
    assert (config.max_starts_per_run, config.restart_cooldown_seconds, config.max_concurrency) == (
        100,
        3600,
        10,
    )
    assert config.notify_when_idle is False
    assert config.retry_mode == "standard"
    assert (config.max_restarts_per_day, config.replicating_server_limit) == (3, 300)
    assert (config.max_lag_seconds, config.remind_after_seconds) == (3600, 86_400)


def test_every_variable_is_read() -> None:
    config = Config.from_env(
        {
            **BASE,
            "DRY_RUN": "TRUE",
            "EXCLUDE_TAG": "Backup",
            "INCLUDE_TAG": "DR=on",
            "MAX_STARTS_PER_RUN": "7",
            "RESTART_COOLDOWN_SECONDS": "0",
            "MAX_CONCURRENCY": "3",
            "NOTIFY_WHEN_IDLE": "yes",
            "AWS_RETRY_MODE": "Adaptive",
            "MAX_RESTARTS_PER_DAY": "0",
            "REPLICATING_SERVER_LIMIT": "250",
            "MAX_LAG_SECONDS": "0",
            "REMIND_AFTER_SECONDS": "600",
        }
    )
    assert config.retry_mode == "adaptive"

    assert config.dry_run is True
    assert config.exclude_tags == (TagSpec("Backup", None),)
    assert config.include_tag == TagSpec("DR", "on")
    assert (config.max_starts_per_run, config.restart_cooldown_seconds, config.max_concurrency) == (7, 0, 3)
    assert config.notify_when_idle is True
    assert (config.max_restarts_per_day, config.replicating_server_limit) == (0, 250)
    assert (config.max_lag_seconds, config.remind_after_seconds) == (0, 600)


def test_empty_exclude_tag_excludes_nothing() -> None:
    assert Config.from_env({**BASE, "EXCLUDE_TAG": ""}).exclude_tags == ()


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("MAX_STARTS_PER_RUN", "abc", "not a whole number"),
        ("MAX_STARTS_PER_RUN", "0", "out of range"),
        ("MAX_CONCURRENCY", "0", "out of range"),
        ("MAX_CONCURRENCY", "51", "out of range"),
        ("RESTART_COOLDOWN_SECONDS", "1.5", "not a whole number"),
        ("DRY_RUN", "maybe", "not a boolean"),
        ("EXCLUDE_TAG", "=x", "not a tag spec"),
        ("EXCLUDE_TAG", "k=", "not a tag spec"),
        ("INCLUDE_TAG", "aws:cloudformation:stack-name=x", "reserved 'aws:' key prefix"),
        ("EXCLUDE_TAG", "AWS:x", "reserved 'aws:' key prefix"),
        ("INCLUDE_TAG", "bad*key", "cannot hold"),
        ("OUTCOME_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:q", "not an SNS topic ARN"),
        ("IDEMPOTENCY_TABLE_NAME", "no spaces allowed", "not a DynamoDB table name"),
        ("AWS_RETRY_MODE", "legacy", "use one of standard, adaptive"),
        ("REPLICATING_SERVER_LIMIT", "0", "out of range"),
        ("MAX_LAG_SECONDS", "1h", "not a whole number"),
        ("MAX_RESTARTS_PER_DAY", "-1", "not a whole number"),
    ],
)
def test_bad_values_name_the_variable_and_the_value(variable: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({**BASE, variable: value})

    assert str(caught.value).startswith(f"{variable}={value!r}")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("spec", "taken"),
    [
        ("k" * 128 + "=v", True),  # AWS's longest tag key
        ("k" * 129 + "=v", False),
        ("k" * 129, False),
        ("k=" + "v" * 256, True),  # and longest value
        ("k=" + "v" * 257, False),
    ],
    ids=["key-128", "key-129", "key-129-alone", "value-256", "value-257"],
)
def test_a_tag_as_long_as_aws_allows_is_taken_and_one_character_more_is_not(spec: str, taken: bool) -> None:
    if taken:
        assert str(TagSpec.parse(spec)) == spec
    else:
        with pytest.raises(SettingError, match="is not a tag spec"):
            TagSpec.parse(spec)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "AWS:x",
            "EXCLUDE_TAG='AWS:x' uses the reserved 'aws:' key prefix:"
            " AWS keeps tags starting with it for itself",
        ),
        ("bad*key", "EXCLUDE_TAG='bad*key' has characters a DRS tag cannot hold"),
    ],
)
def test_a_tag_drs_cannot_hold_is_refused_saying_why(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({**BASE, "EXCLUDE_TAG": value})

    assert str(caught.value) == message


@pytest.mark.parametrize("missing", ["OUTCOME_TOPIC_ARN", "IDEMPOTENCY_TABLE_NAME"])
def test_required_variables(missing: str) -> None:
    env = dict(BASE)
    del env[missing]

    with pytest.raises(ConfigError, match=f"^{missing} is required"):
        Config.from_env(env)


def test_the_cli_needs_neither_topic_nor_table() -> None:
    config = Config.from_env({}, require_resources=False)

    assert (config.topic_arn, config.table_name) == (None, None)


@pytest.mark.parametrize(
    ("spec", "tags", "matches"),
    [
        (TagSpec("A", "1"), {"A": "1"}, True),
        (TagSpec("A", "1"), {"A": "2"}, False),
        (TagSpec("AutoReprotect", "false"), {"AutoReprotect": "False"}, True),
        (TagSpec("A", "x"), {"a": "x"}, True),  # IAM ignores the key's case; so does the engine
        (TagSpec("autoreprotect", "FALSE"), {"AutoReprotect": "false"}, True),
        (TagSpec("A"), {"a": "1"}, True),
        (TagSpec("A", "x"), {"a": "y", "B": "x"}, False),
        (TagSpec("A"), {"A": ""}, True),
        (TagSpec("A"), {"B": "1"}, False),
        (TagSpec("A"), None, False),
    ],
)
def test_tag_spec_matching(spec: TagSpec, tags, matches: bool) -> None:
    assert spec.matches(tags) is matches


# ---- every variable's edges, written as the documented numbers (README "Configuration") ----------

RANGES = [
    ("MAX_STARTS_PER_RUN", 1, 4000),
    ("RESTART_COOLDOWN_SECONDS", 0, 604_800),
    ("MAX_CONCURRENCY", 1, 50),
    ("AWS_MAX_ATTEMPTS", 1, 10),
    ("MAX_RESTARTS_PER_DAY", 0, 100),
    ("REPLICATING_SERVER_LIMIT", 1, 10_000),
    ("MAX_LAG_SECONDS", 0, 2_592_000),
    ("REMIND_AFTER_SECONDS", 0, 2_592_000),
]
FIELDS = {
    "MAX_STARTS_PER_RUN": "max_starts_per_run",
    "RESTART_COOLDOWN_SECONDS": "restart_cooldown_seconds",
    "MAX_CONCURRENCY": "max_concurrency",
    "AWS_MAX_ATTEMPTS": "max_attempts",
    "MAX_RESTARTS_PER_DAY": "max_restarts_per_day",
    "REPLICATING_SERVER_LIMIT": "replicating_server_limit",
    "MAX_LAG_SECONDS": "max_lag_seconds",
    "REMIND_AFTER_SECONDS": "remind_after_seconds",
}


@pytest.mark.parametrize(("variable", "low", "high"), RANGES)
def test_numbers_accept_their_documented_edges_and_refuse_the_next_ones(
    variable: str, low: int, high: int
) -> None:
    for value in (low, high):
        assert getattr(Config.from_env({**BASE, variable: str(value)}), FIELDS[variable]) == value
    for value in (low - 1, high + 1):
        words = "is out of range" if value >= 0 else "is not a whole number"  # a sign is not a digit
        with pytest.raises(ConfigError, match=f"^{variable}='{value}' {words}"):
            Config.from_env({**BASE, variable: str(value)})


@pytest.mark.parametrize("variable", [v for v, _, _ in RANGES])
@pytest.mark.parametrize("value", ["abc", "1.0", "0x10", "1_000", "+5", "\u0663", "\uff11\uff10"])
def test_numbers_are_ascii_digits_only(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({**BASE, variable: value})

    assert str(caught.value) == f"{variable}={value!r} is not a whole number"


@pytest.mark.parametrize("variable", ["DRY_RUN", "NOTIFY_WHEN_IDLE"])
def test_booleans_accept_exactly_the_documented_words(variable: str) -> None:
    field = variable.lower()
    for word in ("true", "TRUE", "1", "yes", " Yes "):
        assert getattr(Config.from_env({**BASE, variable: word}), field) is True
    for word in ("false", "False", "0", "no"):
        assert getattr(Config.from_env({**BASE, variable: word}), field) is False
    for word in ("on", "off", "y", "2", "tru"):
        with pytest.raises(ConfigError, match=f"^{variable}='{word}' is not a boolean"):
            Config.from_env({**BASE, variable: word})


@pytest.mark.parametrize("mode", ["standard", "adaptive", "ADAPTIVE", "Standard"])
def test_retry_mode_ignores_case_and_reaches_the_config_in_lower_case(mode: str) -> None:
    assert Config.from_env({**BASE, "AWS_RETRY_MODE": mode}).retry_mode == mode.lower()


@pytest.mark.parametrize("level", ["DEBUG", "info", "Warning", "ERROR", "critical"])
def test_log_levels(level: str) -> None:
    assert Config.from_env({**BASE, "POWERTOOLS_LOG_LEVEL": level}).log_level == level.lower()


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("POWERTOOLS_LOG_LEVEL", "BOGUS", "use one of debug, info, warning, error, critical"),
        ("AWS_RETRY_MODE", "legacy", "use one of standard, adaptive"),
        ("IDEMPOTENCY_TABLE_NAME", "tablé", "not a DynamoDB table name"),
        ("IDEMPOTENCY_TABLE_NAME", "ab", "not a DynamoDB table name"),
        ("IDEMPOTENCY_TABLE_NAME", "a" * 256, "not a DynamoDB table name"),
        ("OUTCOME_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:topić", "not an SNS topic ARN"),
        ("OUTCOME_TOPIC_ARN", "arn:aws:sns:us-east-1:12345678901:t", "not an SNS topic ARN"),
    ],
)
def test_names_follow_aws_rules_and_the_error_names_variable_and_value(
    variable: str, value: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({**BASE, variable: value})

    assert str(caught.value).startswith(f"{variable}=")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:sns:us-east-1:123456789012:drs-reprotect",
        "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t_1",
        "arn:aws-cn:sns:cn-north-1:123456789012:" + "t" * 256,
    ],
)
def test_topic_arns_of_every_partition(arn: str) -> None:
    assert Config.from_env({**BASE, "OUTCOME_TOPIC_ARN": arn}).topic_arn == arn


def test_a_bad_log_level_does_not_break_the_import_and_is_refused_by_name() -> None:
    code = (
        "import reprotect.handler\n"
        "from reprotect.config import Config, ConfigError\n"
        "try:\n    Config.from_env()\nexcept ConfigError as exc:\n    print(exc)\n"
    )
    env = {**os.environ, **BASE, "POWERTOOLS_LOG_LEVEL": "BOGUS", "AWS_DEFAULT_REGION": "us-east-1"}

    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )

    assert done.stdout.strip().startswith("POWERTOOLS_LOG_LEVEL='BOGUS' is not supported here")


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (None, "INFO"),
        ("BOGUS", "INFO"),
        (" Debug ", "DEBUG"),
        ("warning", "WARNING"),
        ("CRITICAL", "CRITICAL"),
    ],
)
def test_the_logger_takes_a_valid_level_in_any_case_and_info_for_anything_else(
    monkeypatch: pytest.MonkeyPatch, value: str | None, level: str
) -> None:
    if value is None:
        monkeypatch.delenv("POWERTOOLS_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", value)

    assert observability._level() == level
