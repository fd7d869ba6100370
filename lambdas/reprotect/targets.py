"""Pure decisions about the run's calls beyond StartReplication: StartSourceNetworkReplication on a
stopped source network, ReverseReplication on an unprotected recovery instance. As `decisions` does for
servers: values in (the table's hold, the run's count, the deadline, DRS's answer), an outcome out.

An `Act` is one such call: its operation, the state in which DRS shows it has not taken effect, and
what the report calls it. A `Target` is one network or instance the policy allows it on.
"""

from __future__ import annotations

from dataclasses import dataclass

from reprotect.decisions import (
    GONE,
    MAX_DETAIL,
    STARTED_EARLIER,
    UNREADABLE_ITEM,
    past_deadline,
    start_refused,
    store_failed,
)
from reprotect.diagnosis import diagnose_kind
from reprotect.holds import Cooling
from reprotect.outcomes import Entry, Kind, Outcome, Reason


@dataclass(frozen=True)
class Act:
    kind: Kind
    operation: str  # the DRS call
    idle: str  # the state in which DRS shows the call has not taken effect
    started: Reason  # what a started (or would-start) entry says
    conflict: Reason  # what a ConflictException means: the call is no longer needed


NETWORK_START = Act(
    Kind.NETWORK,
    "StartSourceNetworkReplication",
    "STOPPED",
    Reason.REPLICATION_STOPPED,
    Reason.NO_LONGER_STOPPED,
)
REVERSAL = Act(
    Kind.INSTANCE, "ReverseReplication", "NOT_STARTED", Reason.REVERSE_REPLICATION, Reason.ALREADY_REVERSED
)


@dataclass(frozen=True)
class Target:
    """A network or recovery instance the policy allows `act` on, unless its hold, the cap or the
    deadline say no. `related` is the network's VPC or the instance's source server."""

    act: Act
    resource_id: str
    related: str | None

    def outcome(
        self,
        kind: Outcome,
        reason: Reason,
        detail: str | None = None,
        code: str | None = None,
        diagnosis: str | None = None,
    ) -> Entry:
        return Entry(self.act.kind, self.resource_id, self.related, kind, reason, detail, code, diagnosis)

    def attention(self, reason: Reason, detail: str, code: str | None = None) -> Entry:
        """Needs a person: the entry carries the diagnosis for its kind and reason."""
        return self.outcome(
            Outcome.ATTENTION, reason, detail[:MAX_DETAIL], code, diagnose_kind(self.act.kind, reason)
        )


def admit(
    target: Target, *, hold: Cooling | None, admitted: int, cap: int, deadline_reached: bool, dry_run: bool
) -> Target | Entry:
    """The target itself when the call is to be made now, else its outcome (would-start included).
    `admitted`: targets of this kind the run already set out to act on; `cap`: MAX_STARTS_PER_RUN."""
    if hold is not None:
        return held(target, hold)
    if admitted >= cap:
        return target.outcome(Outcome.DEFERRED, Reason.MAX_STARTS, f"MAX_STARTS_PER_RUN={cap} reached")
    if deadline_reached:
        return past_deadline(target)
    if dry_run:
        return target.outcome(Outcome.WOULD_START, target.act.started)
    return target


def held(target: Target, cooling: Cooling) -> Entry:
    """The table holds it: a confirmed call's hold, another run's lease, or an unreadable item."""
    if cooling.problem:
        return store_failed(target, UNREADABLE_ITEM, cooling.problem)
    if cooling.confirmed:
        detail = f"{target.act.operation} called by drs-reprotect; not again until {cooling.until}"
    else:
        detail = f"being acted on by another run (its claim lasts until {cooling.until})"
    return target.outcome(Outcome.SKIPPED, Reason.COOLDOWN, detail)


def refused(target: Target, code: str, message: str) -> Entry:
    """What an error answer (after botocore's retries) means for the target."""
    return start_refused(target, code, message, conflict=target.act.conflict)


def started(target: Target, detail: str | None = None) -> Entry:
    return target.outcome(Outcome.STARTED, target.act.started, detail)


def settled(target: Target, code: str, state: str | None, *, earlier: bool = False) -> Entry:
    """An ambiguous answer, settled by describing the target again (`state` None: DRS no longer
    lists it). `earlier`: an earlier attempt of this event set out to call, so a call found is its."""
    act = target.act
    if state is None:
        return target.outcome(Outcome.SKIPPED, Reason.NOT_FOUND, GONE, code)
    if state == act.idle:
        detail = f"{act.operation} answered {code}; DRS still shows {act.idle}"
        return target.outcome(Outcome.FAILED, Reason.START_FAILED, detail, code)
    if earlier and code == "ConflictException":
        return started(target, STARTED_EARLIER)
    return started(target, f"{act.operation} answered {code}, but DRS shows {state}")


def unconfirmed(target: Target, code: str) -> Entry:
    """An ambiguous answer that could not be settled: a person should look (its claim is kept)."""
    detail = f"{target.act.operation} answered {code} and DRS could not be asked again in time"
    return target.attention(Reason.START_UNCONFIRMED, detail, code)
