"""DRS access: a client tuned for a concurrent sweep, and paging that never stops short."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import boto3

from reprotect import aws
from reprotect.deadline import Deadline
from reprotect.pacing import MAX_HINT_SECONDS, THROTTLE_ATTEMPTS, Pacing

PAGE_SIZE = 1000
IDS_PER_CALL = 200  # DescribeSourceServers accepts at most 200 ids in filters.sourceServerIDs
# Throttled calls are retried up to THROTTLE_ATTEMPTS in all (Retry-After cut to MAX_HINT_SECONDS).
# Other retryable errors get botocore's standard mode (3 attempts; AWS_MAX_ATTEMPTS changes it).


def make_client(
    deadline: Deadline,
    window: float,
    *,
    max_concurrency: int,
    max_attempts: int,
    retry_mode: str = "standard",
    pacing: Pacing | None = None,
    session: boto3.session.Session | None = None,
) -> Any:
    """A DRS client for one run: its calls end within `window`, its pool holds every concurrent call,
    and throttling is handled within the deadline.

    With `pacing` (the default: PACE_DRS_CALLS), every call waits for its operation's turn, paced to
    the limit the run learns (pacing.py); botocore's standard mode retries other errors. Without it,
    a throttled call waits for DRS's Retry-After, and `adaptive` adds botocore's client-side rate
    limiter, shared by every worker (docs/benchmarks.md compares the three).
    """
    client = aws.client(
        "drs",
        window,
        max_attempts=max_attempts,
        retry_mode="standard" if pacing is not None else retry_mode,
        pool=max_concurrency + 2,  # the sweep's pager shares the pool
        session=session,
    )
    per_attempt = aws.limits(window, max_attempts, aws.LONGEST_READ["drs"]).per_attempt
    if pacing is not None:
        pacing.attach(client, per_attempt)
        return client
    # First handler to answer wins: ours answers only for a throttled call with a hint left to honour.
    client.meta.events.register_first("needs-retry.drs", partial(retry_after_hint, deadline, per_attempt))
    return client


def retry_after_hint(
    deadline: Deadline, per_attempt: float, response: Any = None, attempts: int = 0, **_: Any
) -> float | None:
    """Wait as long as DRS asks (with a little jitter so concurrent callers spread out), as long as the
    wait and one more attempt still end in time."""
    if response is None or attempts >= THROTTLE_ATTEMPTS:
        return None
    http, parsed = response
    if getattr(http, "status_code", None) != 429:
        return None
    hint = (parsed.get("retryAfterSeconds") if isinstance(parsed, dict) else None) or http.headers.get(
        "Retry-After"
    )
    try:
        seconds = float(hint)
    except (TypeError, ValueError):
        seconds = min(2.0**attempts * 0.2, MAX_HINT_SECONDS)
    delay = min(max(seconds, 0.0), MAX_HINT_SECONDS) * (1 + random.random() * 0.1)  # noqa: S311
    if not deadline.allows(delay + per_attempt):
        return None  # past the run's bound: the call ends throttled and the server is deferred
    return delay


def describe_pages(client: Any, server_ids: Sequence[str] | None = None) -> Iterator[list[dict[str, Any]]]:
    """Yield each page of source servers: the whole fleet, or the given ids in chunks of 200."""
    chunks: list[Sequence[str] | None] = (
        [None]
        if server_ids is None
        else [server_ids[i : i + IDS_PER_CALL] for i in range(0, len(server_ids), IDS_PER_CALL)]
    )
    for chunk in chunks:
        request: dict[str, Any] = {"maxResults": PAGE_SIZE}
        if chunk is not None:
            request["filters"] = {"sourceServerIDs": list(chunk)}
        while True:
            page = client.describe_source_servers(**request)
            # A page may be short or empty and still carry a token: only its absence ends the list.
            token, items = page.get("nextToken"), page.get("items", [])
            del page  # hold one page of servers at a time, not this one while the next is parsed
            yield items
            del items
            if not token:
                break
            request["nextToken"] = token


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(exc).__name__)
    return type(exc).__name__
