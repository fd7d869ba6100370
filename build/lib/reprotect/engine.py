"""One run, carried out: page through DRS, ask the pure decisions about each server, start the ones
they allow on a small pool of threads, and tally every outcome. The decisions live in `selection`
(policy) and `decisions` (cooldown, cap, deadline, answers); this module only owns the paging and
the I/O around it, and `starter` the workers."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions
from reprotect.budget import StartBudget
from reprotect.config import Config
from reprotect.cooldown import Cooling, RunClaim
from reprotect.deadline import Deadline
from reprotect.drs import describe_pages, error_code
from reprotect.events import RunRequest
from reprotect.observability import logger
from reprotect.outcomes import ServerOutcome
from reprotect.report import Report, RunError, RunInfo, Tally
from reprotect.selection import Candidate, classify, hostname
from reprotect.services import STORE_ERRORS, Services
from reprotect.starter import Starter, record

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
    claim = RunClaim(run_id, request.dedupe_key, lease_seconds=int(deadline.remaining()) + 1)
    earlier = _earlier_intents(services)
    starter = Starter(config.max_concurrency, services, budget, tally, claim, deadline, earlier)
    sweep = Sweep(config, services, starter, budget, tally, deadline, claim, earlier)
    try:
        sweep.run(request.server_ids)
    except (ClientError, BotoCoreError) as exc:  # the account, credentials or endpoint: not one server
        code = error_code(exc)
        tally.error = RunError(code, str(exc))
        log = logger.error if code in _ACCOUNT_ERRORS else logger.exception
        log("Run failed as a whole", error_code=code)
    finally:
        starter.finish()
    return tally.report(info, finished_at=now_iso(), duration_ms=int((time.monotonic() - began) * 1000))


class Sweep:
    """The pager's side: describe, classify, read cooldowns, admit; admitted servers go to the Starter."""

    def __init__(
        self,
        config: Config,
        services: Services,
        starter: Starter,
        budget: StartBudget,
        tally: Tally,
        deadline: Deadline,
        claim: RunClaim,
        earlier: frozenset[str],
    ) -> None:
        self._config = config
        self._services = services
        self._starter = starter
        self._budget = budget
        self._tally = tally
        self._deadline = deadline
        self._claim = claim
        self._seen: set[str] = set()
        self._earlier = earlier

    def run(self, server_ids: tuple[str, ...] | None) -> None:
        failed = False
        try:
            for page in describe_pages(self._services.drs, server_ids):
                self._page(page)
                del page  # let this page's servers go before the next page is parsed
                if self._deadline.reached():  # describing on would find servers we cannot start in time
                    self._tally.sweep_complete = False
                    break
        except Exception:
            failed, self._tally.sweep_complete = True, False
            raise
        finally:
            for server_id in server_ids or ():  # every requested id gets an outcome, whatever happened
                if server_id not in self._seen:
                    verdict = decisions.not_described(
                        server_id, sweep_complete=self._tally.sweep_complete, describe_failed=failed
                    )
                    record(self._tally, verdict)

    def _page(self, page: list[dict[str, Any]]) -> None:
        if self._tally.account is None and page:
            self._tally.account = _account_of(page[0].get("arn"))
        candidates = []
        for server in page:
            if server["sourceServerID"] in self._seen:  # a server that moved between pages is judged once
                continue
            self._seen.add(server["sourceServerID"])
            verdict = self._earlier_start(server) or classify(server, self._config)
            if isinstance(verdict, Candidate):
                candidates.append(verdict)
            else:
                record(self._tally, verdict)
        self._dispatch(candidates)

    def _earlier_start(self, server: dict[str, Any]) -> ServerOutcome | None:
        """A server an earlier attempt of this event set out to start, and DRS shows started."""
        sid = server["sourceServerID"]
        state = (server.get("dataReplicationInfo") or {}).get("dataReplicationState")
        if sid not in self._earlier or state == "STOPPED":
            return None
        try:  # that attempt may have died before confirming its claim: the cooldown is confirmed now
            self._services.cooldown.confirm(sid, self._claim, int(time.time()))
        except STORE_ERRORS:
            logger.warning("Could not confirm an earlier attempt's claim", source_server_id=sid)
        return decisions.started(Candidate(sid, hostname(server)), decisions.STARTED_EARLIER)

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
                cooling = self._services.cooldown.active(
                    [c.source_server_id for c in batch], int(time.time())
                )
            except STORE_ERRORS as exc:
                # Starting without knowing the cooldowns could restart a server too soon: hold them all.
                logger.exception("Could not read cooldowns", error_code=error_code(exc))
                self._hold(batch + pending, exc)
                return
            self._launch([c for c in batch if self._admit(c, cooling.get(c.source_server_id))])

    def _admit(self, candidate: Candidate, cooling: Cooling | None) -> bool:
        """Judge one candidate; True when it is to be started (its place under the cap is taken)."""
        verdict = decisions.admit(
            candidate,
            cooling=cooling if cooling and cooling.holds_against(self._claim.key) else None,
            starts_so_far=self._budget.held,
            max_starts=self._config.max_starts_per_run,
            deadline_reached=self._deadline.reached(),
            dry_run=self._config.dry_run,
        )
        if decisions.takes_a_start(verdict):
            self._budget.take()
        if isinstance(verdict, Candidate):
            return True
        if decisions.takes_a_start(verdict):  # a would-start is done at once
            self._budget.settle(started=True)
        record(self._tally, verdict)
        return False

    def _launch(self, admitted: list[Candidate]) -> None:
        """Write down what this run sets out to start (the run record), then start it."""
        try:
            self._services.journal.intend([c.source_server_id for c in admitted], int(time.time()))
        except STORE_ERRORS as exc:
            logger.exception("Could not write the run journal", error_code=error_code(exc))
            for _ in admitted:
                self._budget.settle(started=False)
            self._hold(admitted, exc)
            return
        for candidate in admitted:
            self._starter.submit(candidate)

    def _hold(self, candidates: list[Candidate], exc: Exception) -> None:
        for candidate in candidates:
            record(self._tally, decisions.store_failed(candidate, error_code(exc), str(exc)))


def _earlier_intents(services: Services) -> frozenset[str]:
    """What earlier attempts of this event set out to start (the run journal; empty on a first one)."""
    try:
        return services.journal.earlier_intents()
    except STORE_ERRORS:
        logger.exception("Could not read the run journal; earlier attempts' starts count as found")
        return frozenset()


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None
