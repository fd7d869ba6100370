"""The search for a strict limiter's interval, step by step, with the numbers written out: how each
answer moves the bounds, and when it concludes (and on what pace)."""

from __future__ import annotations

import math

import pytest

from reprotect.search import PROBES, TIGHT, Pace, Search

NEAR = 0.95


def search(
    short: float = 0.0,
    long: float = math.inf,
    probes_admitted: int = 0,
    freed: float = -math.inf,
    anchor_late: float = 10.0,
    anchor: float = 10.0,
) -> Search:
    """A search anchored on a call sent at 10 s, checked by 10 s at the latest."""
    return Search(anchor, anchor_late, shortest=0.001, near=NEAR, short=short, long=long,
                  probes_admitted=probes_admitted, freed=freed)  # fmt: skip


def assert_pace(pace: Pace | None, rate: float, ceiling: float | None, next_at: float) -> None:
    assert pace is not None
    assert (pace.rate, pace.ceiling, pace.next_at) == (
        pytest.approx(rate),
        pytest.approx(ceiling),
        pytest.approx(next_at),
    )


def test_the_documented_constants() -> None:
    assert (TIGHT, PROBES) == (1.06, 4)


def test_the_probe_interval_doubles_the_short_bound_until_a_long_one_is_known_then_bisects() -> None:
    assert search(short=0.1).interval() == pytest.approx(0.2)
    assert search(short=0.1, long=0.4).interval() == pytest.approx(0.2)  # the geometric mean
    assert search(short=0.1, anchor_late=12.0).next_at() == pytest.approx(12.2)


def test_a_refusal_raises_the_short_bound_to_its_interval_and_marks_the_answer() -> None:
    s = search(short=0.1)

    assert s.refused(sent=10.3, now=10.35) is None

    assert (s.short, s.long, s.freed) == (pytest.approx(0.3), math.inf, 10.35)
    assert s.refused(sent=10.2, now=10.4) is None
    assert s.short == pytest.approx(0.3)  # a shorter refused interval says nothing new


def test_a_refusal_at_an_interval_once_admitted_means_the_limit_moved() -> None:
    s = search(short=0.1, long=0.3)

    assert s.refused(sent=10.35, now=11.0) is None  # 0.35 s refused, 0.3 s admitted before

    assert s.long == math.inf


def test_a_refusal_within_tight_of_the_long_bound_concludes_a_little_below_the_limit() -> None:
    s = search(short=0.1, long=0.5)

    pace = s.refused(sent=10.48, now=10.6)

    assert_pace(pace, NEAR / math.sqrt(0.48 * 0.5), 1 / 0.48, 10.6)


def test_an_admitted_probe_sets_the_long_bound_and_becomes_the_anchor() -> None:
    s = search(short=0.1)

    assert s.admitted(sent=10.2, checked=10.25, now=10.3) is None

    assert (s.long, s.anchor, s.anchor_late, s.freed, s.probes_admitted) == (
        pytest.approx(0.25),  # from the earliest the last admitted call can have been checked
        10.2,
        10.25,
        10.3,
        1,
    )


def test_no_interval_is_taken_to_be_shorter_than_the_fastest_pace() -> None:
    s = search(short=0.0)

    s.admitted(sent=10.0, checked=10.0, now=10.01)

    assert s.long == 0.001


def test_an_admitted_probe_within_tight_of_the_short_bound_concludes() -> None:
    s = search(short=0.2)

    pace = s.admitted(sent=10.2, checked=10.21, now=10.3)

    assert_pace(pace, NEAR / math.sqrt(0.2 * 0.21), 5.0, 10.41)


def test_after_probes_admitted_probes_it_paces_at_the_long_bound() -> None:
    s = search(short=0.1, probes_admitted=PROBES - 1)

    pace = s.admitted(sent=10.2, checked=10.3, now=10.35)

    assert_pace(pace, 1 / 0.3, 10.0, 10.5)
    assert search(probes_admitted=PROBES - 2).admitted(sent=10.2, checked=10.3, now=10.35) is None


def test_with_no_short_bound_the_pace_has_no_ceiling() -> None:
    pace = search(probes_admitted=PROBES - 1).admitted(sent=10.2, checked=10.3, now=10.35)

    assert pace is not None
    assert pace.ceiling is None


def test_a_probe_sent_late_because_the_one_before_was_out_paces_every_call_at_its_interval() -> None:
    # Planned at 10.2 (twice the short bound after the anchor), sent at 10.5: the probe before was
    # answered only at 10.45
    s = search(short=0.1, freed=10.45)
    s.sending()

    pace = s.admitted(sent=10.5, checked=10.52, now=10.6)

    assert_pace(pace, 2.0, 10.0, 11.0)


def test_a_probe_sent_on_time_goes_on_searching() -> None:
    s = search(short=0.1, freed=10.19)
    s.sending()

    assert s.admitted(sent=10.5, checked=10.52, now=10.6) is None


def test_a_call_admitted_from_before_the_search_moves_the_anchor_only_forward() -> None:
    s = search()

    s.admitted_before(sent=9.0, checked=9.1)
    assert (s.anchor, s.anchor_late) == (10.0, 10.0)
    s.admitted_before(sent=10.5, checked=10.6)
    assert (s.anchor, s.anchor_late) == (10.5, 10.6)


def test_what_the_search_learned_is_the_long_bound_as_a_rate() -> None:
    assert search().learned() is None
    assert search(long=0.25).learned() == 4.0


# ---- the boundaries, on times exact in binary (anchored at 0 s) ------------------------------------


def test_a_refusal_exactly_tight_above_the_long_bound_means_the_limit_moved() -> None:
    s = search(long=0.5, anchor=0.0, anchor_late=0.0)

    s.refused(sent=0.5 * TIGHT, now=1.0)

    assert s.long == math.inf


def test_bounds_exactly_tight_apart_conclude_the_search() -> None:
    refused = search(long=0.5 * TIGHT, anchor=0.0, anchor_late=0.0)
    admitted = search(short=0.5, anchor=0.0, anchor_late=0.0)

    assert refused.refused(sent=0.5, now=1.0) is not None
    assert admitted.admitted(sent=0.5 * TIGHT, checked=0.5 * TIGHT, now=1.0) is not None


@pytest.mark.parametrize(
    ("freed", "sent", "late"),
    [
        (0.2005, 0.25, False),  # answered within a millisecond of the plan (0.2 s): on time
        (0.202, 0.25, True),
        (0.202, 0.2, False),  # sent at exactly twice the short bound: not late enough to tell
        (0.2 + 0.001, 0.25, False),  # answered exactly a millisecond after the plan: still on time
    ],
)
def test_a_probe_is_late_only_a_millisecond_past_its_plan_and_beyond_twice_the_short_bound(
    freed: float, sent: float, late: bool
) -> None:
    s = search(short=0.1, freed=freed, anchor=0.0, anchor_late=0.0)
    s.sending()

    pace = s.admitted(sent=sent, checked=sent, now=sent + 0.01)

    assert (pace is not None and pace.rate == pytest.approx(1 / sent)) is late


def test_a_call_from_before_the_search_sent_with_the_anchor_does_not_move_it() -> None:
    s = search()

    s.admitted_before(sent=10.0, checked=10.5)

    assert s.anchor_late == 10.0
