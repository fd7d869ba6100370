"""What a pacer has heard from the service: the shortest round trip seen, and the answers of the last
`WINDOW` seconds (admitted or refused). Pure arithmetic, as `pacer.py`: the caller gives the times."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

WINDOW = 1.0  # seconds over which the answers are counted
STALE_ROUND_TRIPS = 10.0  # a call out this many round trips, and at least STALE_SECONDS, no longer
STALE_SECONDS = 1.0  # holds others back (it hangs, or its answer was lost) ...
STALE = 30.0  # ... nor one out this long, whatever the round trip


@dataclass
class Answers:
    round_trip: float = math.inf  # the shortest seen
    recent: deque[tuple[float, bool]] = field(default_factory=deque)  # when, and admitted or not

    def heard(self, sent: float, now: float, *, admitted: bool) -> None:
        self.round_trip = min(self.round_trip, now - sent)
        self.recent.append((now, admitted))
        while self.recent[0][0] <= now - WINDOW:
            self.recent.popleft()

    def checked_by(self, sent: float, now: float) -> float:
        """The latest the service can have checked a call sent at `sent` and answered `now`: its
        answer less the shortest round trip seen (a call stalled on its way counts from late)."""
        return max(sent, now - self.round_trip)

    def admitted(self) -> int:
        """Calls admitted in the last WINDOW."""
        return sum(admitted for _, admitted in self.recent)

    def refused(self) -> int:
        """Calls refused in the last WINDOW."""
        return sum(not admitted for _, admitted in self.recent)

    def stale_before(self, now: float) -> float:
        """A call sent before this is held up (or hangs), much longer out than a round trip."""
        return now - min(STALE, max(STALE_SECONDS, STALE_ROUND_TRIPS * self.round_trip))
