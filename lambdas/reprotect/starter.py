"""The workers' side of a run: claim a server, call StartReplication within MAX_CONCURRENCY, settle
what the answer means, keep or drop the claim, and say what came of it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect.budget import StartBudget
from reprotect.cooldown import RunClaim
from reprotect.deadline import Deadline
from reprotect.drs import error_code
from reprotect.observability import logger
from reprotect.outcomes import Entry, Outcome, Reason, ServerOutcome
from reprotect.report import Tally
from reprotect.selection import Candidate
from reprotect.services import STORE_ERRORS, Services


def tallied(tally: Tally, outcome: ServerOutcome | Entry, message: str, **identity: Any) -> None:
    """Tally an outcome and log it as `message` with what it is about (one line per action; healthy
    ones are only counted)."""
    tally.add(outcome)
    if outcome.outcome is not Outcome.HEALTHY:
        logger.info(
            message,
            **identity,
            outcome=outcome.outcome,
            reason=outcome.reason,
            detail=outcome.detail,
            error_code=outcome.error_code,
        )


def record(tally: Tally, outcome: ServerOutcome) -> None:
    """Tally a server's outcome and log it."""
    tallied(
        tally, outcome, "Server outcome", source_server_id=outcome.source_server_id, hostname=outcome.hostname
    )


class Starter:
    """Starts admitted servers on a pool of workers.

    Twice as many workers as DRS calls allowed: while MAX_CONCURRENCY workers are in StartReplication,
    the others write their claims, so no DRS slot waits on DynamoDB. Each step (claim, start, settle,
    release) is begun only if it can end before the deadline's wrap-up.
    """

    _futures: list[Future[None]]

    def __init__(
        self,
        max_concurrency: int,
        services: Services,
        budget: StartBudget,
        tally: Tally,
        run: RunClaim,
        deadline: Deadline,
        earlier: frozenset[str] = frozenset(),
    ) -> None:
        self._services = services
        self._earlier = earlier  # what earlier attempts of this event set out to start
        self._budget = budget
        self._tally = tally
        self._run = run
        self._deadline = deadline
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pool = ThreadPoolExecutor(max_workers=2 * max_concurrency, thread_name_prefix="start")
        self._futures = []

    def submit(self, candidate: Candidate) -> None:
        self._futures.append(self._pool.submit(self._start, candidate))

    def run(self, task: Callable[[], None]) -> None:
        """Run `task` on these workers: the run's other calls (a source network's start, a reversal)
        share them, and `finish` waits for it too."""
        self._futures.append(self._pool.submit(task))

    @property
    def slots(self) -> threading.BoundedSemaphore:
        """The bound on DRS calls in flight (MAX_CONCURRENCY), held around every start of any kind."""
        return self._slots

    def finish(self) -> None:
        """Wait for every submitted start, so each has exactly one outcome."""
        for future in self._futures:
            future.result()
        self._pool.shutdown(wait=True)

    def _start(self, candidate: Candidate) -> None:
        outcome = self._attempt(candidate)
        self._budget.settle(started=outcome.outcome is Outcome.STARTED)
        record(self._tally, outcome)

    def _in_time(self) -> bool:
        return self._deadline.allows(self._deadline.call_window)

    def _attempt(self, candidate: Candidate) -> ServerOutcome:
        if self._deadline.reached() or not self._in_time():
            return decisions.past_deadline(candidate)
        sid = candidate.source_server_id
        try:
            holder = self._services.cooldown.claim(sid, self._run, int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not write a cooldown claim", source_server_id=sid)
            return decisions.store_failed(candidate, error_code(exc), str(exc))
        if holder is not None:
            return decisions.held(candidate, holder)
        outcome = self._call(candidate)
        self._keep_or_release(candidate, outcome)
        return outcome

    def _call(self, candidate: Candidate) -> ServerOutcome:
        with self._slots:
            if not self._in_time():  # the claim waited for a slot; it is released after
                return decisions.past_deadline(candidate)
            try:
                self._services.starts.start_replication(sourceServerID=candidate.source_server_id)
            except ClientError as exc:
                return self._after_refusal(candidate, exc)
            except BotoCoreError as exc:  # no answer: a timeout, a dropped or refused connection
                code = type(exc).__name__
                if decisions.ambiguous(code, None, retried=False):
                    return self._settle(candidate, code)
                return decisions.start_refused(candidate, code, str(exc))
            except Exception as exc:  # one server's failure never loses another's outcome
                logger.exception(
                    "Unexpected error starting replication", source_server_id=candidate.source_server_id
                )
                return decisions.start_refused(candidate, type(exc).__name__, str(exc))
        return decisions.started(candidate)

    def _after_refusal(self, candidate: Candidate, exc: ClientError) -> ServerOutcome:
        code = error_code(exc)
        meta = exc.response.get("ResponseMetadata", {})
        # A 409 after an earlier attempt (botocore's, or this event's before a crash) may mean that
        # attempt's start landed.
        retried = meta.get("RetryAttempts", 0) > 0 or candidate.source_server_id in self._earlier
        if decisions.ambiguous(code, meta.get("HTTPStatusCode"), retried=retried):
            return self._settle(candidate, code)
        message = str(exc.response.get("Error", {}).get("Message") or exc)
        return decisions.start_refused(candidate, code, message)

    def _settle(self, candidate: Candidate, code: str) -> ServerOutcome:
        """Ask DRS again what became of a start whose answer leaves it open."""
        if not self._in_time():
            return decisions.unconfirmed(candidate, code)
        try:
            page = self._services.starts.describe_source_servers(
                filters={"sourceServerIDs": [candidate.source_server_id]}
            )
        except (ClientError, BotoCoreError):
            logger.warning(
                "Could not describe an ambiguous start again", source_server_id=candidate.source_server_id
            )
            return decisions.unconfirmed(candidate, code)
        states = [
            (s.get("dataReplicationInfo") or {}).get("dataReplicationState") for s in page.get("items", [])
        ]
        earlier = candidate.source_server_id in self._earlier
        return decisions.settled(candidate, code, str(states[0]) if states else None, earlier=earlier)

    def _keep_or_release(self, candidate: Candidate, outcome: ServerOutcome) -> None:
        sid = candidate.source_server_id
        try:
            if outcome.outcome is Outcome.STARTED:
                self._services.cooldown.confirm(sid, self._run, int(time.time()))  # the claim is the cooldown
            elif outcome.reason is not Reason.START_UNCONFIRMED and self._in_time():
                self._services.cooldown.release(sid, self._run)  # a failed attempt does not count
        except STORE_ERRORS:
            # An unconfirmed claim lasts until the run's lease ends; the outcome stands either way.
            logger.warning(
                "Could not confirm or release a claim", source_server_id=sid, outcome=outcome.outcome
            )
