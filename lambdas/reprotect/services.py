"""What a run talks to, as the executor sees it: DRS clients and the table's two stores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from reprotect.cooldown import Cooling, RunClaim

STORE_ERRORS = (ClientError, BotoCoreError)


class Cooldowns(Protocol):
    """The cooldown store (cooldown.CooldownStore, or cooldown.NoCooldown without a table)."""

    def active(self, server_ids: Iterable[str], now: int) -> dict[str, Cooling]: ...
    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None: ...
    def confirm(self, server_id: str, run: RunClaim, now: int) -> None: ...
    def release(self, server_id: str, run: RunClaim) -> None: ...


class Journal(Protocol):
    """The run record (journal.RunJournal, or journal.NoJournal without a table)."""

    def earlier_intents(self) -> frozenset[str]: ...
    def intend(self, server_ids: Iterable[str], now: int) -> None: ...


@dataclass(frozen=True)
class Services:
    """The pager's DRS client (`drs`), the workers' (`starts`: StartReplication and describing an
    ambiguous start again), the cooldown store and the run journal."""

    drs: Any
    starts: Any
    cooldown: Cooldowns
    journal: Journal
