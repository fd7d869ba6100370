"""The workers' side of a run: claim a server's cooldown, call StartReplication within
MAX_CONCURRENCY, and say what came of it. The run's cap is counted here too (StartBudget)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect.deadline import Deadline
from reprotect.drs import error_code
from reprotect.observability import logger
from reprotect.outcomes import Outcome, ServerOutcome
from reprotect.report import Tally
from reprotect.selection import Candidate

STORE_ERRORS = (ClientError, BotoCoreError)
_WAIT_SLICE = 0.5  # seconds between deadline checks while waiting for a place under the cap


class Cooldowns(Protocol):
    """The cooldown store (cooldown.CooldownStore, or cooldown.NoCooldown without a table)."""

    def active(self, server_ids: list[str], now: int) -> dict[str, str]: ...
    def claim(self, server_id: str, run_id: str, now: int) -> str | None: ...
    def release(self, server_id: str, run_id: str) -> None: ...


@dataclass(frozen=True)
class Services:
    """What a run talks to: the run's DRS client and the cooldown store."""

    drs: Any
    cooldown: Cooldowns


def record(tally: Tally, outcome: ServerOutcome) -> None:
    """Tally an outcome and log it (one line per server action; healthy servers are only counted)."""
    tally.add(outcome)
    if outcome.outcome is not Outcome.HEALTHY:
        logger.info(
            "Server outcome",
            source_server_id=outcome.source_server_id,
            hostname=outcome.hostname,
            outcome=outcome.outcome,
            reason=outcome.reason,
            detail=outcome.detail,
            error_code=outcome.error_code,
        )


class StartBudget:
    """MAX_STARTS_PER_RUN, spent only by what this run really starts.

    A place is held from admission until the start settles; a start that loses its claim to another
    run, fails or is deferred gives its place back. So overlapping runs never spend each other's cap,
    and the cap is named as the reason only when this run's own starts reached it.
    """

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._started = 0
        self._in_flight = 0
        self._changed = threading.Condition()

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


class Starter:
    """The workers' side: claim the cooldown, call StartReplication within MAX_CONCURRENCY, settle.

    Twice as many workers as DRS calls allowed: while MAX_CONCURRENCY workers are in StartReplication,
    the others write their cooldown claims, so no DRS slot waits on DynamoDB.
    """

    def __init__(
        self,
        max_concurrency: int,
        services: Services,
        budget: StartBudget,
        tally: Tally,
        run_id: str,
        deadline: Deadline,
    ) -> None:
        self._drs = services.drs
        self._budget = budget
        self._cooldown = services.cooldown
        self._tally = tally
        self._run_id = run_id
        self._deadline = deadline
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pool = ThreadPoolExecutor(max_workers=2 * max_concurrency, thread_name_prefix="start")
        self._futures: list[Future[None]] = []

    def submit(self, candidate: Candidate) -> None:
        self._futures.append(self._pool.submit(self._start, candidate))

    def finish(self) -> None:
        """Wait for every submitted start, so each has exactly one outcome."""
        for future in self._futures:
            future.result()
        self._pool.shutdown(wait=True)

    def _start(self, candidate: Candidate) -> None:
        outcome = self._attempt(candidate)
        self._budget.settle(started=outcome.outcome is Outcome.STARTED)
        record(self._tally, outcome)

    def _attempt(self, candidate: Candidate) -> ServerOutcome:
        if self._deadline.reached():
            return decisions.past_deadline(candidate)
        sid = candidate.source_server_id
        try:
            lost_to = self._cooldown.claim(sid, self._run_id, int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not write a cooldown claim", source_server_id=sid)
            return decisions.store_failed(candidate, error_code(exc), str(exc))
        if lost_to:
            return decisions.claimed_elsewhere(candidate, lost_to)
        outcome = self._call(candidate)
        if outcome.outcome is not Outcome.STARTED:  # a started server keeps its claim: that is the cooldown
            self._release(sid)
        return outcome

    def _call(self, candidate: Candidate) -> ServerOutcome:
        with self._slots:
            if self._deadline.reached():  # the claim waited for a slot; the caller releases it
                return decisions.past_deadline(candidate)
            try:
                self._drs.start_replication(sourceServerID=candidate.source_server_id)
            except ClientError as exc:
                message = str(exc.response.get("Error", {}).get("Message") or exc)
                return decisions.start_refused(candidate, error_code(exc), message)
            except Exception as exc:  # one server's failure never loses another's outcome
                logger.exception(
                    "Unexpected error starting replication", source_server_id=candidate.source_server_id
                )
                return decisions.start_refused(candidate, type(exc).__name__, str(exc))
        return decisions.started(candidate)

    def _release(self, server_id: str) -> None:
        try:
            self._cooldown.release(server_id, self._run_id)
        except STORE_ERRORS:
            # The claim then simply lasts its cooldown; the outcome is already recorded.
            logger.warning("Could not release a cooldown claim", source_server_id=server_id)
