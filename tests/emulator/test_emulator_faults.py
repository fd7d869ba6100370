"""Each fault-injection knob does what it says."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from drs_emulator.fleet import make_server
from tests.emulator.shape_validator import NO_RETRY


def _stopped(backend, count):
    servers = [make_server("STOPPED") for _ in range(count)]
    backend.add_servers(servers)
    return [s["sourceServerID"] for s in servers]


def test_latency_global_and_per_operation(drs_emulator, drs_client):
    [server_id] = _stopped(drs_emulator.backend, 1)
    drs_emulator.backend.faults.latency(0.2, "StartReplication")

    started = time.monotonic()
    drs_client.start_replication(sourceServerID=server_id)
    assert time.monotonic() - started >= 0.2
    assert drs_emulator.backend.faults.latency_of("DescribeSourceServers").seconds == 0  # others untouched

    drs_emulator.backend.faults.latency(0.1)
    started = time.monotonic()
    drs_client.describe_source_servers()
    assert time.monotonic() - started >= 0.1


def test_slow_calls_overlap(drs_emulator):
    # Given 8 servers and 300 ms per call
    server_ids = _stopped(drs_emulator.backend, 8)
    drs_emulator.backend.faults.latency(0.3)
    clients = [boto3.client("drs", config=NO_RETRY) for _ in server_ids]

    # When they are all started at once
    started = time.monotonic()
    with ThreadPoolExecutor(len(server_ids)) as pool:
        list(
            pool.map(
                lambda pair: pair[0].start_replication(sourceServerID=pair[1]),
                zip(clients, server_ids, strict=True),
            )
        )
    elapsed = time.monotonic() - started

    # Then the sleeps ran side by side (serial would take 2.4 s), and every start landed once
    assert elapsed < 1.5
    assert {drs_emulator.backend.state_of(s) for s in server_ids} == {"INITIATING"}
    assert len(drs_emulator.backend.calls_of("StartReplication")) == 8


def test_token_bucket_throttles_beyond_burst_and_recovers(drs_emulator, drs_client):
    server_ids = _stopped(drs_emulator.backend, 5)
    drs_emulator.backend.faults.rate_limit("StartReplication", rate=5, burst=3)

    for server_id in server_ids[:3]:
        drs_client.start_replication(sourceServerID=server_id)
    with pytest.raises(drs_client.exceptions.ThrottlingException) as excinfo:
        drs_client.start_replication(sourceServerID=server_ids[3])
    assert excinfo.value.response["retryAfterSeconds"] == "1"
    assert drs_emulator.backend.faults.throttled == 1
    assert drs_emulator.backend.state_of(server_ids[3]) == "STOPPED"

    time.sleep(0.25)  # one token back at 5/s
    drs_client.start_replication(sourceServerID=server_ids[3])
    assert [c.status for c in drs_emulator.backend.calls_of("StartReplication")] == [200, 200, 200, 429, 200]


def test_retry_after_counts_whole_seconds_to_the_next_token(drs_emulator, drs_client):
    drs_emulator.backend.faults.rate_limit("DescribeSourceServers", rate=0.25, burst=1)
    drs_client.describe_source_servers()
    with pytest.raises(drs_client.exceptions.ThrottlingException) as excinfo:
        drs_client.describe_source_servers()
    assert excinfo.value.response["retryAfterSeconds"] == "4"


def test_scripted_errors_are_consumed_in_order_then_normal_behaviour_resumes(drs_emulator, drs_client):
    target, other = _stopped(drs_emulator.backend, 2)
    drs_emulator.backend.faults.script(target, "StartReplication", ["ThrottlingException", 500, 404, 409])

    expected = [
        "ThrottlingException",
        "InternalServerException",
        "ResourceNotFoundException",
        "ConflictException",
    ]
    for name in expected:
        with pytest.raises(getattr(drs_client.exceptions, name)):
            drs_client.start_replication(sourceServerID=target)
    # Another server is not affected by the target's script
    drs_client.start_replication(sourceServerID=other)
    drs_client.start_replication(sourceServerID=target)

    assert drs_emulator.backend.state_of(target) == "INITIATING"
    statuses = [(c.server_id, c.status) for c in drs_emulator.backend.calls_of("StartReplication")]
    assert statuses == [
        (target, 429),
        (target, 500),
        (target, 404),
        (target, 409),
        (other, 200),
        (target, 200),
    ]


def test_scripted_errors_without_a_target_apply_to_describe(drs_emulator, drs_client):
    drs_emulator.backend.faults.script(None, "DescribeSourceServers", ["InternalServerException"])
    with pytest.raises(drs_client.exceptions.InternalServerException):
        drs_client.describe_source_servers()
    assert drs_client.describe_source_servers()["items"] == []


def test_scripted_pass_through_lets_a_call_answer_normally(drs_emulator, drs_client):
    drs_emulator.backend.faults.script(None, "DescribeSourceServers", [200, "InternalServerException", "OK"])
    drs_client.describe_source_servers()
    with pytest.raises(drs_client.exceptions.InternalServerException):
        drs_client.describe_source_servers()
    drs_client.describe_source_servers()
    assert [c.status for c in drs_emulator.backend.calls] == [200, 500, 200]


def test_unknown_script_names_fail_at_once(drs_emulator):
    with pytest.raises(ValueError, match="unknown DRS error"):
        drs_emulator.backend.faults.script(None, "StartReplication", ["Nope"])
    with pytest.raises(ValueError, match="unknown operation"):
        drs_emulator.backend.faults.script(None, "LaunchEverything", [500])


def test_reset_forgets_servers_faults_and_calls(drs_emulator, drs_client):
    _stopped(drs_emulator.backend, 2)
    drs_emulator.backend.faults.uninitialized = True
    with pytest.raises(drs_client.exceptions.UninitializedAccountException):
        drs_client.describe_source_servers()
    drs_emulator.backend.reset()
    assert drs_client.describe_source_servers()["items"] == []
    assert [c.operation for c in drs_emulator.backend.calls] == ["DescribeSourceServers"]
