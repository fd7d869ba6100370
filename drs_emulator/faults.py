"""Fault injection, kept apart from the state it disturbs: latency (before or after the call takes
effect), hangs, token-bucket throttling, scripted errors, denied operations, an uninitialized
account and paging quirks. ``DrsBackend.faults`` is one of these; the protocol layer asks it about
every call, in this order: hang, latency before, uninitialized, denied, rate limit, script, (the
operation), latency after.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from drs_emulator.exceptions import (
    AccessDeniedException,
    DrsError,
    ThrottlingException,
    UninitializedAccountException,
    error_by_name,
    modeled_name,
)
from drs_emulator.operations import check_operation, resource_type_of
from drs_emulator.paging import PagingQuirks

PASS_THROUGH = (200, "OK")
WHEN = ("before", "after")


class NoAnswer(Exception):
    """A hung call was released: drop the connection without answering."""


@dataclass(frozen=True)
class Latency:
    seconds: float = 0.0
    when: str = "before"


@dataclass
class TokenBucket:
    """Classic token bucket; ``take`` returns 0 when a token was taken, else seconds until one is."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.updated = time.monotonic()

    def take(self) -> float:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate

    def retune(self, rate: float) -> None:
        """From now on refill at ``rate``; the tokens already there stay."""
        self._refill()
        self.rate = rate

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


class _PagingQuirk:
    """A paging quirk read and set as an attribute of FaultInjector; refuses values that never end."""

    def __init__(self, low: int, doc: str) -> None:
        self.low = low
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, injector: FaultInjector | None, owner: type | None = None) -> Any:
        return self if injector is None else getattr(injector.paging(), self.name)

    def __set__(self, injector: FaultInjector, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < self.low):
            raise ValueError(f"{self.name} must be an integer >= {self.low} (or None), not {value!r}")
        if value is None and self.name == "leading_empty_pages":
            value = 0
        injector._set_paging(**{self.name: value})


class FaultInjector:
    """What goes wrong, and when. Settings are per operation name; ``None`` means every operation."""

    retry_after: bool
    """Whether 429 answers carry ``Retry-After`` (``retryAfterSeconds``)."""
    retry_after_exact: bool
    """A rate limit's ``Retry-After`` is the time to its next token to the millisecond (``"0.037"``),
    not whole seconds rounded up (at least ``"1"``, the default, as HTTP has it)."""
    uninitialized: bool
    """Every operation answers ``UninitializedAccountException``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.retry_after = True
        self.retry_after_exact = False
        self.uninitialized = False
        self._latency: dict[str | None, Latency] = {}
        self._hangs: set[str | None] = set()
        self._buckets: dict[str, TokenBucket] = {}
        self._scripts: dict[tuple[str | None, str], deque[str | int]] = {}
        self._denied: set[str] = set()
        self._throttled = 0
        self._paging = PagingQuirks()
        self._released = threading.Event()

    def reset(self) -> None:
        """Clear every fault and release every hung call."""
        with self._lock:
            released = self._released
            self._clear()
        released.set()

    # ---- settings ---------------------------------------------------------------------------

    def latency(self, seconds: float, operation: str | None = None, *, when: str = "before") -> None:
        """Delay every call (or one operation's) by ``seconds``: ``before`` it takes effect, or
        ``after`` (it takes effect at once and the answer comes late, as past a client's timeout)."""
        check_operation(operation)
        if when not in WHEN or seconds < 0:
            raise ValueError(f"latency needs seconds >= 0 and when in {WHEN}, not {seconds!r}, {when!r}")
        with self._lock:
            self._latency[operation] = Latency(seconds, when)

    def latency_of(self, operation: str) -> Latency:
        """The latency that applies to ``operation``: its own, else the one for every operation."""
        with self._lock:
            return self._latency.get(operation, self._latency.get(None, Latency()))

    def hang(self, operation: str | None = None) -> None:
        """Accept calls (of one operation, or all) and never answer them, until ``reset()`` (or the
        server stops). A hung call takes no effect; the call log shows it with status 0."""
        check_operation(operation)
        with self._lock:
            self._hangs.add(operation)

    def release(self) -> None:
        """Let the calls hung so far go (their connections close unanswered); the hang stays set."""
        with self._lock:
            released, self._released = self._released, threading.Event()
        released.set()

    def rate_limit(self, operation: str, rate: float | None, burst: float | None = None) -> None:
        """Throttle ``operation`` to ``rate`` calls/s with a bucket of ``burst`` (default: rate);
        beyond it 429 ``ThrottlingException``. ``rate=None`` removes the limit."""
        check_operation(operation)
        with self._lock:
            if rate is None:
                self._buckets.pop(operation, None)
            else:
                self._buckets[operation] = TokenBucket(rate, max(1.0, burst if burst is not None else rate))

    def set_rate(self, operation: str, rate: float) -> None:
        """Change ``operation``'s rate limit from now on, as a service lowering (or raising) its limit
        mid-run: the bucket keeps its tokens and its burst. The operation must have a rate limit."""
        check_operation(operation)
        if rate <= 0:
            raise ValueError(f"rate must be > 0, not {rate!r}")
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                raise ValueError(f"{operation} has no rate limit to change; set one with rate_limit")
            bucket.retune(rate)

    def script(self, target: str | None, operation: str, errors: Iterable[str | int]) -> None:
        """Queue errors (names or status codes) answered one per call for this target and operation.

        An entry of ``200`` (or ``"OK"``) lets that call through normally, to fail a later call.
        ``target=None`` scripts calls of the operation whatever their target (the way to script a
        ``Describe*``, which has none). A target is the id a call acts on: source server, recovery
        instance or source network (for tag operations, the id at the end of the ARN).
        """
        check_operation(operation)
        queued = list(errors)
        for name in queued:
            if name not in PASS_THROUGH:
                modeled_name(name)  # fail now on a typo, not in the handler thread
        with self._lock:
            self._scripts.setdefault((target, operation), deque()).extend(queued)

    def deny(self, operation: str) -> None:
        """``operation`` answers 403 ``AccessDeniedException``, as without the IAM permission."""
        check_operation(operation)
        with self._lock:
            self._denied.add(operation)

    @property
    def throttled(self) -> int:
        """How many 429 answers were given so far (rate limits and scripted ones)."""
        return self._throttled

    # ---- paging quirks, applied to every paged Describe* operation ---------------------------

    page_cap = _PagingQuirk(1, "Pages hold at most ``min(maxResults, page_cap)`` items.")
    empty_pages_every = _PagingQuirk(
        2, "Within one listing, every Nth page is empty but has a ``nextToken``."
    )
    leading_empty_pages = _PagingQuirk(
        0, "The first K pages of each listing are empty but have a ``nextToken``."
    )

    def _set_paging(self, **change: int | None) -> None:
        with self._lock:
            self._paging = PagingQuirks(**{**self._paging.__dict__, **change})

    def paging(self) -> PagingQuirks:
        return self._paging

    # ---- asked by the protocol layer on every call -------------------------------------------

    def hung(self, operation: str) -> threading.Event | None:
        """The event a hung call of ``operation`` waits for, or None when it is not to hang."""
        with self._lock:
            if None in self._hangs or operation in self._hangs:
                return self._released
            return None

    def delay(self, operation: str, when: str) -> None:
        """Sleep (outside any lock, so concurrent calls overlap) if ``operation``'s latency is ``when``."""
        latency = self.latency_of(operation)
        if latency.when == when and latency.seconds > 0:
            time.sleep(latency.seconds)

    def check(self, operation: str, target: str | None) -> None:
        """Raise the error this call answers with, if any fault applies to it."""
        with self._lock:
            error = self._account_error(operation) or self._throttle(operation)
            error = error or self._scripted(operation, target)
            if isinstance(error, ThrottlingException):
                self._throttled += 1
        if error is not None:
            raise error

    def _account_error(self, operation: str) -> DrsError | None:
        if self.uninitialized:
            return UninitializedAccountException()
        if operation in self._denied:
            return AccessDeniedException(
                f"User is not authorized to perform: drs:{operation}", code="AccessDenied"
            )
        return None

    def _throttle(self, operation: str) -> DrsError | None:
        bucket = self._buckets.get(operation)
        wait = bucket.take() if bucket is not None else 0.0
        if wait <= 0:
            return None
        return ThrottlingException(
            retry_after=wait if self.retry_after else None, exact=self.retry_after_exact
        )

    def _scripted(self, operation: str, target: str | None) -> DrsError | None:
        for key in ((target, operation), (None, operation)):
            queue = self._scripts.get(key)
            if queue:
                entry = queue.popleft()
                if entry in PASS_THROUGH:
                    return None
                return error_by_name(
                    entry,
                    resource_id=target,
                    resource_type=resource_type_of(target, operation),
                    retry_after=self.retry_after,
                )
        return None
