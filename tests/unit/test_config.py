from __future__ import annotations

import pytest

from reprotect.config import Config, ConfigError
from reprotect.tags import TagSpec

BASE = {
    "OUTCOME_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:drs-reprotect",
    "IDEMPOTENCY_TABLE_NAME": "drs-reprotect-idempotency",
}


def test_defaults_are_the_documented_ones() -> None:
    config = Config.from_env(BASE)

    assert config.dry_run is False
    assert config.exclude_tag == TagSpec("AutoReprotect", "false")
    assert config.include_tag is None
    assert (config.max_starts_per_run, config.restart_cooldown_seconds, config.max_concurrency) == (
        100,
        3600,
        10,
    )
    assert config.notify_when_idle is False
    assert config.retry_mode == "standard"


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
        }
    )
    assert config.retry_mode == "adaptive"

    assert config.dry_run is True
    assert config.exclude_tag == TagSpec("Backup", None)
    assert config.include_tag == TagSpec("DR", "on")
    assert (config.max_starts_per_run, config.restart_cooldown_seconds, config.max_concurrency) == (7, 0, 3)
    assert config.notify_when_idle is True


def test_empty_exclude_tag_excludes_nothing() -> None:
    assert Config.from_env({**BASE, "EXCLUDE_TAG": ""}).exclude_tag is None


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
        ("INCLUDE_TAG", "aws:cloudformation:stack-name=x", "cannot hold"),
        ("INCLUDE_TAG", "bad*key", "cannot hold"),
        ("OUTCOME_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:q", "not an SNS topic ARN"),
        ("IDEMPOTENCY_TABLE_NAME", "no spaces allowed", "not a DynamoDB table name"),
        ("AWS_RETRY_MODE", "legacy", "use one of standard, adaptive"),
    ],
)
def test_bad_values_name_the_variable_and_the_value(variable: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({**BASE, variable: value})

    assert str(caught.value).startswith(f"{variable}={value!r}")
    assert words in str(caught.value)


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
        (TagSpec("A", "x"), {"a": "x"}, False),
        (TagSpec("A"), {"A": ""}, True),
        (TagSpec("A"), {"B": "1"}, False),
        (TagSpec("A"), None, False),
    ],
)
def test_tag_spec_matching(spec: TagSpec, tags, matches: bool) -> None:
    assert spec.matches(tags) is matches
