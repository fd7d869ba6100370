"""Speaking only when something changed, through the real handler, with the record in the table."""

from __future__ import annotations

import json
import logging

from reprotect.contract import PUBLICATION_PREFIX
from tests.integration.conftest import Stack, load_event


def sweep(stack: Stack, at: str) -> dict:
    """A scheduled sweep; each scheduled time is a new event (not a duplicate delivery)."""
    return stack.invoke(load_event("scheduler.json", scheduledTime=f"2026-11-27T{at}Z", executionId=at))


def record_of(stack: Stack) -> dict:
    key = {"id": {"S": f"{PUBLICATION_PREFIX}123456789012#us-east-1"}}
    item: dict = stack.dynamodb.get_item(TableName=stack.table_name, Key=key)["Item"]
    return item


def test_the_same_paused_server_is_reported_once_then_again_when_something_changes(
    stack: Stack, fleet
) -> None:
    # Given a fleet whose only news is a server whose replication is paused
    (paused,) = fleet({"state": "PAUSED"}, {"state": "CONTINUOUS"})[:1]

    # When three sweeps find it the same
    first, second, third = sweep(stack, "06:00:00"), sweep(stack, "06:30:00"), sweep(stack, "07:00:00")

    # Then the first is published with status attention, and the others stay quiet
    assert [r["status"] for r in (first, second, third)] == ["attention"] * 3
    (message,) = stack.messages()
    assert message["MessageAttributes"]["outcome"]["Value"] == "attention"

    # When another server pauses, the news has changed: published
    (other,) = fleet({"state": "PAUSED"})
    sweep(stack, "07:30:00")
    (changed,) = stack.messages()
    assert {s["sourceServerID"] for s in json.loads(changed["Message"])["servers"]} == {paused, other}

    # And when both are replicating again, that is a change too (status idle), published once
    stack.backend.set_state(paused, "CONTINUOUS")
    stack.backend.set_state(other, "CONTINUOUS")
    quiet = sweep(stack, "08:00:00")
    (cleared,) = stack.messages()
    assert quiet["status"] == "idle"
    assert cleared["MessageAttributes"]["outcome"]["Value"] == "idle"
    sweep(stack, "08:30:00")
    assert stack.messages() == []


def test_each_run_logs_whether_it_published_and_why(stack: Stack, fleet, caplog) -> None:
    caplog.set_level(logging.INFO)
    fleet({"state": "PAUSED"})

    sweep(stack, "06:00:00")
    (published,) = [r for r in caplog.records if r.getMessage() == "Report published"]
    (message,) = stack.messages()
    assert (published.why, published.message_id) == ("changed since the last report", message["MessageId"])

    caplog.clear()
    sweep(stack, "06:30:00")
    assert [(r.getMessage(), r.status) for r in caplog.records if "published" in r.getMessage()] == [
        ("Report not published: nothing new since the last one", "attention")
    ]


def test_unchanged_news_is_published_again_once_the_last_publication_is_older_than_the_reminder(
    stack: Stack, fleet
) -> None:
    fleet({"state": "PAUSED"})
    sweep(stack, "06:00:00")
    assert len(stack.messages()) == 1
    sweep(stack, "06:30:00")
    assert stack.messages() == []

    # Given the last publication a day and a second old (the record, as time would leave it)
    item = record_of(stack)
    item["publishedAt"] = {"N": str(int(item["publishedAt"]["N"]) - 86_401)}
    stack.dynamodb.put_item(TableName=stack.table_name, Item=item)

    sweep(stack, "07:00:00")

    (reminder,) = stack.messages()
    assert reminder["MessageAttributes"]["outcome"]["Value"] == "attention"
    # and the record moved on: the next sweep is quiet again
    sweep(stack, "07:30:00")
    assert stack.messages() == []


def test_every_start_is_published_and_the_sweep_after_it_is_quiet(stack: Stack, fleet) -> None:
    (stopped,) = fleet({"state": "STOPPED"})

    sweep(stack, "06:00:00")
    stack.backend.set_state(stopped, "CONTINUOUS")
    sweep(stack, "06:30:00")

    messages = stack.messages()
    assert [m["MessageAttributes"]["outcome"]["Value"] for m in messages] == ["ok"]


def test_notify_when_idle_still_publishes_every_run(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("NOTIFY_WHEN_IDLE", "true")
    fleet({"state": "STALLED"})

    sweep(stack, "06:00:00")
    sweep(stack, "06:30:00")

    assert len(stack.messages()) == 2


def test_remind_after_zero_publishes_every_run_that_has_news(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("REMIND_AFTER_SECONDS", "0")
    fleet({"state": "STALLED"}, {"state": "CONTINUOUS"})

    sweep(stack, "06:00:00")
    sweep(stack, "06:30:00")

    assert len(stack.messages()) == 2
