"""Pure decisions about a candidate once the policy allows it: restart loops, cooldown, the
replicating-server limit, cap, deadline, and what an answer from DynamoDB or DRS means for it. Values
in, an outcome out; no I/O, no clock (`now` is given), no threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from reprotect import lifecycle
from reprotect.holds import Cooling, Record
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.selection import Candidate, Verdict

NOT_REACHED = "not reached before the invocation's deadline"
STARTED_EARLIER = "started by an earlier attempt of this event"
GONE = "deleted while the run was going"
UNREADABLE_ITEM = "UnreadableCooldownItem"
MAX_DETAIL = 200
_THROTTLED = frozenset({"ThrottlingException", "TooManyRequestsException"})
_LOST_ANSWERS = frozenset({"ReadTimeoutError", "ConnectionClosedError", "ResponseStreamingError"})

T = TypeVar("T", covariant=True)


class Subject(Protocol[T]):
    """What a run acts on: a server (`Candidate`), a source network or recovery instance (`Target`).
    The decisions shared by all of them take one and give its outcome."""

    def outcome(
        self,
        kind: Outcome,
        reason: Reason,
        detail: str | None = None,
        code: str | None = None,
        diagnosis: str | None = None,
    ) -> T: ...


@dataclass(frozen=True)
class Limits:
    """What bounds a run's starts: MAX_STARTS_PER_RUN; REPLICATING_SERVER_LIMIT with the servers that
    were replicating before the run (`replicating` None: not counted, so not bounded); and
    MAX_RESTARTS_PER_DAY (0: no limit)."""

    max_starts: int
    replicating_limit: int = 10_000
    replicating: int | None = None
    max_restarts: int = 0

    @property
    def places(self) -> int:
        """Starts the run may make: the cap, or fewer when the limit leaves fewer."""
        if self.replicating is None:
            return self.max_starts
        return min(self.max_starts, lifecycle.places(self.replicating_limit, self.replicating))

    def reached(self, starts_so_far: int) -> Reason | None:
        """Which bound `starts_so_far` reached: the replicating-server limit first, then the cap."""
        if self.replicating is not None and self.replicating + starts_so_far >= self.replicating_limit:
            return Reason.REPLICATING_LIMIT
        return Reason.MAX_STARTS if starts_so_far >= self.max_starts else None


def admit(
    candidate: Candidate,
    *,
    record: Record | None,
    limits: Limits,
    starts_so_far: int,
    now: int,
    deadline_reached: bool,
    dry_run: bool,
) -> Verdict:
    """The candidate itself when it is to be started now, else its outcome (would-start included).

    A restart loop is named before the cooldown: it needs a person, the cooldown only time.
    """
    record = record or Record()
    looping = lifecycle.flapping(record.starts, now, limits.max_restarts)
    if looping:
        return candidate.attention(Reason.FLAPPING, looping)
    if record.hold is not None:
        return held(candidate, record.hold, by="drs-reprotect")
    bound = limits.reached(starts_so_far)
    if bound or deadline_reached:
        return defer(candidate, bound, limits)
    if dry_run:
        return candidate.outcome(Outcome.WOULD_START, Reason.REPLICATION_STOPPED)
    return candidate


def takes_a_start(verdict: Verdict) -> bool:
    """Whether the verdict spends one of the run's MAX_STARTS_PER_RUN (a dry run's would-start does)."""
    return isinstance(verdict, Candidate) or verdict.outcome is Outcome.WOULD_START


def defer(candidate: Candidate, bound: Reason | None, limits: Limits) -> ServerOutcome:
    """Deferred to the next run: by the bound the run's starts reached, else by the deadline."""
    if bound is Reason.REPLICATING_LIMIT:
        detail = (
            f"REPLICATING_SERVER_LIMIT={limits.replicating_limit} reached"
            f" ({limits.replicating} servers were replicating before this run)"
        )
        return candidate.outcome(Outcome.DEFERRED, Reason.REPLICATING_LIMIT, detail)
    if bound is Reason.MAX_STARTS:
        detail = f"MAX_STARTS_PER_RUN={limits.max_starts} reached"
        return candidate.outcome(Outcome.DEFERRED, Reason.MAX_STARTS, detail)
    return past_deadline(candidate)


def past_deadline(subject: Subject[T]) -> T:
    return subject.outcome(Outcome.DEFERRED, Reason.DEADLINE, NOT_REACHED)


def held(candidate: Candidate, cooling: Cooling, *, by: str = "another run") -> ServerOutcome:
    """The table holds the server: a confirmed start's cooldown, another run's lease, or an item that
    cannot be read (then the server is not started: starting blind could restart it too soon)."""
    if cooling.problem:
        return store_failed(candidate, UNREADABLE_ITEM, cooling.problem)
    if cooling.confirmed:
        detail = f"started by {by}; cooldown until {cooling.until}"
    else:
        detail = f"being started by another run (its claim lasts until {cooling.until})"
    return candidate.outcome(Outcome.SKIPPED, Reason.COOLDOWN, detail)


def store_failed(subject: Subject[T], code: str, message: str) -> T:
    """Its cooldown or claim could not be read or written: acting blind could act twice too soon."""
    return subject.outcome(Outcome.FAILED, Reason.COOLDOWN_UNAVAILABLE, message[:MAX_DETAIL], code)


def failed_over(candidate: Candidate, detail: str) -> ServerOutcome:
    return candidate.outcome(Outcome.SKIPPED, Reason.FAILED_OVER, detail)


def lookup_failed(candidate: Candidate, code: str) -> ServerOutcome:
    """Its recovery instances could not be read: starting it could undo a failover, so it is not."""
    detail = f"DescribeRecoveryInstances failed ({code}): not started, it may have failed over"
    return candidate.outcome(Outcome.FAILED, Reason.RECOVERY_LOOKUP_FAILED, detail, code)


def uncounted(candidate: Candidate, *, describe_failed: bool) -> ServerOutcome:
    """Not started because the replicating servers could not all be counted (the limit needs them)."""
    if describe_failed:
        detail = "DescribeSourceServers failed before the replicating servers were counted"
        return candidate.outcome(Outcome.DEFERRED, Reason.DESCRIBE_FAILED, detail)
    return past_deadline(candidate)


def started(candidate: Candidate, detail: str | None = None) -> ServerOutcome:
    return candidate.outcome(Outcome.STARTED, Reason.REPLICATION_STOPPED, detail)


def ambiguous(code: str, status: int | None, retried: bool) -> bool:
    """Whether a StartReplication error leaves open that DRS did start the server: the answer was
    lost (a timeout, a dropped connection), DRS failed inside (5xx), or a retry found it no longer
    stopped (409) after an attempt that may have started it."""
    if code in _LOST_ANSWERS or (status is not None and status >= 500):
        return True
    return code == "ConflictException" and retried


def settled(candidate: Candidate, code: str, state: str | None, *, earlier: bool = False) -> ServerOutcome:
    """An ambiguous start, settled by describing the server again (`state` None: no longer known).
    `earlier`: an earlier attempt of this event set out to start it, so a start found is that one's."""
    if state is None:
        return candidate.outcome(Outcome.SKIPPED, Reason.NOT_FOUND, GONE, code)
    if state == "STOPPED":
        return candidate.outcome(
            Outcome.FAILED,
            Reason.START_FAILED,
            f"StartReplication answered {code}; the server is still STOPPED",
            code,
        )
    if earlier and code == "ConflictException":
        return started(candidate, STARTED_EARLIER)
    return started(candidate, f"StartReplication answered {code}, but DRS shows the server {state}")


def unconfirmed(candidate: Candidate, code: str) -> ServerOutcome:
    """An ambiguous start that could not be settled: a person should look (its claim is kept)."""
    detail = f"StartReplication answered {code} and the server could not be described again in time"
    return candidate.attention(Reason.START_UNCONFIRMED, detail, code)


def start_refused(
    subject: Subject[T], code: str, message: str, *, conflict: Reason = Reason.NO_LONGER_STOPPED
) -> T:
    """What an error answer to the call (after botocore's retries) means for its subject. `conflict`:
    what a ConflictException says, that the call is no longer needed."""
    if code == "ConflictException":
        return subject.outcome(Outcome.SKIPPED, conflict, message[:MAX_DETAIL], code)
    if code == "ResourceNotFoundException":
        return subject.outcome(Outcome.SKIPPED, Reason.NOT_FOUND, GONE, code)
    if code in _THROTTLED:
        return subject.outcome(Outcome.DEFERRED, Reason.THROTTLED, "still throttled after retries", code)
    return subject.outcome(Outcome.FAILED, Reason.START_FAILED, message[:MAX_DETAIL], code)


def not_described(server_id: str, *, sweep_complete: bool, describe_failed: bool = False) -> ServerOutcome:
    """A requested id the describe calls never returned: unknown to DRS, or not reached."""
    if describe_failed:
        detail = "DescribeSourceServers failed before reaching it"
        return ServerOutcome(server_id, None, Outcome.DEFERRED, Reason.DESCRIBE_FAILED, detail)
    if sweep_complete:
        return ServerOutcome(server_id, None, Outcome.SKIPPED, Reason.NOT_FOUND, "DRS does not know this id")
    return ServerOutcome(server_id, None, Outcome.DEFERRED, Reason.DEADLINE, NOT_REACHED)
