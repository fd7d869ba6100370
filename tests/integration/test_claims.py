"""The claim's conditions, one by one, against a table (moto; its writes atomic as DynamoDB's are).

The engine's two cooldown checks (the batch read, then the conditional claim) must each hold on their
own: these tests exercise the claim with nothing read before it.
"""

from __future__ import annotations

import pytest

from harness.stack import Stack
from reprotect.cooldown import CooldownStore, RunClaim, key

SERVER = "s-00000000000000001"
NOW = 1_800_000_000
FIRST = RunClaim("run-1", "event-1", lease_seconds=300)
SECOND_EVENT = RunClaim("run-2", "event-2", lease_seconds=300)
RETRY_OF_FIRST = RunClaim("run-3", "event-1", lease_seconds=300)


@pytest.fixture
def store(stack: Stack) -> CooldownStore:
    return CooldownStore(stack.dynamodb, stack.table_name, seconds=3600)


def test_a_free_server_is_claimed_and_a_second_event_loses_to_the_lease(store: CooldownStore) -> None:
    assert store.claim(SERVER, FIRST, NOW) is None

    lost = store.claim(SERVER, SECOND_EVENT, NOW + 1)

    assert lost is not None
    assert (lost.confirmed, lost.until) == (False, "2027-01-15T08:05:00Z")  # the lease: NOW + 300 s


def test_a_lease_item_lives_a_day_so_the_start_it_may_record_outlives_it(
    store: CooldownStore, stack: Stack
) -> None:
    store.claim(SERVER, FIRST, NOW)

    item = stack.cooldown_items()[SERVER]

    assert int(item["holdUntil"]["N"]) == NOW + 300  # the lease
    assert int(item["expiration"]["N"]) == NOW + 86400  # DynamoDB's TTL: the 24-hour restart window


def test_a_confirmed_start_holds_every_event_for_the_cooldown_even_its_own_retry(
    store: CooldownStore,
) -> None:
    store.claim(SERVER, FIRST, NOW)
    store.confirm(SERVER, FIRST, NOW)

    for run in (SECOND_EVENT, RETRY_OF_FIRST):
        held = store.claim(SERVER, run, NOW + 3599)
        assert held is not None
        assert held.confirmed is True
    assert store.claim(SERVER, SECOND_EVENT, NOW + 3600) is None  # the cooldown is over


def test_the_same_events_retry_takes_over_an_unconfirmed_lease(store: CooldownStore) -> None:
    store.claim(SERVER, FIRST, NOW)

    assert store.claim(SERVER, RETRY_OF_FIRST, NOW + 1) is None
    assert store.claim(SERVER, SECOND_EVENT, NOW + 2) is not None  # now the retry holds it


def test_an_expired_lease_frees_the_server_for_any_event(store: CooldownStore) -> None:
    store.claim(SERVER, FIRST, NOW)

    assert store.claim(SERVER, SECOND_EVENT, NOW + 300) is None


def test_release_drops_only_the_runs_own_claim(store: CooldownStore) -> None:
    store.claim(SERVER, FIRST, NOW)

    store.release(SERVER, SECOND_EVENT)  # not its claim: nothing changes
    assert store.claim(SERVER, SECOND_EVENT, NOW + 1) is not None

    store.release(SERVER, FIRST)
    assert store.claim(SERVER, SECOND_EVENT, NOW + 2) is None


def test_the_batch_read_sees_leases_and_cooldowns(store: CooldownStore) -> None:
    other = "s-00000000000000002"
    store.claim(SERVER, FIRST, NOW)
    store.claim(other, SECOND_EVENT, NOW)
    store.confirm(other, SECOND_EVENT, NOW)

    records = store.read([SERVER, other, "s-00000000000000003"], NOW + 10)

    assert records[SERVER].hold is not None
    assert records[SERVER].hold.confirmed is False
    assert records[other].hold is not None
    assert records[other].hold.confirmed is True
    assert records[other].starts == (NOW,)
    assert "s-00000000000000003" not in records


def test_releasing_a_server_with_past_starts_keeps_them_and_ends_only_the_hold(
    stack: Stack, store: CooldownStore
) -> None:
    # Given a server started once, its cooldown over, and claimed again by another event
    store.claim(SERVER, FIRST, NOW)
    store.confirm(SERVER, FIRST, NOW)
    assert store.claim(SERVER, SECOND_EVENT, NOW + 3600) is None

    # When that attempt does not start it
    store.release(SERVER, SECOND_EVENT)

    # Then the item stays, released, with the earlier start still counted for restart loops
    item = stack.dynamodb.get_item(TableName=stack.table_name, Key=key(SERVER))["Item"]
    assert item["state"] == {"S": "released"}
    record = store.read([SERVER], NOW + 3601)[SERVER]
    assert record.hold is None
    assert record.starts == (NOW,)
    assert store.claim(SERVER, RETRY_OF_FIRST, NOW + 3602) is None
