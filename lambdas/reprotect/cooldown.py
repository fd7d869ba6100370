"""Per-server restart cooldown, kept as claims in the idempotency table beside Powertools' records.

A claim is written before StartReplication with a condition, so two overlapping invocations can
never both start one server; a failed attempt releases its claim. Items expire through the table's
TTL attribute, and the condition compares it too, since TTL deletion lags.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from reprotect.contract import COOLDOWN_PREFIX, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE

_BATCH = 100  # BatchGetItem takes at most 100 keys
_MAX_BATCH_ROUNDS = 5


def _key(server_id: str) -> dict[str, Any]:
    return {TABLE_PARTITION_KEY: {"S": f"{COOLDOWN_PREFIX}{server_id}"}}


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class CooldownStore:
    """Claims in the table: `active` reads them, `claim` writes one conditionally, `release` drops it."""

    def __init__(self, client: Any, table_name: str, seconds: int) -> None:
        self._client = client
        self._table = table_name
        self._seconds = seconds

    def active(self, server_ids: Iterable[str], now: int) -> dict[str, str]:
        """Return {server id: ISO time its cooldown ends} for the servers still cooling down."""
        ids = list(server_ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), _BATCH):
            request: dict[str, Any] = {
                self._table: {
                    "Keys": [_key(sid) for sid in ids[start : start + _BATCH]],
                    "ProjectionExpression": "#key, #expires",
                    "ExpressionAttributeNames": {
                        "#key": TABLE_PARTITION_KEY,
                        "#expires": TABLE_TTL_ATTRIBUTE,
                    },
                    "ConsistentRead": True,
                }
            }
            for _ in range(_MAX_BATCH_ROUNDS):
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    expires = int(item[TABLE_TTL_ATTRIBUTE]["N"])
                    if expires > now:
                        found[item[TABLE_PARTITION_KEY]["S"].removeprefix(COOLDOWN_PREFIX)] = _iso(expires)
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
        return found

    def claim(self, server_id: str, run_id: str, now: int) -> str | None:
        """Claim the server for this run. Returns None on success, else when the other claim ends."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **_key(server_id),
                    TABLE_TTL_ATTRIBUTE: {"N": str(now + self._seconds)},
                    "startedAt": {"S": _iso(now)},
                    "runId": {"S": run_id},
                },
                ConditionExpression="attribute_not_exists(#key) OR #expires <= :now",
                ExpressionAttributeNames={"#key": TABLE_PARTITION_KEY, "#expires": TABLE_TTL_ATTRIBUTE},
                ExpressionAttributeValues={":now": {"N": str(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old = exc.response.get("Item") or {}
            return _iso(int(old.get(TABLE_TTL_ATTRIBUTE, {}).get("N", now)))
        return None

    def release(self, server_id: str, run_id: str) -> None:
        """Drop this run's claim after an attempt that did not start the server."""
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(server_id),
                ConditionExpression="runId = :run",
                ExpressionAttributeValues={":run": {"S": run_id}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


class NoCooldown:
    """No table (the CLI without --table): nothing is cooling down and every claim succeeds."""

    def active(self, server_ids: Iterable[str], now: int) -> dict[str, str]:
        return {}

    def claim(self, server_id: str, run_id: str, now: int) -> str | None:
        return None

    def release(self, server_id: str, run_id: str) -> None:
        return None
