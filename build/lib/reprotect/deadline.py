"""The run's deadline: one value, handed to whatever waits or calls, so nothing outlives the invocation.

The time a run has (its budget, B) is split by one margin M, a fifth of B within 20 to 60 seconds:

    |<---------------- sweep: pages, cooldown reads, starts ---------------->|<----- M ----->|
                                              no new page or server after here ^
                                                       every call has ended here ^ (M/2 left)
                                    the report is published and recorded, then >= 5 s to spare

A call is only begun when the time it may take (its window, all attempts and waits included) still
ends with half the margin left; clients get timeouts and attempts that fit their window (aws.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_MARGIN_SECONDS = 20.0
MAX_MARGIN_SECONDS = 60.0
SPARE_SECONDS = 5.0  # left unused when the invocation returns, whatever hangs
UNBOUNDED_SECONDS = float(1 << 30) / 1000  # what a run without a Lambda context gets (the CLI)


@dataclass(frozen=True)
class Deadline:
    """When the invocation ends (`ends_at`, on `clock`) and the margin kept for finishing the run."""

    ends_at: float
    margin: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """The deadline of a run with `seconds` left (a Lambda context's remaining time)."""
        margin = min(MAX_MARGIN_SECONDS, max(MIN_MARGIN_SECONDS, seconds / 5))
        return cls(clock() + seconds, margin, clock)

    def remaining(self) -> float:
        """Seconds until the invocation ends."""
        return self.ends_at - self.clock()

    def reached(self) -> bool:
        """True once no new page or server should be taken on: less than the margin is left."""
        return self.remaining() < self.margin

    def allows(self, seconds: float) -> bool:
        """Whether something taking up to `seconds` (a call, a wait) still ends with half the margin left."""
        return self.remaining() - seconds >= self.margin / 2

    @property
    def page_window(self) -> float:
        """Longest a DescribeSourceServers call may take, all attempts included."""
        return self.margin / 2

    @property
    def call_window(self) -> float:
        """Longest any other call of the sweep may take (a claim, a start, a cooldown read)."""
        return self.margin / 4

    @property
    def record_window(self) -> float:
        """Longest the idempotency record's writes may take (the last one follows the publish)."""
        return self.margin / 8

    def publish_window(self) -> float:
        """What is left for publishing the report once the sweep is over."""
        return self.remaining() - SPARE_SECONDS - self.record_window
