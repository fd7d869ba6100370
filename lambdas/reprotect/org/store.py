"""The digest table: each member report counted once, and every place read back for the digest.

Two kinds of item, side by side (partition key `pk`, sort key `sk` = `<account>#<region>`):
`latest` holds each place's latest run (its counts and the servers needing a person), overwritten only
by a later run; `day#<YYYY-MM-DD>` holds each place's totals for that UTC day, each run added once
(its run id is kept with them, since EventBridge may deliver an event twice).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from reprotect.org import contract as c
from reprotect.org.records import PlaceState, Received, day_increments, expires, latest_item

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()
CONDITION_FAILED = "ConditionalCheckFailedException"


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _SERIALIZER.serialize(value) for key, value in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _DESERIALIZER.deserialize(value) for key, value in item.items()}


class DigestStore:
    """The table, through a DynamoDB client."""

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._db = dynamodb
        self._table = table_name

    def record(self, received: Received, now: datetime) -> bool:
        """Keep a report: as its place's latest run if none later is there, and in its day's totals.
        False when this run was counted already (a second delivery of the event)."""
        self._put_latest(received, now)
        return self._add_to_day(received, now)

    def places(self, day: str) -> list[PlaceState]:
        """Every place the table knows: its latest run and its totals for `day` (YYYY-MM-DD)."""
        latest = {item[c.TABLE_SORT_KEY]: item for item in self._query(c.LATEST_PARTITION)}
        totals = {item[c.TABLE_SORT_KEY]: item for item in self._query(c.DAY_PARTITION_PREFIX + day)}
        return [PlaceState.from_items(latest.get(key), totals.get(key)) for key in sorted({*latest, *totals})]

    def _put_latest(self, received: Received, now: datetime) -> None:
        try:
            self._db.put_item(
                TableName=self._table,
                Item=to_item(latest_item(received, now)),
                ConditionExpression="attribute_not_exists(#pk) OR #at < :at",
                ExpressionAttributeNames={"#pk": c.TABLE_PARTITION_KEY, "#at": "finishedAt"},
                ExpressionAttributeValues={":at": {"S": received.report.finished_at}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != CONDITION_FAILED:
                raise  # a later run is there already otherwise: nothing to do

    def _add_to_day(self, received: Received, now: datetime) -> bool:
        try:
            self._db.update_item(TableName=self._table, **day_update(received, now))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == CONDITION_FAILED:
                return False
            raise
        return True

    def _query(self, partition: str) -> Iterator[dict[str, Any]]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": c.TABLE_PARTITION_KEY},
            ExpressionAttributeValues={":pk": {"S": partition}},
        )
        for page in pages:
            yield from (from_item(item) for item in page.get("Items", []))


def day_update(received: Received, now: datetime) -> dict[str, Any]:
    """The UpdateItem that adds a run to its place's day, unless its run id is there already."""
    increments = day_increments(received)
    run_id = received.report.info.run_id
    sets = {
        "account": received.account,
        "region": received.region,
        c.TABLE_TTL_ATTRIBUTE: expires(now, c.DAY_DAYS),
    }
    adds = ", ".join(f"#{name} :{name}" for name in increments)
    assigns = ", ".join(f"#{name} = :{name}" for name in sets)
    return {
        "Key": to_item(
            {c.TABLE_PARTITION_KEY: c.DAY_PARTITION_PREFIX + received.day, c.TABLE_SORT_KEY: received.place}
        ),
        "UpdateExpression": f"ADD {adds}, #runIds :runIds SET {assigns}",
        "ConditionExpression": "attribute_not_exists(#runIds) OR NOT contains(#runIds, :runId)",
        "ExpressionAttributeNames": {f"#{name}": name for name in (*increments, *sets, "runIds")},
        "ExpressionAttributeValues": to_item(
            {
                **{f":{name}": value for name, value in {**increments, **sets}.items()},
                ":runIds": {run_id},
                ":runId": run_id,
            }
        ),
    }
