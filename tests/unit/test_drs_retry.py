"""The Retry-After hook: how long a throttled call waits, and that it never outwaits the run."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from reprotect import drs


def throttled(retry_after: str | None) -> tuple[SimpleNamespace, dict]:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return SimpleNamespace(status_code=429, headers=headers), {"Error": {"Code": "ThrottlingException"}}


@pytest.fixture(autouse=True)
def _unbounded():
    drs.stop_waiting_at(None)
    yield
    drs.stop_waiting_at(None)


def test_waits_as_long_as_the_hint_plus_at_most_ten_percent() -> None:
    delay = drs._retry_after_hint(response=throttled("3"), attempts=1)

    assert delay is not None
    assert 3.0 <= delay <= 3.3


def test_hint_is_capped() -> None:
    delay = drs._retry_after_hint(response=throttled("600"), attempts=1)

    assert delay is not None
    assert delay <= drs.MAX_HINT_SECONDS * 1.1


def test_gives_up_after_the_throttle_attempts() -> None:
    assert drs._retry_after_hint(response=throttled("1"), attempts=drs.THROTTLE_ATTEMPTS) is None


@pytest.mark.parametrize("status", [500, 409, 200])
def test_leaves_other_answers_to_botocore(status: int) -> None:
    response = (SimpleNamespace(status_code=status, headers={}), {})

    assert drs._retry_after_hint(response=response, attempts=1) is None


def test_never_waits_past_the_runs_bound() -> None:
    drs.stop_waiting_at(time.monotonic() + 2)

    assert drs._retry_after_hint(response=throttled("5"), attempts=1) is None
    assert drs._retry_after_hint(response=throttled("1"), attempts=1) is not None
