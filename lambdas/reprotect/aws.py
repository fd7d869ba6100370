"""AWS clients whose every call ends within a window: timeouts and attempts derived from the deadline.

botocore's defaults (60 s to connect and to read, attempts from AWS_MAX_ATTEMPTS) let one hanging
call outlive the invocation. Here each client is built for a window: the most attempts (at most
AWS_MAX_ATTEMPTS) that fit it with botocore's backoff between them, each attempt with a connect and a
read timeout that fill the rest. The retry mode and attempts are always given explicitly, so botocore
never reads AWS_RETRY_MODE or AWS_MAX_ATTEMPTS itself (it would crash on `ADAPTIVE` or `abc`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import boto3
from botocore.config import Config as BotoConfig

MIN_ATTEMPT_SECONDS = 1.0  # fewer attempts rather than attempts too short to succeed
MAX_CONNECT_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 20.0  # botocore's standard mode: rand() * min(2 ** (i - 1), 20) before retry i
LONGEST_READ = {"drs": 15.0, "dynamodb": 5.0, "sns": 10.0, "events": 10.0}
USER_AGENT = "drs-reprotect"


@dataclass(frozen=True)
class CallLimits:
    """How one client calls: `attempts` in all, each waiting at most `connect` + `read` seconds."""

    attempts: int
    connect: float
    read: float

    @property
    def per_attempt(self) -> float:
        return self.connect + self.read

    @property
    def window(self) -> float:
        """The longest a call can take: every attempt timing out, with the longest backoff between."""
        return self.attempts * self.per_attempt + backoff(self.attempts)


def backoff(attempts: int) -> float:
    """The most botocore's standard retry mode waits between `attempts` attempts (throttling's scale)."""
    return sum(min(2.0 ** (i - 1), MAX_BACKOFF_SECONDS) for i in range(1, attempts))


def limits(window: float, max_attempts: int, longest_read: float) -> CallLimits:
    """The most attempts, up to `max_attempts`, whose timeouts and backoff fit in `window` seconds."""
    attempts = max(1, max_attempts)
    while attempts > 1 and (window - backoff(attempts)) / attempts < MIN_ATTEMPT_SECONDS:
        attempts -= 1
    per_attempt = max(0.2, (window - backoff(attempts)) / attempts)
    connect = min(MAX_CONNECT_SECONDS, per_attempt / 3)
    return CallLimits(attempts, connect, min(longest_read, per_attempt - connect))


def client(
    service: str,
    window: float,
    *,
    max_attempts: int,
    retry_mode: str = "standard",
    pool: int = 10,
    session: boto3.session.Session | None = None,
    region: str | None = None,
) -> Any:
    """A client of `service` whose every call (all attempts) ends within `window` seconds; in `region`
    when given (the hub's bus may live in another region), else the session's."""
    bounds = limits(window, max_attempts, LONGEST_READ[service])
    config = BotoConfig(
        retries={"mode": retry_mode, "total_max_attempts": bounds.attempts},
        connect_timeout=bounds.connect,
        read_timeout=bounds.read,
        max_pool_connections=pool,
        user_agent_extra=USER_AGENT,
        region_name=region,
    )
    return (session or default_session()).client(service, config=config)


def default_session() -> boto3.session.Session:
    """boto3's default session: it shares the loaded models and endpoint data between every client of
    the execution environment, where a session of its own costs ~0.1 s of cold start."""
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    return cast(boto3.session.Session, boto3.DEFAULT_SESSION)
