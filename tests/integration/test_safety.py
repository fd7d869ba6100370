"""Never twice, never too many, never past the deadline: idempotency, cooldown, cap, dry run."""

from __future__ import annotations

import threading
import time

import pytest

from tests.integration.conftest import FakeContext, Stack, load_event


def started_ids(stack: Stack) -> list[str]:
    return [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")]


def test_same_event_twice_starts_and_publishes_once_and_returns_the_first_report(stack: Stack, fleet) -> None:
    (stopped,) = fleet({"state": "STOPPED"})
    event = load_event("scheduler.json")

    first = stack.invoke(event)
    stack.backend.set_state(stopped, "STOPPED")  # stopped again: only the duplicate guard can hold it
    second = stack.invoke(dict(event, executionId="a-retry", attemptNumber="2"))

    assert started_ids(stack) == [stopped]
    assert second == first
    assert len(stack.messages()) == 1


def test_an_events_record_answers_its_duplicates_for_a_day(stack: Stack, fleet) -> None:
    fleet({"state": "STOPPED"})
    before = time.time()

    stack.invoke(load_event("scheduler.json"))

    items = stack.dynamodb.scan(TableName=stack.table_name)["Items"]
    (record,) = [item for item in items if "run_and_deliver" in item["id"]["S"]]
    assert record["status"]["S"] == "COMPLETED"
    expires = int(record["expiration"]["N"])
    assert before + 86400 - 1 <= expires <= time.time() + 86400


def test_classic_scheduled_event_is_deduplicated_by_its_id(stack: Stack, fleet) -> None:
    fleet({"state": "STOPPED"})
    event = load_event("scheduled_event.json")

    stack.invoke(event)
    stack.invoke(event)

    assert len(stack.backend.calls_of("DescribeSourceServers")) == 1
    assert len(stack.messages()) == 1


@pytest.mark.parametrize("name", ["alarm_plain.json", "alarm_drs.json", "drs_stalled.json"])
def test_alarm_and_drs_event_redeliveries_are_answered_from_the_first_run(stack: Stack, fleet, name) -> None:
    # Given the servers the event names (the sample events name s-1234567890abcdef0) or the fleet
    fleet({"state": "STOPPED", "server_id": "s-1234567890abcdef0"}, {"state": "STOPPED"})
    event = load_event(name)

    first = stack.invoke(event)
    calls = len(stack.backend.calls)
    for sid in stack.backend.server_ids():
        stack.backend.set_state(sid, "STOPPED")  # stopped again: only the duplicate guard can hold them
    second = stack.invoke(event)  # EventBridge's redelivery: the same event id

    assert second == first
    assert len(stack.backend.calls) == calls  # not one DRS call
    assert len(stack.messages()) == 1
    # A different event (another id) is a new run: the dedupe key is the event's id, not a constant
    other = stack.invoke(dict(event, id="11111111-2222-3333-4444-555555555555"))
    assert other["runId"] != first["runId"]


def test_cooldown_holds_a_restarted_server_across_different_events(stack: Stack, fleet) -> None:
    # Given a server this tool started
    (sid,) = fleet({"state": "STOPPED"})
    stack.invoke(load_event("scheduler.json"))
    stack.backend.set_state(sid, "STOPPED")  # it stopped again straight away

    # When another event comes within the cooldown
    report = stack.invoke(load_event("alarm_plain.json"))

    # Then it is skipped with the cooldown's end, and not started again
    assert started_ids(stack) == [sid]
    (server,) = report["servers"]
    assert (server["outcome"], server["reason"]) == ("skipped", "cooldown")
    assert "cooldown until" in server["detail"]
    assert report["status"] == "idle"


def test_expired_cooldown_lets_the_server_start_again(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("RESTART_COOLDOWN_SECONDS", "0")
    (sid,) = fleet({"state": "STOPPED"})
    stack.invoke(load_event("scheduler.json"))
    stack.backend.set_state(sid, "STOPPED")

    report = stack.invoke(load_event("alarm_plain.json"))

    assert started_ids(stack) == [sid, sid]
    assert report["servers"][0]["outcome"] == "started"


def test_failed_attempt_leaves_no_cooldown(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # retries are not what this test is about
    (sid,) = fleet({"state": "STOPPED"})
    stack.faults.script(sid, "StartReplication", ["InternalServerException"])

    report = stack.invoke(load_event("scheduler.json"))

    assert report["servers"][0]["outcome"] == "failed"
    assert stack.cooldown_items() == {}
    # and the next run tries again
    again = stack.invoke(load_event("alarm_plain.json"))
    assert again["servers"][0]["outcome"] == "started"


def test_overlapping_invocations_never_start_a_server_twice(stack: Stack) -> None:
    from drs_emulator.fleet import generate_fleet

    servers = generate_fleet(60, seed=11, stopped=0.5)
    stack.backend.add_servers(servers)
    stopped = {
        s["sourceServerID"] for s in servers if s["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
    }
    stack.faults.latency(0.02, "StartReplication")
    # DRS would refuse a second start with a conflict, but the call itself must never be made twice.
    reports: list[dict] = []

    def invoke(event: dict) -> None:
        reports.append(stack.invoke(event))

    threads = [
        threading.Thread(target=invoke, args=(load_event(name),))
        for name in ("scheduler.json", "alarm_plain.json", "scheduled_event.json")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    starts = started_ids(stack)
    assert len(starts) == len(set(starts))
    assert sum(r["counts"]["started"] for r in reports) == len(starts)
    assert set(starts) <= stopped
    assert all(stack.backend.state_of(sid) == "INITIATING" for sid in starts)


def test_cap_defers_the_rest(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("MAX_STARTS_PER_RUN", "2")
    fleet(*[{"state": "STOPPED"} for _ in range(5)])

    report = stack.invoke(load_event("scheduler.json"))

    assert len(started_ids(stack)) == 2
    assert report["counts"]["started"] == 2
    assert report["counts"]["deferred"] == 3
    assert {s["reason"] for s in report["servers"] if s["outcome"] == "deferred"} == {"max-starts-per-run"}
    assert len(stack.cooldown_items()) == 2
    # the two claims, the run journal, Powertools' idempotency record and the publication record:
    # nothing for the deferred
    assert stack.dynamodb.scan(TableName=stack.table_name)["Count"] == 2 + 1 + 1 + 1


def test_dry_run_decides_and_reports_but_starts_and_claims_nothing(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("DRY_RUN", "true")
    fleet({"state": "STOPPED"}, {"state": "STOPPED", "tags": {"AutoReprotect": "false"}})

    report = stack.invoke(load_event("scheduler.json"))

    assert started_ids(stack) == []
    assert report["status"] == "dry-run"
    assert sorted(s["outcome"] for s in report["servers"]) == ["skipped", "would-start"]
    assert stack.cooldown_items() == {}
    (message,) = stack.messages()
    assert message["MessageAttributes"]["outcome"]["Value"] == "dry-run"


def test_include_tag_opt_in_mode(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("INCLUDE_TAG", "DR=protect")
    opted, _ = fleet(
        {"state": "STOPPED", "tags": {"DR": "protect"}}, {"state": "STOPPED", "tags": {"DR": "no"}}
    )

    report = stack.invoke(load_event("scheduler.json"))

    assert started_ids(stack) == [opted]
    assert sorted(s["reason"] for s in report["servers"]) == ["not-opted-in", "replication-stopped"]


def test_exclude_tag_key_alone_excludes_any_value(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("EXCLUDE_TAG", "NoDR")
    fleet({"state": "STOPPED", "tags": {"NoDR": ""}}, {"state": "STOPPED", "tags": {"NoDR": "yes"}})

    report = stack.invoke(load_event("scheduler.json"))

    assert started_ids(stack) == []
    assert [s["reason"] for s in report["servers"]] == ["excluded-by-tag"] * 2


def test_deadline_defers_what_cannot_be_reached(stack: Stack, fleet) -> None:
    fleet(*[{"state": "STOPPED"} for _ in range(4)])

    # 15 seconds left: under the smallest safety margin (20 s), so nothing is launched
    report = stack.invoke(load_event("scheduler.json"), FakeContext(budget_ms=15_000))

    assert started_ids(stack) == []
    assert report["counts"]["deferred"] == 4
    assert {s["reason"] for s in report["servers"]} == {"deadline"}
    assert report["status"] == "partial-failure"
    assert report["sweepComplete"] is False


def test_idle_run_publishes_nothing_unless_asked(stack: Stack, fleet, monkeypatch) -> None:
    fleet({"state": "CONTINUOUS"}, {"state": "STOPPED", "tags": {"AutoReprotect": "false"}})

    quiet = stack.invoke(load_event("scheduler.json"))
    assert quiet["status"] == "idle"
    assert stack.messages() == []

    monkeypatch.setenv("NOTIFY_WHEN_IDLE", "true")
    loud = stack.invoke(load_event("scheduled_event.json"))
    (message,) = stack.messages()
    assert loud["status"] == "idle"
    assert message["MessageAttributes"]["outcome"]["Value"] == "idle"
