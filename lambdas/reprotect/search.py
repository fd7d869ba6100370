"""The pacer's search for a strict limiter's limit (one that admits a call iff enough time has passed
since the last one it admitted): one call out at a time, each sent a probe interval after the last
admitted one. Doubling the interval after each refusal, then bisecting between the longest refused
interval and the shortest admitted one, brackets the limit in a few calls (`TIGHT`, or `PROBES`
admitted probes at most). Pure arithmetic, as `pacer.py`: the caller gives the times.

The client sees when it sends a call and when the answer comes, not when the service checked it. So
a refused interval counts from the latest moment the service can have checked the last admitted call
(`anchor_late`: its answer less the shortest round trip seen) and an admitted one from the earliest
(`anchor`: its sending).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TIGHT = 1.06  # the search ends when the refused and admitted intervals are this close, or after
PROBES = 4  # this many admitted probes (answers too noisy to bracket it closer)


@dataclass(frozen=True)
class Pace:
    """What a search concluded: hold `rate` (calls/s) below `ceiling` (the refused rate, if one is
    known), the next call at `next_at`."""

    rate: float
    ceiling: float | None
    next_at: float


@dataclass
class Search:
    """One search, from the last admitted call. `shortest`: no interval is taken to be shorter (the
    pacer's fastest pace); `near`: the share of the limit found that the pace keeps."""

    anchor: float
    anchor_late: float
    shortest: float
    near: float
    short: float = 0.0  # the longest interval known too short
    long: float = math.inf  # the shortest interval known long enough
    probes_admitted: int = 0
    freed: float = -math.inf  # when the last probe was answered
    freed_before: float = -math.inf  # ... as of the probe out now

    def next_at(self) -> float:
        """When the next probe goes."""
        return self.anchor_late + self.interval()

    def interval(self) -> float:
        if math.isinf(self.long):
            return self.short * 2
        return math.sqrt(self.short * self.long)

    def sending(self) -> None:
        self.freed_before = self.freed

    def admitted_before(self, sent: float, checked: float) -> None:
        """A call out when the search began, admitted since: the latest admitted call, if it is."""
        if sent > self.anchor:
            self.anchor, self.anchor_late = sent, checked

    def admitted(self, sent: float, checked: float, now: float) -> Pace | None:
        """A probe sent at `sent` was admitted (checked at `checked` at the latest): the pace to hold,
        or None to go on searching."""
        interval = sent - self.anchor_late
        planned_at = self.next_at()
        self.probes_admitted += 1
        self.long = min(self.long, max(checked - self.anchor, self.shortest))  # at most this long
        self.anchor, self.anchor_late, self.freed = sent, checked, now
        ceiling = 1.0 / self.short if self.short > 0 else None
        if self.freed_before > planned_at + 0.001 and interval > self.short * 2:
            # Sent late because the probe before was still out: one call at a time cannot probe this
            # fast, so the limit is beyond the search's reach. Pace every call, and grow.
            return Pace(1.0 / interval, ceiling, sent + interval)
        if self.long <= self.short * TIGHT:
            return self.found(next_at=sent + self.long)
        if self.probes_admitted >= PROBES:  # noisy answers keep the bounds apart: pace, and climb
            return Pace(1.0 / self.long, ceiling, sent + self.long)
        return None

    def refused(self, sent: float, now: float) -> Pace | None:
        """A probe sent at `sent` was refused: the pace to hold if that bracketed the limit."""
        self.freed = now
        self.short = max(self.short, sent - self.anchor_late)  # at least this short
        if self.short >= self.long * TIGHT:  # refused where it was admitted: the limit moved
            self.long = math.inf
        elif self.long <= self.short * TIGHT:
            return self.found(next_at=now)
        return None

    def found(self, *, next_at: float) -> Pace:
        """The limit is bracketed: hold a little below it (jitter turns its edge into refusals)."""
        edge = 1.0 / math.sqrt(self.short * self.long)
        return Pace(edge * self.near, 1.0 / self.short, next_at)

    def learned(self) -> float | None:
        """The rate the search has found admitted, if any (calls/s)."""
        return None if math.isinf(self.long) else 1.0 / self.long
