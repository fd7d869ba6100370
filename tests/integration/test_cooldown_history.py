"""The server items in DynamoDB (moto): a start's history rides on the cooldown's own writes."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from reprotect.contract import RESTART_WINDOW_SECONDS
from reprotect.cooldown import CooldownStore, RunClaim
from tests.integration.conftest import Stack

SID = "s-0000000000000000a"
NOW = 1_800_000_000
HOUR = 3600


@pytest.fixture
def store(stack: Stack) -> CooldownStore:
    return CooldownStore(boto3.client("dynamodb"), stack.table_name, seconds=HOUR)


def start(store: CooldownStore, at: int, event: str) -> None:
    run = RunClaim(f"run-{event}", f"event-{event}", lease_seconds=300)
    assert store.claim(SID, run, at) is None
    store.confirm(SID, run, at)


def test_each_confirmed_start_is_recorded_and_read_back_with_the_cooldown(store: CooldownStore) -> None:
    for hours_ago, event in ((5, "a"), (3, "b"), (2, "c")):
        start(store, NOW - hours_ago * HOUR, event)

    record = store.read([SID], NOW)[SID]

    assert record.starts == (NOW - 5 * HOUR, NOW - 3 * HOUR, NOW - 2 * HOUR)
    assert record.hold is None  # the last cooldown (an hour) ended an hour ago


def test_starts_older_than_a_day_are_dropped_when_the_next_start_is_recorded(
    store: CooldownStore, stack: Stack
) -> None:
    start(store, NOW - 30 * HOUR, "old")
    start(store, NOW - 2 * HOUR, "new")

    item = stack.cooldown_items()[SID]

    assert [int(v["N"]) for v in item["starts"]["L"]] == [NOW - 2 * HOUR]
    # The item outlives the cooldown: it keeps the start for a day
    assert int(item["expiration"]["N"]) == NOW - 2 * HOUR + RESTART_WINDOW_SECONDS
    assert int(item["holdUntil"]["N"]) == NOW - 2 * HOUR + HOUR


def test_a_released_claim_keeps_the_history_and_frees_the_server(store: CooldownStore, stack: Stack) -> None:
    start(store, NOW - 2 * HOUR, "a")
    failing = RunClaim("run-b", "event-b", lease_seconds=300)

    assert store.claim(SID, failing, NOW) is None
    store.release(SID, failing)

    record = store.read([SID], NOW)[SID]
    assert record.hold is None
    assert record.starts == (NOW - 2 * HOUR,)


def test_a_released_claim_with_no_history_leaves_no_item(store: CooldownStore, stack: Stack) -> None:
    failing = RunClaim("run-b", "event-b", lease_seconds=300)
    assert store.claim(SID, failing, NOW) is None

    store.release(SID, failing)

    assert stack.cooldown_items() == {}


def test_confirming_twice_for_one_event_records_one_start(store: CooldownStore, stack: Stack) -> None:
    run = RunClaim("run-a", "event-a", lease_seconds=300)
    assert store.claim(SID, run, NOW) is None
    store.confirm(SID, run, NOW)

    # The event's retry finds the start done and confirms it again (journal.py's recovery path)
    retry = RunClaim("run-a2", "event-a", lease_seconds=300)
    CooldownStore(boto3.client("dynamodb"), stack.table_name, HOUR).confirm(SID, retry, NOW + 10)

    assert store.read([SID], NOW + 20)[SID].starts == (NOW,)


def test_confirming_a_start_another_event_confirmed_is_refused_and_changes_nothing(
    store: CooldownStore, stack: Stack
) -> None:
    start(store, NOW, "a")
    before = stack.cooldown_items()[SID]

    with pytest.raises(ClientError) as refused:
        store.confirm(SID, RunClaim("run-b", "event-b", lease_seconds=300), NOW + 10)

    assert refused.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert stack.cooldown_items()[SID] == before


def test_a_crashed_attempts_claim_confirmed_by_its_retry_records_the_start(
    store: CooldownStore, stack: Stack
) -> None:
    crashed = RunClaim("run-a", "event-a", lease_seconds=300)
    assert store.claim(SID, crashed, NOW) is None  # then the invocation died before confirming

    retry_store = CooldownStore(boto3.client("dynamodb"), stack.table_name, HOUR)
    retry_store.confirm(SID, RunClaim("run-a2", "event-a", lease_seconds=300), NOW + 60)

    record = store.read([SID], NOW + 120)[SID]
    assert record.starts == (NOW + 60,)
    assert record.hold is not None
    assert record.hold.confirmed


def test_a_cooldown_item_written_before_holds_and_history_were_apart_still_holds(
    store: CooldownStore, stack: Stack
) -> None:
    # Given an item of the earlier layout: its TTL attribute is the cooldown's end
    stack.dynamodb.put_item(
        TableName=stack.table_name,
        Item={
            "id": {"S": f"cooldown#{SID}"},
            "expiration": {"N": str(NOW + HOUR)},
            "state": {"S": "started"},
            "runId": {"S": "old-run"},
            "runKey": {"S": "old-event"},
        },
    )

    held = store.claim(SID, RunClaim("run-b", "event-b", lease_seconds=300), NOW)

    assert held is not None
    assert held.confirmed
    assert store.read([SID], NOW)[SID].hold == held
    # and once that cooldown is over, the server is free
    assert store.claim(SID, RunClaim("run-c", "event-c", lease_seconds=300), NOW + HOUR) is None


def test_a_malformed_history_holds_only_its_server(store: CooldownStore, stack: Stack) -> None:
    stack.dynamodb.put_item(
        TableName=stack.table_name,
        Item={
            "id": {"S": f"cooldown#{SID}"},
            "expiration": {"N": str(NOW + HOUR)},
            "holdUntil": {"N": "0"},
            "starts": {"L": [{"S": "yesterday"}]},
        },
    )
    other = "s-0000000000000000b"

    records = store.read([SID, other], NOW)

    assert records[SID].hold is not None
    assert records[SID].hold.problem is not None
    assert other not in records
