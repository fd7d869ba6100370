"""One run, carried out: page through DRS, ask the pure decisions about each server, start the ones
they allow on a small pool of threads, and tally every outcome. The decisions live in `selection`
(policy), `lifecycle` (failover, restart loops, the replicating count, lag) and `decisions` (cooldown,
limits, deadline, answers); this module owns the paging and the lookups around it, `admission` the
reads and limits before a start, and `starter` the workers.

A run has two phases. The survey pages through every server it was asked about, judging all but the
candidates (stopped servers the policy allows), looking up the recovery instances of the candidates
that name one (one DescribeRecoveryInstances call per 200 of them, per page), and counting the
servers that replicate. Only then, with the count whole, does admission start candidates: DRS's
limit of replicating servers cannot be honoured on a count that later pages could still raise. A run
asked about given servers counts the whole fleet, and only when it has a candidate.

Then `protections` looks at what DRS protects beside servers: source networks and recovery instances
(their starts and reversals share the start workers and their bound on DRS calls)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from reprotect import decisions, lifecycle, protections, recovery
from reprotect.acts import Crew
from reprotect.admission import Admission
from reprotect.budget import StartBudget
from reprotect.config import Config
from reprotect.cooldown import RunClaim
from reprotect.deadline import Deadline
from reprotect.drs import describe_pages, error_code
from reprotect.events import RunRequest
from reprotect.fields import account_of
from reprotect.observability import logger
from reprotect.outcomes import ServerOutcome
from reprotect.report import Report, RunError, RunInfo, Tally
from reprotect.selection import Candidate, classify, hostname
from reprotect.services import STORE_ERRORS, Services
from reprotect.starter import Starter, record

LOOKUP_ERRORS = (ClientError, BotoCoreError)
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
    admission = Admission(config, services, starter, budget, tally, deadline, claim.key)
    sweep = Sweep(config, services, admission, tally, deadline, claim, earlier)
    try:
        sweep.run(request.server_ids)
        protections.protect(request, config, Crew(services, starter, tally, deadline, claim, earlier))
    except (ClientError, BotoCoreError) as exc:  # the account, credentials or endpoint: not one server
        code = error_code(exc)
        tally.error = RunError(code, str(exc))
        log = logger.error if code in _ACCOUNT_ERRORS else logger.exception
        log("Run failed as a whole", error_code=code)
    finally:
        starter.finish()
    return tally.report(info, finished_at=now_iso(), duration_ms=int((time.monotonic() - began) * 1000))


class Sweep:
    """The pager's side: describe, classify, look up failovers, count; then hand candidates to admission."""

    _seen: set[str]
    _pending: list[Candidate]

    def __init__(
        self,
        config: Config,
        services: Services,
        admission: Admission,
        tally: Tally,
        deadline: Deadline,
        claim: RunClaim,
        earlier: frozenset[str],
    ) -> None:
        self._config = config
        self._services = services
        self._admission = admission
        self._tally = tally
        self._deadline = deadline
        self._claim = claim
        self._seen = set()
        self._earlier = earlier  # what earlier attempts of this event set out to start
        self._pending = []  # surveyed candidates not yet handed to admission
        self._replicating = 0

    def run(self, server_ids: tuple[str, ...] | None) -> None:
        failed = False
        try:
            self._survey(server_ids)
            if self._pending and self._tally.sweep_complete:
                replicating = self._replicating if server_ids is None else self._count_fleet()
                if replicating is not None:
                    pending, self._pending = self._pending, []
                    self._admission.admit(pending, replicating=replicating)
        except Exception:
            failed, self._tally.sweep_complete = True, False
            raise
        finally:
            self._account_for(server_ids, failed)

    def _account_for(self, server_ids: tuple[str, ...] | None, failed: bool) -> None:
        """Every surveyed candidate and every requested id gets an outcome, whatever happened."""
        for candidate in self._pending:
            record(self._tally, decisions.uncounted(candidate, describe_failed=failed))
        self._pending = []
        for server_id in server_ids or ():
            if server_id not in self._seen:
                verdict = decisions.not_described(
                    server_id, sweep_complete=self._tally.sweep_complete, describe_failed=failed
                )
                record(self._tally, verdict)

    def _survey(self, server_ids: tuple[str, ...] | None) -> None:
        for page in describe_pages(self._services.drs, server_ids):
            self._page(page)
            del page  # let this page's servers go before the next page is parsed
            if self._deadline.reached():  # describing on would find servers we cannot start in time
                self._tally.sweep_complete = False
                break

    def _count_fleet(self) -> int | None:
        """The replicating servers of the whole fleet (a run asked about given servers has only theirs);
        None when the deadline came first. Their states are only counted: they are not judged or listed."""
        replicating: set[str] = set()
        for page in describe_pages(self._services.drs, None):
            replicating.update(s["sourceServerID"] for s in page if lifecycle.replicating(s))
            if self._deadline.reached():  # the run's own servers wait for the next run
                self._tally.sweep_complete = False
                return None
        return len(replicating)

    def _page(self, page: list[dict[str, Any]]) -> None:
        if self._tally.account is None and page:
            self._tally.account = account_of(page[0].get("arn"))
        candidates: list[tuple[Candidate, dict[str, Any]]] = []
        for server in page:
            if server["sourceServerID"] in self._seen:  # a server that moved between pages is judged once
                continue
            self._seen.add(server["sourceServerID"])
            self._replicating += lifecycle.replicating(server)
            verdict = self._earlier_start(server) or classify(server, self._config)
            if isinstance(verdict, Candidate):
                candidates.append((verdict, server))
            else:
                record(self._tally, verdict)
        if candidates and self._deadline.reached():
            self._pending += [candidate for candidate, _ in candidates]  # no time to look them up
            return
        self._pending += self._not_failed_over(candidates)

    def _not_failed_over(self, candidates: list[tuple[Candidate, dict[str, Any]]]) -> list[Candidate]:
        """The candidates that were not recovered for real; the others get their outcome here."""
        named = {c.source_server_id for c, server in candidates if server.get("recoveryInstanceId")}
        instances, unread = self._recovery_instances(sorted(named))
        kept = []
        for candidate, server in candidates:
            if unread and candidate.source_server_id in named:
                record(self._tally, decisions.lookup_failed(candidate, unread))
                continue
            detail = lifecycle.failed_over(server, instances.get(candidate.source_server_id, ()))
            if detail:
                record(self._tally, decisions.failed_over(candidate, detail))
            else:
                kept.append(candidate)
        return kept

    def _recovery_instances(
        self, server_ids: list[str]
    ) -> tuple[dict[str, list[recovery.RecoveryInstance]], str]:
        """The recovery instances of these servers (no call for none), and the error code when they
        could not be read."""
        try:
            return recovery.instances_of(self._services.drs, server_ids), ""
        except LOOKUP_ERRORS as exc:
            logger.exception("Could not describe recovery instances", error_code=error_code(exc))
            return {}, error_code(exc)

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


def _earlier_intents(services: Services) -> frozenset[str]:
    """What earlier attempts of this event set out to start (the run journal; empty on a first one)."""
    try:
        return services.journal.earlier_intents()
    except STORE_ERRORS:
        logger.exception("Could not read the run journal; earlier attempts' starts count as found")
        return frozenset()
