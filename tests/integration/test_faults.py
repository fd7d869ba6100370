"""The record stays true under faults: late answers, a failed publish, a crash mid-run, poisoned items,
many runs at once. Each test reproduces a way the record once went wrong.

Hangs that take the whole deadline (a dependency that never answers) are in `make faults`, which
measures how long before its deadline each invocation returns.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.context import FakeContext
from harness.events import load_event
from harness.stack import Stack
from reprotect.delivery import PublishError

ROOT = Path(__file__).resolve().parents[2]
EARLIER = "started by an earlier attempt of this event"


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["sourceServerID"]: (s["outcome"], s["reason"]) for s in report["servers"]}


def successful_starts(stack: Stack) -> Counter[str]:
    return Counter(c.server_id for c in stack.backend.calls_of("StartReplication") if c.status == 200)


def test_a_start_answered_after_the_read_timeout_is_started_and_keeps_its_cooldown(
    stack: Stack, fleet
) -> None:
    # Given DRS that carries out StartReplication at once but answers 2 s later, beyond the 1.33 s
    # read timeout a 60 s budget gives each attempt (margin 20 s, call window 5 s, two attempts)
    (sid,) = fleet({"state": "STOPPED"})
    stack.faults.latency(2.0, "StartReplication", when="after")

    report = stack.invoke(load_event("scheduler.json"), FakeContext(budget_ms=60_000))

    # Then the server reads as started (DRS says so when asked again), and its cooldown stands
    assert outcomes(report) == {sid: ("started", "replication-stopped")}
    assert "DRS shows the server INITIATING" in report["servers"][0]["detail"]
    assert sid in stack.cooldown_items()
    assert stack.backend.state_of(sid) == "INITIATING"


def test_a_failed_publish_fails_the_invocation_and_the_retry_publishes_the_whole_report(
    stack: Stack, fleet, monkeypatch, capsys
) -> None:
    servers = fleet(*[{"state": "STOPPED"} for _ in range(3)])
    event = load_event("scheduler.json")
    # Given SNS unreachable (nothing listens on the port) for the first delivery
    sns_endpoint = os.environ["AWS_ENDPOINT_URL_SNS"]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:9")

    with pytest.raises(PublishError, match=r"the report is in the function's log as 'Report not published'"):
        stack.invoke(event)
    first_output = capsys.readouterr().out
    assert '"ServersStarted"' not in first_output  # no metrics for a run whose report was not delivered

    # When the platform retries the same event with SNS back
    monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", sns_endpoint)
    report = stack.invoke(event)

    # Then one report, with every server the first attempt started, says so; nothing started twice
    assert outcomes(report) == {sid: ("started", "replication-stopped") for sid in servers}
    assert {s["detail"] for s in report["servers"]} == {EARLIER}
    assert successful_starts(stack) == Counter(servers)
    (message,) = stack.messages()
    assert message["MessageAttributes"]["started"]["Value"] == "3"
    metrics = re.findall(r'"ServersStarted":\s*\[?(\d+)', capsys.readouterr().out)
    assert metrics == ["3"]


def test_a_run_killed_mid_sweep_is_completed_truthfully_by_the_retry(stack: Stack, fleet) -> None:
    servers = fleet(*[{"state": "STOPPED"} for _ in range(6)])
    stack.faults.latency(0.4, "StartReplication")
    # Given a run that is killed (a timeout, out of memory) after its first starts
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", KILLED_RUN],
        cwd=ROOT,
        env={**os.environ, "MAX_CONCURRENCY": "1"},
    )
    try:
        _wait_for(lambda: sum(successful_starts(stack).values()) >= 2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    killed_with = set(successful_starts(stack))
    _lambda_timed_out(stack)

    # When the platform retries the same event
    report = stack.invoke(load_event("scheduler.json"), FakeContext())

    # Then every server is started exactly once; the earlier attempt's starts are reported as started
    assert successful_starts(stack) == Counter(servers)
    assert outcomes(report) == {sid: ("started", "replication-stopped") for sid in servers}
    earlier = {s["sourceServerID"] for s in report["servers"] if s.get("detail") == EARLIER}
    assert killed_with <= earlier
    # and the claim the killed run held while waiting for a DRS slot did not block its server
    assert len(stack.messages()) == 1


KILLED_RUN = """
from harness.context import FakeContext
from harness.events import load_event
from harness.function import invoke
invoke(load_event("scheduler.json"), FakeContext())
"""


def _wait_for(condition: Any, seconds: float = 30) -> None:
    limit = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > limit:
            raise AssertionError("the condition never held")
        time.sleep(0.02)


def _lambda_timed_out(stack: Stack) -> None:
    """What Lambda's timeout means to Powertools: the record in progress has expired."""
    for item in stack.dynamodb.scan(TableName=stack.table_name)["Items"]:
        if item.get("status", {}).get("S") == "INPROGRESS":
            stack.dynamodb.update_item(
                TableName=stack.table_name,
                Key={"id": item["id"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )


def test_poisoned_table_items_hold_only_their_server_and_never_stop_a_run(stack: Stack, fleet) -> None:
    poisoned, fine = fleet({"state": "STOPPED"}, {"state": "STOPPED"})
    # Given a cooldown item whose expiry is a string, not a number
    stack.dynamodb.put_item(
        TableName=stack.table_name,
        Item={"id": {"S": f"cooldown#{poisoned}"}, "expiration": {"S": "tomorrow"}},
    )

    report = stack.invoke(load_event("scheduler.json"))

    assert outcomes(report) == {
        poisoned: ("failed", "cooldown-store-error"),
        fine: ("started", "replication-stopped"),
    }
    assert report["servers"][0]["errorCode"] == "UnreadableCooldownItem"
    assert successful_starts(stack) == Counter([fine])
    assert len(stack.messages()) == 1


def test_a_poisoned_run_journal_is_ignored(stack: Stack, fleet) -> None:
    (sid,) = fleet({"state": "STOPPED"})
    event = load_event("scheduler.json")
    key = f"{event['scheduleArn']}#{event['scheduledTime']}"
    stack.dynamodb.put_item(
        TableName=stack.table_name, Item={"id": {"S": f"run#{key}"}, "intents": {"S": "not a set"}}
    )

    report = stack.invoke(event)

    assert outcomes(report) == {sid: ("started", "replication-stopped")}


def test_sixteen_overlapping_runs_start_each_server_once_and_blame_only_their_own_cap(
    stack: Stack, fleet, monkeypatch
) -> None:
    servers = fleet(*[{"state": "STOPPED"} for _ in range(25)])
    stack.faults.latency(0.02, "StartReplication")
    monkeypatch.setenv("MAX_STARTS_PER_RUN", "5")
    events = [load_event("scheduler.json", scheduledTime=f"2026-11-27T06:{i:02d}:00Z") for i in range(16)]
    reports: list[dict[str, Any]] = []

    threads = [threading.Thread(target=lambda e=e: reports.append(stack.invoke(e))) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(reports) == 16
    assert successful_starts(stack) == Counter(servers)  # every server once, none twice
    assert sum(r["counts"]["started"] for r in reports) == 25
    for report in reports:
        capped = [s for s in report["servers"] if s["reason"] == "max-starts-per-run"]
        assert not capped or report["counts"]["started"] == 5  # the cap is named only when reached
