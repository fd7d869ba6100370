"""The hub end to end in moto: members' reports arrive on the bus, the collector forwards them to the
organization's topic with the members' own attributes and keeps them for the digest, and the daily
digest tells the organization what needs a person."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from harness.context import FakeContext
from harness.hub import Hub, create_hub, received_events
from harness.resources import Clients, read_messages
from reprotect import render
from reprotect.org import handlers
from reprotect.report import Report
from tests.integration.conftest import Stack, load_event


@pytest.fixture
def hub(stack: Stack, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Hub:
    monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", moto_url)
    created = create_hub(Clients.create(), f"hub{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("HUB_EVENT_BUS_ARN", created.bus_arn)
    for name, value in created.env().items():
        monkeypatch.setenv(name, value)
    return created


def collect_all(stack: Stack, hub: Hub) -> list[dict]:
    return [handlers.collect(event, FakeContext()) for event in received_events(stack.sqs, hub.queue_url)]


def test_a_report_is_forwarded_with_the_members_message_and_attributes(stack: Stack, hub: Hub, fleet) -> None:
    # Given a member run that started one server and found one stalled
    fleet({"state": "STOPPED"}, {"state": "STALLED", "hostname": "files-01"})
    report = stack.invoke(load_event("scheduler.json"))

    # When the hub's rule hands the event to the collector
    (result,) = collect_all(stack, hub)

    # Then the organization's topic carries exactly what the member's own topic carried
    assert result["status"] == "collected"
    (own,) = stack.messages()
    (forwarded,) = read_messages(stack.sqs, hub.topic_queue_url)
    assert json.loads(forwarded["Message"]) == report
    assert forwarded["Subject"] == own["Subject"]
    attributes = render.attributes(Report.from_dict(report))
    assert {k: v["Value"] for k, v in forwarded["MessageAttributes"].items()} == {
        k: v["StringValue"] for k, v in attributes.items()
    }


def test_an_event_delivered_twice_counts_once(stack: Stack, hub: Hub, fleet) -> None:
    fleet({"state": "STOPPED"})
    stack.invoke(load_event("scheduler.json"))
    (event,) = received_events(stack.sqs, hub.queue_url)

    first = handlers.collect(event, FakeContext())
    second = handlers.collect(event, FakeContext())
    digest = handlers.send_digest({"day": event["detail"]["finishedAt"][:10]}, FakeContext())

    assert (first["status"], second["status"]) == ("collected", "duplicate")
    assert digest["places"] == 1
    body = digest_message(hub)
    assert body["dayTotals"]["runs"] == 1
    assert body["dayTotals"]["started"] == 1


def test_idle_reports_are_kept_for_the_digest_but_not_forwarded(stack: Stack, hub: Hub, fleet) -> None:
    fleet({"state": "CONTINUOUS"})
    stack.invoke(load_event("scheduler.json"))

    (result,) = collect_all(stack, hub)

    assert result == {"status": "collected", "messageId": None}
    assert read_messages(stack.sqs, hub.topic_queue_url) == []


def test_an_event_that_is_not_a_run_report_is_rejected_and_kept_nowhere(stack: Stack, hub: Hub) -> None:
    event = {"source": "drs-reprotect", "detail-type": "DRS Reprotect Run Report", "account": "123456789012"}

    result = handlers.collect({**event, "detail": {"runId": "x"}}, FakeContext())

    assert result["status"] == "rejected"
    assert "not a run report" in result["reason"]
    assert stack.dynamodb.scan(TableName=hub.table_name)["Items"] == []


def digest_message(hub: Hub) -> dict:
    messages = read_messages(Clients.create().sqs, hub.topic_queue_url)
    digests = [m for m in messages if m.get("MessageAttributes", {}).get("kind", {}).get("Value") == "digest"]
    (digest,) = digests
    return json.loads(digest["Message"])


def test_the_daily_digest_names_what_needs_a_person_across_the_organization(
    stack: Stack, hub: Hub, fleet
) -> None:
    # Given two runs of one member today: a stalled server, then a restart
    fleet({"state": "STALLED", "hostname": "files-01"}, {"state": "STOPPED", "hostname": "web-01"})
    stack.invoke(load_event("scheduler.json"))
    stack.invoke({"dryRun": False})  # a person sweeps by hand
    collect_all(stack, hub)
    read_messages(stack.sqs, hub.topic_queue_url)  # the forwarded reports

    # When the digest is sent for today
    today = datetime.now(UTC).date().isoformat()
    result = handlers.send_digest({"day": today}, FakeContext())

    # Then it names the stalled server, counts both runs, and nothing is silent
    assert result["status"] == "published"
    body = digest_message(hub)
    assert body["kind"] == "digest"
    assert body["dayTotals"]["runs"] == 2
    assert body["dayTotals"]["started"] == 1
    (need,) = body["needsPerson"]
    assert (need["hostname"], need["reason"], need["region"]) == ("files-01", "stalled", "us-east-1")
    assert body["silentPlaces"] == []


def test_a_place_that_stopped_reporting_is_named_silent(stack: Stack, hub: Hub, fleet, monkeypatch) -> None:
    fleet({"state": "CONTINUOUS"})
    stack.invoke(load_event("scheduler.json"))
    collect_all(stack, hub)
    monkeypatch.setenv("SILENT_AFTER_HOURS", "1")
    later = datetime.now(UTC) + timedelta(hours=3)
    monkeypatch.setattr(handlers, "datetime", _FrozenAt(later))

    handlers.send_digest({}, FakeContext())

    body = digest_message(hub)
    (silent,) = body["silentPlaces"]
    assert silent["account"] == "123456789012"


class _FrozenAt:
    """`datetime` as the digest sees it, at a fixed time."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self, tz: object = None) -> datetime:
        return self.moment
