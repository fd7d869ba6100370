"""Source networks and reverse replication through the real handler, the DRS emulator and moto: what a
sweep does with each network status, what REVERSE_REPLICATION does with each kind of recovery
instance, the launch-result event, and the calls a setting that is off never makes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
from harness.context import FakeContext
from reprotect.contract import NETWORK_PREFIX, REVERSE_PREFIX
from tests.integration.conftest import Stack, load_event
from tests.integration.test_faults import EARLIER, KILLED_RUN, ROOT, _lambda_timed_out, _wait_for

LAUNCHED = "s-1234567890abcdef0"  # the server named by events/drs_launch_result.json
NETWORK_OPERATIONS = ("DescribeSourceNetworks", "StartSourceNetworkReplication")


def sweep(stack: Stack, at: str) -> dict[str, Any]:
    return stack.invoke(load_event("scheduler.json", scheduledTime=f"2026-11-27T{at}Z", executionId=at))


def listed(report: dict[str, Any], key: str) -> dict[str, tuple[str, str]]:
    id_key = "sourceNetworkID" if key == "sourceNetworks" else "recoveryInstanceID"
    return {e[id_key]: (e["outcome"], e["reason"]) for e in report[key]}


def calls(stack: Stack) -> Counter[str]:
    return Counter(call.operation for call in stack.backend.calls)


def recovered(
    *, server_id: str | None = None, instance_id: str, **options: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A stopped server of EC2 origin recovered for real into this Region, and its recovery instance."""
    server = make_server("STOPPED", server_id=server_id, ec2_origin=True, recovery_instance_id=instance_id)
    return server, make_recovery_instance(server, recovery_instance_id=instance_id, **options)


def add_recoveries(stack: Stack, *pairs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    stack.backend.add_servers([server for server, _ in pairs])
    stack.backend.add_recovery_instances([instance for _, instance in pairs])


# ---- source networks ---------------------------------------------------------------------------


def test_a_stopped_network_is_restarted_and_excluded_protected_and_erroring_ones_are_not(
    stack: Stack, capsys
) -> None:
    # Given four source networks: stopped, stopped but excluded, protected, erroring
    stopped = make_source_network("STOPPED", vpc_id="vpc-0aaaaaaaaaaaaaaa1", tags={})
    excluded = make_source_network("STOPPED", tags={"AutoReprotect": "false"})
    protected = make_source_network("PROTECTED")
    erroring = make_source_network("ERROR", details="Failed to read the source VPC configuration")
    stack.backend.add_source_networks([stopped, excluded, protected, erroring])

    report = sweep(stack, "06:00:00")

    # Then only the stopped network the policy allows is started, once, and claimed in the table
    assert listed(report, "sourceNetworks") == {
        stopped["sourceNetworkID"]: ("started", "replication-stopped"),
        excluded["sourceNetworkID"]: ("skipped", "excluded-by-tag"),
        erroring["sourceNetworkID"]: ("attention", "replication-error"),
    }
    assert [c.server_id for c in stack.backend.calls_of("StartSourceNetworkReplication")] == [
        stopped["sourceNetworkID"]
    ]
    assert stack.backend.network_status_of(stopped["sourceNetworkID"]) == "IN_PROGRESS"
    assert set(stack.cooldown_items(NETWORK_PREFIX)) == {stopped["sourceNetworkID"]}
    assert report["sourceNetworkCounts"] == {
        "started": 1, "would-start": 0, "skipped": 1, "failed": 0, "deferred": 0, "attention": 1,
        "healthy": 1, "examined": 4,
    }  # fmt: skip
    entry = next(e for e in report["sourceNetworks"] if e["outcome"] == "started")
    assert entry["sourceVpcID"] == "vpc-0aaaaaaaaaaaaaaa1"
    # And the run is `attention`, its SNS attributes counting the networks in the totals
    (message,) = stack.messages()
    attributes = {name: value["Value"] for name, value in message["MessageAttributes"].items()}
    assert (attributes["outcome"], attributes["started"], attributes["attention"]) == ("attention", "1", "1")
    assert json.loads(message["Message"])["sourceNetworkCounts"]["started"] == 1
    # and its metrics count the networks on their own
    emitted = capsys.readouterr().out
    assert re.findall(r'"SourceNetworksStarted":\s*\[?(\d+)', emitted) == ["1"]
    assert re.findall(r'"SourceNetworksNeedingAttention":\s*\[?(\d+)', emitted) == ["1"]
    assert re.findall(r'"ServersStarted":\s*\[?(\d+)', emitted) == ["0"]


def test_a_network_this_tool_started_is_not_started_again_within_the_cooldown(stack: Stack) -> None:
    network = make_source_network("STOPPED", tags={})
    stack.backend.add_source_networks([network])
    sweep(stack, "06:00:00")
    stack.backend.set_network_status(network["sourceNetworkID"], "STOPPED")  # it stops again

    again = sweep(stack, "06:30:00")

    (entry,) = again["sourceNetworks"]
    assert (entry["outcome"], entry["reason"]) == ("skipped", "cooldown")
    assert entry["detail"].startswith(
        "StartSourceNetworkReplication called by drs-reprotect; not again until"
    )
    assert len(stack.backend.calls_of("StartSourceNetworkReplication")) == 1


def test_a_dry_run_would_start_a_stopped_network_and_calls_and_claims_nothing(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("DRY_RUN", "true")
    network = make_source_network("STOPPED", tags={})
    stack.backend.add_source_networks([network])

    report = sweep(stack, "06:00:00")

    assert listed(report, "sourceNetworks") == {
        network["sourceNetworkID"]: ("would-start", "replication-stopped")
    }
    assert report["status"] == "dry-run"
    assert not stack.backend.calls_of("StartSourceNetworkReplication")
    assert not stack.cooldown_items(NETWORK_PREFIX)


def test_with_protect_source_networks_false_no_source_network_call_is_made(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("PROTECT_SOURCE_NETWORKS", "false")
    stack.backend.add_source_networks([make_source_network("STOPPED", tags={}), make_source_network("ERROR")])
    stack.backend.add_servers([make_server("STOPPED")])

    report = sweep(stack, "06:00:00")

    assert not {op for op in calls(stack) if op in NETWORK_OPERATIONS}
    assert report["sourceNetworks"] == []
    assert report["sourceNetworkCounts"]["examined"] == 0
    assert report["counts"]["started"] == 1  # the servers are swept as before


def test_a_network_conflict_and_a_throttled_start_behave_as_for_servers(stack: Stack, monkeypatch) -> None:
    # Each hinted wait is a whole second: two attempts in all, whoever handles throttling
    monkeypatch.setattr("reprotect.drs.THROTTLE_ATTEMPTS", 2)
    monkeypatch.setattr("reprotect.pacing.THROTTLE_ATTEMPTS", 2)
    conflicted, throttled = make_source_network("STOPPED", tags={}), make_source_network("STOPPED", tags={})
    stack.backend.add_source_networks([conflicted, throttled])
    stack.faults.script(conflicted["sourceNetworkID"], "StartSourceNetworkReplication", ["ConflictException"])
    stack.faults.script(
        throttled["sourceNetworkID"], "StartSourceNetworkReplication", ["ThrottlingException"] * 3
    )

    report = sweep(stack, "06:00:00")

    assert listed(report, "sourceNetworks") == {
        conflicted["sourceNetworkID"]: ("skipped", "no-longer-stopped"),
        throttled["sourceNetworkID"]: ("deferred", "throttled"),
    }
    assert not stack.cooldown_items(NETWORK_PREFIX)  # neither holds its network
    # The throttled start waited for DRS's Retry-After, as StartReplication does (the same client)
    attempts = [
        c
        for c in stack.backend.calls_of("StartSourceNetworkReplication")
        if c.server_id == throttled["sourceNetworkID"]
    ]
    assert {c.status for c in attempts} == {429}
    assert attempts[1].timestamp - attempts[0].timestamp >= 1.0


# ---- reverse replication -----------------------------------------------------------------------


def test_a_real_ec2_recovery_is_reported_by_default_then_reversed_once_when_on(
    stack: Stack, monkeypatch
) -> None:
    # Given a server of EC2 origin recovered for real, whose recovery instance nothing protects
    server, instance = recovered(instance_id="i-0aaaaaaaaaaaaaaa1")
    add_recoveries(stack, (server, instance))

    # When the default (REVERSE_REPLICATION=report) sweep runs, Then it is reported, nothing reversed
    report = sweep(stack, "06:00:00")
    assert listed(report, "recoveryInstances") == {
        "i-0aaaaaaaaaaaaaaa1": ("attention", "not-reverse-protected")
    }
    (entry,) = report["recoveryInstances"]
    assert entry["sourceServerID"] == server["sourceServerID"]
    assert "REVERSE_REPLICATION=on" in entry["diagnosis"]
    assert report["status"] == "attention"
    assert not stack.backend.calls_of("ReverseReplication")

    # When it is turned on, Then the next sweep reverses it, naming the new source server
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    report = sweep(stack, "06:30:00")
    assert listed(report, "recoveryInstances") == {"i-0aaaaaaaaaaaaaaa1": ("started", "reverse-replication")}
    new_arn = stack.backend.get_server(server["sourceServerID"])["reversedDirectionSourceServerArn"]
    assert report["recoveryInstances"][0]["detail"] == f"new source server {new_arn}"
    assert stack.backend.reverse_state_of("i-0aaaaaaaaaaaaaaa1") == "INITIATING"
    assert set(stack.cooldown_items(REVERSE_PREFIX)) == {"i-0aaaaaaaaaaaaaaa1"}

    # And it is not asked again: protected now, and held even while DRS still shows NOT_STARTED
    assert sweep(stack, "07:00:00")["recoveryInstanceCounts"]["healthy"] == 1
    stack.backend.set_reverse_state("i-0aaaaaaaaaaaaaaa1", "NOT_STARTED")
    later = sweep(stack, "07:30:00")
    assert listed(later, "recoveryInstances") == {"i-0aaaaaaaaaaaaaaa1": ("skipped", "cooldown")}
    assert len(stack.backend.calls_of("ReverseReplication")) == 1


def test_a_dry_run_would_reverse_and_calls_nothing(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    monkeypatch.setenv("DRY_RUN", "true")
    add_recoveries(stack, recovered(instance_id="i-0aaaaaaaaaaaaaaa1"))

    report = sweep(stack, "06:00:00")

    assert listed(report, "recoveryInstances") == {
        "i-0aaaaaaaaaaaaaaa1": ("would-start", "reverse-replication")
    }
    assert not stack.backend.calls_of("ReverseReplication")


def test_a_drill_and_an_on_premises_recovery_are_left_alone(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    drill = recovered(instance_id="i-0aaaaaaaaaaaaaaa1", is_drill=True)
    on_premises = make_server("STOPPED", ec2_origin=False, recovery_instance_id="i-0aaaaaaaaaaaaaaa2")
    add_recoveries(
        stack,
        drill,
        (on_premises, make_recovery_instance(on_premises, recovery_instance_id="i-0aaaaaaaaaaaaaaa2")),
    )

    report = sweep(stack, "06:00:00")

    assert listed(report, "recoveryInstances") == {
        "i-0aaaaaaaaaaaaaaa1": ("skipped", "drill"),
        "i-0aaaaaaaaaaaaaaa2": ("skipped", "not-from-aws"),
    }
    assert not stack.backend.calls_of("ReverseReplication")
    assert report["status"] == "ok"  # the drilled server was restarted; nothing needs a person


def test_with_reverse_replication_off_no_recovery_instance_is_listed_or_reversed(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "off")
    add_recoveries(stack, recovered(instance_id="i-0aaaaaaaaaaaaaaa1"))

    report = sweep(stack, "06:00:00")

    # Only the failover rule's lookup of the stopped server's instance, filtered; no listing, no call
    (lookup,) = stack.backend.calls_of("DescribeRecoveryInstances")
    assert "sourceServerIDs" in lookup.params["filters"]
    assert not stack.backend.calls_of("ReverseReplication")
    assert report["recoveryInstances"] == []
    assert report["recoveryInstanceCounts"]["examined"] == 0


# ---- the launch-result event -------------------------------------------------------------------


def test_a_recovery_launch_result_reverses_that_servers_instance_only(stack: Stack, monkeypatch) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    target = recovered(server_id=LAUNCHED, instance_id="i-0aaaaaaaaaaaaaaa1")
    other = recovered(instance_id="i-0aaaaaaaaaaaaaaa2")
    add_recoveries(stack, target, other)
    stack.backend.add_source_networks([make_source_network("STOPPED", tags={})])

    report = stack.invoke(load_event("drs_launch_result.json"))

    # Then only the recovered server's instances are looked at and reversed: no server or network call
    assert listed(report, "recoveryInstances") == {"i-0aaaaaaaaaaaaaaa1": ("started", "reverse-replication")}
    assert [c.server_id for c in stack.backend.calls_of("ReverseReplication")] == ["i-0aaaaaaaaaaaaaaa1"]
    (lookup,) = stack.backend.calls_of("DescribeRecoveryInstances")
    assert lookup.params["filters"] == {"sourceServerIDs": [LAUNCHED]}
    assert calls(stack) == {"DescribeRecoveryInstances": 1, "ReverseReplication": 1}
    assert (report["trigger"]["type"], report["trigger"]["name"]) == (
        "drs-event",
        "DRS Source Server Launch Result",
    )
    assert report["servers"] == []


@pytest.mark.parametrize(
    ("detail", "mode"),
    [({"is-drill": "TRUE"}, "on"), ({"state": "RECOVERY_LAUNCH_FAILED"}, "on"), ({}, "off")],
    ids=["drill", "failed-launch", "reverse-replication-off"],
)
def test_a_drill_a_failed_launch_or_the_setting_off_make_the_event_ask_for_nothing(
    stack: Stack, monkeypatch, detail: dict[str, str], mode: str
) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", mode)
    add_recoveries(stack, recovered(server_id=LAUNCHED, instance_id="i-0aaaaaaaaaaaaaaa1"))
    sample = load_event("drs_launch_result.json")
    event = {**sample, "detail": {**sample["detail"], **detail}}

    result = stack.invoke(event)

    assert result["status"] == "ignored"
    assert stack.backend.calls == []
    assert stack.messages() == []


def test_a_malformed_launch_result_is_refused_before_any_call(stack: Stack) -> None:
    sample = load_event("drs_launch_result.json")

    with pytest.raises(ValueError, match=r"'detail.is-drill' must be 'TRUE' or 'FALSE', got 'no'"):
        stack.invoke({**sample, "detail": {**sample["detail"], "is-drill": "no"}})

    assert stack.backend.calls == []


# ---- a crash between ReverseReplication and its record -----------------------------------------


def test_a_reversal_whose_run_died_before_recording_it_is_reported_by_the_retry_and_never_repeated(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    server, instance = recovered(instance_id="i-0aaaaaaaaaaaaaaa1")
    add_recoveries(stack, (server, instance))
    # Given a run killed after DRS carried out its ReverseReplication but before the answer came back
    stack.faults.latency(5.0, "ReverseReplication", when="after")
    child = subprocess.Popen([sys.executable, "-c", KILLED_RUN], cwd=ROOT, env=dict(os.environ))  # noqa: S603
    try:
        _wait_for(lambda: stack.backend.calls_of("ReverseReplication"))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    stack.faults.reset()
    _lambda_timed_out(stack)
    assert stack.cooldown_items(REVERSE_PREFIX)["i-0aaaaaaaaaaaaaaa1"]["state"]["S"] == "claimed"

    # When the platform retries the same event
    report = stack.invoke(load_event("scheduler.json"))

    # Then the reversal is reported as started, with the new server, and never asked for again
    new_arn = stack.backend.get_server(server["sourceServerID"])["reversedDirectionSourceServerArn"]
    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["reason"]) == ("started", "reverse-replication")
    assert entry["detail"] == f"{EARLIER}; new source server {new_arn}"
    assert len(stack.backend.calls_of("ReverseReplication")) == 1
    assert stack.cooldown_items(REVERSE_PREFIX)["i-0aaaaaaaaaaaaaaa1"]["state"]["S"] == "started"


# ---- answers that leave a call open: settled by asking DRS again, as for StartReplication --------


def test_a_network_start_answered_after_the_read_timeout_is_started_and_keeps_its_claim(
    stack: Stack,
) -> None:
    # Given DRS that carries out StartSourceNetworkReplication but answers after the read timeout
    late = make_source_network("STOPPED", tags={})
    stack.backend.add_source_networks([late])
    stack.faults.latency(2.0, "StartSourceNetworkReplication", when="after")

    report = stack.invoke(load_event("scheduler.json"), FakeContext(budget_ms=60_000))

    # Then DRS, asked again, says it started: so the report, and the claim kept as a hold
    assert report["sourceNetworks"] == [
        {
            "sourceNetworkID": late["sourceNetworkID"],
            "sourceVpcID": late["sourceVpcID"],
            "outcome": "started",
            "reason": "replication-stopped",
            "detail": "StartSourceNetworkReplication answered ReadTimeoutError, but DRS shows IN_PROGRESS",
        }
    ]
    assert set(stack.cooldown_items(NETWORK_PREFIX)) == {late["sourceNetworkID"]}


def test_a_network_start_failing_with_500s_is_failed_when_drs_still_shows_it_stopped(
    stack: Stack, monkeypatch
) -> None:
    broken = make_source_network("STOPPED", tags={})
    stack.backend.add_source_networks([broken])
    stack.faults.script(broken["sourceNetworkID"], "StartSourceNetworkReplication", [500] * 10)

    report = sweep(stack, "06:00:00")

    assert report["sourceNetworks"] == [
        {
            "sourceNetworkID": broken["sourceNetworkID"],
            "sourceVpcID": broken["sourceVpcID"],
            "outcome": "failed",
            "reason": "start-failed",
            "detail": (
                "StartSourceNetworkReplication answered InternalServerException; DRS still shows STOPPED"
            ),
            "errorCode": "InternalServerException",
        }
    ]
    assert not stack.cooldown_items(NETWORK_PREFIX)  # a failed call does not hold its network


def test_a_reversal_whose_answer_is_lost_and_cannot_be_checked_needs_a_person_and_keeps_its_claim(
    stack: Stack, monkeypatch
) -> None:
    monkeypatch.setenv("REVERSE_REPLICATION", "on")
    monkeypatch.setattr("reprotect.drs.THROTTLE_ATTEMPTS", 2)
    server, instance = recovered(instance_id="i-0aaaaaaaaaaaaaaa1")
    add_recoveries(stack, (server, instance))
    # Given ReverseReplication carried out but answered late, and DRS then unable to describe it again
    stack.faults.latency(2.0, "ReverseReplication", when="after")
    stack.faults.script(None, "DescribeRecoveryInstances", ["OK", "OK", "AccessDeniedException"])

    report = stack.invoke(load_event("scheduler.json"), FakeContext(budget_ms=60_000))

    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["reason"], entry["errorCode"]) == (
        "attention",
        "start-unconfirmed",
        "ReadTimeoutError",
    )
    assert (
        entry["detail"]
        == "ReverseReplication answered ReadTimeoutError and DRS could not be asked again in time"
    )
    assert "never asks twice" in entry["diagnosis"]
    # DRS reversed it once (botocore's retry of the timed-out call found it reversed: 409)
    assert [c.status for c in stack.backend.calls_of("ReverseReplication")].count(200) == 1
    # Its claim stands, so the next run does not call again before a person has looked
    assert set(stack.cooldown_items(REVERSE_PREFIX)) == {"i-0aaaaaaaaaaaaaaa1"}
    # even while DRS shows it NOT_STARTED again
    stack.faults.reset()
    stack.backend.set_reverse_state("i-0aaaaaaaaaaaaaaa1", "NOT_STARTED")
    calls_before = len(stack.backend.calls_of("ReverseReplication"))
    later = sweep(stack, "07:00:00")
    assert len(stack.backend.calls_of("ReverseReplication")) == calls_before
    assert listed(later, "recoveryInstances") == {"i-0aaaaaaaaaaaaaaa1": ("skipped", "cooldown")}
