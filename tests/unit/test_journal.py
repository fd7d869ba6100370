"""The run journal's writes when DynamoDB refuses them: only a damaged item (ValidationException) is
replaced; any other refusal reaches the run as the ClientError it is (the run then holds its servers)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.journal import RunJournal


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


def test_a_damaged_journal_item_is_replaced_with_this_runs_intents() -> None:
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
