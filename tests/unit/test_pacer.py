"""The pacer's arithmetic on a fake clock: its phases, increases, decreases, queue and deadline.

Every test drives `Pacer` with explicit times; none sleeps. `Limiter` is a token bucket of the kind
the pacer faces (strict, burst 1, or bursty), so the search and the hold can be shown finding a limit.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import pytest

from reprotect import pacer as p
from reprotect.answers import STALE_SECONDS
from reprotect.pacer import Limit, Pacer, Phase

RTT = 0.02  # the service answers this long after a call is sent


def go(pacer: Pacer, now: float, latest: float = math.inf) -> float | None:
    """One call joins the queue alone and asks for its turn: the time it may go (or None)."""
    ticket = pacer.join()
    at = pacer.turn(ticket, now, latest)
    if at is not None and at > now:
        pacer.leave(ticket)
    return at


def send(pacer: Pacer, now: float) -> float:
    """A call that goes now (its turn must have come)."""
    ticket = pacer.join()
    assert pacer.turn(ticket, now) == now
    return now


@dataclass
class Limiter:
    """A token bucket: `rate` calls/s, `burst` tokens, full at first."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def admits(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def drive(pacer: Pacer, limiter: Limiter, starts: int, *, t: float = 0.0) -> tuple[list[float], int]:
    """One worker at a time: each call asks for its turn, goes, and hears its answer RTT later;
    a refused call is retried at once. The admitted calls' times, and the refusals."""
    admitted: list[float] = []
    refused = 0
    while len(admitted) < starts:
        ticket = pacer.join()
        while (at := pacer.turn(ticket, t)) is not None and at > t:
            t = at
        sent, t = t, t + RTT
        if limiter.admits(sent):
            pacer.admitted(sent, t)
            admitted.append(sent)
        else:
            pacer.refused(sent, t)
            refused += 1
    return admitted, refused


# ---- open: nothing refused yet --------------------------------------------------------------------


def test_an_open_pacer_lets_calls_go_at_once_two_out_then_two_more_per_admitted_answer() -> None:
    # Given a pacer that has seen no refusal
    pacer = Pacer(max_burst=10)

    # When calls come while others are out
    first, second = send(pacer, 0.0), send(pacer, 0.0)
    third = go(pacer, 0.0)

    # Then two go at once, the third waits for an answer; an admitted answer lets three more out
    # (its own place, and two more)
    assert (first, second) == (0.0, 0.0)
    assert third is not None
    assert third > 0.0
    pacer.admitted(first, RTT)
    assert [send(pacer, RTT) for _ in range(3)] == [RTT] * 3
    assert go(pacer, RTT) == pytest.approx(RTT + p.RECHECK)
    assert pacer.phase is Phase.OPEN
    assert pacer.learned() is None


def test_a_sweep_that_is_never_throttled_is_never_paced() -> None:
    pacer = Pacer(max_burst=10)
    t = 0.0
    for _ in range(200):
        sent = send(pacer, t)
        pacer.admitted(sent, t + RTT)
        t += 0.001

    assert pacer.phase is Phase.OPEN
    assert pacer.learned() is None


# ---- decrease ------------------------------------------------------------------------------------


def test_a_limiter_with_a_burst_is_held_at_what_it_admitted_in_the_last_second() -> None:
    # Given eight calls admitted at once, then the first refusal
    pacer = Pacer(max_burst=10)
    for _ in range(8):
        pacer.admitted(0.0, RTT)
    pacer.refused(0.01, 0.03)

    # Then the pacer holds at 8 calls/s with a burst of 8, the first call a pace away
    assert pacer.phase is Phase.HOLD
    assert pacer.rate == pytest.approx(8.0)
    assert pacer.burst == 8
    assert go(pacer, 0.03) == pytest.approx(0.03 + 1 / 8)


def test_the_burst_is_capped_at_max_burst() -> None:
    pacer = Pacer(max_burst=4)
    for _ in range(9):
        pacer.admitted(0.0, RTT)
    pacer.refused(0.01, 0.03)

    assert pacer.burst == 4


@pytest.mark.parametrize(("burst", "near"), [(1, p.NEAR), (2, p.NEAR_BURST)])
def test_a_near_miss_lowers_the_rate_to_near_of_it_and_remembers_the_refused_rate(
    burst: float, near: float
) -> None:
    # Given a pacer holding at 10/s (a strict limiter, or one with a burst, which absorbs more noise)
    pacer = Pacer(Limit(rate=10, burst=burst), max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)
    rate = pacer.rate

    # When a call sent at that pace is refused
    pacer.refused(send(pacer, 0.2), 0.22)

    # Then the pace is lowered to `near` of itself, and kept for the next run
    assert pacer.rate == pytest.approx(rate * near)
    assert pacer.learned() == Limit(round(rate * near, 3), burst)


def test_calls_already_out_when_the_rate_was_lowered_lower_it_no_further() -> None:
    # Given ten calls sent together at 10/s, all refused
    pacer = Pacer(Limit(rate=10, burst=10), max_burst=10)
    wave = [send(pacer, 0.0) for _ in range(10)]

    # When their answers come in one after the other
    for sent in wave:
        pacer.refused(sent, RTT)

    # Then the rate was lowered once
    assert pacer.rate == pytest.approx(10 * p.NEAR_BURST)


def test_a_limit_that_fell_brings_the_rate_down_to_what_was_admitted() -> None:
    # Given a pacer held at 10/s for more than a second, then refused more than one call in five
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    t = 0.0
    for _ in range(12):
        pacer.admitted(t, t + RTT)
        t += 0.1
    for _ in range(5):  # the service now admits three calls in ten
        pacer.admitted(t, t + RTT)
        pacer.refused(t + 0.01, t + 0.01 + RTT)
        pacer.refused(t + 0.02, t + 0.02 + RTT)
        t += 0.2

    # Then the rate fell below what a few near misses would give, but by at most FLOOR at a time
    assert pacer.rate < 10 * p.NEAR**3
    assert pacer.rate >= p.MIN_RATE


def test_the_rate_never_falls_below_min_rate() -> None:
    pacer = Pacer(Limit(rate=p.MIN_RATE, burst=1), max_burst=10)
    t = 0.0
    for _ in range(5):
        pacer.refused(t, t + RTT)
        t += 10

    assert pacer.rate == p.MIN_RATE


# ---- increase ------------------------------------------------------------------------------------


def test_with_no_refused_rate_known_each_admitted_call_grows_the_rate() -> None:
    pacer = Pacer(max_burst=10)
    for _ in range(5):
        pacer.admitted(0.0, RTT)
    pacer.refused(0.01, 0.03)  # held at 5/s, no refused rate known at that pace
    rate = pacer.rate

    pacer.admitted(0.1, 0.12)

    assert pacer.rate == pytest.approx(rate * (1 + p.GROW))


def test_below_near_the_rate_climbs_a_share_of_the_gap_then_creeps() -> None:
    # Given a pacer that was refused at 10/s and fell to 6/s
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.refused(0.0, RTT)  # ceiling 10, rate 9.5
    pacer.rate = 6.0
    target = 10 * p.NEAR

    # When calls are admitted
    pacer.admitted(0.1, 0.12)
    climbed = pacer.rate
    for i in range(30):
        pacer.admitted(0.2 + i * 0.1, 0.22 + i * 0.1)

    # Then it climbs CLIMB of the gap, and once there only creeps
    assert climbed == pytest.approx(6.0 + (target - 6.0) * p.CLIMB)
    assert target * 0.98 < pacer.rate < target * (1 + p.CREEP) ** 30


def test_well_past_the_last_refused_rate_without_a_refusal_the_limit_rose_and_the_rate_grows() -> None:
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.refused(0.0, RTT)  # ceiling 10
    pacer.rate = 10 * (2 - p.NEAR) * 1.01

    pacer.admitted(0.1, 0.12)

    assert pacer.rate == pytest.approx(10 * (2 - p.NEAR) * 1.01 * (1 + p.GROW))


# ---- the search, against a strict limiter --------------------------------------------------------


@pytest.mark.parametrize("limit", [2.0, 10.0, 30.0])
def test_a_strict_limit_is_found_within_a_few_calls_and_held_just_below(limit: float) -> None:
    # Given a strict bucket (one call at a time) the pacer knows nothing of
    pacer = Pacer(max_burst=10)
    limiter = Limiter(limit, 1)

    # When it starts 30 servers through it
    admitted, refused = drive(pacer, limiter, 30)

    # Then it searched, found the limit, and holds just below it with few refusals
    assert pacer.phase is Phase.HOLD
    assert limit * 0.88 <= pacer.rate <= limit
    assert refused <= 8
    pace = (len(admitted[-10:]) - 1) / (admitted[-1] - admitted[-10])
    assert pace >= limit * 0.88


def test_the_search_doubles_the_probe_interval_after_refusals_then_bisects() -> None:
    # Given a strict limiter at 10/s and a pacer whose first refusal came just after an admission
    pacer = Pacer(max_burst=10)
    pacer.admitted(0.0, RTT)
    pacer.refused(0.001, RTT + 0.001)
    assert pacer.phase is Phase.SEARCH

    # When probes keep coming: each waits for the last one's answer
    limiter, limiter.tokens, limiter.updated = Limiter(10, 1), 0.0, 0.0
    probes = []
    t = RTT + 0.001
    while pacer.phase is Phase.SEARCH:
        ticket = pacer.join()
        while (at := pacer.turn(ticket, t)) is not None and at > t:
            t = at
        probes.append(t)
        if limiter.admits(t):
            pacer.admitted(t, t + RTT)
        else:
            pacer.refused(t, t + RTT)
        t += RTT

    # Then they were one at a time, their intervals grew until one was admitted, and it ended close
    assert all(b - a >= RTT for a, b in itertools.pairwise(probes))
    assert len(probes) <= 10
    assert 10 * 0.88 <= pacer.rate <= 10


def test_one_call_at_a_time_while_a_probe_is_out() -> None:
    pacer = Pacer(max_burst=10)
    pacer.admitted(0.0, RTT)
    pacer.refused(0.001, RTT)
    send(pacer, 0.05)  # the probe

    waiting = go(pacer, 0.06)

    assert waiting == pytest.approx(0.06 + p.RECHECK)  # asks again (or when an answer wakes it)


def test_a_round_trip_held_up_does_not_fool_the_search() -> None:
    # Given a search from an admitted call at -0.5, and a probe that stalled: sent at 0, answered 0.3 s
    # later, so the service checked it between 0 and 0.28 (its answer less the 20 ms round trip)
    pacer = Pacer(max_burst=10)
    pacer.admitted(-0.5, -0.5 + RTT)
    pacer.refused(-0.49, -0.49 + RTT)
    pacer.admitted(send(pacer, 0.0), 0.3)

    # When the next probe, sent 0.32, is refused
    pacer.refused(send(pacer, 0.32), 0.34)

    # Then the refusal counts from the latest possible check (40 ms, not 320 ms, was too short) and
    # the admission from the earliest (0.78 s was long enough): the next probe bisects those
    assert pacer.phase is Phase.SEARCH
    assert go(pacer, 0.34) == pytest.approx(0.28 + math.sqrt(0.04 * 0.78))


# ---- hold: the queue, the burst, one call at a time -----------------------------------------------


def test_waiters_queue_first_come_first_served_one_pace_apart() -> None:
    pacer = Pacer(Limit(rate=4, burst=1), max_burst=10)
    send(pacer, 0.0)
    tickets = [pacer.join() for _ in range(3)]

    times = [pacer.turn(ticket, 0.0) for ticket in tickets]

    assert times == pytest.approx([0.25, 0.5, 0.75])


def test_a_lower_rate_reaches_every_waiter_at_once() -> None:
    # Given two callers waiting their turns at 10/s
    pacer = Pacer(Limit(rate=10, burst=10), max_burst=10)
    pacer.rate = 10.0
    for _ in range(10):
        send(pacer, 0.0)
    first, second = pacer.join(), pacer.join()
    assert pacer.turn(second, 0.0) == pytest.approx(0.2)

    # When a refusal lowers the rate
    pacer.refused(0.0, 0.01)

    # Then both turns are recomputed from the new pace when they ask again
    assert pacer.turn(first, 0.01) == pytest.approx(0.01 + 1 / pacer.rate)
    assert pacer.turn(second, 0.01) == pytest.approx(0.01 + 2 / pacer.rate)


def test_a_seeded_pacer_starts_with_a_full_bucket() -> None:
    pacer = Pacer(Limit(rate=5, burst=3), max_burst=10)

    sent = [go(pacer, 0.0) for _ in range(3)]

    assert pacer.phase is Phase.HOLD
    assert sent == [0.0, 0.0, 0.0]
    assert go(pacer, 0.0) == pytest.approx(0.2)


def test_strict_calls_go_one_at_a_time_a_pace_after_the_last_admitted_one() -> None:
    # Given a strict limiter held at 5/s, round trips of 20 ms
    pacer = Pacer(Limit(rate=5, burst=1), max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)

    # When the next call is out and held up on its way (answered 0.3 s after it went)
    sent = send(pacer, 0.2)
    assert go(pacer, 0.4) == pytest.approx(0.4 + p.RECHECK)  # waits for that answer
    pacer.admitted(sent, 0.5)

    # Then the one after goes a pace after the latest the service can have checked it
    assert go(pacer, 0.5) == pytest.approx(0.5 - RTT + 1 / pacer.rate)


# ---- the deadline ----------------------------------------------------------------------------------


def test_a_turn_after_latest_is_refused_and_leaves_the_queue() -> None:
    # Given a pacer at 2/s with a call just sent
    pacer = Pacer(Limit(rate=2, burst=1), max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)
    late, next_one = pacer.join(), pacer.join()

    # When the first in the queue may not go later than 0.3 s (its turn is at 0.5)
    refused = pacer.turn(late, 0.1, latest=0.3)

    # Then it gets no turn and is out of the queue: the next one now comes first
    assert refused is None
    assert pacer.turn(next_one, 0.1) == pytest.approx(0.5)


def test_a_turn_in_time_is_granted_at_its_time() -> None:
    pacer = Pacer(Limit(rate=2, burst=1), max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)

    assert go(pacer, 0.1, latest=0.5) == pytest.approx(0.5)


# ---- answers that teach nothing ------------------------------------------------------------------


def test_an_unanswered_call_is_no_longer_out() -> None:
    pacer = Pacer(max_burst=10)
    sent = [send(pacer, 0.0), send(pacer, 0.0)]

    pacer.unanswered(sent[0])

    assert go(pacer, 0.01) == 0.01


def test_a_call_that_never_reports_back_stops_holding_others_back() -> None:
    pacer = Pacer(max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)  # a round trip is known; four may be out now
    for _ in range(4):
        send(pacer, RTT)

    assert go(pacer, 0.5) == pytest.approx(0.5 + p.RECHECK)
    assert go(pacer, RTT + STALE_SECONDS + 0.01) == pytest.approx(RTT + STALE_SECONDS + 0.01)


@pytest.mark.parametrize(
    ("admitted", "refused_at", "fell"),
    [
        (4, 1.1, False),  # one refusal in five answers: a near miss (the limit fell only past a fifth)
        (3, 1.1, True),  # one in four: the limit fell
        (3, 0.9, False),  # one in four, but paced for less than a whole second: a near miss
    ],
)
def test_the_limit_fell_only_past_a_fifth_of_a_whole_paced_seconds_answers(
    admitted: int, refused_at: float, fell: bool
) -> None:
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)  # paced from 0 s
    for i in range(admitted):
        sent = 0.3 + 0.15 * i
        pacer.admitted(sent, sent + 0.02)
    before = pacer.rate

    pacer.refused(refused_at - 0.02, refused_at)

    # FLOOR of the pace at most, as the service admitted fewer calls than that in the second
    assert pacer.rate == pytest.approx(before * (p.FLOOR if fell else p.NEAR))


@pytest.mark.parametrize(
    ("limit", "round_trip", "second_at"),
    [
        # A strict limiter paced slower than two round trips: one call out at a time (the second
        # asks again after RECHECK, or at the first one's answer)
        (Limit(rate=1, burst=1), 0.25, 10.0 + p.RECHECK),
        # Two round trips a pace (a hair less, after the admitted call's creep): calls go at the pace
        (Limit(rate=2, burst=1), 0.25, 10.5),
        # A limiter with a burst of two: both go at once from a full bucket
        (Limit(rate=1, burst=2), 0.25, 10.0),
    ],
)
def test_only_a_strict_limiter_paced_slower_than_two_round_trips_gets_one_call_at_a_time(
    limit: Limit, round_trip: float, second_at: float
) -> None:
    pacer = Pacer(limit, max_burst=10)
    pacer.admitted(send(pacer, 0.0), round_trip)

    send(pacer, 10.0)

    assert go(pacer, 10.0) == pytest.approx(second_at, abs=0.001)


# ---- step by step, the numbers written out from the documented constants -------------------------
# NEAR 95% (98% with a burst), GROW 5%, CLIMB 30% of the gap, CREEP 0.02%, FELL past a fifth of a
# whole second's answers, FLOOR 75%, at least one call per 5 s, one call at a time slower than two
# round trips (README, "How a run paces its calls"; docs/benchmarks.md, "How the pacer works").


@pytest.mark.parametrize(
    ("held_from", "refused_at", "rate"),
    [
        # Half a second after the pace was set: a near miss (95%), whatever share was refused
        (100.0, 100.5, 10 * 0.95),
        # Exactly one whole second after: the second's answers count, and one refusal in one answer
        # says the limit fell (what was admitted, nothing, but at most down to 75% at once)
        (0.0, 1.0, 10 * 0.75),
    ],
)
def test_the_limit_is_taken_to_have_fallen_only_from_a_whole_second_after_the_pace_was_set(
    held_from: float, refused_at: float, rate: float
) -> None:
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10, now=held_from)

    pacer.refused(refused_at - 0.02, refused_at)

    assert pacer.rate == pytest.approx(rate)


def test_a_limit_that_fell_is_followed_to_what_was_admitted_then_taken_as_near_of_the_limit() -> None:
    # Given a strict limiter held at 3/s from 0 s: three calls admitted in the second, then one refused
    pacer = Pacer(Limit(rate=3, burst=1), max_burst=10)
    for sent in (0.3, 0.6, 0.9):
        pacer.admitted(sent, sent + RTT)

    pacer.refused(1.08, 1.1)  # one refusal in four answers: the limit fell

    # Then the pace is the 3 calls/s admitted in that second (above 75% of the pace, which crept up)
    assert pacer.rate == pytest.approx(3.0)
    # And 3/s is 95% of the limit as far as the pacer knows: the next admitted call only creeps
    pacer.admitted(1.2, 1.2 + RTT)
    assert pacer.rate == pytest.approx(3.0 * 1.0002)


def test_at_near_of_the_refused_rate_each_admitted_call_creeps_the_pace_up_by_0_02_percent() -> None:
    # Given a near miss at 10/s: held at 9.5/s, 95% of the refused rate
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.refused(0.0, RTT)
    assert pacer.rate == pytest.approx(9.5)

    # When twenty calls are admitted
    for i in range(20):
        sent = 0.1 + 0.11 * i
        pacer.admitted(sent, sent + RTT)

    # Then each crept the pace by 0.02%: no climb (it is at 95% already), no growth (10/s refused)
    assert pacer.rate == pytest.approx(9.5 * 1.0002**20)


def test_exactly_as_far_past_the_refused_rate_as_near_is_below_it_the_pace_still_creeps() -> None:
    # Given a pacer refused at 10/s, its pace since risen to 10.5/s (as far above 10/s as 9.5/s below)
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.refused(0.0, RTT)
    pacer.rate = 10 * (2 - 0.95)

    pacer.admitted(0.1, 0.1 + RTT)

    # Then the limit is not yet taken to have risen: 0.02% more, not 5%
    assert pacer.rate == pytest.approx(10.5 * 1.0002)


def test_a_strict_limiter_paced_at_exactly_two_round_trips_is_not_held_to_one_call_at_a_time() -> None:
    # Given a strict limiter held at the slowest pace (one call per 5 s), round trips of 2.5 s
    pacer = Pacer(Limit(rate=0.2, burst=1), max_burst=10)
    pacer.refused(send(pacer, 0.0), 2.5)
    assert pacer.rate == 0.2  # no slower, refused or not

    # When a call goes, and the next asks for its turn while it is out
    send(pacer, 2.5)

    # Then that turn is a pace later, without waiting for the answer
    assert go(pacer, 2.5) == pytest.approx(2.5 + 5.0)


def test_a_limiter_that_let_two_calls_through_at_once_has_a_burst_and_is_held_at_what_it_admitted() -> None:
    # Given two calls admitted together, then the first refusal
    pacer = Pacer(max_burst=10)
    first, second = send(pacer, 0.0), send(pacer, 0.0)
    pacer.admitted(first, RTT)
    pacer.admitted(second, RTT)

    pacer.refused(send(pacer, RTT), 2 * RTT)

    # Then it holds at 2 calls/s with a burst of 2 (no search), the next call a pace away
    assert pacer.phase is Phase.HOLD
    assert (pacer.rate, pacer.burst) == (pytest.approx(2.0), 2)
    assert go(pacer, 2 * RTT) == pytest.approx(2 * RTT + 0.5)


def test_a_strict_limiters_first_refusal_lets_one_call_go_at_once_a_second_in_a_row_waits_a_pace() -> None:
    # Given a strict limiter held at 10/s, whose first call is refused: a near miss, 9.5/s
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.refused(send(pacer, 0.0), RTT)

    # Then its next token is near: one call goes at once
    assert go(pacer, RTT) == RTT

    # When that one is refused too (9.025/s), the next waits a pace
    pacer.refused(RTT, 2 * RTT)
    assert go(pacer, 2 * RTT) == pytest.approx(2 * RTT + 1 / (10 * 0.95 * 0.95))


def test_a_refusal_from_a_limiter_with_a_burst_lets_the_next_call_go_only_a_pace_later() -> None:
    # Given a limiter with a burst of two held at 10/s, whose first call is refused: 9.8/s
    pacer = Pacer(Limit(rate=10, burst=2), max_burst=10)
    pacer.refused(send(pacer, 0.0), RTT)

    # Then its stored burst is spent: the next call goes a pace later, not at once
    assert go(pacer, RTT) == pytest.approx(RTT + 1 / (10 * 0.98))


def test_refused_right_after_an_admission_a_strict_limiter_lets_one_call_go_at_once_and_creeps() -> None:
    # Given a strict limiter held at 10/s: one call admitted (the pace creeps 0.02%), the next refused
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)
    pacer.admitted(send(pacer, 0.0), RTT)
    pacer.refused(send(pacer, 0.1), 0.1 + RTT)  # refused by a hair: 95% of the pace

    # Then one call goes at once, the moment the refusal is heard
    assert go(pacer, 0.1 + RTT) == 0.1 + RTT

    # And when it is admitted, it counts at the new pace: 95% of the refused rate, so it creeps
    pacer.admitted(0.1 + RTT, 0.1 + 2 * RTT)
    assert pacer.rate == pytest.approx(10 * 1.0002 * 0.95 * 1.0002)


def test_a_call_out_when_the_search_began_and_admitted_since_becomes_the_searchs_anchor() -> None:
    # Given two calls out at once, the first admitted, then a refusal: a strict limiter, searched from
    # the first (sent at 0 s)
    pacer = Pacer(max_burst=10)
    first, second = send(pacer, 0.0), send(pacer, 0.01)
    pacer.admitted(first, RTT)
    pacer.refused(send(pacer, RTT), 2 * RTT)
    assert pacer.phase is Phase.SEARCH

    # When the second (sent at 0.01 s) is admitted after the search began: checked by 0.03 s at the latest
    pacer.admitted(second, 0.05)

    # Then a probe refused 20 ms after that check doubles its interval from there
    pacer.refused(send(pacer, 0.05), 0.07)
    assert go(pacer, 0.07) == pytest.approx(0.03 + 2 * 0.02)


def test_a_probe_held_back_by_the_slow_answer_before_it_ends_the_search_pacing_at_its_interval() -> None:
    # Given a strict limiter under search from a call sent at 0 s (round trips of 1/32 s)
    pacer = Pacer(max_burst=10)
    pacer.admitted(send(pacer, 0.0), 0.03125)
    pacer.refused(send(pacer, 0.03125), 0.0625)
    assert pacer.phase is Phase.SEARCH

    # When a probe's refusal comes only at 0.5 s (the next was due at 0.125 s), and the next probe,
    # sent then, is admitted
    pacer.refused(send(pacer, 0.0625), 0.5)
    pacer.admitted(send(pacer, 0.5), 0.53125)

    # Then one call at a time cannot probe that fast: the pace is one call per that 0.5 s interval
    assert pacer.phase is Phase.HOLD
    assert pacer.rate == pytest.approx(2.0)
    assert go(pacer, 0.53125) == pytest.approx(1.0)


def test_a_pace_grown_past_every_refusal_is_kept_only_where_it_began() -> None:
    # Given a limiter with a burst held at the 8 calls/s it admitted, then grown 5% twice
    pacer = Pacer(max_burst=10)
    for _ in range(8):
        pacer.admitted(0.0, RTT)
    pacer.refused(0.01, 0.03)
    pacer.admitted(0.1, 0.12)
    pacer.admitted(0.2, 0.22)
    assert pacer.rate == pytest.approx(8 * 1.05 * 1.05)

    # Then the next run starts from 8/s: the growth was never tested by a refusal
    assert pacer.learned() == Limit(8.0, 8)


def test_with_a_refused_rate_known_the_pace_it_crept_to_is_kept() -> None:
    pacer = Pacer(Limit(rate=10, burst=1), max_burst=10)

    pacer.admitted(send(pacer, 0.0), RTT)

    assert pacer.learned() == Limit(10.002, 1)  # 10/s and 0.02% more, to the thousandth


def test_a_search_that_has_an_admitted_interval_keeps_it_as_a_rate_to_the_thousandth() -> None:
    # Given a search from a call sent at 0 s
    pacer = Pacer(max_burst=10)
    first = send(pacer, 0.0)
    refused = send(pacer, 0.01)
    pacer.admitted(first, RTT)
    pacer.refused(refused, 0.03)
    assert pacer.learned() is None  # nothing admitted in the search yet

    # When a probe sent 0.03 s after it is admitted (and the search goes on)
    pacer.admitted(send(pacer, 0.03), 0.05)

    # Then 1/0.03 s is kept
    assert pacer.phase is Phase.SEARCH
    assert pacer.learned() == Limit(33.333, 1)


def test_a_search_never_takes_an_interval_shorter_than_the_fastest_pace_of_1000_calls_a_second() -> None:
    # Given a search from a call sent at 0 s, with round trips of 0.4 ms
    pacer = Pacer(max_burst=10)
    first = send(pacer, 0.0)
    refused = send(pacer, 0.0001)
    pacer.admitted(first, 0.0004)
    pacer.refused(refused, 0.0005)

    # When a probe sent 0.5 ms after it is admitted
    pacer.admitted(send(pacer, 0.0005), 0.0009)

    # Then the interval kept is 1 ms, the pacer's fastest pace (the documented 1000 calls/s), not 0.5 ms
    assert pacer.phase is Phase.SEARCH
    assert pacer.learned() == Limit(1000.0, 1)


def test_a_new_pacer_is_open_unpaced_and_has_learned_nothing() -> None:
    pacer = Pacer()

    assert (pacer.phase, pacer.rate, pacer.burst, pacer.learned()) == (Phase.OPEN, math.inf, 1.0, None)


def test_an_open_pacers_second_caller_waits_for_the_first_to_go() -> None:
    pacer = Pacer(max_burst=10)
    first, second = pacer.join(), pacer.join()

    assert pacer.turn(second, 0.0) == pytest.approx(0.25)  # asks again (or when woken)
    assert pacer.turn(first, 0.0) == 0.0


def test_without_a_max_burst_given_a_burst_is_taken_up_to_ten_calls() -> None:
    pacer = Pacer()
    for _ in range(12):
        pacer.admitted(0.0, RTT)

    pacer.refused(0.01, 0.03)

    assert pacer.burst == 10


def test_with_one_call_at_a_time_allowed_a_limiter_is_searched_as_strict_whatever_it_admitted() -> None:
    pacer = Pacer(max_burst=1)
    first, second = send(pacer, 0.0), send(pacer, 0.0)
    pacer.admitted(first, RTT)
    pacer.admitted(second, RTT)

    pacer.refused(send(pacer, RTT), 2 * RTT)

    assert pacer.phase is Phase.SEARCH
    assert pacer.burst == 1


def test_slowed_to_one_call_at_a_time_a_strict_limiter_paces_from_the_check_of_the_last_call_sent() -> None:
    # Given a strict limiter held at 26/s, faster than two round trips: three calls overlap, the
    # middle one held up on its way (checked by 0.28 s at the latest), the last checked by 0.30 s
    pacer = Pacer(Limit(rate=26, burst=1), max_burst=10)
    first, middle, last = send(pacer, 0.0), send(pacer, 0.04), send(pacer, 0.08)
    pacer.admitted(first, RTT)
    pacer.admitted(middle, 0.3)
    pacer.admitted(last, 0.32)

    # When a refusal lowers the pace to 95% (below 25/s, slower than two round trips)
    pacer.refused(send(pacer, 0.32), 0.34)

    # Then the next call goes a pace after the latest check of the last call sent, not of the middle
    assert go(pacer, 0.34) == pytest.approx(0.30 + 1 / (26 * 1.0002**3 * 0.95))


def test_of_two_calls_sent_at_once_the_search_counts_from_the_one_checked_later() -> None:
    # Given one call at a time allowed, two calls sent at 0 s: one answered at once, the other held up
    # (checked by 0.28 s at the latest, round trips of 0.02 s), then a refusal starts the search
    pacer = Pacer(max_burst=1)
    quick, held_up = send(pacer, 0.0), send(pacer, 0.0)
    pacer.admitted(quick, RTT)
    pacer.admitted(held_up, 0.3)
    pacer.refused(send(pacer, 0.3), 0.32)

    # When a probe 0.04 s after that check is refused
    pacer.refused(send(pacer, 0.32), 0.34)

    # Then 0.04 s is too short, and the next probe waits twice that from the check (not from 0 s)
    assert go(pacer, 0.34) == pytest.approx(0.28 + 2 * 0.04)


def test_a_call_out_exactly_the_stale_time_still_holds_the_search_back_one_out_longer_does_not() -> None:
    # Given a search begun with two calls still out, sent at 0 s and 0.5 s (round trips of 1/32 s:
    # a call is held up once out longer than 1 s)
    pacer = Pacer(max_burst=10)
    first = send(pacer, 0.0)
    send(pacer, 0.0)  # never answered
    pacer.admitted(first, 0.03125)
    refused, slow = send(pacer, 0.5), send(pacer, 0.5)
    pacer.refused(refused, 0.53125)
    assert pacer.phase is Phase.SEARCH

    # Then at 1.5 s the one out exactly 1 s still holds the next probe back (it asks again later)
    assert go(pacer, 1.5) == pytest.approx(1.5 + 0.25)
    # and once it is answered, the one out 1.5 s does not
    pacer.unanswered(slow)
    assert go(pacer, 1.5) == 1.5
