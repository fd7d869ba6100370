"""The run record that no crash can falsify: what one event's runs set out to start, kept as it happens.

Before a run claims servers it adds their ids to the event's journal item (`run#<event key>`, one
write per batch). A retry of the same event (after a timeout, a crash or a failed publish) reads it
first: a server listed there that DRS no longer shows as STOPPED was started by the earlier attempt,
and the retry reports it as started (saying so) instead of counting it healthy. A listed server
still STOPPED was never started, and the retry starts it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from reprotect.contract import TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE
from reprotect.observability import logger

JOURNAL_PREFIX = "run#"


class RunJournal:
    def __init__(self, client: Any, table_name: str, key: str, keep_seconds: int) -> None:
        self._client = client
        self._table = table_name
        self._key = {TABLE_PARTITION_KEY: {"S": f"{JOURNAL_PREFIX}{key}"}}
        self._keep_seconds = keep_seconds

    def earlier_intents(self) -> frozenset[str]:
        """The servers an earlier attempt of this event set out to start (empty on a first attempt)."""
        item = self._client.get_item(TableName=self._table, Key=self._key, ConsistentRead=True).get("Item")
        if not item:
            return frozenset()
        intents = item.get("intents", {}).get("SS")
        if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
            # A damaged journal must not stop the run: its servers are then judged afresh.
            logger.warning("Unreadable run journal item; ignoring it", journal=self._key)
            return frozenset()
        return frozenset(intents)

    def intend(self, server_ids: Iterable[str], now: int) -> None:
        """Record that this run is about to claim and start these servers."""
        ids = sorted(set(server_ids))
        if not ids:
            return
        expires = {"N": str(now + self._keep_seconds)}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key,
                UpdateExpression="ADD intents :ids SET #expires = :expires",
                ExpressionAttributeNames={"#expires": TABLE_TTL_ATTRIBUTE},
                ExpressionAttributeValues={":ids": {"SS": ids}, ":expires": expires},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ValidationException":
                raise
            # The item is damaged (intents not a string set): what it held could not be read anyway.
            logger.warning("Replacing an unreadable run journal item", journal=self._key)
            self._client.put_item(
                TableName=self._table,
                Item={**self._key, "intents": {"SS": ids}, TABLE_TTL_ATTRIBUTE: expires},
            )


class NoJournal:
    """No table (the CLI without --table): nothing to recover, nothing kept."""

    def earlier_intents(self) -> frozenset[str]:
        return frozenset()

    def intend(self, server_ids: Iterable[str], now: int) -> None:
        return None
