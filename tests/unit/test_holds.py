"""Who a server's hold keeps away: every run but the retry of the event whose lease it is."""

from __future__ import annotations

import pytest

from reprotect.holds import Cooling, read_item


@pytest.mark.parametrize(
    ("hold", "holds"),
    [
        # A confirmed start's cooldown keeps everyone away, the retry of the event that started it too
        (Cooling("2026-11-27T07:00:00Z", confirmed=True, key="event-a"), True),
        (Cooling("2026-11-27T07:00:00Z", confirmed=True, key="event-b"), True),
        (Cooling("2026-11-27T06:10:00Z", confirmed=False, key="event-b"), True),  # another event's lease
        (Cooling("2026-11-27T06:10:00Z", confirmed=False, key="event-a"), False),  # its own: taken over
    ],
)
def test_a_hold_keeps_every_run_away_but_the_retry_of_the_event_whose_lease_it_is(
    hold: Cooling, holds: bool
) -> None:
    assert hold.holds_against("event-a") is holds


def test_an_unreadable_hold_keeps_every_run_away_even_the_event_it_names_as_unconfirmed() -> None:
    unreadable = Cooling(None, confirmed=False, problem="unreadable cooldown item", key="event-a")

    assert unreadable.holds_against("event-a") is True
    assert unreadable.holds_against("event-b") is True


def test_an_item_that_cannot_be_read_holds_its_server_against_any_event() -> None:
    record = read_item({"id": {"S": "cooldown#s-1"}, "holdUntil": {"N": "soon"}}, now=1_800_000_000)

    assert record.hold is not None
    assert record.hold.problem is not None
    assert record.hold.holds_against("event-a") is True


def test_an_item_from_before_leases_with_no_state_is_a_confirmed_start() -> None:
    record = read_item({"id": {"S": "cooldown#s-1"}, "holdUntil": {"N": "1800000600"}}, now=1_800_000_000)

    assert record.hold == Cooling("2027-01-15T08:10:00Z", confirmed=True)
    assert record.starts == ()
