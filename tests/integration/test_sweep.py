"""Full sweeps through the real handler: every outcome and reason, the report and the message."""

from __future__ import annotations

import json
from typing import Any

from drs_emulator.fleet import generate_fleet
from harness.resources import Clients, subscribe_queue
from tests.integration.conftest import FakeContext, Stack, load_event


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["sourceServerID"]: s for s in report["servers"]}


def test_sweep_starts_stopped_servers_and_reports_every_outcome(stack: Stack, fleet) -> None:
    # Given a fleet with one server of every kind
    ids = fleet(
        {"state": "STOPPED", "hostname": "web-1"},
        {"state": "STOPPED", "tags": {"AutoReprotect": "false"}, "hostname": "legacy-1"},
        {"state": "STOPPED", "direction": "FAILBACK", "hostname": "failback-1"},
        {"state": "STOPPED", "extended": True, "hostname": "extended-1"},
        {"state": "STALLED", "hostname": "stalled-1"},
        {"state": "DISCONNECTED", "hostname": "gone-1"},
        {"state": "PAUSED", "hostname": "paused-1"},
        {"state": "CONTINUOUS", "error": "NOT_CONVERGING", "hostname": "slow-1"},
        {"state": "CONTINUOUS"},
        {"state": "INITIAL_SYNC"},
    )
    started, excluded, failback, extended, stalled, disconnected, paused, erroring = ids[:8]

    # When a scheduled sweep runs
    report = stack.invoke(load_event("scheduler.json"))

    # Then only the eligible stopped server was started, and every other has its reason
    servers = by_id(report)
    assert stack.backend.state_of(started) == "INITIATING"
    assert [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")] == [started]
    expected = {
        started: ("started", "replication-stopped"),
        excluded: ("skipped", "excluded-by-tag"),
        failback: ("skipped", "failback-direction"),
        extended: ("skipped", "extended-from-staging-account"),
        stalled: ("attention", "stalled"),
        disconnected: ("attention", "disconnected"),
        paused: ("attention", "paused"),
        erroring: ("attention", "replication-error"),
    }
    assert {sid: (s["outcome"], s["reason"]) for sid, s in servers.items()} == expected
    assert servers[erroring]["errorCode"] == "NOT_CONVERGING"
    assert "staging account" in servers[extended]["detail"]
    assert servers[started]["hostname"] == "web-1"
    assert report["counts"] == {
        "started": 1,
        "would-start": 0,
        "skipped": 3,
        "failed": 0,
        "deferred": 0,
        "attention": 4,
        "healthy": 2,
        "examined": 10,
    }
    assert report["status"] == "attention"  # four servers need a person
    assert report["trigger"]["type"] == "schedule"
    assert report["trigger"]["name"] == "drs-reprotect-sweep"
    assert report["account"] == "123456789012"
    assert report["region"] == "us-east-1"

    # And one message was published, JSON for machines, with filterable attributes
    (envelope,) = stack.messages()
    assert json.loads(envelope["Message"]) == report
    attributes = envelope["MessageAttributes"]
    assert attributes["outcome"]["Value"] == "attention"
    assert attributes["started"] == {"Type": "Number", "Value": "1"}
    assert attributes["attention"] == {"Type": "Number", "Value": "4"}
    assert envelope["Subject"] == "[drs-reprotect] ATTENTION 123456789012/us-east-1: 1 started, 4 attention"
    # And each server needing a person says what to check
    assert all(servers[sid]["diagnosis"] for sid in (stalled, disconnected, paused, erroring))
    assert "diagnosis" not in servers[started]


def test_a_run_over_an_empty_fleet_names_the_functions_account(stack: Stack) -> None:
    # No server ARN to read the account from: it is the invoked function's
    report = stack.invoke(load_event("scheduler.json"))

    assert report["counts"]["examined"] == 0
    assert report["account"] == "123456789012"


def test_whole_generated_fleet_is_accounted_for(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("REPLICATING_SERVER_LIMIT", "10000")  # ~380 replicate: the default 300 defers all
    servers = generate_fleet(450, seed=7)
    stack.backend.add_servers(servers)
    stack.faults.page_cap = 37  # short pages, so paging is exercised

    report = stack.invoke(load_event("scheduled_event.json"), FakeContext())

    stopped = [s for s in servers if s["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"]
    listed = by_id(report)
    assert report["counts"]["examined"] == 450
    assert report["counts"]["healthy"] + len(listed) == 450
    assert all(listed[s["sourceServerID"]]["outcome"] in ("started", "skipped") for s in stopped)
    started = {c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")}
    assert started == {sid for sid, s in listed.items() if s["outcome"] == "started"}


def test_subscription_filter_policy_on_outcome_hears_only_trouble(stack: Stack, fleet, monkeypatch) -> None:
    # Given a second queue subscribed with a filter policy on the outcome attribute
    pager = subscribe_queue(
        Clients.create(),
        stack.topic_arn,
        f"{stack.table_name}-pager",
        filter_policy={"outcome": ["failed", "partial-failure"]},
    )
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    good, bad = fleet({"state": "STOPPED"}, {"state": "STOPPED"})

    # When one run is ok and a later one partly fails
    stack.invoke({"sourceServerIDs": [good]})
    stack.faults.script(bad, "StartReplication", ["InternalServerException"])
    stack.backend.set_state(good, "STOPPED")
    stack.invoke({"sourceServerIDs": [bad]})

    # Then the pager queue got only the failed run, and the unfiltered queue got both
    received = stack.sqs.receive_message(QueueUrl=pager, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(json.loads(m["Body"])["Message"])["status"] for m in received] == ["failed"]
    assert len(stack.messages()) == 2
