"""How a client's calls are bounded: the most attempts that fit the window, each at least a second, a
third of each attempt (at most 2 s) to connect and the rest (at most the service's longest read) to read."""

from __future__ import annotations

import boto3
import pytest

from reprotect import aws
from reprotect.aws import CallLimits


@pytest.mark.parametrize(
    ("window", "max_attempts", "longest_read", "expected"),
    [
        # 3 attempts and botocore's 1 + 2 s of backoff: 9 s each, 2 to connect (the most), 7 to read
        (30, 3, 15, CallLimits(3, 2.0, 7.0)),
        # the read is cut to the service's longest
        (60, 3, 5, CallLimits(3, 2.0, 5.0)),
        # 3 attempts would get 0.67 s each: 2 get 2 s, a third of it to connect
        (5, 3, 15, CallLimits(2, 2 / 3, 4 / 3)),
        # exactly a second each still counts as long enough
        (3, 2, 15, CallLimits(2, 1 / 3, 2 / 3)),
        # just under it: one attempt with the whole window
        (2.9, 2, 15, CallLimits(1, 2.9 / 3, 2.9 * 2 / 3)),
        # a window too short for anything still gets one attempt of 0.2 s
        (0.1, 1, 15, CallLimits(1, 0.2 / 3, 0.2 * 2 / 3)),
        # AWS_MAX_ATTEMPTS below 1 is one attempt
        (30, 0, 15, CallLimits(1, 2.0, 15.0)),
    ],
)
def test_limits_fill_the_window_with_the_most_attempts_that_fit(
    window: float, max_attempts: int, longest_read: float, expected: CallLimits
) -> None:
    bounds = aws.limits(window, max_attempts, longest_read)

    assert bounds.attempts == expected.attempts
    assert bounds.connect == pytest.approx(expected.connect)
    assert bounds.read == pytest.approx(expected.read)


@pytest.mark.parametrize(("attempts", "waits"), [(0, 0), (1, 0), (2, 1), (3, 3), (4, 7), (7, 51), (8, 71)])
def test_backoff_is_botocores_longest_wait_doubling_from_one_second_up_to_twenty(
    attempts: int, waits: float
) -> None:
    assert aws.backoff(attempts) == waits


def test_a_calls_window_is_every_attempt_timing_out_with_the_backoff_between() -> None:
    bounds = CallLimits(3, 2.0, 7.0)

    assert bounds.per_attempt == 9.0
    assert bounds.window == 3 * 9.0 + 1 + 2


def test_a_client_is_made_with_its_limits_pool_region_and_user_agent() -> None:
    session = boto3.session.Session(aws_access_key_id="AKID", aws_secret_access_key="secret")

    client = aws.client(
        "dynamodb", 30, max_attempts=3, retry_mode="adaptive", pool=7, session=session, region="ap-south-1"
    )

    config = client.meta.config
    assert client.meta.region_name == "ap-south-1"
    assert (config.connect_timeout, config.read_timeout) == (2.0, 5.0)  # DynamoDB reads at most 5 s
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 3}
    assert config.max_pool_connections == 7
    assert "drs-reprotect" in client.meta.config.user_agent_extra


def test_the_default_session_is_boto3s_own_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    first = aws.default_session()

    assert first is boto3.DEFAULT_SESSION
    assert aws.default_session() is first
