"""The run's places under its caps, counted on what it really starts: how many are left, and how long
the admission waits for one while starts in flight hold them all."""

from __future__ import annotations

import threading

import pytest

from reprotect.budget import StartBudget
from reprotect.deadline import Deadline


class SteppedClock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize("places", [0, -3], ids=["limit-reached", "limit-exceeded"])
def test_a_replicating_limit_already_reached_leaves_no_place(places: int) -> None:
    budget = StartBudget(10)

    budget.limit_to(places)  # e.g. 300 replicating of a limit of 300, or 303 of 300

    assert budget.room(Deadline.after(300)) == 0


def test_the_replicating_limit_only_ever_lowers_the_cap() -> None:
    budget = StartBudget(3)

    budget.limit_to(5)

    assert budget.room(Deadline.after(300)) == 3


def test_places_held_by_starts_in_flight_come_back_when_they_fail_and_stay_spent_when_they_start() -> None:
    budget = StartBudget(3)
    for _ in range(3):
        budget.take()
    budget.settle(started=True)
    budget.settle(started=False)
    budget.settle(started=False)

    assert (budget.held, budget.room(Deadline.after(300))) == (1, 2)


def test_waiting_for_a_place_ends_at_the_deadline_though_no_start_in_flight_settles() -> None:
    # Given one place, held by a start in flight that never settles (its call hangs)
    budget = StartBudget(1)
    budget.take()
    # ... and a deadline reached after a few reads of the clock (each read moves it a second)
    clock = SteppedClock()
    deadline = Deadline(ends_at=23.0, margin=20.0, clock=clock)
    rooms: list[int] = []

    waiting = threading.Thread(target=lambda: rooms.append(budget.room(deadline)), daemon=True)
    waiting.start()
    waiting.join(timeout=10)

    # Then the wait ended with no room, rather than waiting on the hung start
    assert not waiting.is_alive()
    assert rooms == [0]
