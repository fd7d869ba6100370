"""The learned limits' item: what is read back, and that reading or writing it never fails a run."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.limits import KEEP_SECONDS, LimitStore, NoLimitStore, read_limits, start_pacing
from reprotect.pacer import Limit, Phase

NOW = 1_800_000_000


def item(limits: dict[str, Any], expires: int = NOW + 60) -> dict[str, Any]:
    return {"id": {"S": "pacer#drs"}, "expiration": {"N": str(expires)}, "limits": {"M": limits}}


def entry(rate: str, burst: str) -> dict[str, Any]:
    return {"M": {"rate": {"N": rate}, "burst": {"N": burst}}}


def test_the_limits_of_each_operation_are_read_back() -> None:
    found = read_limits(
        item({"StartReplication": entry("9.5", "1"), "ReverseReplication": entry("2", "5")}), NOW
    )

    assert found == {"StartReplication": Limit(9.5, 1), "ReverseReplication": Limit(2, 5)}


@pytest.mark.parametrize(
    "bad",
    [entry("abc", "1"), entry("nan", "1"), entry("0", "1"), entry("1e9", "1"), entry("5", "0"), {"S": "x"}],
)
def test_an_entry_that_makes_no_sense_is_ignored_alone(bad: dict[str, Any]) -> None:
    found = read_limits(item({"StartReplication": bad, "ReverseReplication": entry("2", "5")}), NOW)

    assert found == {"ReverseReplication": Limit(2, 5)}


@pytest.mark.parametrize(
    "stale", [item({"StartReplication": entry("9", "1")}, expires=NOW), {}, {"limits": "x"}]
)
def test_an_expired_missing_or_damaged_item_holds_no_limits(stale: dict[str, Any]) -> None:
    assert read_limits(stale, NOW) == {}


class Broken:
    """A DynamoDB client whose every call is denied."""

    def get_item(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetItem")

    def put_item(self, **_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutItem")


def test_a_table_that_cannot_be_read_or_written_fails_nothing() -> None:
    store = LimitStore(Broken(), "table")

    assert store.load() == {}
    store.save({"StartReplication": Limit(9, 1)})  # logs, does not raise


class Recording:
    def __init__(self) -> None:
        self.puts: list[dict[str, Any]] = []

    def put_item(self, **request: Any) -> None:
        self.puts.append(request)


def test_nothing_learned_is_nothing_written() -> None:
    client = Recording()

    LimitStore(client, "table").save({})

    assert client.puts == []


def test_what_was_learned_is_written_as_one_item_that_expires() -> None:
    client = Recording()

    LimitStore(client, "table").save({"StartReplication": Limit(9.5, 1.0)})

    (put,) = client.puts
    now = int(time.time())
    assert put["Item"]["id"] == {"S": "pacer#drs"}
    assert read_limits(put["Item"], now) == {"StartReplication": Limit(9.5, 1.0)}
    assert read_limits(put["Item"], now + KEEP_SECONDS + 60) == {}


def test_pacing_starts_from_the_kept_limits_unless_it_is_switched_off() -> None:
    class Kept(NoLimitStore):
        def load(self) -> dict[str, Limit]:
            return {"StartReplication": Limit(4, 2)}

    deadline = Deadline.after(300)
    paced = start_pacing(Config(None, None), deadline, Kept())

    assert paced is not None
    assert paced.pacer("StartReplication").phase is Phase.HOLD
    assert paced.pacer("DescribeSourceServers").phase is Phase.OPEN
    assert start_pacing(Config(None, None, pace_drs_calls=False), deadline, Kept()) is None
