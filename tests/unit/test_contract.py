"""The contract both sides read: a CDK context value (JSON or text) becomes a setting's value, and the
settings given by key become the function's environment, written as the Lambda reads them back."""

from __future__ import annotations

import pytest

from reprotect import contract
from reprotect.contract import SettingError


@pytest.mark.parametrize(
    ("setting", "raw", "value"),
    [
        (contract.MAX_STARTS_PER_RUN, 20, 20),
        (contract.MAX_STARTS_PER_RUN, "20", 20),
        (contract.DRY_RUN, True, True),
        (contract.DRY_RUN, "false", False),
        (contract.RETRY_MODE, "ADAPTIVE", "adaptive"),
        # A setting without choices (a tag) keeps the case it was given in
        (contract.INCLUDE_TAG, " Team=DR ", "Team=DR"),
        (contract.EXCLUDE_TAG, "AutoReprotect=False", "AutoReprotect=False"),
    ],
)
def test_a_context_value_is_taken_as_json_or_parsed_from_text(
    setting: contract.Setting, raw: object, value: object
) -> None:
    assert setting.coerce(raw) == value


@pytest.mark.parametrize(
    ("setting", "raw", "message"),
    [
        (contract.DRY_RUN, 1, "expected true or false, got 1"),
        (contract.MAX_STARTS_PER_RUN, True, "expected a whole number, got True"),
        (contract.MAX_STARTS_PER_RUN, 2.5, "expected a whole number, got 2.5"),
        (contract.MAX_STARTS_PER_RUN, 4001, "is out of range: it must be from 1 to 4000"),
        (contract.RETRY_MODE, 3, "expected a string, got 3"),
    ],
)
def test_a_context_value_of_the_wrong_type_is_refused_saying_what_was_expected(
    setting: contract.Setting, raw: object, message: str
) -> None:
    with pytest.raises(SettingError) as refused:
        setting.coerce(raw)
    assert str(refused.value) == message


def test_the_environment_names_each_given_setting_by_its_variable_as_the_lambda_reads_it() -> None:
    assert contract.environment({"max_starts_per_run": 20, "dry_run": True, "retry_mode": "adaptive"}) == {
        "MAX_STARTS_PER_RUN": "20",
        "DRY_RUN": "true",
        "AWS_RETRY_MODE": "adaptive",
    }
    assert contract.environment({}) == {}
