"""Per-server items in the idempotency table, beside Powertools' records: the restart cooldown and
the server's recent starts.

A run claims a server with a conditional write before StartReplication, so two overlapping runs can
never both start it. The claim is first a short lease (it lasts as long as the run may); once DRS has
started the server the run confirms it, and the lease becomes the cooldown. A claim that was never
confirmed (the run failed or crashed first) so expires with the run instead of blocking the server for
a whole cooldown, and the same event's retry may take it over at once.

The same item keeps the times this tool started the server in the last 24 hours (`starts`), so the
batch read that finds cooldowns also finds restart loops, and the confirming write records the start:
no request of its own. The hold (lease or cooldown) ends at `holdUntil`; the item itself lives until
the table's TTL attribute, which is never earlier than the hold or a day after the last start. Items
written before the two were apart have only the TTL attribute, which then is the hold's end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from reprotect.contract import (
    COOLDOWN_PREFIX,
    RESTART_WINDOW_SECONDS,
    TABLE_PARTITION_KEY,
    TABLE_TTL_ATTRIBUTE,
)
from reprotect.lifecycle import iso, recent

_BATCH = 100  # BatchGetItem takes at most 100 keys
_MAX_BATCH_ROUNDS = 2  # each within the call window; keys still unprocessed then are not guessed at
_CLAIMED, _STARTED, _RELEASED = "claimed", "started", "released"
_HOLD, _STARTS = "holdUntil", "starts"
_NAMES = {"#expires": TABLE_TTL_ATTRIBUTE, "#hold": _HOLD, "#state": "state"}
# Free (no item, its hold over, or a legacy item expired), or this same event's lease that was never
# confirmed (its retry takes it over).
_FREE_OR_OWN_LEASE = (
    "attribute_not_exists(#key) OR #hold <= :now OR (attribute_not_exists(#hold) AND #expires <= :now)"
    " OR (runKey = :runKey AND #state = :claimed)"
)
_CLAIM = "SET #hold = :hold, #expires = :expires, #state = :claimed, runId = :runId, runKey = :runKey"


@dataclass(frozen=True)
class Cooling:
    """A hold on one server: until when, and whether a start is confirmed (else another run's lease).

    `problem` is set instead when the item cannot be read (a value of the wrong type, say).
    """

    until: str | None
    confirmed: bool = True
    problem: str | None = None


@dataclass(frozen=True)
class Record:
    """What the table says of one server: its hold (None when free) and this tool's starts of it in
    the last 24 hours, oldest first."""

    hold: Cooling | None = None
    starts: tuple[int, ...] = ()


def _key(server_id: str) -> dict[str, Any]:
    return {TABLE_PARTITION_KEY: {"S": f"{COOLDOWN_PREFIX}{server_id}"}}


def _starts(item: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(int(value["N"]) for value in item.get(_STARTS, {"L": []})["L"])


def read_item(item: Mapping[str, Any], now: int) -> Record:
    """The item's hold and recent starts; a malformed item holds its server (a problem, not a crash)."""
    try:
        ends = int((item.get(_HOLD) or item[TABLE_TTL_ATTRIBUTE])["N"])
        confirmed = item.get("state", {"S": _STARTED})["S"] != _CLAIMED  # no state: predates leases
        hold = Cooling(iso(ends), confirmed) if ends > now else None
        return Record(hold, recent(_starts(item), now))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        return Record(Cooling(None, problem=f"unreadable cooldown item ({type(exc).__name__}: {exc!s:.80})"))


class CooldownStore:
    """Server items in the table: `read` finds holds and recent starts, `claim` takes a server,
    `confirm` turns the claim into the cooldown and records the start, `release` drops the claim."""

    def __init__(self, client: Any, table_name: str, seconds: int) -> None:
        self._client = client
        self._table = table_name
        self._seconds = seconds
        self._claimed: dict[str, tuple[int, ...]] = {}  # recent starts as each claim found them

    def read(self, server_ids: Iterable[str], now: int) -> dict[str, Record]:
        """What the table holds of these servers, by id (absent: no item)."""
        ids = list(server_ids)
        found: dict[str, Record] = {}
        for start in range(0, len(ids), _BATCH):
            keys = [_key(sid) for sid in ids[start : start + _BATCH]]
            found.update(self._read_batch({self._table: {"Keys": keys, "ConsistentRead": True}}, now))
        return found

    def _read_batch(self, request: dict[str, Any], now: int) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for _ in range(_MAX_BATCH_ROUNDS):
            response = self._client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self._table, []):
                found[_server_of(item)] = read_item(item, now)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        for key in (request.get(self._table) or {}).get("Keys", []):
            problem = "DynamoDB left its cooldown item unread (UnprocessedKeys)"
            found[_server_of(key)] = Record(Cooling(None, problem=problem))
        return found

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        """Take the server for this run with a lease. None when taken, else the hold that won.

        A lease of the same event (`run.key`) that was never confirmed may be taken over: that is the
        same work, retried after a crash.
        """
        values = {
            ":now": now,
            ":hold": now + run.lease_seconds,
            ":expires": now + self._lifetime(run.lease_seconds),
        }
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=_key(server_id),
                UpdateExpression=_CLAIM,
                ConditionExpression=_FREE_OR_OWN_LEASE,
                ExpressionAttributeNames={**_NAMES, "#key": TABLE_PARTITION_KEY},
                ExpressionAttributeValues={
                    **{name: {"N": str(value)} for name, value in values.items()},
                    ":claimed": {"S": _CLAIMED},
                    ":runId": {"S": run.run_id},
                    ":runKey": {"S": run.key},
                },
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise
            return read_item(exc.response.get("Item") or {}, now).hold or Cooling(iso(now))
        self._claimed[server_id] = read_item(response.get("Attributes") or {}, now).starts
        return None

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        """DRS started the server: this event's lease becomes the cooldown, and the start is recorded.

        Confirming a start this event already confirmed changes nothing.
        """
        earlier = self._claimed.pop(server_id, None)
        # Without this run's claim (an earlier attempt of the event claimed), the start is appended.
        starts = "list_append(if_not_exists(#starts, :none), :now)" if earlier is None else ":starts"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_key(server_id),
                UpdateExpression=(
                    f"SET #hold = :until, #expires = :expires, #state = :started, startedAt = :at,"
                    f" runId = :run, #starts = {starts}"
                ),
                ConditionExpression="runKey = :runKey AND #state = :claimed",
                ExpressionAttributeNames={**_NAMES, "#starts": _STARTS},
                ExpressionAttributeValues=self._confirmation(run, now, earlier),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            old = exc.response.get("Item") or {}
            done = old.get("runKey", {}).get("S") == run.key and old.get("state", {}).get("S") == _STARTED
            if _code(exc) != "ConditionalCheckFailedException" or not done:
                raise

    def _confirmation(self, run: RunClaim, now: int, earlier: tuple[int, ...] | None) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":until": {"N": str(now + self._seconds)},
            ":expires": {"N": str(now + self._lifetime(self._seconds))},
            ":started": {"S": _STARTED},
            ":claimed": {"S": _CLAIMED},
            ":at": {"S": iso(now)},
            ":run": {"S": run.run_id},
            ":runKey": {"S": run.key},
        }
        if earlier is None:
            values.update({":none": {"L": []}, ":now": {"L": [{"N": str(now)}]}})
        else:
            values[":starts"] = {"L": [{"N": str(t)} for t in (*earlier, now)]}
        return values

    def release(self, server_id: str, run: RunClaim) -> None:
        """Drop this run's lease after an attempt that did not start the server (a failed attempt does
        not count). An item that records recent starts is kept, with its hold ended."""
        keep = self._claimed.pop(server_id, ())
        common: dict[str, Any] = {
            "TableName": self._table,
            "Key": _key(server_id),
            "ConditionExpression": "runId = :run",
        }
        try:
            if not keep:
                self._client.delete_item(**common, ExpressionAttributeValues={":run": {"S": run.run_id}})
                return
            self._client.update_item(
                **common,
                UpdateExpression="SET #hold = :zero, #state = :released",
                ExpressionAttributeNames={"#hold": _HOLD, "#state": "state"},
                ExpressionAttributeValues={
                    ":run": {"S": run.run_id},
                    ":zero": {"N": "0"},
                    ":released": {"S": _RELEASED},
                },
            )
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    @staticmethod
    def _lifetime(hold_seconds: int) -> int:
        """How long the item must live from now: its hold, and a day for the start it may record."""
        return max(hold_seconds, RESTART_WINDOW_SECONDS)


def _server_of(item: Mapping[str, Any]) -> str:
    return str(item[TABLE_PARTITION_KEY]["S"]).removeprefix(COOLDOWN_PREFIX)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


@dataclass(frozen=True)
class RunClaim:
    """Who claims: this invocation (`run_id`), the event it serves (`key`, shared by its retries), and
    how long its lease may last (as long as the invocation)."""

    run_id: str
    key: str
    lease_seconds: int


class NoCooldown:
    """No table (the CLI without --table): nothing is cooling down and every claim succeeds."""

    def read(self, server_ids: Iterable[str], now: int) -> dict[str, Record]:
        return {}

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        return None

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        return None

    def release(self, server_id: str, run: RunClaim) -> None:
        return None
