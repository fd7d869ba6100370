"""The event fields' checks at their edges: a string as long as allowed is taken, one character more is
refused before anything else happens, naming the field and the value. And the account an ARN names."""

from __future__ import annotations

import pytest

from reprotect.fields import InvalidEventError, account_of, optional_str, required_str


def test_a_string_exactly_as_long_as_allowed_is_taken() -> None:
    assert required_str({"id": "x" * 64}, "id", 64) == "x" * 64
    assert optional_str({"id": "x" * 64}, "id", 64) == "x" * 64


@pytest.mark.parametrize("value", ["x" * 65, "", None, 7], ids=["too-long", "empty", "missing", "a-number"])
def test_anything_else_is_refused_naming_the_field_and_the_value(value: object) -> None:
    with pytest.raises(InvalidEventError) as refused:
        required_str({"id": value}, "id", 64)

    assert str(refused.value) == (
        f"the event's 'id' must be a non-empty string of at most 64 characters, got {value!r:.200}"
    )


def test_an_optional_field_may_be_left_out_but_not_left_empty() -> None:
    assert optional_str({}, "id", 64) is None
    with pytest.raises(InvalidEventError, match="'id' must be a non-empty string"):
        optional_str({"id": ""}, "id", 64)


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        ("arn:aws:lambda:eu-west-1:111122223333:function:drs-reprotect", "111122223333"),
        ("arn:aws:drs:eu-west-1:111122223333:source-server/s-00000000000000001", "111122223333"),
        ("arn:aws:lambda:eu-west-1:111122223333:function:drs-reprotect:live", "111122223333"),  # an alias
        ("arn:aws:drs:eu-west-1::source-server/s-00000000000000001", None),  # no account in it
        ("arn:aws:drs:eu-west-1:aws:source-server/s-00000000000000001", None),  # not an account id
        ("arn:aws:drs:eu-west-1:11112222333:source-server/s-00000000000000001", None),  # 11 digits
        ("arn:aws:drs:eu-west-1:111122223333", None),  # no resource: not an ARN
        ("arn:aws:drs", None),  # cut short
        ("", None),
        (None, None),
    ],
)
def test_the_account_of_an_arn_is_its_fifth_part_when_that_is_an_account_id(
    arn: str | None, account: str | None
) -> None:
    assert account_of(arn) == account
