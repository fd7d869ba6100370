"""The DR lifecycle rules through the real handler, the DRS emulator and moto, each at its boundary,
and what a run asks of DRS and DynamoDB for servers that are not candidates (nothing)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from drs_emulator.fleet import make_recovery_instance, make_server
from reprotect.aws import default_session
from reprotect.contract import COOLDOWN_PREFIX
from tests.integration.conftest import Stack, load_event

KNOWN = "s-1234567890abcdef0"  # the server named by events/alarm_drs.json


def sweep(stack: Stack, at: str) -> dict[str, Any]:
    return stack.invoke(load_event("scheduler.json", scheduledTime=f"2026-11-27T{at}Z", executionId=at))


def outcomes(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["sourceServerID"]: (s["outcome"], s["reason"]) for s in report["servers"]}


def started_ids(stack: Stack) -> list[str]:
    return [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")]


def test_a_server_recovered_for_real_is_not_restarted_and_a_drilled_one_is(stack: Stack) -> None:
    # Given two stopped servers with a recovery instance each: a real recovery and a drill
    real = make_server("STOPPED", hostname="erp-01", recovery_instance_id="i-0aaaaaaaaaaaaaaa1")
    drilled = make_server("STOPPED", hostname="erp-02", recovery_instance_id="i-0aaaaaaaaaaaaaaa2")
    stack.backend.add_servers([real, drilled, make_server("STOPPED")])
    stack.backend.add_recovery_instances(
        [
            make_recovery_instance(real, recovery_instance_id="i-0aaaaaaaaaaaaaaa1", is_drill=False),
            make_recovery_instance(drilled, recovery_instance_id="i-0aaaaaaaaaaaaaaa2", is_drill=True),
        ]
    )

    report = sweep(stack, "06:00:00")

    assert outcomes(report)[real["sourceServerID"]] == ("skipped", "failed-over")
    assert outcomes(report)[drilled["sourceServerID"]] == ("started", "replication-stopped")
    assert real["sourceServerID"] not in started_ids(stack)
    detail = {s["sourceServerID"]: s.get("detail") for s in report["servers"]}[real["sourceServerID"]]
    assert "recovery instance i-0aaaaaaaaaaaaaaa1" in detail
    assert "failback or reverse replication re-protects it" in detail
    # One lookup, for the two candidates that name a recovery instance (then the sweep lists every
    # recovery instance for reverse replication, unfiltered)
    lookup, _ = stack.backend.calls_of("DescribeRecoveryInstances")
    assert sorted(lookup.params["filters"]["sourceServerIDs"]) == sorted(
        [real["sourceServerID"], drilled["sourceServerID"]]
    )


def test_the_third_stop_in_a_day_is_restarted_and_the_fourth_needs_a_person(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("RESTART_COOLDOWN_SECONDS", "0")  # only the restart rule holds it
    server = make_server("STOPPED", hostname="flappy-01")
    sid = server["sourceServerID"]
    stack.backend.add_servers([server])

    reports = []
    for at in ("06:00:00", "06:30:00", "07:00:00", "07:30:00"):
        reports.append(sweep(stack, at))
        stack.backend.set_state(sid, "STOPPED")  # and it stops again

    assert [outcomes(r)[sid] for r in reports] == [("started", "replication-stopped")] * 3 + [
        ("attention", "flapping")
    ]
    assert started_ids(stack) == [sid] * 3
    (entry,) = reports[-1]["servers"]
    assert entry["detail"].startswith("started 3 times in 24 hours (")
    assert entry["detail"].count("Z") == 3  # the three times
    assert "StopReplication" in entry["diagnosis"]
    assert reports[-1]["status"] == "attention"
    # The history lives in the server's own item
    assert len(stack.cooldown_items()[sid]["starts"]["L"]) == 3


def test_the_limit_exactly_reached_defers_the_rest_in_sweeps_and_targeted_runs(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("REPLICATING_SERVER_LIMIT", "5")
    replicating = [make_server("CONTINUOUS", lag_seconds=0) for _ in range(3)]
    stopped = [make_server("STOPPED") for _ in range(3)]
    stack.backend.add_servers([*replicating, *stopped, make_server("DISCONNECTED")])

    report = sweep(stack, "06:00:00")

    # 3 replicating + 2 started = 5: the limit is reached and the third stopped server waits
    assert report["counts"]["started"] == 2
    (deferred,) = [s for s in report["servers"] if s["outcome"] == "deferred"]
    assert deferred["reason"] == "replicating-limit"
    assert (
        deferred["detail"]
        == "REPLICATING_SERVER_LIMIT=5 reached (3 servers were replicating before this run)"
    )

    # And an alarm naming another stopped server honours it too: 5 replicate now, so it waits
    stack.backend.add_servers([make_server("STOPPED", server_id=KNOWN)])
    alarm = stack.invoke(load_event("alarm_drs.json"))
    assert outcomes(alarm) == {KNOWN: ("deferred", "replicating-limit")}
    assert KNOWN not in started_ids(stack)


def test_lag_one_second_over_the_limit_needs_a_person_and_one_under_does_not(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("MAX_LAG_SECONDS", "600")
    over = make_server("CONTINUOUS", hostname="late-01", lag_seconds=601)
    under = make_server("CONTINUOUS", hostname="fine-01", lag_seconds=599)
    syncing = make_server("INITIAL_SYNC", hostname="new-01", lag_seconds=90_000)
    stack.backend.add_servers([over, under, syncing])

    report = sweep(stack, "06:00:00")

    assert outcomes(report) == {over["sourceServerID"]: ("attention", "lagging")}
    (entry,) = report["servers"]
    assert entry["detail"] == "replication is 0h10m01s behind (PT10M1S; MAX_LAG_SECONDS=600)"
    assert report["counts"]["healthy"] == 2


def test_a_failed_initiation_step_needs_a_person_instead_of_counting_healthy(stack: Stack) -> None:
    server = make_server("INITIATING", initiation_failed_step="CONNECT_AGENT_TO_REPLICATION_SERVER")
    stack.backend.add_servers([server])

    report = sweep(stack, "06:00:00")

    (entry,) = report["servers"]
    assert (entry["outcome"], entry["reason"]) == ("attention", "initiation-failed")
    assert entry["errorCode"] == "FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER"
    assert "TCP 1500" in entry["diagnosis"]


# ---- what a run asks for servers that are not candidates ---------------------------------------


@pytest.fixture
def dynamodb_requests() -> Iterator[Counter[str]]:
    """DynamoDB requests (by operation, retries included) and the servers they name, as the handler
    sends them through the default session."""
    seen: Counter[str] = Counter()

    def count(request: Any, **_: Any) -> None:
        seen[str(request.headers.get("X-Amz-Target", b"?"), "utf-8").rsplit(".", 1)[-1]] += 1

    def named(params: dict[str, Any], **_: Any) -> None:
        for word in json.dumps(params).split('"'):
            if word.startswith(COOLDOWN_PREFIX):
                seen[word] += 1

    session = default_session()  # the handler's clients come from it
    session.events.register("before-send.dynamodb", count)
    session.events.register("provide-client-params.dynamodb", named)
    yield seen
    session.events.unregister("before-send.dynamodb", count)
    session.events.unregister("provide-client-params.dynamodb", named)


def test_servers_that_are_not_candidates_cost_no_drs_or_dynamodb_request(
    stack: Stack, dynamodb_requests: Counter[str]
) -> None:
    # Given 200 servers of which 3 are candidates (one naming a drilled recovery instance)
    others = [
        make_server(state, lag_seconds=0) for state in ("CONTINUOUS", "STALLED", "PAUSED") for _ in range(60)
    ]
    others += [make_server("STOPPED", tags={"AutoReprotect": "false"}) for _ in range(17)]
    candidates = [make_server("STOPPED") for _ in range(2)]
    drilled = make_server("STOPPED", recovery_instance_id="i-0bbbbbbbbbbbbbbb1")
    stack.backend.add_servers([*others, *candidates, drilled])
    stack.backend.add_recovery_instances(
        [make_recovery_instance(drilled, recovery_instance_id="i-0bbbbbbbbbbbbbbb1", is_drill=True)]
    )
    candidate_ids = {s["sourceServerID"] for s in (*candidates, drilled)}

    report = sweep(stack, "06:00:00")

    # DRS: one page, one recovery-instance lookup for the one candidate naming an instance, 3 starts;
    # and, as every full sweep does by default, one page of source networks and one of every
    # recovery instance (the drill is left alone)
    calls = Counter(call.operation for call in stack.backend.calls)
    assert calls == {
        "DescribeSourceServers": 1,
        "DescribeRecoveryInstances": 2,
        "DescribeSourceNetworks": 1,
        "StartReplication": 3,
    }
    lookup, listing = stack.backend.calls_of("DescribeRecoveryInstances")
    assert lookup.params["filters"] == {"sourceServerIDs": [drilled["sourceServerID"]]}
    assert "filters" not in listing.params
    assert [(i["outcome"], i["reason"]) for i in report["recoveryInstances"]] == [("skipped", "drill")]
    assert report["counts"]["started"] == 3
    # DynamoDB: only the candidates are ever named, and each start costs two writes (claim, confirm)
    named = {
        key.removeprefix(COOLDOWN_PREFIX) for key in dynamodb_requests if key.startswith(COOLDOWN_PREFIX)
    }
    assert named == candidate_ids
    operations = {k: v for k, v in dynamodb_requests.items() if not k.startswith(COOLDOWN_PREFIX)}
    assert operations == {
        "GetItem": 3,  # the run journal, the DRS limits the last run learned, the last publication
        "BatchGetItem": 1,  # the three candidates' items (cooldown and recent starts)
        "UpdateItem": 3 + 3 + 1 + 1,  # claims, confirms, the run journal, the idempotency record
        "PutItem": 1 + 1,  # the idempotency record and the publication record
    }
