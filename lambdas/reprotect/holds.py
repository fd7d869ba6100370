"""What one server's item in the table says, and who may claim it: the shapes `cooldown.py` stores.

The item (`cooldown#<id>`) holds the server until `holdUntil` (a run's lease, or the cooldown once a
start is confirmed) and keeps the times this tool started it in the last 24 hours (`starts`). Items
written before the two were apart have only the TTL attribute, which then is the hold's end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reprotect.contract import COOLDOWN_PREFIX, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE
from reprotect.lifecycle import iso, recent

CLAIMED, STARTED, RELEASED = "claimed", "started", "released"
HOLD, STARTS = "holdUntil", "starts"


@dataclass(frozen=True)
class Cooling:
    """A hold on one server: until when, and whether a start is confirmed (else another run's lease).

    `problem` is set instead when the item cannot be read (a value of the wrong type, say).
    """

    until: str | None
    confirmed: bool = True
    problem: str | None = None
    key: str | None = None  # the event whose run holds it

    def holds_against(self, event_key: str) -> bool:
        """Whether it keeps a run of `event_key` away: all but that same event's unconfirmed lease,
        which its retry takes over (the earlier attempt died before it could start the server)."""
        return bool(self.problem) or self.confirmed or self.key != event_key


@dataclass(frozen=True)
class Record:
    """What the table says of one server: its hold (None when free) and this tool's starts of it in
    the last 24 hours, oldest first."""

    hold: Cooling | None = None
    starts: tuple[int, ...] = ()


def key(server_id: str, prefix: str = COOLDOWN_PREFIX) -> dict[str, Any]:
    """The item of one server (or, with another prefix, of one source network or recovery instance)."""
    return {TABLE_PARTITION_KEY: {"S": f"{prefix}{server_id}"}}


def starts_of(item: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(int(value["N"]) for value in item.get(STARTS, {"L": []})["L"])


def read_item(item: Mapping[str, Any], now: int) -> Record:
    """The item's hold and recent starts; a malformed item holds its server (a problem, not a crash)."""
    try:
        ends = int((item.get(HOLD) or item[TABLE_TTL_ATTRIBUTE])["N"])
        confirmed = item.get("state", {"S": STARTED})["S"] != CLAIMED  # no state: predates leases
        holder = item.get("runKey", {}).get("S")
        hold = Cooling(iso(ends), confirmed, key=holder) if ends > now else None
        return Record(hold, recent(starts_of(item), now))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        return Record(Cooling(None, problem=f"unreadable cooldown item ({type(exc).__name__}: {exc!s:.80})"))


@dataclass(frozen=True)
class RunClaim:
    """Who claims: this invocation (`run_id`), the event it serves (`key`, shared by its retries), and
    how long its lease may last (as long as the invocation)."""

    run_id: str
    key: str
    lease_seconds: int
