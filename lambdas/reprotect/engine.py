"""One run: page through DRS, decide per server, start the eligible ones concurrently, report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from reprotect import drs
from reprotect.config import Config
from reprotect.cooldown import CooldownStore
from reprotect.drs import describe_pages, error_code
from reprotect.events import RunRequest
from reprotect.observability import SERVICE
from reprotect.outcomes import (
    DEFERRED,
    FAILED,
    SKIPPED,
    STARTED,
    WOULD_START,
    Reason,
    ServerOutcome,
)
from reprotect.report import Report
from reprotect.selection import classify

logger = Logger(service=SERVICE, child=True)

# Stop launching calls and reading pages when the invocation has less than the margin left: a fifth
# of the time the run began with, within these bounds. Throttled calls in flight stop waiting for
# DRS's hint at half the margin, which leaves the rest for botocore's own short retries and for
# publishing the report.
MIN_MARGIN_MS = 10_000
MAX_MARGIN_MS = 60_000
COOLDOWN_BATCH = 100  # keys in one BatchGetItem
_NOT_REACHED = "not reached before the invocation's deadline"
_ACCOUNT_ERRORS = {"UninitializedAccountException", "AccessDeniedException", "UnrecognizedClientException"}


@dataclass
class Services:
    """The AWS clients a run uses; `cooldown` is None when no table is configured (the CLI)."""

    drs: Any
    cooldown: CooldownStore | None


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def run(
    request: RunRequest,
    config: Config,
    services: Services,
    *,
    run_id: str,
    account: str | None = None,
    remaining_ms: Callable[[], int] | None = None,
) -> Report:
    """Carry out one run and return its full report; account-level failures land in `error`."""
    started = time.monotonic()
    report = Report(
        run_id=run_id,
        trigger=request.trigger.to_dict(),
        dry_run=config.dry_run,
        region=services.drs.meta.region_name,
        account=account,
        started_at=_now_iso(),
    )
    sweep = _Sweep(config, services, report, run_id, remaining_ms or (lambda: 1 << 30))
    try:
        sweep.run(request.server_ids)
    except ClientError as exc:
        code = error_code(exc)
        report.error = {"code": code, "message": str(exc)}
        log = logger.error if code in _ACCOUNT_ERRORS else logger.exception
        log("Run failed as a whole", error_code=code)
    except BotoCoreError as exc:  # endpoint unreachable, credentials missing
        report.error = {"code": type(exc).__name__, "message": str(exc)}
        logger.exception("Run failed as a whole", error_code=type(exc).__name__)
    finally:
        sweep.finish()
    report.finished_at = _now_iso()
    report.duration_ms = int((time.monotonic() - started) * 1000)
    return report


class _Sweep:
    def __init__(
        self, config: Config, services: Services, report: Report, run_id: str, remaining_ms: Callable[[], int]
    ) -> None:
        self._config = config
        self._drs = services.drs
        self._cooldown = services.cooldown
        self._report = report
        self._run_id = run_id
        self._remaining_ms = remaining_ms
        self._lock = threading.Lock()
        self._launched = 0
        # Twice as many workers as DRS calls allowed: while MAX_CONCURRENCY workers are in
        # StartReplication, the others write their cooldown claims, so no DRS slot waits on DynamoDB.
        budget = remaining_ms()
        self._margin_ms = min(MAX_MARGIN_MS, max(MIN_MARGIN_MS, budget // 5))
        wait_until = time.monotonic() + (budget - self._margin_ms // 2) / 1000
        drs.stop_waiting_at(wait_until)  # the pager's thread
        self._pool = ThreadPoolExecutor(
            max_workers=2 * config.max_concurrency,
            thread_name_prefix="start",
            initializer=drs.stop_waiting_at,
            initargs=(wait_until,),
        )
        self._drs_slots = threading.BoundedSemaphore(config.max_concurrency)
        self._futures: list[Future[None]] = []
        self._seen: set[str] = set()
        self._cooldown_error: Exception | None = None

    def run(self, server_ids: tuple[str, ...] | None) -> None:
        for page in describe_pages(self._drs, server_ids):
            if self._report.account is None and page:
                self._report.account = _account_of(page[0].get("arn"))
            candidates = []
            for server in page:
                sid = server["sourceServerID"]
                if sid in self._seen:  # a server that moved between pages is judged once
                    continue
                self._seen.add(sid)
                decision = classify(server, self._config)
                if decision.outcome == STARTED:
                    candidates.append(decision)
                else:
                    self._record(decision)
            if candidates:
                self._dispatch(candidates)
            del page, candidates  # let this page's servers go before the next page is parsed
            if self._past_deadline():
                # Describing on would only find servers we could not start in time.
                self._report.sweep_complete = False
                break
        if server_ids is not None:
            for sid in server_ids:
                if sid in self._seen:
                    continue
                if self._report.sweep_complete:
                    self._record(
                        ServerOutcome(sid, None, SKIPPED, Reason.NOT_FOUND, "DRS does not know this id")
                    )
                else:
                    self._record(ServerOutcome(sid, None, DEFERRED, Reason.DEADLINE, _NOT_REACHED))
            self._report.sweep_complete = True

    def _dispatch(self, candidates: list[ServerOutcome]) -> None:
        # Cooldowns are read a batch at a time, and only while the run may still start servers: a
        # server deferred by the cap or the deadline costs no DynamoDB request, and the first starts
        # need not wait for the whole page's cooldowns.
        pending = list(candidates)
        while pending:
            room = self._config.max_starts_per_run - self._launched
            if room <= 0 or self._past_deadline():
                for candidate in pending:
                    self._defer(candidate)
                return
            batch, pending = pending[: min(room, COOLDOWN_BATCH)], pending[min(room, COOLDOWN_BATCH) :]
            if not self._launch(batch):
                for candidate in pending:
                    self._hold(candidate, self._cooldown_error)
                return

    def _launch(self, batch: list[ServerOutcome]) -> bool:
        """Start (or skip) one batch; False when the cooldowns could not be read."""
        cooling: dict[str, str] = {}
        if self._cooldown:
            try:
                cooling = self._cooldown.active([c.source_server_id for c in batch], int(time.time()))
            except (ClientError, BotoCoreError) as exc:
                # Starting without knowing the cooldowns could restart a server too soon: hold them all.
                logger.exception("Could not read cooldowns", error_code=error_code(exc))
                self._cooldown_error = exc
                for candidate in batch:
                    self._hold(candidate, exc)
                return False
        for candidate in batch:
            until = cooling.get(candidate.source_server_id)
            if until:
                self._record(
                    _as(
                        candidate,
                        SKIPPED,
                        Reason.COOLDOWN,
                        f"started by drs-reprotect; cooldown until {until}",
                    )
                )
            elif self._launched >= self._config.max_starts_per_run or self._past_deadline():
                self._defer(candidate)
            elif self._config.dry_run:
                self._launched += 1
                self._record(_as(candidate, WOULD_START, Reason.REPLICATION_STOPPED))
            else:
                self._launched += 1
                self._futures.append(self._pool.submit(self._start, candidate))
        return True

    def _defer(self, candidate: ServerOutcome) -> None:
        if self._launched >= self._config.max_starts_per_run:
            detail = f"MAX_STARTS_PER_RUN={self._config.max_starts_per_run} reached"
            self._record(_as(candidate, DEFERRED, Reason.MAX_STARTS, detail))
        else:
            self._record(_as(candidate, DEFERRED, Reason.DEADLINE, _NOT_REACHED))

    def _hold(self, candidate: ServerOutcome, exc: Exception | None) -> None:
        code = error_code(exc) if exc else "CooldownUnavailable"
        self._record(_as(candidate, FAILED, Reason.COOLDOWN_UNAVAILABLE, str(exc)[:200], code))

    def _start(self, candidate: ServerOutcome) -> None:
        sid = candidate.source_server_id
        if self._past_deadline():
            self._record(_as(candidate, DEFERRED, Reason.DEADLINE, _NOT_REACHED))
            return
        claimed = False
        if self._cooldown:
            try:
                until = self._cooldown.claim(sid, self._run_id, int(time.time()))
            except (ClientError, BotoCoreError) as exc:
                logger.exception("Could not write a cooldown claim", source_server_id=sid)
                self._record(
                    _as(candidate, FAILED, Reason.COOLDOWN_UNAVAILABLE, str(exc)[:200], error_code(exc))
                )
                return
            if until:
                self._record(
                    _as(
                        candidate, SKIPPED, Reason.COOLDOWN, f"started by another run; cooldown until {until}"
                    )
                )
                return
            claimed = True
        try:
            with self._drs_slots:
                if self._past_deadline():  # the claim waited for a slot; it is released below
                    self._record(_as(candidate, DEFERRED, Reason.DEADLINE, _NOT_REACHED))
                    return
                self._drs.start_replication(sourceServerID=sid)
        except ClientError as exc:
            self._record(_after_error(candidate, exc))
        except Exception as exc:  # one server's failure never loses another's outcome
            logger.exception("Unexpected error starting replication", source_server_id=sid)
            self._record(_as(candidate, FAILED, Reason.START_FAILED, str(exc)[:200], type(exc).__name__))
        else:
            claimed = False  # a started server keeps its claim: that is the cooldown
            self._record(_as(candidate, STARTED, Reason.REPLICATION_STOPPED))
        finally:
            if claimed and self._cooldown:
                self._release(sid)

    def _release(self, sid: str) -> None:
        try:
            self._cooldown.release(sid, self._run_id)  # type: ignore[union-attr]
        except (ClientError, BotoCoreError):
            # The claim then simply lasts its cooldown; the outcome is already recorded.
            logger.warning("Could not release a cooldown claim", source_server_id=sid)

    def _record(self, outcome: ServerOutcome) -> None:
        with self._lock:
            self._report.add(outcome)
        if outcome.outcome != "healthy":
            logger.info(
                "Server outcome",
                source_server_id=outcome.source_server_id,
                hostname=outcome.hostname,
                outcome=outcome.outcome,
                reason=outcome.reason,
                detail=outcome.detail,
                error_code=outcome.error_code,
            )

    def _past_deadline(self) -> bool:
        return self._remaining_ms() < self._margin_ms

    def finish(self) -> None:
        """Wait for every launched call, so each launched server has exactly one outcome."""
        for future in self._futures:
            future.result()
        self._pool.shutdown(wait=True)
        drs.stop_waiting_at(None)


def _as(
    candidate: ServerOutcome, outcome: str, reason: str, detail: str | None = None, code: str | None = None
) -> ServerOutcome:
    return ServerOutcome(candidate.source_server_id, candidate.hostname, outcome, reason, detail, code)


def _after_error(candidate: ServerOutcome, exc: ClientError) -> ServerOutcome:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message") or exc)[:200]
    if code == "ConflictException":
        return _as(candidate, SKIPPED, Reason.NO_LONGER_STOPPED, message, code)
    if code == "ResourceNotFoundException":
        return _as(candidate, SKIPPED, Reason.NOT_FOUND, "deleted while the run was going", code)
    if code in ("ThrottlingException", "TooManyRequestsException"):
        return _as(candidate, DEFERRED, Reason.THROTTLED, "still throttled after retries", code)
    return _as(candidate, FAILED, Reason.START_FAILED, message, code)


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None
