"""Errors per server and for the whole run: nothing raises past the report, nothing is lost."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from drs_emulator.faults import FaultInjector as Faults
from drs_emulator.fleet import generate_fleet
from reprotect.contract import LIMITS_KEY
from reprotect.limits import read_limits
from tests.integration.conftest import Stack, load_event


@pytest.fixture(autouse=True)
def _one_attempt(monkeypatch) -> None:
    # botocore's standard retries are not what these tests are about (throttling has its own test).
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


def outcomes(report: dict) -> dict[str, tuple[str, str, str | None]]:
    return {s["sourceServerID"]: (s["outcome"], s["reason"], s.get("errorCode")) for s in report["servers"]}


def test_per_server_errors_each_get_their_outcome(stack: Stack, fleet) -> None:
    conflict, gone, broken, fine = fleet(*[{"state": "STOPPED"} for _ in range(4)])
    stack.faults.script(conflict, "StartReplication", ["ConflictException"])
    stack.faults.script(gone, "StartReplication", ["ResourceNotFoundException"])
    stack.faults.script(broken, "StartReplication", ["InternalServerException"])

    report = stack.invoke(load_event("scheduler.json"))

    assert outcomes(report) == {
        conflict: ("skipped", "no-longer-stopped", "ConflictException"),
        gone: ("skipped", "not-found", "ResourceNotFoundException"),
        broken: ("failed", "start-failed", "InternalServerException"),
        fine: ("started", "replication-stopped", None),
    }
    details = {s["sourceServerID"]: s.get("detail") for s in report["servers"]}
    assert details[conflict] == "ConflictException (scripted)"  # DRS's own message
    assert details[gone] == "deleted while the run was going"
    assert details[broken] == "StartReplication answered InternalServerException; the server is still STOPPED"
    assert report["status"] == "partial-failure"
    (message,) = stack.messages()
    assert message["MessageAttributes"]["outcome"]["Value"] == "partial-failure"
    assert message["MessageAttributes"]["failed"]["Value"] == "1"
    assert set(stack.cooldown_items()) == {fine}


def test_every_start_failing_makes_the_run_failed(stack: Stack, fleet) -> None:
    (sid,) = fleet({"state": "STOPPED"})
    stack.faults.script(sid, "StartReplication", ["InternalServerException"])

    report = stack.invoke(load_event("scheduler.json"))

    assert report["status"] == "failed"
    assert "error" not in report


def _uninitialized(faults: Faults) -> None:
    faults.uninitialized = True


def _deny_describe(faults: Faults) -> None:
    faults.deny("DescribeSourceServers")


@pytest.mark.parametrize(
    ("fault", "code"),
    [(_uninitialized, "UninitializedAccountException"), (_deny_describe, "AccessDeniedException")],
    ids=["uninitialized", "deny_describe"],
)
def test_account_level_failure_is_reported_not_raised(
    stack: Stack, fleet, fault: Callable[[Faults], None], code: str
) -> None:
    fleet({"state": "STOPPED"})
    fault(stack.faults)

    report = stack.invoke(load_event("scheduler.json"))

    assert report["status"] == "failed"
    assert report["error"]["code"] == code
    assert report["servers"] == []
    (message,) = stack.messages()
    assert message["MessageAttributes"]["outcome"]["Value"] == "failed"
    assert code in json.loads(message["Message"])["error"]["code"]


def test_failure_on_a_later_page_starts_nothing_and_accounts_for_every_server_seen(stack: Stack) -> None:
    servers = generate_fleet(30, seed=5, stopped=1.0, failback=0, extended=0, opted_out=0)
    stack.backend.add_servers(servers)
    stack.faults.page_cap = 10
    # the first page answers; the second fails
    stack.faults.script(None, "DescribeSourceServers", [200, "InternalServerException"])

    report = stack.invoke(load_event("scheduler.json"))

    # Without the whole fleet, the replicating servers are not counted: nothing may start
    assert report["error"]["code"] == "InternalServerException"

    assert stack.backend.calls_of("StartReplication") == []
    assert report["counts"]["deferred"] == report["counts"]["examined"] == 10
    assert {s["reason"] for s in report["servers"]} == {"describe-failed"}
    assert report["sweepComplete"] is False  # the second page and what follows were never seen
    assert report["status"] == "failed"


def test_a_describe_failing_mid_way_accounts_for_every_requested_id(stack: Stack) -> None:
    servers = generate_fleet(250, seed=6, stopped=1.0, failback=0, extended=0, opted_out=0)
    stack.backend.add_servers(servers)
    ids = [s["sourceServerID"] for s in servers]
    # the first chunk of 200 ids answers; the second fails
    stack.faults.script(None, "DescribeSourceServers", [200, "InternalServerException"])

    report = stack.invoke({"sourceServerIDs": ids, "dryRun": True})

    assert report["sweepComplete"] is False
    assert report["status"] == "failed"
    assert report["counts"]["examined"] == 250
    reasons = {s["sourceServerID"]: s["reason"] for s in report["servers"]}
    assert reasons == dict.fromkeys(ids, "describe-failed")


# The pacer (the default), and botocore's own retry modes without it (PACE_DRS_CALLS=false).
THROTTLE_HANDLING = {
    "pacer": {},
    "standard": {"PACE_DRS_CALLS": "false", "AWS_RETRY_MODE": "standard"},
    "adaptive": {"PACE_DRS_CALLS": "false", "AWS_RETRY_MODE": "adaptive"},
}


@pytest.mark.parametrize(("pace", "drs_mode"), [("true", "standard"), ("false", "adaptive")])
def test_the_retry_mode_applies_to_dynamodb_and_sns_and_to_drs_without_the_pacer(
    stack: Stack, fleet, monkeypatch, pace: str, drs_mode: str
) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    monkeypatch.setenv("PACE_DRS_CALLS", pace)
    made: list[tuple[str, str]] = []
    make = boto3.session.Session.client

    def spy(session: boto3.session.Session, service: str, *args: Any, **kwargs: Any) -> Any:
        client = make(session, service, *args, **kwargs)
        made.append((service, client.meta.config.retries["mode"]))
        return client

    monkeypatch.setattr(boto3.session.Session, "client", spy)
    fleet({"state": "STOPPED"})

    report = stack.invoke(load_event("scheduler.json"))

    assert report["counts"]["started"] == 1
    assert {service for service, _ in made} == {"drs", "dynamodb", "sns"}
    assert {mode for service, mode in made if service != "drs"} == {"adaptive"}
    assert {mode for service, mode in made if service == "drs"} == {drs_mode}


@pytest.mark.parametrize("mode", THROTTLE_HANDLING)
def test_throttling_is_retried_until_every_server_started(stack: Stack, monkeypatch, mode) -> None:
    for name, value in THROTTLE_HANDLING[mode].items():
        monkeypatch.setenv(name, value)
    servers = generate_fleet(24, seed=9, stopped=1.0, failback=0, extended=0, opted_out=0)
    stack.backend.add_servers(servers)
    stack.faults.rate_limit("StartReplication", rate=10, burst=10)

    report = stack.invoke(load_event("scheduler.json"))

    throttled = [c for c in stack.backend.calls_of("StartReplication") if c.status == 429]
    assert throttled, "the bucket should have throttled some calls"
    assert report["counts"]["started"] == 24
    assert report["counts"]["failed"] == 0


@pytest.mark.parametrize(
    ("mode", "attempts"),
    [("pacer", "reprotect.pacing.THROTTLE_ATTEMPTS"), ("standard", "reprotect.drs.THROTTLE_ATTEMPTS")],
)
def test_still_throttled_after_retries_is_deferred(stack: Stack, fleet, monkeypatch, mode, attempts) -> None:
    for name, value in THROTTLE_HANDLING[mode].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(attempts, 2)  # each hinted wait is a whole second
    (sid,) = fleet({"state": "STOPPED"})
    stack.faults.script(sid, "StartReplication", ["ThrottlingException"] * 2)

    report = stack.invoke(load_event("scheduler.json"))

    assert outcomes(report) == {sid: ("deferred", "throttled", "ThrottlingException")}
    calls = stack.backend.calls_of("StartReplication")
    assert [c.status for c in calls] == [429, 429]
    assert calls[1].timestamp - calls[0].timestamp >= 1.0  # the service's Retry-After: 1 was honoured
    assert stack.cooldown_items() == {}


def test_a_throttled_run_keeps_the_limit_it_learned_and_the_next_run_starts_from_it(
    stack: Stack, caplog
) -> None:
    # Given a run throttled at 10 calls/s
    stack.backend.add_servers(generate_fleet(24, seed=9, stopped=1.0, failback=0, extended=0, opted_out=0))
    stack.faults.rate_limit("StartReplication", rate=10, burst=10)
    stack.invoke(load_event("scheduler.json"))

    # Then the limit it learned is in the table, as one item
    item = stack.dynamodb.get_item(TableName=stack.table_name, Key={"id": {"S": LIMITS_KEY}})["Item"]
    kept = read_limits(item, int(time.time()))
    assert set(kept) == {"StartReplication"}
    # The burst is the limiter's own (10 calls let through at once, then refused). The rate is at least
    # half the limit, but has no upper bound a test can rely on: a bursty limiter is first held at what
    # it admitted over the last second (its burst and some refill), and each admitted call then raises
    # the pace; on a loaded machine the calls go slower than the pace, so it grows past the limit
    # without a refusal (20.1/s was kept once). The next run's first refusals bring it down.
    assert kept["StartReplication"].burst == 10
    assert kept["StartReplication"].rate >= 5

    # When the next scheduled run finds more stopped servers
    caplog.set_level(logging.INFO)
    stack.backend.add_servers(generate_fleet(24, seed=10, stopped=1.0, failback=0, extended=0, opted_out=0))
    report = stack.invoke(load_event("scheduler.json", scheduledTime="2026-11-27T06:00:00Z"))

    # Then its StartReplication calls were paced from the start, at the kept rate
    assert report["counts"]["started"] == 24
    (paced,) = [r for r in caplog.records if r.getMessage() == "DRS pacing"]
    assert paced.operation == "StartReplication"
    assert paced.phase == "hold"


def test_a_damaged_limits_item_is_ignored(stack: Stack, fleet) -> None:
    stack.dynamodb.put_item(
        TableName=stack.table_name, Item={"id": {"S": LIMITS_KEY}, "limits": {"S": "not a map"}}
    )
    (sid,) = fleet({"state": "STOPPED"})

    report = stack.invoke(load_event("scheduler.json"))

    assert outcomes(report) == {sid: ("started", "replication-stopped", None)}


def test_unreadable_cooldowns_hold_the_servers_instead_of_starting_them(stack: Stack, fleet) -> None:
    # Given the engine with a cooldown table that does not exist (e.g. deleted, or no permission)
    import boto3

    from reprotect import engine
    from reprotect.config import Config
    from reprotect.cooldown import CooldownStore
    from reprotect.deadline import Deadline
    from reprotect.drs import make_client
    from reprotect.events import RunRequest, Trigger
    from reprotect.journal import NoJournal
    from reprotect.services import Services

    a, b = fleet({"state": "STOPPED"}, {"state": "STOPPED"})
    deadline = Deadline.after(300)
    drs = make_client(deadline, 30, max_concurrency=10, max_attempts=3)
    services = Services(
        drs=drs,
        starts=drs,
        cooldown=CooldownStore(boto3.client("dynamodb"), "no-such-table", 3600),
        journal=NoJournal(),
    )

    report = engine.run(
        RunRequest(Trigger("manual"), "k"),
        Config(topic_arn=None, table_name="no-such-table"),
        services,
        run_id="r",
        deadline=deadline,
    ).to_dict()

    # Then nothing is started, and both servers say why
    assert stack.backend.calls_of("StartReplication") == []
    assert outcomes(report) == {
        a: ("failed", "cooldown-store-error", "ResourceNotFoundException"),
        b: ("failed", "cooldown-store-error", "ResourceNotFoundException"),
    }
    for server in report["servers"]:  # DynamoDB's own words
        assert server["detail"].startswith("An error occurred (ResourceNotFoundException) when calling")
        assert server["detail"].endswith(
            "BatchGetItem operation (reached max retries: 0): Requested resource not found"
        )
    assert report["status"] == "failed"
