"""The cooldown batch read against DynamoDB's BatchGetItem contract: at most 100 keys a request, read
strongly consistent, keys DynamoDB leaves unprocessed asked for again once, and any still unread then
held (a problem, never a guess that the server is free)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reprotect.cooldown import CooldownStore
from reprotect.holds import Cooling, Record

NOW = 1_800_000_000
TABLE = "drs-reprotect"
UNREAD = "DynamoDB left its cooldown item unread (UnprocessedKeys)"


def sid(n: int) -> str:
    return f"s-{n:017d}"


def item_key(n: int) -> dict[str, Any]:
    return {"id": {"S": f"cooldown#{sid(n)}"}}


def cooling(n: int) -> dict[str, Any]:
    """A confirmed start's item, holding its server an hour from NOW."""
    return {**item_key(n), "holdUntil": {"N": str(NOW + 3600)}, "state": {"S": "started"}}


HELD = Record(Cooling("2027-01-15T09:00:00Z", confirmed=True))


class BatchTable:
    """A DynamoDB client whose BatchGetItem gives the answers in turn; records each request."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self._answers: Iterator[dict[str, Any]] = iter(answers)
        self.requests: list[dict[str, Any]] = []

    def batch_get_item(self, *, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(RequestItems)
        return next(self._answers)


def store(table: BatchTable) -> CooldownStore:
    return CooldownStore(table, TABLE, 3600)


def test_keys_are_read_strongly_consistent_a_hundred_to_a_request() -> None:
    table = BatchTable([{"Responses": {TABLE: [cooling(1)]}}, {"Responses": {TABLE: []}}])

    found = store(table).read([sid(n) for n in range(1, 151)], NOW)

    assert found == {sid(1): HELD}
    assert table.requests == [
        {TABLE: {"Keys": [item_key(n) for n in range(1, 101)], "ConsistentRead": True}},
        {TABLE: {"Keys": [item_key(n) for n in range(101, 151)], "ConsistentRead": True}},
    ]


def test_an_answer_with_no_items_for_the_table_finds_nothing() -> None:
    for answer in ({}, {"Responses": {}}):
        assert store(BatchTable([answer])).read([sid(1)], NOW) == {}


def test_keys_left_unprocessed_are_asked_for_again() -> None:
    unprocessed = {TABLE: {"Keys": [item_key(2)], "ConsistentRead": True}}
    table = BatchTable(
        [
            {"Responses": {TABLE: [cooling(1)]}, "UnprocessedKeys": unprocessed},
            {"Responses": {TABLE: [cooling(2)]}, "UnprocessedKeys": {}},
        ]
    )

    found = store(table).read([sid(1), sid(2)], NOW)

    assert found == {sid(1): HELD, sid(2): HELD}
    assert table.requests[1] == unprocessed


def test_keys_still_unprocessed_after_a_second_request_hold_their_servers() -> None:
    unprocessed = {TABLE: {"Keys": [item_key(2), item_key(3)], "ConsistentRead": True}}
    table = BatchTable(
        [
            {"Responses": {TABLE: [cooling(1)]}, "UnprocessedKeys": unprocessed},
            {"Responses": {TABLE: []}, "UnprocessedKeys": unprocessed},
        ]
    )

    found = store(table).read([sid(1), sid(2), sid(3)], NOW)

    assert len(table.requests) == 2  # no third request: the call window allows two
    assert found == {
        sid(1): HELD,
        sid(2): Record(Cooling(None, problem=UNREAD)),
        sid(3): Record(Cooling(None, problem=UNREAD)),
    }
