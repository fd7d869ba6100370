"""The run's cap on starts, counted on what the run really starts (a run's only shared counter)."""

from __future__ import annotations

import threading

from reprotect.deadline import Deadline

_WAIT_SLICE = 0.5  # seconds between deadline checks while waiting for a place under the cap


class StartBudget:
    """The run's places: MAX_STARTS_PER_RUN, or fewer once `limit_to` says REPLICATING_SERVER_LIMIT
    leaves fewer; spent only by what this run really starts.

    A place is held from admission until the start settles; a start that loses its claim to another
    run, fails or is deferred gives its place back. So overlapping runs never spend each other's cap,
    and the cap is named as the reason only when this run's own starts reached it.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._started = 0
        self._in_flight = 0
        self._changed = threading.Condition()

    def limit_to(self, places: int) -> None:
        """No more than `places` starts in all (the room the replicating-server limit leaves)."""
        with self._changed:
            self._cap = min(self._cap, max(0, places))

    @property
    def held(self) -> int:
        with self._changed:
            return self._started + self._in_flight

    def room(self, deadline: Deadline) -> int:
        """Places left; while starts in flight hold every place, wait for one to settle."""
        with self._changed:
            while self._in_flight and self._started + self._in_flight >= self._cap and not deadline.reached():
                self._changed.wait(_WAIT_SLICE)
            return self._cap - self._started - self._in_flight

    def take(self) -> None:
        with self._changed:
            self._in_flight += 1

    def settle(self, *, started: bool) -> None:
        with self._changed:
            self._in_flight -= 1
            self._started += started
            self._changed.notify_all()
