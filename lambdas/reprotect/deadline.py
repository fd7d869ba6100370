"""The run's deadline: one value, handed to whatever waits, so nothing outlives the invocation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Stop launching calls and reading pages when the invocation has less than the margin left: a fifth
# of the time the run began with, within these bounds. Waits for DRS's throttling hint end at half the
# margin, which leaves the rest for botocore's own short retries and for publishing the report.
MIN_MARGIN_SECONDS = 10.0
MAX_MARGIN_SECONDS = 60.0
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
        """True once no new call should start: less than the margin is left."""
        return self.remaining() < self.margin

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting `seconds` still ends before half the margin is spent."""
        return self.clock() + seconds <= self.ends_at - self.margin / 2
