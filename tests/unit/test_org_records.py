"""What the hub accepts of an event and keeps of a report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reprotect.org.contract import DETAIL_TYPE, EVENT_SOURCE
from reprotect.org.records import MAX_NEEDS, PlaceState, Received, RejectedEvent, day_increments, latest_item
from tests.unit.test_report import make_report

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def event(detail: Any = None, **changes: Any) -> dict[str, Any]:
    report = make_report(("attention", "stalled"), ("started", "replication-stopped"), account="555555555555")
    base = {
        "id": "ev-1",
        "source": EVENT_SOURCE,
        "detail-type": DETAIL_TYPE,
        "account": "123456789012",
        "region": "us-east-1",
        "detail": report.to_dict() if detail is None else detail,
    }
    return {**base, **changes}


def test_the_place_is_the_sending_account_and_the_reports_region() -> None:
    received = Received.from_event(event())

    # The report said 555555555555; EventBridge says who sent it.
    assert (received.account, received.region, received.place) == (
        "123456789012",
        "eu-west-1",
        "123456789012#eu-west-1",
    )
    assert received.report.info.account == "123456789012"
    assert received.day == "2026-11-27"


def broken(key: str, value: Any) -> dict[str, Any]:
    detail = event()["detail"]
    detail[key] = value
    return detail


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"source": "aws.drs"}, "not a run report"),
        ({"detail-type": "Other"}, "not a run report"),
        ({"account": "12345"}, "no sending account"),
        ({"detail": {"runId": "x"}}, "the detail is not a run report (KeyError"),
        ({"detail": ["not", "an", "object"]}, "the detail is not a run report"),
        ({"detail": broken("region", "eu-west-1\nforged")}, "no region or finish time"),
        ({"detail": broken("finishedAt", "yesterday")}, "no region or finish time"),
        ({"detail": broken("counts", {**event()["detail"]["counts"], "started": "1"})}, "not whole numbers"),
        (
            {"detail": broken("servers", [{"sourceServerID": "s-1", "outcome": "exploded", "reason": "x"}])},
            "ValueError",
        ),
    ],
)
def test_events_that_are_not_run_reports_are_rejected_with_the_reason(
    changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(RejectedEvent) as caught:
        Received.from_event(event(**changes))
    assert words in str(caught.value)


def test_the_latest_item_keeps_the_servers_needing_a_person_and_counts_the_rest() -> None:
    report = make_report(*[("attention", "stalled")] * (MAX_NEEDS + 5), ("failed", "start-failed"), healthy=2)
    received = Received.from_event(event(detail=report.to_dict()))

    item = latest_item(received, NOW)

    assert (item["pk"], item["sk"]) == ("latest", "123456789012#eu-west-1")
    assert len(item["needs"]) == MAX_NEEDS
    assert item["needsOmitted"] == 6
    assert item["counts"]["healthy"] == 2
    assert item["expiresAt"] == int(datetime(2027, 1, 1, 6, 0, tzinfo=UTC).timestamp())


def test_a_run_adds_itself_to_its_days_totals() -> None:
    failed_run = make_report(("failed", "start-failed"))
    assert day_increments(Received.from_event(event(detail=failed_run.to_dict()))) == {
        "runs": 1,
        "runsFailed": 1,
        "started": 0,
        "wouldStart": 0,
        "failed": 1,
    }


def test_a_place_read_back_from_its_items() -> None:
    received = Received.from_event(event())
    latest = latest_item(received, NOW)
    totals = {"account": "123456789012", "region": "eu-west-1", "runs": 3, "started": 2, "runIds": {"a"}}

    state = PlaceState.from_items(latest, totals)

    assert (state.account, state.region, state.status) == ("123456789012", "eu-west-1", "attention")
    assert state.count("attention") == 1
    assert (state.total("runs"), state.total("started"), state.total("failed")) == (3, 2, 0)
    (need,) = state.needs
    assert need.server["reason"] == "stalled"


def test_extended_and_other_skipped_servers_are_not_kept_as_needing_a_person() -> None:
    # An extended server is replicated (and restarted) in its staging account, which reports it there.
    report = make_report(("skipped", "extended-from-staging-account"), ("skipped", "excluded-by-tag"))

    item = latest_item(Received.from_event(event(detail=report.to_dict())), NOW)

    assert (item["needs"], item["needsOmitted"]) == ([], 0)
    assert item["counts"]["skipped"] == 2


def test_the_latest_item_holds_the_runs_identity_and_its_flags_and_reads_back() -> None:
    report = make_report(
        *[("attention", "stalled")] * (MAX_NEEDS + 2), dry_run=True, sweep_complete=False, healthy=1
    )
    item = latest_item(Received.from_event(event(detail=report.to_dict())), NOW)

    assert (item["runId"], item["finishedAt"], item["status"]) == (
        "run-1",
        "2026-11-27T06:00:01.000Z",
        "partial-failure",
    )
    assert (item["dryRun"], item["sweepComplete"], item["needsOmitted"]) == (True, False, 2)

    state = PlaceState.from_items(item, None)

    assert (state.dry_run, state.needs_omitted, state.last_report_at) == (True, 2, "2026-11-27T06:00:01.000Z")
    assert state.count("healthy") == 1
    assert state.day == {}


def test_a_place_with_only_its_days_totals_reads_them_and_ignores_the_rest() -> None:
    day = {"account": "123456789012", "region": "eu-west-1", "runs": 2, "runsFailed": 1, "runIds": {"a"}}

    state = PlaceState.from_items(None, day)

    assert (state.account, state.region, state.status, state.dry_run) == (
        "123456789012",
        "eu-west-1",
        None,
        False,
    )
    assert state.day == {"runs": 2, "runsFailed": 1}


def test_a_run_that_did_not_fail_adds_no_failed_run() -> None:
    assert day_increments(Received.from_event(event()))["runsFailed"] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": "aws.drs"}, f"not a run report: 'aws.drs' / {DETAIL_TYPE!r}"),
        ({"detail-type": "Other"}, f"not a run report: {EVENT_SOURCE!r} / 'Other'"),
        ({"account": "12345"}, "no sending account: '12345'"),
        ({"account": None}, "no sending account: None"),
    ],
)
def test_a_rejection_quotes_what_was_wrong(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(RejectedEvent) as caught:
        Received.from_event(event(**changes))
    assert str(caught.value) == message


def test_a_report_with_no_sending_account_is_rejected_and_the_event_id_is_kept() -> None:
    no_account = event()
    del no_account["account"]
    no_id = event()
    del no_id["id"]

    with pytest.raises(RejectedEvent, match="no sending account: None"):
        Received.from_event(no_account)
    assert Received.from_event(event()).event_id == "ev-1"
    assert Received.from_event(no_id).event_id == ""


def test_a_latest_item_holding_only_its_run_reads_back_with_nothing_counted_or_needing_a_person() -> None:
    # An item with only the run's place, time and status: no counts, needs, dry-run flag or omissions
    latest = {
        "pk": "latest",
        "sk": "123456789012#eu-west-1",
        "account": "123456789012",
        "region": "eu-west-1",
        "finishedAt": "2026-11-27T06:00:01.000Z",
        "status": "idle",
    }

    state = PlaceState.from_items(latest, None)

    assert state == PlaceState(
        account="123456789012",
        region="eu-west-1",
        last_report_at="2026-11-27T06:00:01.000Z",
        status="idle",
        dry_run=False,
        counts={},
        needs=(),
        needs_omitted=0,
        day={},
    )
