"""What a run talks to, as the executor sees it: DRS clients and the table's stores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from reprotect import aws
from reprotect.config import Config
from reprotect.contract import EVENT_RECORD_SECONDS, NETWORK_PREFIX, REVERSAL_HOLD_SECONDS, REVERSE_PREFIX
from reprotect.cooldown import CooldownStore, Cooling, NoCooldown, Record, RunClaim
from reprotect.deadline import Deadline
from reprotect.drs import make_client
from reprotect.journal import NoJournal, RunJournal
from reprotect.limits import Limits, LimitStore, NoLimitStore, keep_limits, start_pacing
from reprotect.pacing import Pacing
from reprotect.publication import NoPublicationLog, PublicationLog, Published

STORE_ERRORS = (ClientError, BotoCoreError)


class Cooldowns(Protocol):
    """The servers' items (cooldown.CooldownStore, or cooldown.NoCooldown without a table)."""

    def read(self, server_ids: Iterable[str], now: int) -> dict[str, Record]: ...
    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None: ...
    def confirm(self, server_id: str, run: RunClaim, now: int) -> None: ...
    def release(self, server_id: str, run: RunClaim) -> None: ...


class Journal(Protocol):
    """The run record (journal.RunJournal, or journal.NoJournal without a table)."""

    def earlier_intents(self) -> frozenset[str]: ...
    def intend(self, server_ids: Iterable[str], now: int) -> None: ...


class Publications(Protocol):
    """The record of the last publication (publication.PublicationLog, or NoPublicationLog)."""

    def last(self, account: str | None, region: str | None) -> Published | None: ...
    def remember(self, account: str | None, region: str | None, digest: str, now: int) -> None: ...


@dataclass(frozen=True)
class Services:
    """The pager's DRS client (`drs`), the workers' (`starts`: StartReplication,
    StartSourceNetworkReplication, ReverseReplication, and describing an ambiguous answer again), the
    cooldown store, the run journal, the publication record, and the claims on source networks and
    on reversals (the cooldown store's layout under their own key prefixes)."""

    drs: Any
    starts: Any
    cooldown: Cooldowns
    journal: Journal
    publications: Publications = field(default_factory=NoPublicationLog)
    network_claims: Cooldowns = field(default_factory=NoCooldown)
    reverse_claims: Cooldowns = field(default_factory=NoCooldown)
    pacing: Pacing | None = None  # the run's pacers (None: PACE_DRS_CALLS is false)
    limits: Limits = field(default_factory=NoLimitStore)  # where the pacers' learning is kept

    def keep_learned(self, deadline: Deadline) -> None:
        """At the end of a run: keep what the pacers learned of DRS's limits for the next run."""
        keep_limits(self.pacing, self.limits, deadline)


def for_run(
    config: Config, deadline: Deadline, event_key: str, session: boto3.session.Session | None = None
) -> Services:
    """One run's clients and stores, each call bounded by the run's deadline (see deadline.py).

    Without a table (the CLI without --table) nothing is cooled down, journaled or remembered.
    """

    dynamodb = _table_client(config, deadline, session) if config.table_name else None
    limits: Limits = LimitStore(dynamodb, str(config.table_name)) if dynamodb else NoLimitStore()
    pacing = start_pacing(config, deadline, limits)

    def drs(window: float) -> Any:
        return make_client(
            deadline,
            window,
            max_concurrency=config.max_concurrency,
            max_attempts=config.max_attempts,
            retry_mode=config.retry_mode,
            pacing=pacing,
            session=session,
        )

    pager, starts = drs(deadline.page_window), drs(deadline.call_window)
    if dynamodb is None or not config.table_name:
        return Services(pager, starts, NoCooldown(), NoJournal(), pacing=pacing)
    table = config.table_name
    cooldown = CooldownStore(dynamodb, table, config.restart_cooldown_seconds)
    journal = RunJournal(dynamodb, table, event_key, EVENT_RECORD_SECONDS)
    publications = PublicationLog(dynamodb, table, config.remind_after_seconds)
    networks = CooldownStore(dynamodb, table, config.restart_cooldown_seconds, NETWORK_PREFIX)
    reversals = CooldownStore(dynamodb, table, REVERSAL_HOLD_SECONDS, REVERSE_PREFIX)
    return Services(pager, starts, cooldown, journal, publications, networks, reversals, pacing, limits)


def _table_client(config: Config, deadline: Deadline, session: boto3.session.Session | None) -> Any:
    # Every start worker (2 x MAX_CONCURRENCY, at most 100) may write a claim at once.
    return aws.client(
        "dynamodb",
        deadline.call_window,
        max_attempts=config.max_attempts,
        retry_mode=config.retry_mode,
        pool=2 * config.max_concurrency + 4,
        session=session,
    )
