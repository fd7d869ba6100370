"""How fast one DRS operation may be called: a limit learned from the service's answers as the run goes.

DRS publishes no rate limit, and a 429 may or may not say when to come back, so each operation's
`Pacer` finds the limit itself. Pure arithmetic: every method takes the time (`now`) from its caller,
so tests drive it with a fake clock; `pacing.py` hooks it into botocore and does the waiting.

Callers queue, first come first served, and each asks when its turn comes; that time is recomputed
from the current pace at every ask, so a new pace reaches every waiter at once. Three phases:

- **open** (nothing refused yet, no limit kept from an earlier run): calls go as they come, two out
  at once at first and two more per admitted answer (a slow start, so the first refusals are few).
  An unthrottled sweep reaches MAX_CONCURRENCY within a few round trips and is never paced.
- **search**, after the first refusal if the service had let only one call through at once (a strict
  limiter): one call out at a time, bracketing the limit (`search.py`).
- **hold**: calls are paced through a client-side token bucket with the burst the service let through
  at first, so after a pause (say, every worker waiting out a Retry-After) its refilled burst is used,
  not wasted. A limiter with a burst comes here straight from open, at the rate it admitted over the
  last second; a search ends here at `NEAR` of the limit it found. Each admitted call raises the
  pace: by `GROW` while no refusal is known at this pace, by `CLIMB` of the gap while below `NEAR` of
  the last refused rate (`NEAR_BURST` for a limiter with a burst, which absorbs the calls' timing
  noise), by `CREEP` from there (far enough past it, the limit rose: `GROW` again). A refusal lowers
  it to that share of itself, or, when more than `FELL` of the last paced second's answers
  were refusals (the limit fell), to what the service admitted in that second (at most down to
  `FLOOR` at once).

A refusal only counts against the pace set when its call was sent: calls already out when the pace
was lowered say nothing new, so a wave of calls refused together lowers it once. A Retry-After hint
delays only the refused call's own retry, which then queues like any other call (pacing.py).

What the client sees is when it sends a call and when the answer comes, not when the service checked
it; a call held up on its way (a pause on either side) reaches the service late, and the next one
too soon after it. So a strict limiter paced slower than a round trip gets one call at a time, each a
pace after the latest moment the service can have checked the last one (its answer less the shortest
round trip seen).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from reprotect.answers import WINDOW, Answers
from reprotect.search import Pace, Search

MIN_RATE = 0.2  # calls/s: the pacer never goes slower than one call per 5 s
MAX_RATE = 1000.0
OPEN_WINDOW = 2  # calls out at once when a pacer opens; OPEN_GROWTH more per admitted answer
OPEN_GROWTH = 2
NEAR = 0.95  # the pace kept: this share of the last refused rate (a refusal lowers the rate to it);
NEAR_BURST = 0.98  # closer for a limiter with a burst, which absorbs the calls' timing noise
GROW = 0.05  # per admitted call, while no refusal is known at this pace
CLIMB = 0.3  # per admitted call below NEAR: this share of the gap to it
CREEP = 0.0002  # per admitted call above NEAR; this far past the last refused rate, GROW again
FELL = 0.2  # refused answers, of all in the last paced second, beyond which the limit fell: the pace
FLOOR = 0.75  # then falls to what the service admitted in that second, but not below this share at once
RECHECK = 0.25  # a waiter whose turn depends on an answer still out asks again after this at the latest
SERIAL = 2.0  # a strict limiter paced slower than this many round trips: one call out at a time


class Phase(StrEnum):
    OPEN = "open"
    SEARCH = "search"
    HOLD = "hold"


@dataclass(frozen=True)
class Limit:
    """What a run learned of an operation's limit, kept for the next run: calls/s and burst."""

    rate: float
    burst: float


class Pacer:
    """One operation's pacing, shared by every worker of a run. Not thread-safe: pacing.py locks."""

    _queue: deque[int]
    _out: list[float]
    _ceiling: float | None
    _last_admitted: tuple[float, float] | None

    def __init__(self, seed: Limit | None = None, *, max_burst: float = 10.0, now: float = 0.0) -> None:
        self.max_burst = max(1.0, max_burst)
        self.phase = Phase.OPEN
        self.rate = math.inf
        self.burst = 1.0
        self._queue = deque()
        self._tickets = 0
        self._window = OPEN_WINDOW  # open: calls allowed out at once
        self._out = []  # when the calls still out were sent
        self._tat = now  # hold: the client bucket's theoretical arrival time (GCRA)
        self._calm_since = -math.inf  # refusals of calls sent before this were already answered
        self._held_since = now
        self._held_from = math.inf  # hold: the pace it began with
        self._ceiling = None  # hold: the rate that last drew a refusal
        self._streak = 0  # hold: refusals since the last admitted call
        self._answers = Answers()
        self._opened_with = 0  # calls admitted before the first refusal: the service's burst
        self._last_admitted = None  # its sending, and latest check
        self._search = Search(now, now, shortest=1.0 / MAX_RATE, near=NEAR)  # the last search begun
        if seed is not None:
            self.burst = min(self.max_burst, max(1.0, seed.burst))
            self._hold(seed.rate, now, ceiling=seed.rate / self._near(), next_at=now)
            self._tat = now  # a full bucket, as the service's after a rest

    # ---- waiting for a turn ----------------------------------------------------------------

    def join(self) -> int:
        """Queue a call; the ticket to ask `turn` with."""
        self._tickets += 1
        self._queue.append(self._tickets)
        return self._tickets

    def turn(self, ticket: int, now: float, latest: float = math.inf) -> float | None:
        """When the queued call may be sent. `now`: send it now (it left the queue and counts as sent
        at `now`). Later: wait until then, or until the pacer hears an answer, and ask again. None: its
        turn would come after `latest`, so it left the queue unsent."""
        self._forget_stale(now)
        place = self._queue.index(ticket)
        gate = self._gate(now)
        if place == 0 and gate is not None and gate <= now:
            self._queue.popleft()
            self._send(now)
            return now
        if gate is None:
            at = now + RECHECK  # after an answer still out; pacing.py wakes waiters at every answer
        elif self.phase is Phase.HOLD:
            at = gate + place / self.rate
        else:
            at = gate if place == 0 else now + RECHECK
        if at > latest:
            self.leave(ticket)
            return None
        return at

    def leave(self, ticket: int) -> None:
        """Take an unsent call out of the queue."""
        if ticket in self._queue:
            self._queue.remove(ticket)

    def _gate(self, now: float) -> float | None:
        """The earliest the first in the queue may go; None while that waits on an answer."""
        if self.phase is Phase.HOLD:
            gate = max(now, self._tat - (self.burst - 1) / self.rate)
            if not self._serial():
                return gate
            if self._out:
                return None
            last = self._last_admitted
            return gate if last is None else max(gate, last[1] + 1.0 / self.rate)
        if self._out and (self.phase is Phase.SEARCH or len(self._out) >= self._window):
            return None
        if self.phase is Phase.OPEN:
            return now
        return max(now, self._search.next_at())

    def _near(self) -> float:
        return NEAR if self.burst < 2 else NEAR_BURST

    def _serial(self) -> bool:
        """Whether calls go one at a time, each 1/rate after the latest moment the service can have
        checked the last admitted one: for a strict limiter paced slower than a round trip. The
        client sees when it sends, not when the service checks; a call held up on its way (a pause of
        either side) would otherwise reach it too soon after the one before, and be refused."""
        return self.burst < 2 and 1.0 / self.rate > SERIAL * self._answers.round_trip

    def _send(self, now: float) -> None:
        if self.phase is Phase.HOLD:
            self._tat = max(self._tat, now) + 1.0 / self.rate
        if self.phase is Phase.SEARCH:
            self._search.sending()
        self._out.append(now)

    # ---- hearing the answer ----------------------------------------------------------------

    def admitted(self, sent: float, now: float) -> None:
        """The service let a call sent at `sent` through (whatever it answered then)."""
        self._back(sent)
        self._answers.heard(sent, now, admitted=True)
        # The last call sent that was admitted; of calls sent at the same moment, the one checked latest
        this = (sent, self._answers.checked_by(sent, now))
        self._last_admitted = max(self._last_admitted or this, this)
        if self.phase is Phase.OPEN:
            self._opened_with += 1
            self._window += OPEN_GROWTH
            return
        if sent < self._calm_since:
            if self.phase is Phase.SEARCH:
                self._search.admitted_before(sent, self._answers.checked_by(sent, now))
            return
        self._streak = 0
        if self.phase is Phase.SEARCH:
            self._follow(self._search.admitted(sent, self._answers.checked_by(sent, now), now), now)
        else:
            self._raise()

    def _raise(self) -> None:
        """An admitted call at the pace held: grow, climb toward NEAR of the last refused rate, or creep."""
        near = self._near()
        if self._ceiling is not None and self.rate > self._ceiling * (2 - near):
            self._ceiling = None  # well past the last refused rate without a refusal: the limit rose
        if self._ceiling is None:
            self.rate = min(MAX_RATE, self.rate * (1 + GROW))
        elif self.rate < self._ceiling * near:
            self.rate += (self._ceiling * near - self.rate) * CLIMB
        else:
            self.rate = min(MAX_RATE, self.rate * (1 + CREEP))

    def refused(self, sent: float, now: float) -> None:
        """The service refused (throttled) a call sent at `sent`."""
        self._back(sent)
        self._answers.heard(sent, now, admitted=False)
        if self.phase is Phase.OPEN:
            self.burst = min(self.max_burst, max(1.0, float(self._opened_with)))
            if self.burst >= 2:  # a limiter with a burst: pace at what it admitted in the last second
                rate = self._measured()
                self._hold(rate, now, ceiling=None, next_at=now + 1.0 / rate)
            else:  # one call at a time: each answer says whether enough time has passed, so bisect
                self._start_search(now, since=sent)
            return
        if sent < self._calm_since:
            return
        if self.phase is Phase.SEARCH:
            self._follow(self._search.refused(sent, now), now)
            return
        if self._fell(now):
            self.rate = max(MIN_RATE, self._measured(), self.rate * FLOOR)
            self._ceiling = self.rate / self._near()
        else:  # a near miss: just above the limit
            self._ceiling = self.rate
            self.rate = max(MIN_RATE, self.rate * self._near())
        # A strict limiter that refused right after admitting refused by a hair: its next token is
        # near, so one call may go at once. A bursty one refuses once its stored burst is spent.
        near_miss = self._streak == 0 and self.burst < 2
        self._streak += 1
        self._settle(now, next_at=now if near_miss else now + 1.0 / self.rate)

    def unanswered(self, sent: float) -> None:
        """A call sent at `sent` got no answer to learn from (a timeout, a 5xx): it is no longer out."""
        self._back(sent)

    # ---- what the run learned --------------------------------------------------------------

    def learned(self) -> Limit | None:
        """The limit to start the next run from; None when nothing was learned (never refused).

        Only a pace the service's answers bear out: with a refused rate known, the pace (a little
        below it); while still growing past every refusal, the pace it held from (growth the run
        ended before testing is not kept)."""
        if self.phase is Phase.HOLD:
            rate = self.rate if self._ceiling is not None else min(self.rate, self._held_from)
            return Limit(round(rate, 3), self.burst)
        found = self._search.learned() if self.phase is Phase.SEARCH else None
        return None if found is None else Limit(round(found, 3), self.burst)

    # ---- internals -------------------------------------------------------------------------

    def _start_search(self, now: float, *, since: float) -> None:
        """Search from the last admitted call (or, with none known yet, from the refused one sent
        `since`: the bucket was empty then)."""
        self.phase = Phase.SEARCH
        anchor, anchor_late = self._last_admitted or (since, since)
        self._search = Search(anchor, anchor_late, shortest=1.0 / MAX_RATE, near=NEAR)
        self._calm_since = now

    def _follow(self, pace: Pace | None, now: float) -> None:
        """Hold the pace the search concluded on, if it did."""
        if pace is not None:
            self._hold(pace.rate, now, ceiling=pace.ceiling, next_at=pace.next_at)

    def _hold(self, rate: float, now: float, *, ceiling: float | None, next_at: float) -> None:
        self.phase = Phase.HOLD
        self._held_since = now
        self.rate = self._held_from = min(MAX_RATE, max(MIN_RATE, rate))
        self._ceiling = ceiling
        self._settle(now, next_at=next_at)

    def _settle(self, now: float, *, next_at: float) -> None:
        """A new pace from now on: one call may go at `next_at`, the next ones at the rate."""
        self._tat = next_at + (self.burst - 1) / self.rate
        self._calm_since = now

    def _fell(self, now: float) -> bool:
        """Whether the limit fell: over a whole paced second, the service refused more than FELL of
        the answers (a near miss refuses one now and then)."""
        if now - self._held_since < WINDOW:
            return False
        return self._answers.refused() > len(self._answers.recent) * FELL

    def _measured(self) -> float:
        """Calls/s the service admitted over the last WINDOW."""
        return max(MIN_RATE, self._answers.admitted() / WINDOW)

    def _back(self, sent: float) -> None:
        if sent in self._out:
            self._out.remove(sent)

    def _forget_stale(self, now: float) -> None:
        """A call out much longer than the shortest round trip is held up (or hangs): others go on."""
        since = self._answers.stale_before(now)
        if self._out and self._out[0] < since:
            self._out = [t for t in self._out if t >= since]
