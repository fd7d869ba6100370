"""Any text in any numeric or boolean variable is read exactly as the README's configuration table says:
the documented ranges and words, written here as the documented values (not read from the code)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reprotect.config import Config, ConfigError

BASE = {
    "OUTCOME_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:drs-reprotect",
    "IDEMPOTENCY_TABLE_NAME": "drs-reprotect-idempotency",
}
# variable: (Config field, smallest, largest) as the README documents them
NUMBERS = {
    "MAX_STARTS_PER_RUN": ("max_starts_per_run", 1, 4000),
    "RESTART_COOLDOWN_SECONDS": ("restart_cooldown_seconds", 0, 604_800),
    "MAX_CONCURRENCY": ("max_concurrency", 1, 50),
    "MAX_RESTARTS_PER_DAY": ("max_restarts_per_day", 0, 100),
    "REPLICATING_SERVER_LIMIT": ("replicating_server_limit", 1, 10_000),
    "MAX_LAG_SECONDS": ("max_lag_seconds", 0, 2_592_000),
    "REMIND_AFTER_SECONDS": ("remind_after_seconds", 0, 2_592_000),
    "AWS_MAX_ATTEMPTS": ("max_attempts", 1, 10),
}
BOOLEANS = {"DRY_RUN": "dry_run", "NOTIFY_WHEN_IDLE": "notify_when_idle"}
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

texts = st.one_of(
    st.text(max_size=12),
    st.integers(-10, 3_000_000).map(str),
    st.sampled_from(["true", "FALSE", " yes ", "on", "1", "0", "01", "+5", "1e3", "\u0665", " 42 "]),
)


@given(variable=st.sampled_from(sorted(NUMBERS)), value=texts)
def test_a_number_is_read_exactly_when_it_is_ascii_digits_within_the_documented_range(
    variable: str, value: str
) -> None:
    field, low, high = NUMBERS[variable]
    text = value.strip()
    try:
        config = Config.from_env({**BASE, variable: value})
    except ConfigError as exc:
        assert str(exc).startswith(f"{variable}={text!r} ")
        assert not re.fullmatch(r"[0-9]+", text) or not low <= int(text) <= high
        return
    if text:
        assert re.fullmatch(r"[0-9]+", text)
        assert getattr(config, field) == int(text)
        assert low <= int(text) <= high


@given(variable=st.sampled_from(sorted(BOOLEANS)), value=texts)
def test_a_boolean_is_read_exactly_from_the_documented_words(variable: str, value: str) -> None:
    word = value.strip().lower()
    try:
        config = Config.from_env({**BASE, variable: value})
    except ConfigError as exc:
        assert str(exc) == f"{variable}={value.strip()!r} is not a boolean: use 'true' or 'false'"
        assert word not in TRUE | FALSE
        return
    assert getattr(config, BOOLEANS[variable]) is (word in TRUE)
    assert word in TRUE | FALSE or not word  # blank: the default
