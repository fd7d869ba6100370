"""Operations and errors as botocore sees them: modeled exception classes, status codes, state changes."""

from __future__ import annotations

import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config

from drs_emulator.fleet import make_server


def _error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"][
        "HTTPStatusCode"
    ]


def test_start_replication_moves_stopped_to_initiating(drs_emulator, drs_client):
    # Given a stopped server that carries a replication error
    server = make_server("STOPPED", error="AGENT_NOT_SEEN")
    drs_emulator.backend.add_servers([server])

    # When replication is started
    result = drs_client.start_replication(sourceServerID=server["sourceServerID"])["sourceServer"]

    # Then it is initiating, the error is cleared and every initiation step is NOT_STARTED
    info = result["dataReplicationInfo"]
    assert info["dataReplicationState"] == "INITIATING"
    assert "dataReplicationError" not in info
    assert {step["status"] for step in info["dataReplicationInitiation"]["steps"]} == {"NOT_STARTED"}
    assert drs_emulator.backend.state_of(server["sourceServerID"]) == "INITIATING"


@pytest.mark.parametrize("state", ["CONTINUOUS", "INITIATING", "STALLED", "PAUSED", "DISCONNECTED"])
def test_start_replication_conflicts_unless_stopped(drs_emulator, drs_client, state):
    server = make_server(state)
    drs_emulator.backend.add_servers([server])
    with pytest.raises(drs_client.exceptions.ConflictException) as excinfo:
        drs_client.start_replication(sourceServerID=server["sourceServerID"])
    assert _error(excinfo) == ("ConflictException", 409)
    assert excinfo.value.response["resourceId"] == server["sourceServerID"]
    assert excinfo.value.response["resourceType"] == "SOURCE_SERVER"


def test_stop_replication_and_conflict_when_already_stopped(drs_emulator, drs_client):
    server = make_server("CONTINUOUS")
    drs_emulator.backend.add_servers([server])
    stopped = drs_client.stop_replication(sourceServerID=server["sourceServerID"])["sourceServer"]
    assert stopped["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
    with pytest.raises(drs_client.exceptions.ConflictException):
        drs_client.stop_replication(sourceServerID=server["sourceServerID"])


def test_unknown_server_is_not_found(drs_emulator, drs_client):
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException) as excinfo:
        drs_client.start_replication(sourceServerID="s-0123456789abcdefg")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("bad_id", ["s-0123456789abcdef!", "s-0123456789abcdefgh", "i-0123456789abcdefg"])
def test_malformed_id_is_rejected_by_the_server(drs_emulator, drs_client, bad_id):
    # botocore checks only the minimum length, so the pattern and maximum are the server's job
    with pytest.raises(drs_client.exceptions.ValidationException) as excinfo:
        drs_client.start_replication(sourceServerID=bad_id)
    assert _error(excinfo) == ("ValidationException", 400)
    assert excinfo.value.response["fieldList"][0]["name"] == "sourceServerID"


def test_short_id_is_rejected_even_without_client_validation(drs_emulator):
    client = boto3.client("drs", config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    with pytest.raises(client.exceptions.ValidationException):
        client.start_replication(sourceServerID="s-1")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("ConflictException", 409),
        ("ResourceNotFoundException", 404),
        ("InternalServerException", 500),
        ("ThrottlingException", 429),
        ("UninitializedAccountException", 400),
    ],
)
def test_each_error_surfaces_as_its_modeled_class(drs_emulator, drs_client, name, status):
    server = make_server("STOPPED")
    drs_emulator.backend.add_servers([server])
    drs_emulator.backend.faults.script(server["sourceServerID"], "StartReplication", [name])
    with pytest.raises(getattr(drs_client.exceptions, name)) as excinfo:
        drs_client.start_replication(sourceServerID=server["sourceServerID"])
    assert _error(excinfo) == (name, status)
    if name == "ThrottlingException":
        assert excinfo.value.response["retryAfterSeconds"] == "1"


def test_access_denied_mode_for_describe(drs_emulator, drs_client):
    drs_emulator.backend.faults.deny("DescribeSourceServers")
    with pytest.raises(drs_client.exceptions.AccessDeniedException) as excinfo:
        drs_client.describe_source_servers()
    assert _error(excinfo) == ("AccessDeniedException", 403)


def test_uninitialized_account_answers_every_operation(drs_emulator, drs_client):
    server = make_server("STOPPED")
    drs_emulator.backend.add_servers([server])
    drs_emulator.backend.faults.uninitialized = True
    calls = [
        lambda: drs_client.describe_source_servers(),
        lambda: drs_client.start_replication(sourceServerID=server["sourceServerID"]),
        lambda: drs_client.stop_replication(sourceServerID=server["sourceServerID"]),
        lambda: drs_client.list_tags_for_resource(resourceArn=server["arn"]),
    ]
    for call in calls:
        with pytest.raises(drs_client.exceptions.UninitializedAccountException):
            call()
    assert drs_emulator.backend.state_of(server["sourceServerID"]) == "STOPPED"


def test_unsigned_request_is_denied(drs_emulator):
    url = f"{drs_emulator.url}/DescribeSourceServers"
    request = urllib.request.Request(url, data=b"{}", method="POST")  # noqa: S310 (loopback http URL)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback emulator)
    assert excinfo.value.code == 403
    assert excinfo.value.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_tags_round_trip_and_show_on_servers(drs_emulator, drs_client):
    server = make_server("STOPPED", tags={"Name": "db-1"})
    drs_emulator.backend.add_servers([server])
    arn = server["arn"]

    drs_client.tag_resource(resourceArn=arn, tags={"AutoReprotect": "false", "Team": "dr"})
    drs_client.untag_resource(resourceArn=arn, tagKeys=["Name", "Team"])

    assert drs_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"AutoReprotect": "false"}
    described = drs_client.describe_source_servers()["items"][0]
    assert described["tags"] == {"AutoReprotect": "false"}


def test_tags_on_unknown_arn_are_not_found(drs_emulator, drs_client):
    arn = "arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdefg"
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException):
        drs_client.list_tags_for_resource(resourceArn=arn)


def test_call_log_records_outcomes(drs_emulator, drs_client):
    server = make_server("CONTINUOUS")
    drs_emulator.backend.add_servers([server])
    with pytest.raises(drs_client.exceptions.ConflictException):
        drs_client.start_replication(sourceServerID=server["sourceServerID"])
    drs_client.describe_source_servers(maxResults=10)

    [start] = drs_emulator.backend.calls_of("StartReplication")
    assert (start.status, start.error_type, start.server_id) == (
        409,
        "ConflictException",
        server["sourceServerID"],
    )
    assert start.params == {"sourceServerID": server["sourceServerID"]}
    assert [c.operation for c in drs_emulator.backend.calls] == ["StartReplication", "DescribeSourceServers"]
