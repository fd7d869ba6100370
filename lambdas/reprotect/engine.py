"""One run, carried out: page through DRS, ask the pure decisions about each server, start the ones
they allow on a small pool of threads, and tally every outcome. The decisions live in `selection`
(policy) and `decisions` (cooldown, cap, deadline, answers); this module only owns threads and I/O."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.drs import describe_pages, error_code
from reprotect.events import RunRequest
from reprotect.observability import logger
from reprotect.report import Report, RunError, RunInfo, Tally
from reprotect.selection import Candidate, classify
from reprotect.starter import STORE_ERRORS, Cooldowns, Services, StartBudget, Starter, record

COOLDOWN_BATCH = 100  # keys in one BatchGetItem
_ACCOUNT_ERRORS = {"UninitializedAccountException", "AccessDeniedException", "UnrecognizedClientException"}


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
    budget = StartBudget(config.max_starts_per_run)
    starter = Starter(config.max_concurrency, services, budget, tally, run_id, deadline)
    try:
        Sweep(config, services.cooldown, starter, budget, tally, deadline).run(
            services.drs, request.server_ids
        )
    except (ClientError, BotoCoreError) as exc:  # the account, credentials or endpoint: not one server
        code = error_code(exc)
        tally.error = RunError(code, str(exc))
        log = logger.error if code in _ACCOUNT_ERRORS else logger.exception
        log("Run failed as a whole", error_code=code)
    finally:
        starter.finish()
    return tally.report(info, finished_at=now_iso(), duration_ms=int((time.monotonic() - began) * 1000))


class Sweep:
    """The pager's side: describe, classify, read cooldowns, admit; started servers go to the Starter."""

    def __init__(
        self,
        config: Config,
        cooldown: Cooldowns,
        starter: Starter,
        budget: StartBudget,
        tally: Tally,
        deadline: Deadline,
    ) -> None:
        self._config = config
        self._cooldown = cooldown
        self._starter = starter
        self._budget = budget
        self._tally = tally
        self._deadline = deadline
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
            room = self._budget.room(self._deadline)  # waits while starts in flight hold every place
            if room <= 0 or self._deadline.reached():
                for candidate in pending:
                    record(self._tally, decisions.defer(candidate, cap_reached=room <= 0, max_starts=cap))
                return
            size = min(room, COOLDOWN_BATCH)
            batch, pending = pending[:size], pending[size:]
            try:
                cooling = self._cooldown.active([c.source_server_id for c in batch], int(time.time()))
            except STORE_ERRORS as exc:
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
            starts_so_far=self._budget.held,
            max_starts=self._config.max_starts_per_run,
            deadline_reached=self._deadline.reached(),
            dry_run=self._config.dry_run,
        )
        if decisions.takes_a_start(verdict):
            self._budget.take()
        if isinstance(verdict, Candidate):
            self._starter.submit(verdict)
        else:
            if decisions.takes_a_start(verdict):  # a would-start is done at once
                self._budget.settle(started=True)
            record(self._tally, verdict)


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None
