"""The run journal's writes when DynamoDB refuses them: only a damaged item (ValidationException) is
replaced; any other refusal reaches the run as the ClientError it is (the run then holds its servers)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.journal import RunJournal
from tests.unit.tables import ItemTable
from tests.unit.test_acts import logged


class RefusingTable:
    """A DynamoDB client whose UpdateItem is refused with `response`; records what it was asked."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response
        self.asked: list[str] = []
        self.put: dict[str, Any] = {}

    def update_item(self, **request: Any) -> None:
        self.asked.append("UpdateItem")
        raise ClientError(self.response, "UpdateItem")  # type: ignore[arg-type]

    def put_item(self, **request: Any) -> None:
        self.asked.append("PutItem")
        self.put = request


@pytest.mark.parametrize(
    "response",
    [
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}},
        {"ResponseMetadata": {"HTTPStatusCode": 500}},  # an error answer with no Error in it
    ],
    ids=["throughput", "no-error"],
)
def test_a_refused_journal_write_reaches_the_run_and_replaces_nothing(response: dict[str, Any]) -> None:
    table = RefusingTable(response)
    journal = RunJournal(table, "drs-reprotect", "event-1", keep_seconds=3600)

    with pytest.raises(ClientError) as refused:
        journal.intend(["s-00000000000000001"], 1_800_000_000)

    assert refused.value.response == response
    assert table.asked == ["UpdateItem"]


def test_a_damaged_journal_item_is_replaced_with_this_runs_intents_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    table = RefusingTable({"Error": {"Code": "ValidationException", "Message": "Type mismatch"}})
    journal = RunJournal(table, "drs-reprotect", "event-1", keep_seconds=3600)

    journal.intend(["s-00000000000000002", "s-00000000000000001"], 1_800_000_000)

    assert table.asked == ["UpdateItem", "PutItem"]
    assert table.put == {
        "TableName": "drs-reprotect",
        "Item": {
            "id": {"S": "run#event-1"},
            "intents": {"SS": ["s-00000000000000001", "s-00000000000000002"]},
            "expiration": {"N": "1800003600"},
        },
    }
    assert logged(caplog, "Replacing an unreadable run journal item") == [
        {
            "level": "WARNING",
            "message": "Replacing an unreadable run journal item",
            "service": "drs-reprotect",
            "journal": {"id": {"S": "run#event-1"}},
        }
    ]


@pytest.mark.parametrize(
    "intents",
    [None, {"S": "s-00000000000000001"}, {"SS": "s-00000000000000001"}, {"SS": [1]}, {"L": []}],
    ids=["none", "a-string", "a-string-for-a-set", "numbers", "a-list"],
)
def test_a_damaged_journal_item_is_read_as_no_earlier_intents_and_logged(
    intents: dict[str, Any] | None, caplog: pytest.LogCaptureFixture
) -> None:
    item = {"id": {"S": "run#event-1"}} | ({} if intents is None else {"intents": intents})
    journal = RunJournal(ItemTable(item), "drs-reprotect", "event-1", keep_seconds=3600)

    assert journal.earlier_intents() == frozenset()
    assert logged(caplog, "Unreadable run journal item; ignoring it") == [
        {
            "level": "WARNING",
            "message": "Unreadable run journal item; ignoring it",
            "service": "drs-reprotect",
            "journal": {"id": {"S": "run#event-1"}},
        }
    ]


@pytest.mark.parametrize(
    ("item", "intents"),
    [
        (None, frozenset()),
        ({"id": {"S": "run#event-1"}, "intents": {"SS": ["s-1", "s-2"]}}, frozenset({"s-1", "s-2"})),
    ],
    ids=["first-attempt", "two-servers"],
)
def test_an_earlier_attempts_intents_are_read_back(
    item: dict[str, Any] | None, intents: frozenset[str], caplog: pytest.LogCaptureFixture
) -> None:
    table = ItemTable(item)
    journal = RunJournal(table, "drs-reprotect", "event-1", keep_seconds=3600)

    assert journal.earlier_intents() == intents
    assert logged(caplog, "Unreadable run journal item; ignoring it") == []
    # read strongly consistent: a retry right after the crash must see what the earlier attempt wrote
    assert table.gets == [
        {"TableName": "drs-reprotect", "Key": {"id": {"S": "run#event-1"}}, "ConsistentRead": True}
    ]
