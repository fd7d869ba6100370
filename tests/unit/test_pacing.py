"""The pacer's botocore side on a fake clock: Retry-After, the deadline, and what the hooks teach it.

The hooks are called as botocore calls them (`before-call`, `before-send`, `needs-retry`, in that order
per attempt); waiting advances the fake clock instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from reprotect.deadline import Deadline
from reprotect.pacer import Limit, Phase
from reprotect.pacing import NotSent, Pacing, hint_seconds, retry_delay
from tests.unit.test_acts import logged

PER_ATTEMPT = 1.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def answer(status: int, retry_after: str | None = None) -> tuple[Any, dict[str, Any]]:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    parsed: dict[str, Any] = {"ResponseMetadata": {"HTTPStatusCode": status}}
    if status == 429:
        parsed["Error"] = {"Code": "ThrottlingException"}
    if retry_after is not None:
        parsed["retryAfterSeconds"] = retry_after
    return SimpleNamespace(status_code=status, headers=headers), parsed


def run_for(clock: FakeClock, seconds: float, *, seeds: dict[str, Limit] | None = None) -> Pacing:
    deadline = Deadline.after(seconds, clock=clock)
    return Pacing(deadline, max_burst=10, seeds=seeds or {}, clock=clock, wait=clock.wait)


def attempt(run: Pacing, response: Any, *, attempts: int = 1, operation: str = "StartReplication") -> Any:
    """One attempt of a new call: its turn, then its answer; what needs-retry answers."""
    run._begin(model=SimpleNamespace(name=operation))
    run._before_send(PER_ATTEMPT)
    return run._after_attempt(PER_ATTEMPT, response=response, attempts=attempts)


# ---- Retry-After -----------------------------------------------------------------------------------


def test_a_throttled_call_waits_the_hint_before_queueing_for_its_turn() -> None:
    clock = FakeClock()
    deadline = Deadline.after(300, clock=clock)

    assert retry_delay(answer(429, "1"), 1, deadline, PER_ATTEMPT) == 1.0


def test_without_a_hint_the_retry_queues_at_once() -> None:
    deadline = Deadline.after(300, clock=FakeClock())

    assert retry_delay(answer(429), 1, deadline, PER_ATTEMPT) == 0.0


def test_a_long_hint_is_cut() -> None:
    deadline = Deadline.after(3600, clock=FakeClock())

    assert retry_delay(answer(429, "600"), 1, deadline, PER_ATTEMPT) == 20.0  # README: Retry-After up to 20 s


@pytest.mark.parametrize(
    ("header", "seconds"), [("2", 2.0), ("0.25", 0.25), ("soon", None), ("nan", None), ("inf", None)]
)
def test_hints_are_read_as_seconds_or_ignored(header: str, seconds: float | None) -> None:
    assert hint_seconds(answer(429, header)) == seconds


def test_no_retry_after_the_throttle_attempts() -> None:
    deadline = Deadline.after(300, clock=FakeClock())

    # README: "a throttled call is retried up to 8 attempts in all"
    assert retry_delay(answer(429, "1"), 7, deadline, PER_ATTEMPT) == 1.0
    assert retry_delay(answer(429, "1"), 8, deadline, PER_ATTEMPT) is None


def test_a_hint_is_never_waited_past_the_deadline() -> None:
    # Given 7 s left and a margin of 10 s: a wait and the attempt after it must end within 2 s
    clock = FakeClock()
    deadline = Deadline(ends_at=clock.now + 7, margin=10, clock=clock)

    assert retry_delay(answer(429, "1"), 1, deadline, 0.5) == 1.0
    assert retry_delay(answer(429, "2"), 1, deadline, 0.5) is None
    assert retry_delay(answer(429, "1"), 1, deadline, 1.5) is None


# ---- the hooks ---------------------------------------------------------------------------------------


def test_a_throttled_call_teaches_its_operations_pacer_only() -> None:
    clock = FakeClock()
    run = run_for(clock, 300)

    attempt(run, answer(200))
    delay = attempt(run, answer(429, "1"))
    attempt(run, answer(200), operation="DescribeSourceServers")

    assert delay == 1.0
    assert run.pacer("StartReplication").phase is Phase.SEARCH
    assert run.pacer("DescribeSourceServers").phase is Phase.OPEN


def test_other_errors_are_left_to_botocore_and_teach_nothing() -> None:
    clock = FakeClock()
    run = run_for(clock, 300)

    assert attempt(run, answer(500)) is None
    assert attempt(run, None) is None  # no answer at all (a timeout)

    assert run.pacer("StartReplication").phase is Phase.OPEN
    assert run.learned() == {}


def test_a_turn_is_waited_for_on_the_clock() -> None:
    # Given a limit kept from an earlier run: 2 calls/s, no burst
    clock = FakeClock()
    run = run_for(clock, 300, seeds={"StartReplication": Limit(2, 1)})

    # When three calls go one after the other
    for _ in range(3):
        attempt(run, answer(200))

    # Then the second and third waited half a second each
    assert clock.waits == pytest.approx([0.5, 0.5], rel=1e-3)
    assert "StartReplication" in run.learned()


def test_a_turn_that_would_come_too_late_is_not_sent() -> None:
    # Given a run of 41 s (margin 20 s: every attempt must end 10 s before the end, at 31 s) and a
    # limit of one call in 5 s
    clock = FakeClock()
    run = run_for(clock, 41, seeds={"StartReplication": Limit(0.2, 1)})
    attempt(run, answer(200))  # at once: the bucket starts full
    clock.now += 26

    # When a call goes at 26 s, the next one's turn is at 31 s: its attempt (1 s) would end too late
    attempt(run, answer(200))
    run._begin(model=SimpleNamespace(name="StartReplication"))
    with pytest.raises(NotSent) as refused:
        run._before_send(PER_ATTEMPT)
    assert refused.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "not sent: throttled, and its turn would come too late for the deadline",
    }
    assert refused.value.operation_name == "StartReplication"  # the report names the call not sent


def test_a_throttled_call_given_up_on_is_not_sent_again_by_botocore() -> None:
    clock = FakeClock()
    run = run_for(clock, 300)
    run._begin(model=SimpleNamespace(name="StartReplication"))
    run._before_send(PER_ATTEMPT)

    delay = run._after_attempt(PER_ATTEMPT, response=answer(429), attempts=8)

    assert delay is None
    with pytest.raises(NotSent, match="still throttled after 8 attempts") as refused:
        run._before_send(PER_ATTEMPT)  # botocore's own retry handler tries once more
    assert refused.value.operation_name == "StartReplication"


def test_an_attempt_this_module_did_not_send_teaches_nothing() -> None:
    run = run_for(FakeClock(), 300)
    run._begin(model=SimpleNamespace(name="StartReplication"))

    assert run._after_attempt(PER_ATTEMPT, response=answer(429), attempts=1) is None
    assert run.pacer("StartReplication").phase is Phase.OPEN


def test_a_hint_is_read_from_the_parsed_error_or_else_from_the_header() -> None:
    header_only = (SimpleNamespace(status_code=429, headers={"Retry-After": "3"}), {"Error": {}})
    parsed_only = (SimpleNamespace(status_code=429, headers={}), {"retryAfterSeconds": "4"})
    no_headers = (SimpleNamespace(status_code=429), {"retryAfterSeconds": "5"})
    unparsed = (SimpleNamespace(status_code=429, headers={"Retry-After": "6"}), None)

    assert [hint_seconds(r) for r in (header_only, parsed_only, no_headers, unparsed)] == [3.0, 4.0, 5.0, 6.0]


# ---- what each answer teaches ------------------------------------------------------------------------


def http(status: int | None) -> Any:
    return SimpleNamespace() if status is None else SimpleNamespace(status_code=status, headers={})


@pytest.mark.parametrize(
    ("response", "throttled"),
    [
        ((http(429), {}), True),
        ((http(429), None), True),
        ((http(400), {"Error": {"Code": "ThrottlingException"}}), True),
        ((http(400), {"Error": {"Code": "TooManyRequestsException"}}), True),
        ((http(400), {"Error": {"Code": "Throttling"}}), True),
        ((http(None), {"Error": {"Code": "ThrottlingException"}}), True),
        ((http(400), {"Error": {"Code": "ValidationException"}}), False),
        ((http(400), {"Error": None}), False),
        ((http(200), {}), False),
    ],
    ids=[
        "429",
        "429-unparsed",
        "code",
        "too-many",
        "throttling",
        "code-no-status",
        "400",
        "error-null",
        "200",
    ],
)
def test_a_throttled_answer_is_a_429_or_a_throttling_code(response: Any, throttled: bool) -> None:
    run = run_for(FakeClock(), 300)

    delay = attempt(run, response)

    assert (delay is not None, run.pacer("StartReplication").phase is not Phase.OPEN) == (
        throttled,
        throttled,
    )


@pytest.mark.parametrize(
    ("response", "burst", "phase"),
    [
        ((http(200), {}), 3, Phase.HOLD),
        ((http(400), {"Error": {"Code": "ValidationException"}}), 3, Phase.HOLD),  # refused, but admitted
        ((http(499), {}), 3, Phase.HOLD),
        ((http(500), {}), 1, Phase.SEARCH),  # no answer to learn from
        ((http(None), {}), 1, Phase.SEARCH),
        (None, 1, Phase.SEARCH),  # a timeout
    ],
    ids=["200", "400", "499", "500", "no-status", "none"],
)
def test_answers_below_500_were_admitted_the_others_teach_nothing(
    response: Any, burst: int, phase: Phase
) -> None:
    # Given three calls answered so, one after the other, then a throttled one
    clock = FakeClock()
    run = run_for(clock, 300)
    for _ in range(3):
        attempt(run, response)

    attempt(run, answer(429))

    # Then the burst the service let through counts only the admitted ones; no call waited for another
    pacer = run.pacer("StartReplication")
    assert (pacer.burst, pacer.phase) == (burst, phase)
    assert clock.waits == []


def test_the_burst_taken_is_at_most_max_concurrency() -> None:
    clock = FakeClock()
    run = Pacing(Deadline.after(300, clock=clock), max_burst=3, clock=clock, wait=clock.wait)
    for _ in range(5):
        attempt(run, answer(200))

    attempt(run, answer(429))

    assert run.pacer("StartReplication").burst == 3


def test_a_call_botocore_names_no_operation_for_is_paced_as_unknown() -> None:
    run = run_for(FakeClock(), 300)
    run._begin()
    run._before_send(PER_ATTEMPT)

    run._after_attempt(PER_ATTEMPT, response=answer(429), attempts=1)

    assert run.pacer("unknown").phase is Phase.SEARCH


def test_hooks_on_a_thread_with_no_call_begun_do_nothing() -> None:
    run = run_for(FakeClock(), 300)
    elsewhere: list[Any] = []

    def hooks() -> None:
        run._before_send(PER_ATTEMPT)
        elsewhere.append(run._after_attempt(PER_ATTEMPT, response=answer(429), attempts=1))

    thread = threading.Thread(target=hooks)
    thread.start()
    thread.join()

    assert elsewhere == [None]
    assert run.learned() == {}


# ---- the log line and the deadline -----------------------------------------------------------------


def pacing_line(**fields: Any) -> dict[str, Any]:
    """StartReplication's "DRS pacing" line, as CloudWatch gets it (less the time and location)."""
    base = {
        "level": "INFO",
        "message": "DRS pacing",
        "service": "drs-reprotect",
        "operation": "StartReplication",
    }
    return {**base, **fields}


def test_each_paced_operation_is_logged_with_its_attempts_and_throttles(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given StartReplication held at a kept 2 calls/s, three attempts of which one was throttled, and
    # DescribeSourceServers never throttled
    clock = FakeClock()
    run = run_for(clock, 300, seeds={"StartReplication": Limit(2, 1)})
    attempt(run, answer(200), operation="DescribeSourceServers")  # listed first: still not logged
    for response in (answer(200), answer(429), answer(200)):
        attempt(run, response)

    run.log()

    # Then one line, for StartReplication (its rate 95% of 2/s once throttled, to the hundredth)
    assert logged(caplog, "DRS pacing") == [
        pacing_line(phase="hold", rate=1.9, burst=1.0, attempts=3, throttled=1)
    ]


def test_a_searching_operation_is_logged_without_a_rate(caplog: pytest.LogCaptureFixture) -> None:
    run = run_for(FakeClock(), 300)
    attempt(run, answer(429))
    attempt(run, answer(429))

    run.log()

    # no rate: the search paces by interval
    assert logged(caplog, "DRS pacing") == [pacing_line(phase="search", burst=1.0, attempts=2, throttled=2)]


def test_a_turn_that_still_ends_in_time_is_waited_for_and_sent() -> None:
    # Given a run of 41 s (margin 20 s: every attempt must end by 31 s) and one call in 5 s
    clock = FakeClock()
    run = run_for(clock, 41, seeds={"StartReplication": Limit(0.2, 1)})
    attempt(run, answer(200))

    # When the next call asks at once: its turn at 5 s, its attempt ends at 6 s
    attempt(run, answer(200))

    assert clock.waits == pytest.approx([5.0])


def test_a_turn_is_waited_for_on_the_real_clock() -> None:
    # Given 20 calls/s kept from an earlier run, no burst, and the pacers' own wait
    run = Pacing(Deadline.after(300), max_burst=10, seeds={"StartReplication": Limit(20, 1)})
    sent: list[float] = []

    def two_calls() -> None:
        for _ in range(2):
            attempt(run, answer(200))
            sent.append(time.monotonic())

    thread = threading.Thread(target=two_calls, daemon=True)
    thread.start()
    thread.join(timeout=10)

    # Then the second went about 1/20 s after the first
    assert not thread.is_alive()
    assert sent[1] - sent[0] >= 0.04
