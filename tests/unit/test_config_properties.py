"""Any text in any variable either parses within the documented ranges or names that variable."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reprotect.config import Config, ConfigError
from reprotect.contract import SETTINGS, Env

VARIABLES = (*(s.env for s in SETTINGS), Env.OUTCOME_TOPIC_ARN.value, Env.IDEMPOTENCY_TABLE_NAME.value)
BASE = {
    "OUTCOME_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:drs-reprotect",
    "IDEMPOTENCY_TABLE_NAME": "drs-reprotect-idempotency",
}
values = st.one_of(
    st.text(max_size=40), st.integers(-10, 10_000).map(str), st.sampled_from(["true", "false"])
)


@given(variable=st.sampled_from(VARIABLES), value=values)
def test_config_parses_or_names_the_variable(variable: str, value: str) -> None:
    try:
        config = Config.from_env({**BASE, variable: value})
    except ConfigError as exc:
        assert str(exc).startswith(variable)
        return
    assert 1 <= config.max_starts_per_run <= 4000
    assert 1 <= config.max_concurrency <= 50
    assert config.restart_cooldown_seconds >= 0
    assert isinstance(config.dry_run, bool)
