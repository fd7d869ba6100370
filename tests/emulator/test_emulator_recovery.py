"""Recovery instances: DescribeRecoveryInstances filters, ReverseReplication and its refusals, tags."""

from __future__ import annotations

import re

import pytest

from drs_emulator.fleet import make_recovery_instance, make_server

SOURCE_SERVER_ARN = re.compile(r"arn:(?:[0-9a-zA-Z_-]+:){3}([0-9]{12,}):source-server/(s-[0-9a-zA-Z]{17})")


def _error(excinfo):
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def recovered(drs_emulator):
    """A source server of EC2 origin and the recovery instance launched from it."""
    server = make_server("CONTINUOUS", ec2_origin=True)
    instance = make_recovery_instance(server)
    drs_emulator.backend.add_servers([server])
    drs_emulator.backend.add_recovery_instances([instance])
    return server, instance


def test_describe_filters_by_instance_and_source_server(drs_emulator, drs_client, recovered):
    server, instance = recovered
    other = make_recovery_instance()
    drs_emulator.backend.add_recovery_instances([other])
    iid = instance["recoveryInstanceID"]

    by_id = drs_client.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [iid, "i-0123456789abcdef0"]}
    )
    by_server = drs_client.describe_recovery_instances(
        filters={"sourceServerIDs": [server["sourceServerID"]]}
    )
    everything = drs_client.describe_recovery_instances(filters={"recoveryInstanceIDs": []})

    assert [i["recoveryInstanceID"] for i in by_id["items"]] == [iid]
    assert [i["recoveryInstanceID"] for i in by_server["items"]] == [iid]
    assert len(everything["items"]) == 2
    assert by_id["items"][0]["sourceServerID"] == server["sourceServerID"]
    assert by_id["items"][0]["originEnvironment"] == "AWS"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maxResults": 1001},
        {"filters": {"recoveryInstanceIDs": [f"i-{i:017x}" for i in range(201)]}},
        {"filters": {"recoveryInstanceIDs": ["i-zzzzzzzzzz"]}},
        {"filters": {"sourceServerIDs": ["s-0123456789abcdef!"]}},
        {"nextToken": "not-a-token"},
    ],
)
def test_invalid_describe_requests_are_rejected(drs_emulator, drs_client, kwargs):
    with pytest.raises(drs_client.exceptions.ValidationException):
        drs_client.describe_recovery_instances(**kwargs)


def test_reverse_replication_creates_a_failback_server_linked_both_ways(drs_emulator, drs_client, recovered):
    # Given a recovered (not drill) instance of EC2 origin
    server, instance = recovered
    iid = instance["recoveryInstanceID"]

    # When its replication is reversed
    arn = drs_client.reverse_replication(recoveryInstanceID=iid)["reversedDirectionSourceServerArn"]

    # Then a new FAILBACK source server replicates it back, linked with the original both ways
    assert SOURCE_SERVER_ARN.fullmatch(arn)
    new_id = arn.rsplit("/", 1)[-1]
    [created] = drs_client.describe_source_servers(filters={"sourceServerIDs": [new_id]})["items"]
    assert created["arn"] == arn
    assert created["replicationDirection"] == "FAILBACK"
    assert created["recoveryInstanceId"] == iid
    assert created["reversedDirectionSourceServerArn"] == server["arn"]
    assert created["dataReplicationInfo"]["dataReplicationState"] == "INITIATING"
    original = drs_emulator.backend.get_server(server["sourceServerID"])
    assert original["reversedDirectionSourceServerArn"] == arn
    # and the instance's own (reverse) replication is initiating
    [described] = drs_client.describe_recovery_instances(filters={"recoveryInstanceIDs": [iid]})["items"]
    assert described["dataReplicationInfo"]["dataReplicationState"] == "INITIATING"
    assert drs_emulator.backend.reverse_state_of(iid) == "INITIATING"
    [call] = drs_emulator.backend.calls_of("ReverseReplication")
    assert (call.status, call.server_id) == (200, iid)


def test_reverse_replication_twice_conflicts(drs_emulator, drs_client, recovered):
    _, instance = recovered
    iid = instance["recoveryInstanceID"]
    drs_client.reverse_replication(recoveryInstanceID=iid)
    servers_before = drs_emulator.backend.server_ids()

    with pytest.raises(drs_client.exceptions.ConflictException) as excinfo:
        drs_client.reverse_replication(recoveryInstanceID=iid)

    assert _error(excinfo) == ("ConflictException", 409)
    assert excinfo.value.response["resourceId"] == iid
    assert excinfo.value.response["resourceType"] == "RECOVERY_INSTANCE"
    assert drs_emulator.backend.server_ids() == servers_before


@pytest.mark.parametrize("state", ["INITIATING", "CONTINUOUS", "STOPPED", "STALLED"])
def test_reverse_replication_conflicts_once_started_whatever_its_state(drs_emulator, drs_client, state):
    instance = make_recovery_instance(reverse_state=state)
    drs_emulator.backend.add_recovery_instances([instance])
    with pytest.raises(drs_client.exceptions.ConflictException):
        drs_client.reverse_replication(recoveryInstanceID=instance["recoveryInstanceID"])


@pytest.mark.parametrize(
    "instance",
    [
        pytest.param(make_recovery_instance(is_drill=True), id="drill"),
        pytest.param(make_recovery_instance(make_server(ec2_origin=False)), id="on-premises"),
    ],
)
def test_reverse_replication_is_refused_for_drills_and_instances_from_outside_aws(
    drs_emulator, drs_client, instance
):
    drs_emulator.backend.add_recovery_instances([instance])
    with pytest.raises(drs_client.exceptions.ValidationException) as excinfo:
        drs_client.reverse_replication(recoveryInstanceID=instance["recoveryInstanceID"])
    assert _error(excinfo) == ("ValidationException", 400)
    assert drs_emulator.backend.server_ids() == []
    assert drs_emulator.backend.reverse_state_of(instance["recoveryInstanceID"]) == "NOT_STARTED"


def test_reverse_replication_of_unknown_or_malformed_ids(drs_emulator, drs_client):
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException) as excinfo:
        drs_client.reverse_replication(recoveryInstanceID="i-0123456789abcdef0")
    assert _error(excinfo) == ("ResourceNotFoundException", 404)
    assert excinfo.value.response["resourceType"] == "RECOVERY_INSTANCE"
    with pytest.raises(drs_client.exceptions.ValidationException) as excinfo:
        drs_client.reverse_replication(recoveryInstanceID="i-zzzzzzzzzz")
    assert excinfo.value.response["fieldList"][0]["name"] == "recoveryInstanceID"


def test_the_reversed_server_is_an_ordinary_server(drs_emulator, drs_client, recovered):
    _, instance = recovered
    arn = drs_client.reverse_replication(recoveryInstanceID=instance["recoveryInstanceID"])[
        "reversedDirectionSourceServerArn"
    ]
    new_id = arn.rsplit("/", 1)[-1]
    drs_client.stop_replication(sourceServerID=new_id)
    drs_client.start_replication(sourceServerID=new_id)
    drs_client.tag_resource(resourceArn=arn, tags={"Team": "dr"})
    assert drs_emulator.backend.state_of(new_id) == "INITIATING"
    assert drs_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"Team": "dr"}


def test_reversed_server_ids_are_the_same_every_run(recovered):
    from drs_emulator import DrsBackend

    arns = []
    for _ in range(2):
        backend = DrsBackend([recovered[0]])
        backend.add_recovery_instances([recovered[1]])
        arns.append(backend.reverse_replication(recovered[1]["recoveryInstanceID"]))
    assert arns[0] == arns[1]


def test_tags_on_recovery_instances_round_trip(drs_emulator, drs_client, recovered):
    _, instance = recovered
    arn = instance["arn"]
    assert arn.endswith(f":recovery-instance/{instance['recoveryInstanceID']}")

    drs_client.tag_resource(resourceArn=arn, tags={"AutoReprotect": "false", "Team": "dr"})
    drs_client.untag_resource(resourceArn=arn, tagKeys=["Team"])

    assert drs_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"AutoReprotect": "false"}
    [described] = drs_client.describe_recovery_instances()["items"]
    assert described["tags"] == {"AutoReprotect": "false"}
    assert [c.server_id for c in drs_emulator.backend.calls_of("TagResource")] == [
        instance["recoveryInstanceID"]
    ]


def test_time_passing_for_reverse_replication_is_played_by_the_test(drs_emulator, recovered):
    _, instance = recovered
    iid = instance["recoveryInstanceID"]
    drs_emulator.backend.set_reverse_state(iid, "CONTINUOUS")
    assert drs_emulator.backend.get_recovery_instance(iid)["dataReplicationInfo"]["dataReplicationState"] == (
        "CONTINUOUS"
    )
    with pytest.raises(ValueError, match="unknown"):
        drs_emulator.backend.set_reverse_state(iid, "SIDEWAYS")
