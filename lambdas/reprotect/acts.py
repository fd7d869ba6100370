"""The run's calls beyond StartReplication, carried out: StartSourceNetworkReplication on source
networks and ReverseReplication on recovery instances.

For one kind of call, `Acts` reads the targets' claims (`network#<id>`, `reverse#<id>`), asks
`targets.admit` about each, writes down what the run sets out to do (the run journal), and hands the
rest to the start workers: each claims its target with a lease, makes the call within the bound on
DRS calls in flight that StartReplication uses (`Starter.slots`), settles an answer that leaves it
open by asking DRS again, then confirms the claim (a hold) or releases it. The calls themselves are
`start_network` and `reverse`, through the workers' DRS client (`Services.starts`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect import targets as t
from reprotect.cooldown import RunClaim
from reprotect.deadline import Deadline
from reprotect.drs import error_code
from reprotect.holds import Cooling, Record
from reprotect.observability import logger
from reprotect.outcomes import Entry, Kind, Outcome, Reason
from reprotect.report import Tally
from reprotect.services import STORE_ERRORS, Cooldowns, Services
from reprotect.starter import Starter, tallied


def start_network(client: Any, network_id: str) -> str | None:
    """The tool's one StartSourceNetworkReplication call."""
    client.start_source_network_replication(sourceNetworkID=network_id)
    return None


def reverse(client: Any, instance_id: str) -> str | None:
    """The tool's one ReverseReplication call; the detail names the source server it created."""
    arn = client.reverse_replication(recoveryInstanceID=instance_id).get("reversedDirectionSourceServerArn")
    return f"new source server {arn}" if arn else None


def network_status(client: Any, network_id: str) -> str | None:
    """The network's replicationStatus as DRS shows it now; None when DRS no longer lists it."""
    items = client.describe_source_networks(filters={"sourceNetworkIDs": [network_id]}).get("items", [])
    return str(items[0].get("replicationStatus")) if items else None


def reverse_state(client: Any, instance_id: str) -> str | None:
    """The instance's reverse replication state as DRS shows it now; None when DRS no longer lists it."""
    items = client.describe_recovery_instances(filters={"recoveryInstanceIDs": [instance_id]}).get(
        "items", []
    )
    return str((items[0].get("dataReplicationInfo") or {}).get("dataReplicationState")) if items else None


@dataclass(frozen=True)
class Way:
    """How one kind of call is made, and how DRS is asked again what came of it."""

    call: Callable[[Any, str], str | None]
    state: Callable[[Any, str], str | None]


WAYS = {Kind.NETWORK: Way(start_network, network_status), Kind.INSTANCE: Way(reverse, reverse_state)}


@dataclass(frozen=True)
class Crew:
    """What every kind of call in a run shares: its clients and stores, the start workers, the tally,
    the deadline, the run's claim, and what earlier attempts of its event set out to do."""

    services: Services
    workers: Starter
    tally: Tally
    deadline: Deadline
    claim: RunClaim
    earlier: frozenset[str]


def note(tally: Tally, entry: Entry) -> None:
    """Tally a source network's or recovery instance's outcome and log it (healthy ones are counted)."""
    message = "Source network outcome" if entry.kind is Kind.NETWORK else "Recovery instance outcome"
    tallied(tally, entry, message, resource_id=entry.resource_id, related=entry.related)


class Acts:
    """One kind of call (`act`) on the targets the policy allows, capped at `cap` a run."""

    def __init__(self, act: t.Act, store: Cooldowns, crew: Crew, *, cap: int, dry_run: bool) -> None:
        self._act = act
        self._way = WAYS[act.kind]
        self._store = store
        self._crew = crew
        self._cap = cap
        self._dry_run = dry_run

    def admit(self, targets: list[t.Target]) -> None:
        """Judge every target by its claim, the cap, the deadline and dry run; act on the admitted."""
        if not targets:
            return
        try:
            records = self._store.read([target.resource_id for target in targets], int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not read claims", kind=self._act.kind, error_code=error_code(exc))
            self._hold(targets, exc)
            return
        admitted: list[t.Target] = []
        for target in targets:
            verdict = t.admit(
                target,
                hold=self._holding(records.get(target.resource_id)),
                admitted=len(admitted),
                cap=self._cap,
                deadline_reached=self._crew.deadline.reached(),
                dry_run=self._dry_run,
            )
            if isinstance(verdict, t.Target):
                admitted.append(verdict)
            else:
                note(self._crew.tally, verdict)
        self._launch(admitted)

    def _holding(self, item: Record | None) -> Cooling | None:
        """The hold that keeps this run away: none, or another event's (this event's unconfirmed
        lease is an earlier attempt's, which the claim takes over)."""
        hold = item.hold if item is not None else None
        return hold if hold is not None and hold.holds_against(self._crew.claim.key) else None

    def _launch(self, admitted: list[t.Target]) -> None:
        """Write down what this run sets out to do (the run record), then do it on the workers."""
        if not admitted:
            return
        try:
            self._crew.services.journal.intend([target.resource_id for target in admitted], int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not write the run journal", error_code=error_code(exc))
            self._hold(admitted, exc)
            return
        for target in admitted:
            self._crew.workers.run(partial(self._carry_out, target))

    def _hold(self, targets: list[t.Target], exc: Exception) -> None:
        for target in targets:
            note(self._crew.tally, t.store_failed(target, error_code(exc), str(exc)))

    def _carry_out(self, target: t.Target) -> None:
        note(self._crew.tally, self._attempt(target))

    def _in_time(self) -> bool:
        return self._crew.deadline.allows(self._crew.deadline.call_window)

    def _attempt(self, target: t.Target) -> Entry:
        crew = self._crew
        if crew.deadline.reached() or not self._in_time():
            return t.past_deadline(target)
        try:
            holder = self._store.claim(target.resource_id, crew.claim, int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not write a claim", resource_id=target.resource_id)
            return t.store_failed(target, error_code(exc), str(exc))
        if holder is not None:
            return t.held(target, holder)
        outcome = self._call(target)
        self._keep_or_release(target, outcome)
        return outcome

    def _call(self, target: t.Target) -> Entry:
        with self._crew.workers.slots:
            if not self._in_time():  # the claim waited for a slot; it is released after
                return t.past_deadline(target)
            try:
                detail = self._way.call(self._crew.services.starts, target.resource_id)
            except ClientError as exc:
                return self._after_refusal(target, exc)
            except BotoCoreError as exc:  # no answer: a timeout, a dropped or refused connection
                code = type(exc).__name__
                if decisions.ambiguous(code, None, retried=False):
                    return self._settle(target, code)
                return t.refused(target, code, str(exc))
            except Exception as exc:  # one target's failure never loses another's outcome
                logger.exception(
                    "Unexpected error", operation=self._act.operation, resource_id=target.resource_id
                )
                return t.refused(target, type(exc).__name__, str(exc))
        return t.started(target, detail)

    def _after_refusal(self, target: t.Target, exc: ClientError) -> Entry:
        code = error_code(exc)
        meta = exc.response.get("ResponseMetadata", {})
        # A 409 after an earlier attempt (botocore's, or this event's before a crash) may be its work.
        retried = meta.get("RetryAttempts", 0) > 0 or target.resource_id in self._crew.earlier
        if decisions.ambiguous(code, meta.get("HTTPStatusCode"), retried=retried):
            return self._settle(target, code)
        return t.refused(target, code, str(exc.response.get("Error", {}).get("Message") or exc))

    def _settle(self, target: t.Target, code: str) -> Entry:
        """Ask DRS again what became of a call whose answer leaves it open."""
        if not self._in_time():
            return t.unconfirmed(target, code)
        try:
            state = self._way.state(self._crew.services.starts, target.resource_id)
        except (ClientError, BotoCoreError):
            logger.warning(
                "Could not describe an ambiguous call's target again", resource_id=target.resource_id
            )
            return t.unconfirmed(target, code)
        return t.settled(target, code, state, earlier=target.resource_id in self._crew.earlier)

    def _keep_or_release(self, target: t.Target, outcome: Entry) -> None:
        crew, ident = self._crew, target.resource_id
        try:
            if outcome.outcome is Outcome.STARTED:
                self._store.confirm(ident, crew.claim, int(time.time()))  # the claim becomes the hold
            elif outcome.reason is not Reason.START_UNCONFIRMED and self._in_time():
                self._store.release(ident, crew.claim)  # a failed call does not hold its target
        except STORE_ERRORS:
            # An unconfirmed claim lasts until the run's lease ends; the outcome stands either way.
            logger.warning("Could not confirm or release a claim", resource_id=ident, outcome=outcome.outcome)
