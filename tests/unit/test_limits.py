"""The learned limits' item: what is read back, and that reading or writing it never fails a run."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.limits import KEEP_SECONDS, LimitStore, NoLimitStore, keep_limits, read_limits, start_pacing
from reprotect.pacer import Limit, Phase
from tests.unit.tables import ItemTable
from tests.unit.test_acts import logged

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


def test_nothing_learned_is_nothing_written() -> None:
    client = ItemTable()

    LimitStore(client, "table").save({})

    assert client.puts == []


def test_what_was_learned_is_written_as_one_item_that_expires() -> None:
    client = ItemTable()

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


@pytest.mark.parametrize(
    ("rate", "burst"), [("0.2", "1"), ("1000", "10")], ids=["slowest-pace", "fastest-pace"]
)
def test_the_pacers_slowest_and_fastest_paces_are_read_back(rate: str, burst: str) -> None:
    # 0.2 calls/s (one call per 5 s) and 1000 calls/s: the documented bounds of a pace
    found = read_limits(item({"StartReplication": entry(rate, burst)}), NOW)

    assert found == {"StartReplication": Limit(float(rate), float(burst))}


@pytest.mark.parametrize("entries", [["StartReplication"], "x", None], ids=["a-list", "a-string", "null"])
def test_limits_that_are_not_a_map_hold_no_limits(entries: Any) -> None:
    assert read_limits({**item({}), "limits": {"M": entries}}, NOW) == {}


def test_the_kept_limits_are_read_from_their_one_item_strongly_consistent() -> None:
    kept = item({"StartReplication": entry("9.5", "1")}, expires=int(time.time()) + 60)
    table = ItemTable(kept)

    assert LimitStore(table, "drs-reprotect").load() == {"StartReplication": Limit(9.5, 1)}
    assert table.requests == [
        ("GetItem", {"TableName": "drs-reprotect", "Key": {"id": {"S": "pacer#drs"}}, "ConsistentRead": True})
    ]


def test_no_kept_item_is_no_limits() -> None:
    assert LimitStore(ItemTable(None), "drs-reprotect").load() == {}


def test_the_learned_limits_are_put_as_one_item_expiring_a_week_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW + 0.5)
    table = ItemTable(None)

    LimitStore(table, "drs-reprotect").save({"StartReplication": Limit(9.5, 2.0)})

    assert table.requests == [
        (
            "PutItem",
            {
                "TableName": "drs-reprotect",
                "Item": {
                    "id": {"S": "pacer#drs"},
                    "expiration": {"N": str(NOW + 7 * 86400)},
                    "limits": {
                        "M": {"StartReplication": {"M": {"rate": {"N": "9.5"}, "burst": {"N": "2.0"}}}}
                    },
                },
            },
        )
    ]


def test_a_table_that_cannot_be_read_or_written_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    store = LimitStore(Broken(), "table")

    store.load()
    store.save({"StartReplication": Limit(9, 1)})

    assert [line["message"] for line in warnings(caplog)] == [
        "Could not read the learned DRS limits; pacing starts afresh",
        "Could not keep the learned DRS limits; the next run finds them again",
    ]


def warnings(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [line for line in (logged(caplog, r.getMessage()) for r in caplog.records) for line in line]


class Kept(NoLimitStore):
    """A store that kept StartReplication's limit, and records what it is asked to keep."""

    def __init__(self) -> None:
        self.saved: list[Mapping[str, Limit]] = []

    def load(self) -> dict[str, Limit]:
        return {"StartReplication": Limit(4, 2)}

    def save(self, limits: Mapping[str, Limit]) -> None:
        self.saved.append(limits)


def test_the_runs_pacing_waits_within_the_runs_deadline() -> None:
    deadline = Deadline.after(300)

    paced = start_pacing(Config(None, None), deadline, Kept())

    assert paced is not None
    assert paced.deadline is deadline
    assert paced.max_burst == 10  # MAX_CONCURRENCY's default


def test_what_the_run_learned_is_kept_when_the_deadline_allows_one_more_call() -> None:
    store = Kept()
    pacing = start_pacing(Config(None, None), Deadline.after(300), store)
    assert pacing is not None
    pacing.pacer("StartReplication")  # the run called StartReplication (from the kept limit)

    keep_limits(pacing, store, Deadline.after(300))

    assert store.saved == [{"StartReplication": Limit(4.0, 2.0)}]


def test_nothing_is_kept_past_the_deadline_or_without_pacing() -> None:
    store = Kept()
    pacing = start_pacing(Config(None, None), Deadline.after(300), store)
    assert pacing is not None
    pacing.pacer("StartReplication")

    keep_limits(pacing, store, Deadline.after(10))  # 10 s left: within the 20 s margin
    keep_limits(None, store, Deadline.after(300))  # PACE_DRS_CALLS=false

    assert store.saved == []
