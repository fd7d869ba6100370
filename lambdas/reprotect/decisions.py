"""Pure decisions about a candidate once the policy allows it: cooldown, cap, deadline, and what an
answer from DynamoDB or DRS means for it. Values in, an outcome out; no I/O, no clock, no threads."""

from __future__ import annotations

from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.selection import Candidate, Verdict

NOT_REACHED = "not reached before the invocation's deadline"
MAX_DETAIL = 200
_THROTTLED = frozenset({"ThrottlingException", "TooManyRequestsException"})


def admit(
    candidate: Candidate,
    *,
    cooling_until: str | None,
    starts_so_far: int,
    max_starts: int,
    deadline_reached: bool,
    dry_run: bool,
) -> Verdict:
    """The candidate itself when it is to be started now, else its outcome (would-start included)."""
    if cooling_until:
        return candidate.outcome(
            Outcome.SKIPPED, Reason.COOLDOWN, f"started by drs-reprotect; cooldown until {cooling_until}"
        )
    if starts_so_far >= max_starts or deadline_reached:
        return defer(candidate, cap_reached=starts_so_far >= max_starts, max_starts=max_starts)
    if dry_run:
        return candidate.outcome(Outcome.WOULD_START, Reason.REPLICATION_STOPPED)
    return candidate


def takes_a_start(verdict: Verdict) -> bool:
    """Whether the verdict spends one of the run's MAX_STARTS_PER_RUN (a dry run's would-start does)."""
    return isinstance(verdict, Candidate) or verdict.outcome is Outcome.WOULD_START


def defer(candidate: Candidate, *, cap_reached: bool, max_starts: int) -> ServerOutcome:
    if cap_reached:
        return candidate.outcome(
            Outcome.DEFERRED, Reason.MAX_STARTS, f"MAX_STARTS_PER_RUN={max_starts} reached"
        )
    return past_deadline(candidate)


def past_deadline(candidate: Candidate) -> ServerOutcome:
    return candidate.outcome(Outcome.DEFERRED, Reason.DEADLINE, NOT_REACHED)


def claimed_elsewhere(candidate: Candidate, until: str) -> ServerOutcome:
    """Another run's claim won the conditional write: that run is starting it."""
    return candidate.outcome(
        Outcome.SKIPPED, Reason.COOLDOWN, f"started by another run; cooldown until {until}"
    )


def store_failed(candidate: Candidate, code: str, message: str) -> ServerOutcome:
    """The cooldown could not be read or written: starting blind could restart it too soon."""
    return candidate.outcome(Outcome.FAILED, Reason.COOLDOWN_UNAVAILABLE, message[:MAX_DETAIL], code)


def started(candidate: Candidate) -> ServerOutcome:
    return candidate.outcome(Outcome.STARTED, Reason.REPLICATION_STOPPED)


def start_refused(candidate: Candidate, code: str, message: str) -> ServerOutcome:
    """What a StartReplication error answer (after botocore's retries) means for the server."""
    if code == "ConflictException":
        return candidate.outcome(Outcome.SKIPPED, Reason.NO_LONGER_STOPPED, message[:MAX_DETAIL], code)
    if code == "ResourceNotFoundException":
        return candidate.outcome(Outcome.SKIPPED, Reason.NOT_FOUND, "deleted while the run was going", code)
    if code in _THROTTLED:
        return candidate.outcome(Outcome.DEFERRED, Reason.THROTTLED, "still throttled after retries", code)
    return candidate.outcome(Outcome.FAILED, Reason.START_FAILED, message[:MAX_DETAIL], code)


def not_described(server_id: str, *, sweep_complete: bool) -> ServerOutcome:
    """A requested id the describe calls never returned: unknown to DRS, or not reached in time."""
    if sweep_complete:
        return ServerOutcome(server_id, None, Outcome.SKIPPED, Reason.NOT_FOUND, "DRS does not know this id")
    return ServerOutcome(server_id, None, Outcome.DEFERRED, Reason.DEADLINE, NOT_REACHED)
