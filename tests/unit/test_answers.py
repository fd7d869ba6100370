"""What a pacer heard: the answers of the last second, the shortest round trip, and from when a call
still out no longer holds others back."""

from __future__ import annotations

import math

import pytest

from reprotect.answers import STALE, STALE_ROUND_TRIPS, STALE_SECONDS, WINDOW, Answers


def test_the_documented_constants() -> None:
    assert (WINDOW, STALE_ROUND_TRIPS, STALE_SECONDS, STALE) == (1.0, 10.0, 1.0, 30.0)


def test_answers_older_than_a_second_are_forgotten_and_the_rest_counted() -> None:
    answers = Answers()
    answers.heard(0.0, 0.25, admitted=True)
    answers.heard(0.5, 0.75, admitted=False)
    answers.heard(1.0, 1.25, admitted=True)  # the first answer is exactly a second old: forgotten

    assert (answers.admitted(), answers.refused()) == (1, 1)
    answers.heard(1.5, 1.75, admitted=True)
    assert (answers.admitted(), answers.refused()) == (2, 0)


def test_the_round_trip_is_the_shortest_seen_and_a_check_counts_from_the_answer_less_it() -> None:
    answers = Answers()
    assert answers.round_trip == math.inf
    answers.heard(0.0, 0.3, admitted=True)
    answers.heard(1.0, 1.1, admitted=True)

    assert answers.round_trip == pytest.approx(0.1)
    assert answers.checked_by(2.0, 2.5) == pytest.approx(2.4)  # held up on the way: checked late
    assert answers.checked_by(2.0, 2.05) == 2.0  # never before it was sent


@pytest.mark.parametrize(("round_trip", "stale_after"), [(0.02, 1.0), (0.5, 5.0), (10.0, 30.0)])
def test_a_call_out_ten_round_trips_at_least_a_second_at_most_thirty_is_stale(
    round_trip: float, stale_after: float
) -> None:
    answers = Answers()
    answers.heard(0.0, round_trip, admitted=True)

    assert answers.stale_before(100.0) == pytest.approx(100.0 - stale_after)
