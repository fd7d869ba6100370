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
the table's TTL attribute, which is never earlier than the hold or a day after the last start. The
item's shapes (`Cooling`, `Record`, `RunClaim`) are in `holds.py`.

The same store, given another key prefix, keeps the claims on source networks (`network#<id>`) and
on recovery instances' reversals (`reverse#<id>`), with the same lease, confirmation and takeover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from reprotect.contract import (
    COOLDOWN_PREFIX,
    RESTART_WINDOW_SECONDS,
    TABLE_PARTITION_KEY,
    TABLE_TTL_ATTRIBUTE,
)
from reprotect.holds import (
    CLAIMED,
    HOLD,
    RELEASED,
    STARTED,
    STARTS,
    Cooling,
    Record,
    RunClaim,
    key,
    read_item,
)
from reprotect.lifecycle import iso

__all__ = ["CooldownStore", "Cooling", "NoCooldown", "Record", "RunClaim", "read_item"]

_BATCH = 100  # BatchGetItem takes at most 100 keys
_MAX_BATCH_ROUNDS = 2  # each within the call window; keys still unprocessed then are not guessed at
_NAMES = {"#expires": TABLE_TTL_ATTRIBUTE, "#hold": HOLD, "#state": "state"}
# Free (no item, its hold over, or a legacy item expired), or this same event's lease that was never
# confirmed (its retry takes it over).
_FREE_OR_OWN_LEASE = (
    "attribute_not_exists(#key) OR #hold <= :now OR (attribute_not_exists(#hold) AND #expires <= :now)"
    " OR (runKey = :runKey AND #state = :claimed)"
)
_CLAIM = "SET #hold = :hold, #expires = :expires, #state = :claimed, runId = :runId, runKey = :runKey"


class CooldownStore:
    """Server items in the table: `read` finds holds and recent starts, `claim` takes a server,
    `confirm` turns the claim into the cooldown and records the start, `release` drops the claim."""

    _claimed: dict[str, tuple[int, ...]]

    def __init__(self, client: Any, table_name: str, seconds: int, prefix: str = COOLDOWN_PREFIX) -> None:
        self._client = client
        self._table = table_name
        self._seconds = seconds
        self._prefix = prefix
        self._claimed = {}  # recent starts as each claim found them

    def read(self, server_ids: Iterable[str], now: int) -> dict[str, Record]:
        """What the table holds of these servers, by id (absent: no item)."""
        ids = list(server_ids)
        found: dict[str, Record] = {}
        for start in range(0, len(ids), _BATCH):
            keys = [key(sid, self._prefix) for sid in ids[start : start + _BATCH]]
            found.update(self._read_batch({self._table: {"Keys": keys, "ConsistentRead": True}}, now))
        return found

    def _read_batch(self, request: dict[str, Any], now: int) -> dict[str, Record]:
        found: dict[str, Record] = {}
        for _ in range(_MAX_BATCH_ROUNDS):
            response = self._client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self._table, []):
                found[self._id_of(item)] = read_item(item, now)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        for unread in (request.get(self._table) or {}).get("Keys", []):
            problem = "DynamoDB left its cooldown item unread (UnprocessedKeys)"
            found[self._id_of(unread)] = Record(Cooling(None, problem=problem))
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
                Key=key(server_id, self._prefix),
                UpdateExpression=_CLAIM,
                ConditionExpression=_FREE_OR_OWN_LEASE,
                ExpressionAttributeNames={**_NAMES, "#key": TABLE_PARTITION_KEY},
                ExpressionAttributeValues={
                    **{name: {"N": str(value)} for name, value in values.items()},
                    ":claimed": {"S": CLAIMED},
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
                Key=key(server_id, self._prefix),
                UpdateExpression=(
                    f"SET #hold = :until, #expires = :expires, #state = :started, startedAt = :at,"
                    f" runId = :run, #starts = {starts}"
                ),
                ConditionExpression="runKey = :runKey AND #state = :claimed",
                ExpressionAttributeNames={**_NAMES, "#starts": STARTS},
                ExpressionAttributeValues=self._confirmation(run, now, earlier),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            old = exc.response.get("Item") or {}
            done = old.get("runKey", {}).get("S") == run.key and old.get("state", {}).get("S") == STARTED
            if _code(exc) != "ConditionalCheckFailedException" or not done:
                raise

    def _confirmation(self, run: RunClaim, now: int, earlier: tuple[int, ...] | None) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":until": {"N": str(now + self._seconds)},
            ":expires": {"N": str(now + self._lifetime(self._seconds))},
            ":started": {"S": STARTED},
            ":claimed": {"S": CLAIMED},
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
            "Key": key(server_id, self._prefix),
            "ConditionExpression": "runId = :run",
        }
        try:
            if not keep:
                self._client.delete_item(**common, ExpressionAttributeValues={":run": {"S": run.run_id}})
                return
            self._client.update_item(
                **common,
                UpdateExpression="SET #hold = :zero, #state = :released",
                ExpressionAttributeNames={"#hold": HOLD, "#state": "state"},
                ExpressionAttributeValues={
                    ":run": {"S": run.run_id},
                    ":zero": {"N": "0"},
                    ":released": {"S": RELEASED},
                },
            )
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    def _id_of(self, item: Mapping[str, Any]) -> str:
        return str(item[TABLE_PARTITION_KEY]["S"]).removeprefix(self._prefix)

    @staticmethod
    def _lifetime(hold_seconds: int) -> int:
        """How long the item must live from now: its hold, and a day for the start it may record."""
        return max(hold_seconds, RESTART_WINDOW_SECONDS)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


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
