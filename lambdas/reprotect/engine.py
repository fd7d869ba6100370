"""One run, carried out: page through DRS, ask the pure decisions about each server, start the ones
they allow on a small pool of threads, and tally every outcome. The decisions live in `selection`
(policy) and `decisions` (cooldown, cap, deadline, answers); this module only owns threads and I/O."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.drs import describe_pages, error_code
from reprotect.events import RunRequest
from reprotect.observability import logger
from reprotect.outcomes import Outcome, ServerOutcome
from reprotect.report import Report, RunError, RunInfo, Tally
from reprotect.selection import Candidate, classify

COOLDOWN_BATCH = 100  # keys in one BatchGetItem
_ACCOUNT_ERRORS = {"UninitializedAccountException", "AccessDeniedException", "UnrecognizedClientException"}
_STORE_ERRORS = (ClientError, BotoCoreError)


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


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run(
    request: RunRequest,
    config: Config,
    services: Services,
    *,
    run_id: str,
    deadline: Deadline,
    account: str | None = None,
) -> Report:
    """Carry out one run and return its full report; account-level failures land in `error`."""
    began = time.monotonic()
    info = RunInfo(run_id, request.trigger, config.dry_run, services.drs.meta.region_name, account, now_iso())
    tally = Tally()
    starter = Starter(config.max_concurrency, services, tally, run_id, deadline)
    try:
        Sweep(config, services.cooldown, starter, tally, deadline).run(services.drs, request.server_ids)
    except (ClientError, BotoCoreError) as exc:  # the account, credentials or endpoint: not one server
        code = error_code(exc)
        tally.error = RunError(code, str(exc))
        log = logger.error if code in _ACCOUNT_ERRORS else logger.exception
        log("Run failed as a whole", error_code=code)
    finally:
        starter.finish()
    return tally.report(info, finished_at=now_iso(), duration_ms=int((time.monotonic() - began) * 1000))


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


class Sweep:
    """The pager's side: describe, classify, read cooldowns, admit; started servers go to the Starter."""

    def __init__(
        self, config: Config, cooldown: Cooldowns, starter: Starter, tally: Tally, deadline: Deadline
    ) -> None:
        self._config = config
        self._cooldown = cooldown
        self._starter = starter
        self._tally = tally
        self._deadline = deadline
        self._starts = 0  # admitted this run: started or would-start
        self._seen: set[str] = set()

    def run(self, drs: Any, server_ids: tuple[str, ...] | None) -> None:
        for page in describe_pages(drs, server_ids):
            self._page(page)
            del page  # let this page's servers go before the next page is parsed
            if self._deadline.reached():  # describing on would find servers we cannot start in time
                self._tally.sweep_complete = False
                break
        for server_id in server_ids or ():
            if server_id not in self._seen:
                complete = self._tally.sweep_complete
                record(self._tally, decisions.not_described(server_id, sweep_complete=complete))

    def _page(self, page: list[dict[str, Any]]) -> None:
        if self._tally.account is None and page:
            self._tally.account = _account_of(page[0].get("arn"))
        candidates = []
        for server in page:
            if server["sourceServerID"] in self._seen:  # a server that moved between pages is judged once
                continue
            self._seen.add(server["sourceServerID"])
            verdict = classify(server, self._config)
            if isinstance(verdict, Candidate):
                candidates.append(verdict)
            else:
                record(self._tally, verdict)
        self._dispatch(candidates)

    def _dispatch(self, pending: list[Candidate]) -> None:
        # Cooldowns are read a batch at a time, and only while the run may still start servers: a
        # server deferred by the cap or the deadline costs no DynamoDB request, and the first starts
        # need not wait for the whole page's cooldowns.
        cap = self._config.max_starts_per_run
        while pending:
            room = cap - self._starts
            if room <= 0 or self._deadline.reached():
                for candidate in pending:
                    record(self._tally, decisions.defer(candidate, cap_reached=room <= 0, max_starts=cap))
                return
            size = min(room, COOLDOWN_BATCH)
            batch, pending = pending[:size], pending[size:]
            try:
                cooling = self._cooldown.active([c.source_server_id for c in batch], int(time.time()))
            except _STORE_ERRORS as exc:
                # Starting without knowing the cooldowns could restart a server too soon: hold them all.
                logger.exception("Could not read cooldowns", error_code=error_code(exc))
                for candidate in batch + pending:
                    record(self._tally, decisions.store_failed(candidate, error_code(exc), str(exc)))
                return
            for candidate in batch:
                self._admit(candidate, cooling.get(candidate.source_server_id))

    def _admit(self, candidate: Candidate, cooling_until: str | None) -> None:
        verdict = decisions.admit(
            candidate,
            cooling_until=cooling_until,
            starts_so_far=self._starts,
            max_starts=self._config.max_starts_per_run,
            deadline_reached=self._deadline.reached(),
            dry_run=self._config.dry_run,
        )
        if decisions.takes_a_start(verdict):
            self._starts += 1
        if isinstance(verdict, Candidate):
            self._starter.submit(verdict)
        else:
            record(self._tally, verdict)


class Starter:
    """The workers' side: claim the cooldown, call StartReplication within MAX_CONCURRENCY, settle.

    Twice as many workers as DRS calls allowed: while MAX_CONCURRENCY workers are in StartReplication,
    the others write their cooldown claims, so no DRS slot waits on DynamoDB.
    """

    def __init__(
        self, max_concurrency: int, services: Services, tally: Tally, run_id: str, deadline: Deadline
    ) -> None:
        self._drs = services.drs
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
        if self._deadline.reached():
            record(self._tally, decisions.past_deadline(candidate))
            return
        sid = candidate.source_server_id
        try:
            lost_to = self._cooldown.claim(sid, self._run_id, int(time.time()))
        except _STORE_ERRORS as exc:
            logger.exception("Could not write a cooldown claim", source_server_id=sid)
            record(self._tally, decisions.store_failed(candidate, error_code(exc), str(exc)))
            return
        if lost_to:
            record(self._tally, decisions.claimed_elsewhere(candidate, lost_to))
            return
        outcome = self._call(candidate)
        if outcome.outcome is not Outcome.STARTED:  # a started server keeps its claim: that is the cooldown
            self._release(sid)
        record(self._tally, outcome)

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
        except _STORE_ERRORS:
            # The claim then simply lasts its cooldown; the outcome is already recorded.
            logger.warning("Could not release a cooldown claim", source_server_id=server_id)


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None
