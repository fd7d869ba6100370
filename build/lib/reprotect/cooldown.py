"""Per-server claims in the idempotency table, beside Powertools' records: the restart cooldown.

A run claims a server with a conditional write before StartReplication, so two overlapping runs can
never both start it. The claim is first a short lease (it lasts as long as the run may); once DRS has
started the server the run confirms it, and the lease becomes the cooldown. A claim that was never
confirmed (the run failed or crashed first) so expires with the run instead of blocking the server for
a whole cooldown, and the same event's retry may take it over at once. Items expire through the
table's TTL attribute, and every condition compares it too, since TTL deletion lags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from reprotect.contract import COOLDOWN_PREFIX, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE

_BATCH = 100  # BatchGetItem takes at most 100 keys
_MAX_BATCH_ROUNDS = 2  # each within the call window; keys still unprocessed then are not guessed at
_CLAIMED, _STARTED = "claimed", "started"
_NAMES = {"#key": TABLE_PARTITION_KEY, "#expires": TABLE_TTL_ATTRIBUTE, "#state": "state"}
# Free, expired, or this same event's lease that was never confirmed (its retry takes it over).
_FREE_OR_OWN_LEASE = (
    "attribute_not_exists(#key) OR #expires <= :now OR (runKey = :runKey AND #state = :claimed)"
)


@dataclass(frozen=True)
class Cooling:
    """What the table says of one server: until when it is held, and whether a start is confirmed.

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


def _key(server_id: str) -> dict[str, Any]:
    return {TABLE_PARTITION_KEY: {"S": f"{COOLDOWN_PREFIX}{server_id}"}}


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_item(item: Mapping[str, Any], now: int) -> Cooling | None:
    """The item's hold on its server (None once expired); a malformed item is a problem, not a crash."""
    try:
        expires = int(item[TABLE_TTL_ATTRIBUTE]["N"])
        # Items without a state predate leases: they were written for a start.
        confirmed = item.get("state", {"S": _STARTED})["S"] != _CLAIMED
        key = item.get("runKey", {}).get("S")
        return Cooling(iso(expires), confirmed, key=key) if expires > now else None
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        return Cooling(None, problem=f"unreadable cooldown item ({type(exc).__name__}: {exc!s:.80})")


class CooldownStore:
    """Claims in the table: `active` reads them, `claim` takes one, `confirm` turns it into the
    cooldown, `release` drops it."""

    def __init__(self, client: Any, table_name: str, seconds: int) -> None:
        self._client = client
        self._table = table_name
        self._seconds = seconds

    def active(self, server_ids: Iterable[str], now: int) -> dict[str, Cooling]:
        """The servers held now (cooling down, being started, or unreadable), by id."""
        ids = list(server_ids)
        found: dict[str, Cooling] = {}
        for start in range(0, len(ids), _BATCH):
            request: dict[str, Any] = {
                self._table: {
                    "Keys": [_key(sid) for sid in ids[start : start + _BATCH]],
                    "ConsistentRead": True,
                }
            }
            for _ in range(_MAX_BATCH_ROUNDS):
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    held = read_item(item, now)
                    if held is not None:
                        found[str(item[TABLE_PARTITION_KEY]["S"]).removeprefix(COOLDOWN_PREFIX)] = held
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            for key in (request.get(self._table) or {}).get("Keys", []):
                unread = str(key[TABLE_PARTITION_KEY]["S"]).removeprefix(COOLDOWN_PREFIX)
                found[unread] = Cooling(
                    None, problem="DynamoDB left its cooldown item unread (UnprocessedKeys)"
                )
        return found

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        """Take the server for this run with a lease. None when taken, else the hold that won.

        A lease of the same event (`run.key`) that was never confirmed may be taken over: that is the
        same work, retried after a crash.
        """
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **_key(server_id),
                    TABLE_TTL_ATTRIBUTE: {"N": str(now + run.lease_seconds)},
                    "state": {"S": _CLAIMED},
                    "runId": {"S": run.run_id},
                    "runKey": {"S": run.key},
                },
                ConditionExpression=_FREE_OR_OWN_LEASE,
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":now": {"N": str(now)},
                    ":runKey": {"S": run.key},
                    ":claimed": {"S": _CLAIMED},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return read_item(exc.response.get("Item") or {}, now) or Cooling(iso(now))
        return None

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        """DRS started the server: this run's lease becomes the cooldown."""
        self._client.update_item(
            TableName=self._table,
            Key=_key(server_id),
            UpdateExpression="SET #expires = :until, #state = :started, startedAt = :at, runId = :run",
            ConditionExpression="runKey = :runKey",
            ExpressionAttributeNames={"#expires": TABLE_TTL_ATTRIBUTE, "#state": "state"},
            ExpressionAttributeValues={
                ":until": {"N": str(now + self._seconds)},
                ":started": {"S": _STARTED},
                ":at": {"S": iso(now)},
                ":run": {"S": run.run_id},
                ":runKey": {"S": run.key},
            },
        )

    def release(self, server_id: str, run: RunClaim) -> None:
        """Drop this run's lease after an attempt that did not start the server."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(server_id),
                ConditionExpression="runId = :run",
                ExpressionAttributeValues={":run": {"S": run.run_id}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


@dataclass(frozen=True)
class RunClaim:
    """Who claims: this invocation (`run_id`), the event it serves (`key`, shared by its retries), and
    how long its lease may last (as long as the invocation)."""

    run_id: str
    key: str
    lease_seconds: int


class NoCooldown:
    """No table (the CLI without --table): nothing is cooling down and every claim succeeds."""

    def active(self, server_ids: Iterable[str], now: int) -> dict[str, Cooling]:
        return {}

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        return None

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        return None

    def release(self, server_id: str, run: RunClaim) -> None:
        return None
