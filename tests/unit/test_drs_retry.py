"""The Retry-After hook: how long a throttled call waits, and that it never outwaits the run."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from reprotect import drs
from reprotect.deadline import Deadline

UNBOUNDED = Deadline.after(3600)


def throttled(retry_after: str | None) -> tuple[SimpleNamespace, dict]:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return SimpleNamespace(status_code=429, headers=headers), {"Error": {"Code": "ThrottlingException"}}


def test_waits_as_long_as_the_hint_plus_at_most_ten_percent() -> None:
    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled("3"), attempts=1)

    assert delay is not None
    assert 3.0 <= delay <= 3.3


def test_hint_is_capped() -> None:
    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled("600"), attempts=1)

    assert delay is not None
    assert 20.0 <= delay <= 22.0  # README: a Retry-After is honoured up to 20 s (plus up to 10% jitter)


def test_gives_up_after_eight_attempts_in_all() -> None:
    # README: "a throttled call is retried up to 8 attempts in all"
    assert drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled("1"), attempts=7) is not None
    assert drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled("1"), attempts=8) is None


@pytest.mark.parametrize("status", [500, 409, 200])
def test_leaves_other_answers_to_botocore(status: int) -> None:
    response = (SimpleNamespace(status_code=status, headers={}), {})

    assert drs.retry_after_hint(UNBOUNDED, 1.0, response=response, attempts=1) is None


def test_never_waits_past_the_runs_bound() -> None:
    # A wait and the attempt after it must end at half the margin before the invocation's end: here
    # 2 s from now. A 5 s hint cannot be honoured; a 1 s hint (at most 1.1 with jitter) plus an
    # attempt of up to 0.5 s can.
    deadline = Deadline(ends_at=time.monotonic() + 7, margin=10)

    assert drs.retry_after_hint(deadline, 0.5, response=throttled("5"), attempts=1) is None
    assert drs.retry_after_hint(deadline, 0.5, response=throttled("1"), attempts=1) is not None
    # The same 1 s hint is refused when the attempt after it could take 1 s.
    assert drs.retry_after_hint(deadline, 1.0, response=throttled("1"), attempts=1) is None


@pytest.mark.parametrize(("attempts", "backoff"), [(1, 0.4), (3, 1.6), (6, 12.8), (7, 20.0)])
def test_without_a_hint_it_backs_off_doubling_from_a_fifth_of_a_second_up_to_20_s(
    attempts: int, backoff: float
) -> None:
    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled(None), attempts=attempts)

    assert delay is not None
    assert backoff <= delay <= backoff * 1.1


def test_a_hint_in_the_parsed_error_is_taken_and_a_zero_hint_is_no_wait() -> None:
    http = SimpleNamespace(status_code=429, headers={})
    parsed = {"Error": {"Code": "ThrottlingException"}, "retryAfterSeconds": "2"}

    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=(http, parsed), attempts=1)

    assert delay is not None
    assert 2.0 <= delay <= 2.2
    assert drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled("0"), attempts=1) == 0.0


def test_without_attempts_given_the_first_backoff_is_a_fifth_of_a_second() -> None:
    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=throttled(None))

    assert delay is not None
    assert 0.2 <= delay <= 0.22


def test_an_answer_with_no_status_code_is_left_to_botocore() -> None:
    response = (SimpleNamespace(headers={"Retry-After": "3"}), {})

    assert drs.retry_after_hint(UNBOUNDED, 1.0, response=response, attempts=1) is None


def test_a_throttled_answer_with_no_parsed_body_takes_the_header_hint() -> None:
    response = (SimpleNamespace(status_code=429, headers={"Retry-After": "3"}), None)

    delay = drs.retry_after_hint(UNBOUNDED, 1.0, response=response, attempts=1)

    assert delay is not None
    assert 3.0 <= delay <= 3.3


def test_an_error_answer_without_a_code_is_named_by_its_exception_type() -> None:
    assert drs.error_code(ClientError({}, "StartReplication")) == "ClientError"
    assert drs.error_code(ClientError({"Error": {"Code": "ConflictException"}}, "StartReplication")) == (
        "ConflictException"
    )
