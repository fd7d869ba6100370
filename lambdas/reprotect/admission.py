"""From candidates to starts: read each batch's items (cooldown and recent starts) while the run may
still start servers, ask the pure decisions about each candidate, write down what the run sets out to
start, and hand it to the Starter. Candidates beyond the run's places cost no DynamoDB request."""

from __future__ import annotations

import time
from dataclasses import replace

from reprotect import decisions
from reprotect.budget import StartBudget
from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.drs import error_code
from reprotect.holds import Record
from reprotect.observability import logger
from reprotect.report import Tally
from reprotect.selection import Candidate
from reprotect.services import STORE_ERRORS, Services
from reprotect.starter import Starter, record

COOLDOWN_BATCH = 100  # keys in one BatchGetItem


class Admission:
    _limits: decisions.Limits  # set by `admit`, once the replicating servers are counted

    def __init__(
        self,
        config: Config,
        services: Services,
        starter: Starter,
        budget: StartBudget,
        tally: Tally,
        deadline: Deadline,
        event_key: str,
    ) -> None:
        self._config = config
        self._event_key = event_key  # its own unconfirmed leases (a crashed attempt's) are no hold
        self._services = services
        self._starter = starter
        self._budget = budget
        self._tally = tally
        self._deadline = deadline

    def admit(self, pending: list[Candidate], *, replicating: int) -> None:
        """Judge every candidate; `replicating` servers were replicating before the run started any."""
        config = self._config
        self._limits = decisions.Limits(
            config.max_starts_per_run,
            config.replicating_server_limit,
            replicating,
            config.max_restarts_per_day,
        )
        self._budget.limit_to(self._limits.places)
        while pending:
            room = self._budget.room(self._deadline)  # waits while starts in flight hold every place
            if room <= 0 or self._deadline.reached():
                bound = self._limits.reached(self._budget.held)
                for candidate in pending:
                    record(self._tally, decisions.defer(candidate, bound, self._limits))
                return
            size = min(room, COOLDOWN_BATCH)
            batch, pending = pending[:size], pending[size:]
            now = int(time.time())
            try:
                records = self._services.cooldown.read([c.source_server_id for c in batch], now)
            except STORE_ERRORS as exc:
                # Starting without knowing the cooldowns could restart a server too soon: hold them all.
                logger.exception("Could not read cooldowns", error_code=error_code(exc))
                self._hold(batch + pending, exc)
                return
            self._launch([c for c in batch if self._judge(c, records.get(c.source_server_id), now)])

    def _judge(self, candidate: Candidate, item: Record | None, now: int) -> bool:
        """Judge one candidate; True when it is to be started (its place under the cap is taken)."""
        if item is not None and item.hold is not None and not item.hold.holds_against(self._event_key):
            item = replace(item, hold=None)  # the claim takes the earlier attempt's lease over
        verdict = decisions.admit(
            candidate,
            record=item,
            limits=self._limits,
            starts_so_far=self._budget.held,
            now=now,
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
        if not admitted:
            return
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
