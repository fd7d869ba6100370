"""The run's pacers, one per DRS operation, hooked into every DRS client the run makes.

`Pacing.attach(client, per_attempt)` is the whole interface: every call the client then makes (any
operation: StartReplication, StartSourceNetworkReplication, ReverseReplication, DescribeSourceServers
...) waits for its operation's turn before each attempt, and each answer teaches that operation's
`Pacer` (pacer.py). Like botocore's own `adaptive` mode, the wait happens in `before-send` and the
learning in `needs-retry`; unlike it, each operation learns its own limit, and the limit found is
kept for the next run (limits.py).

A throttled attempt is retried, up to THROTTLE_ATTEMPTS in all, after the service's Retry-After if it
gave one (only that call waits; others keep their turns), then queues for a turn like any other
call, so retries never fire together. No wait ever runs past what the run's deadline allows: a call
whose turn (or hint) would end too late is not sent, and fails with `NotSent`, a throttling error.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from reprotect.deadline import Deadline
from reprotect.observability import logger
from reprotect.pacer import Limit, Pacer, Phase

THROTTLE_ATTEMPTS = 8  # attempts of one call, in all, while DRS throttles it
MAX_HINT_SECONDS = 20.0  # a longer Retry-After is cut to this
THROTTLING_CODES = frozenset({"ThrottlingException", "TooManyRequestsException", "Throttling"})


class NotSent(ClientError):
    """A call the pacer did not send: throttled, and its turn would come too late for the deadline."""

    def __init__(self, operation: str, why: str) -> None:
        response: Any = {"Error": {"Code": "ThrottlingException", "Message": f"not sent: {why}"}}
        super().__init__(response, operation)


@dataclass
class _Call:
    """One API call in progress on this thread: when its attempt out was sent, and why no more go."""

    operation: str
    sent: float | None = None
    given_up: str | None = None


@dataclass
class _Tally:
    sent: int = 0
    refused: int = 0


@dataclass
class Pacing:
    """Every operation's pacer for one run, seeded with the limits an earlier run learned."""

    deadline: Deadline
    max_burst: int
    seeds: Mapping[str, Limit] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic
    wait: Callable[[float], None] | None = None  # default: wait on the pacers' condition (tests: a fake)
    _pacers: dict[str, Pacer] = field(default_factory=dict, init=False, repr=False, compare=False)
    _tallies: dict[str, _Tally] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._calls = threading.local()

    def attach(self, client: Any, per_attempt: float) -> None:
        """Pace every DRS call `client` makes; `per_attempt` is the longest one of its attempts takes."""
        events = client.meta.events
        events.register_first("before-call.drs", self._begin)
        events.register_first("before-send.drs", partial(self._before_send, per_attempt))
        # First, so a throttled answer gets this module's delay, not botocore's backoff.
        events.register_first("needs-retry.drs", partial(self._after_attempt, per_attempt))

    def pacer(self, operation: str) -> Pacer:
        with self._changed:
            return self._pacer(operation)

    def learned(self) -> dict[str, Limit]:
        """The limits this run learned (or kept), by operation: what the next run starts from."""
        with self._changed:
            found = {op: pacer.learned() for op, pacer in self._pacers.items()}
        return {op: limit for op, limit in found.items() if limit is not None}

    def log(self) -> None:
        """One line per operation that was throttled (or started from a kept limit) this run."""
        with self._changed:
            for operation, pacer in self._pacers.items():
                if pacer.phase is Phase.OPEN:
                    continue
                tally = self._tallies[operation]
                logger.info(
                    "DRS pacing",
                    operation=operation,
                    phase=pacer.phase,
                    rate=round(pacer.rate, 2) if pacer.phase is Phase.HOLD else None,
                    burst=pacer.burst,
                    attempts=tally.sent,
                    throttled=tally.refused,
                )

    # ---- botocore hooks ----------------------------------------------------------------------

    def _begin(self, model: Any = None, **_: Any) -> None:
        """before-call: a new API call on this thread."""
        self._calls.current = _Call(getattr(model, "name", "unknown"))

    def _before_send(self, per_attempt: float, **_: Any) -> None:
        """before-send: wait for the attempt's turn, or refuse to send it."""
        call: _Call | None = getattr(self._calls, "current", None)
        if call is None:
            return
        if call.given_up is not None:  # botocore's own retry of a throttled call this module gave up on
            raise NotSent(call.operation, call.given_up)
        call.sent = self._take_turn(call.operation, per_attempt)

    def _take_turn(self, operation: str, per_attempt: float) -> float:
        with self._changed:
            pacer = self._pacer(operation)
            ticket = pacer.join()
            while True:
                now = self.clock()
                # A turn at `at` is taken only if the attempt after it still ends in time.
                latest = now + self.deadline.remaining() - self.deadline.margin / 2 - per_attempt
                at = pacer.turn(ticket, now, latest)
                if at is not None and at > now:  # not yet: wait for the turn, or for the queue to move
                    if self.wait is None:
                        self._changed.wait(at - now)
                    else:
                        self.wait(at - now)
                    continue
                self._changed.notify_all()  # it left the queue: the next one may go now
                if at is None:
                    raise NotSent(operation, "throttled, and its turn would come too late for the deadline")
                self._tallies[operation].sent += 1
                return now

    def _after_attempt(
        self, per_attempt: float, *, attempts: int, response: Any = None, **_: Any
    ) -> float | None:
        """needs-retry: teach the pacer what the attempt's answer says; for a throttled one, how long
        to wait before the retry queues for its turn (None: no retry)."""
        call: _Call | None = getattr(self._calls, "current", None)
        if call is None or call.sent is None:
            return None
        sent, call.sent = call.sent, None
        throttled = _throttled(response)
        with self._changed:
            pacer = self._pacer(call.operation)
            now = self.clock()
            if throttled:
                pacer.refused(sent, now)
                self._tallies[call.operation].refused += 1
            elif response is not None and getattr(response[0], "status_code", 500) < 500:
                pacer.admitted(sent, now)
            else:
                pacer.unanswered(sent)
            self._changed.notify_all()
        if not throttled:
            return None  # any other error is botocore's to retry or not
        delay = retry_delay(response, attempts, self.deadline, per_attempt)
        if delay is None:
            call.given_up = f"still throttled after {attempts} attempts"
        return delay

    def _pacer(self, operation: str) -> Pacer:
        if operation not in self._pacers:
            self._pacers[operation] = Pacer(
                self.seeds.get(operation), max_burst=self.max_burst, now=self.clock()
            )
            self._tallies[operation] = _Tally()
        return self._pacers[operation]


def retry_delay(response: Any, attempts: int, deadline: Deadline, per_attempt: float) -> float | None:
    """How long a call throttled on its attempt number `attempts` waits before its retry queues: the
    service's Retry-After if any (cut to MAX_HINT_SECONDS), else none. None: no retry
    (THROTTLE_ATTEMPTS made, or the wait and one more attempt would not end with half the deadline's
    margin left)."""
    if attempts >= THROTTLE_ATTEMPTS:
        return None
    delay = min(max(hint_seconds(response) or 0.0, 0.0), MAX_HINT_SECONDS)
    return delay if deadline.allows(delay + per_attempt) else None


def hint_seconds(response: Any) -> float | None:
    """The Retry-After of a throttled answer, in seconds (None when absent or unreadable)."""
    http, parsed = response
    hint: Any = (parsed.get("retryAfterSeconds") if isinstance(parsed, dict) else None) or getattr(
        http, "headers", {}
    ).get("Retry-After")
    try:
        seconds = float(hint)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) else None


def _throttled(response: Any) -> bool:
    if response is None:
        return False
    http, parsed = response
    code = (parsed.get("Error") or {}).get("Code") if isinstance(parsed, dict) else None
    return getattr(http, "status_code", None) == 429 or code in THROTTLING_CODES
