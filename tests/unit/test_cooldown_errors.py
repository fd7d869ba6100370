"""The cooldown table's error answers: only a failed condition means another run holds the server;
any other error, even one with no code at all, is raised for the run to report as a store failure."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.cooldown import CooldownStore, RunClaim

RUN = RunClaim("run-1", "event-1", 900)
NOW = 1_800_000_000


class FailingTable:
    """A DynamoDB client whose UpdateItem answers with the given error."""

    def __init__(self, error: ClientError) -> None:
        self.error = error

    def update_item(self, **_: Any) -> dict[str, Any]:
        raise self.error


def test_an_error_answer_with_no_code_is_raised_as_it_came_when_claiming() -> None:
    error = ClientError({}, "UpdateItem")
    store = CooldownStore(FailingTable(error), "table", 3600)

    with pytest.raises(ClientError) as raised:
        store.claim("s-00000000000000001", RUN, NOW)

    assert raised.value is error
