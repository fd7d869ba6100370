"""Each fault-injection knob does what it says."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from drs_emulator import DrsBackend, EmulatorServer
from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
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


def test_retry_after_can_be_the_exact_time_to_the_next_token(drs_emulator, drs_client):
    # Given a bucket of 4 calls/s that answers with the exact time to its next token
    faults = drs_emulator.backend.faults
    faults.retry_after_exact = True
    faults.rate_limit("DescribeSourceServers", rate=4, burst=1)

    # When the second call comes at once
    drs_client.describe_source_servers()
    with pytest.raises(drs_client.exceptions.ThrottlingException) as excinfo:
        drs_client.describe_source_servers()

    # Then the hint is under the 0.25 s a token takes, to the millisecond, not a whole second
    hint = excinfo.value.response["retryAfterSeconds"]
    assert "." in hint
    assert 0 < float(hint) <= 0.25


def test_a_rate_limit_changed_mid_run_keeps_its_tokens(drs_emulator, drs_client):
    # Given a bucket of 3 tokens at 0.5 calls/s, one token spent
    faults = drs_emulator.backend.faults
    faults.rate_limit("DescribeSourceServers", rate=0.5, burst=3)
    drs_client.describe_source_servers()

    # When its rate changes: the two tokens left are kept (rate_limit would refill the bucket)
    faults.set_rate("DescribeSourceServers", 0.01)
    drs_client.describe_source_servers()
    drs_client.describe_source_servers()

    # Then the next call finds it empty, and the hint counts at the new rate
    with pytest.raises(drs_client.exceptions.ThrottlingException) as excinfo:
        drs_client.describe_source_servers()
    assert int(excinfo.value.response["retryAfterSeconds"]) > 60


def test_changing_a_rate_needs_a_limit_and_a_positive_rate(drs_emulator):
    faults = drs_emulator.backend.faults
    with pytest.raises(ValueError, match="no rate limit"):
        faults.set_rate("StartReplication", 3)
    faults.rate_limit("StartReplication", 10)
    with pytest.raises(ValueError, match="> 0"):
        faults.set_rate("StartReplication", 0)


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


def _timing_out_client(read_timeout):
    return boto3.client(
        "drs", config=Config(read_timeout=read_timeout, connect_timeout=2, retries={"total_max_attempts": 1})
    )


def test_latency_after_takes_effect_at_once_and_answers_late(drs_emulator):
    # Given a StartReplication that DRS carries out but answers after the client's read timeout
    [server_id] = _stopped(drs_emulator.backend, 1)
    drs_emulator.backend.faults.latency(1.0, "StartReplication", when="after")
    client = _timing_out_client(0.3)

    # When the client calls it, Then the client times out, yet the server is already initiating
    with pytest.raises(ReadTimeoutError):
        client.start_replication(sourceServerID=server_id)
    assert drs_emulator.backend.state_of(server_id) == "INITIATING"
    [call] = drs_emulator.backend.calls_of("StartReplication")
    assert call.status == 200
    assert drs_emulator.backend.faults.latency_of("StartReplication").when == "after"


def test_latency_before_delays_the_effect_past_the_clients_timeout(drs_emulator):
    [server_id] = _stopped(drs_emulator.backend, 1)
    drs_emulator.backend.faults.latency(0.6, "StartReplication")  # when="before", as ever
    client = _timing_out_client(0.2)

    with pytest.raises(ReadTimeoutError):
        client.start_replication(sourceServerID=server_id)
    assert drs_emulator.backend.state_of(server_id) == "STOPPED"  # not yet: the sleep comes first
    _wait_for(lambda: drs_emulator.backend.state_of(server_id) == "INITIATING")


def test_latency_settings_are_checked(drs_emulator):
    faults = drs_emulator.backend.faults
    with pytest.raises(ValueError, match="when"):
        faults.latency(0.1, when="during")
    with pytest.raises(ValueError, match="unknown operation"):
        faults.latency(0.1, "LaunchEverything")


def test_hang_never_answers_and_takes_no_effect_until_reset(drs_emulator, drs_client):
    # Given StartReplication hangs
    [server_id] = _stopped(drs_emulator.backend, 1)
    drs_emulator.backend.faults.hang("StartReplication")

    # When it is called, Then the client times out, nothing changed, and the call log shows no answer
    with pytest.raises(ReadTimeoutError):
        _timing_out_client(0.3).start_replication(sourceServerID=server_id)
    assert drs_emulator.backend.state_of(server_id) == "STOPPED"
    [call] = drs_emulator.backend.calls_of("StartReplication")
    assert (call.status, call.error_type, call.server_id) == (0, None, server_id)
    # other operations still answer
    assert len(drs_client.describe_source_servers()["items"]) == 1

    # When the faults are reset, Then the call works again
    drs_emulator.backend.faults.reset()
    drs_client.start_replication(sourceServerID=server_id)
    assert drs_emulator.backend.state_of(server_id) == "INITIATING"


def test_hang_of_every_operation_is_released_by_stopping_the_server():
    # Given an emulator of its own whose every operation hangs, and a call waiting on it
    server = EmulatorServer(DrsBackend()).start()
    server.backend.faults.hang()
    client = boto3.client(
        "drs", endpoint_url=server.url, config=Config(read_timeout=30, retries={"total_max_attempts": 1})
    )
    outcome: list[BaseException] = []
    caller = threading.Thread(target=lambda: _capture(outcome, client.describe_source_servers))
    caller.start()
    _wait_for(lambda: server.backend.calls)

    # When the server stops, Then the waiting call ends at once, unanswered
    started = time.monotonic()
    server.stop()
    caller.join(timeout=5)
    assert not caller.is_alive()
    assert time.monotonic() - started < 2
    [error] = outcome
    assert isinstance(error, ConnectionClosedError)
    assert [c.status for c in server.backend.calls] == [0]


def test_throttles_without_retry_after_when_told_so(drs_emulator, drs_client, wire):
    # Given 429s without hints: from the bucket and from a script
    [server_id] = _stopped(drs_emulator.backend, 1)
    faults = drs_emulator.backend.faults
    faults.retry_after = False
    faults.rate_limit("DescribeSourceServers", rate=0.25, burst=1)
    faults.script(server_id, "StartReplication", ["ThrottlingException"])
    client, records = wire

    # When both throttle
    client.describe_source_servers()
    with pytest.raises(client.exceptions.ThrottlingException) as bucket:
        client.describe_source_servers()
    with pytest.raises(client.exceptions.ThrottlingException) as scripted:
        client.start_replication(sourceServerID=server_id)

    # Then neither carries Retry-After, and both count as throttled
    for excinfo in (bucket, scripted):
        assert "retryAfterSeconds" not in excinfo.value.response
    assert [("Retry-After" in r.headers, r.status) for r in records] == [
        (False, 200),
        (False, 429),
        (False, 429),
    ]
    assert faults.throttled == 2


def test_deny_any_operation(drs_emulator, drs_client):
    [server_id] = _stopped(drs_emulator.backend, 1)
    drs_emulator.backend.faults.deny("StartReplication")

    with pytest.raises(drs_client.exceptions.AccessDeniedException) as excinfo:
        drs_client.start_replication(sourceServerID=server_id)

    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "drs:StartReplication" in excinfo.value.response["Error"]["Message"]
    assert drs_emulator.backend.state_of(server_id) == "STOPPED"
    assert len(drs_client.describe_source_servers()["items"]) == 1  # only that operation is denied


def test_scripted_errors_name_the_kind_of_resource_they_target(drs_emulator, drs_client):
    instance, network = make_recovery_instance(), make_source_network("STOPPED")
    drs_emulator.backend.add_recovery_instances([instance])
    drs_emulator.backend.add_source_networks([network])
    faults = drs_emulator.backend.faults
    faults.script(instance["recoveryInstanceID"], "ReverseReplication", [409])
    faults.script(network["sourceNetworkID"], "StartSourceNetworkReplication", [404])

    with pytest.raises(drs_client.exceptions.ConflictException) as conflict:
        drs_client.reverse_replication(recoveryInstanceID=instance["recoveryInstanceID"])
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException) as missing:
        drs_client.start_source_network_replication(sourceNetworkID=network["sourceNetworkID"])

    assert conflict.value.response["resourceType"] == "RECOVERY_INSTANCE"
    assert missing.value.response["resourceId"] == network["sourceNetworkID"]
    assert missing.value.response["resourceType"] == "SOURCE_NETWORK"


def test_backend_reset_forgets_every_kind_of_resource(drs_emulator):
    backend = drs_emulator.backend
    _stopped(backend, 1)
    backend.add_recovery_instances([make_recovery_instance()])
    backend.add_source_networks([make_source_network()])
    backend.faults.deny("DescribeSourceServers")
    backend.reset()
    assert (backend.server_ids(), backend.recovery_instance_ids(), backend.source_network_ids()) == (
        [],
        [],
        [],
    )
    assert backend.faults.hung("DescribeSourceServers") is None
    backend.faults.check("DescribeSourceServers", None)  # no longer denied


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


def _capture(outcome, call):
    try:
        outcome.append(call())
    except Exception as exc:  # the unanswered call's error is what the test looks at
        outcome.append(exc)
