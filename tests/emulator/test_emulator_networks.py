"""Source networks: DescribeSourceNetworks filters, starting and stopping their replication, tags."""

from __future__ import annotations

import pytest

from drs_emulator.fleet import make_source_network


def _ids(result):
    return [n["sourceNetworkID"] for n in result["items"]]


def test_describe_filters_by_id_origin_account_and_region(drs_emulator, drs_client):
    here = make_source_network(origin_region="us-east-1")
    west = make_source_network(origin_region="us-west-2", origin_account_id="111122223333")
    drs_emulator.backend.add_source_networks([here, west])

    by_id = drs_client.describe_source_networks(filters={"sourceNetworkIDs": [here["sourceNetworkID"]]})
    by_region = drs_client.describe_source_networks(filters={"originRegion": "us-west-2"})
    by_account = drs_client.describe_source_networks(filters={"originAccountID": "111122223333"})
    none = drs_client.describe_source_networks(filters={"originAccountID": "999999999999"})

    assert _ids(by_id) == [here["sourceNetworkID"]]
    assert _ids(by_region) == _ids(by_account) == [west["sourceNetworkID"]]
    assert _ids(none) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"maxResults": 1001},
        {"filters": {"sourceNetworkIDs": [f"sn-{i:017d}" for i in range(101)]}},
        {"filters": {"sourceNetworkIDs": ["sn-0123456789abcdef!"]}},
        {"filters": {"originAccountID": "12345678901x"}},
        {"filters": {"originRegion": "moon-base-1"}},
        {"nextToken": "not-a-token"},
    ],
)
def test_invalid_describe_requests_are_rejected(drs_emulator, drs_client, kwargs):
    with pytest.raises(drs_client.exceptions.ValidationException):
        drs_client.describe_source_networks(**kwargs)


def test_start_moves_stopped_to_in_progress_and_time_makes_it_protected(drs_emulator, drs_client):
    # Given a stopped network
    network = make_source_network("STOPPED", details="stopped by an operator")
    nid = network["sourceNetworkID"]
    drs_emulator.backend.add_source_networks([network])

    # When its replication is started
    started = drs_client.start_source_network_replication(sourceNetworkID=nid)["sourceNetwork"]

    # Then it is in progress (the old details are gone) until time passes
    assert started["replicationStatus"] == "IN_PROGRESS"
    assert "replicationStatusDetails" not in started
    assert drs_emulator.backend.network_status_of(nid) == "IN_PROGRESS"
    drs_emulator.backend.set_network_status(nid, "PROTECTED")
    assert drs_client.describe_source_networks()["items"][0]["replicationStatus"] == "PROTECTED"
    [call] = drs_emulator.backend.calls_of("StartSourceNetworkReplication")
    assert (call.status, call.server_id) == (200, nid)


@pytest.mark.parametrize("status", ["IN_PROGRESS", "PROTECTED", "ERROR"])
def test_start_conflicts_unless_stopped_and_stop_works_from_each(drs_emulator, drs_client, status):
    network = make_source_network(status)
    nid = network["sourceNetworkID"]
    drs_emulator.backend.add_source_networks([network])

    with pytest.raises(drs_client.exceptions.ConflictException) as excinfo:
        drs_client.start_source_network_replication(sourceNetworkID=nid)
    assert excinfo.value.response["resourceId"] == nid
    assert excinfo.value.response["resourceType"] == "SOURCE_NETWORK"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    stopped = drs_client.stop_source_network_replication(sourceNetworkID=nid)["sourceNetwork"]
    assert stopped["replicationStatus"] == "STOPPED"


def test_stop_conflicts_when_already_stopped(drs_emulator, drs_client):
    network = make_source_network("STOPPED")
    drs_emulator.backend.add_source_networks([network])
    with pytest.raises(drs_client.exceptions.ConflictException):
        drs_client.stop_source_network_replication(sourceNetworkID=network["sourceNetworkID"])
    assert drs_emulator.backend.network_status_of(network["sourceNetworkID"]) == "STOPPED"


@pytest.mark.parametrize("operation", ["start_source_network_replication", "stop_source_network_replication"])
def test_unknown_and_malformed_networks(drs_emulator, drs_client, operation):
    call = getattr(drs_client, operation)
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException) as excinfo:
        call(sourceNetworkID="sn-0123456789abcdefg")
    assert excinfo.value.response["resourceType"] == "SOURCE_NETWORK"
    with pytest.raises(drs_client.exceptions.ValidationException) as excinfo:
        call(sourceNetworkID="sn-0123456789abcdef!")
    assert excinfo.value.response["fieldList"][0]["name"] == "sourceNetworkID"


def test_tags_on_source_networks_round_trip(drs_emulator, drs_client):
    network = make_source_network(tags={"Name": "vpc-prod"})
    drs_emulator.backend.add_source_networks([network])
    arn = network["arn"]
    assert arn.endswith(f":source-network/{network['sourceNetworkID']}")

    drs_client.tag_resource(resourceArn=arn, tags={"Team": "dr"})
    drs_client.untag_resource(resourceArn=arn, tagKeys=["Name"])

    assert drs_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"Team": "dr"}
    assert drs_client.describe_source_networks()["items"][0]["tags"] == {"Team": "dr"}
    assert drs_emulator.backend.get_source_network(network["sourceNetworkID"])["tags"] == {"Team": "dr"}


def test_an_arn_must_name_the_resource_exactly(drs_emulator, drs_client):
    network = make_source_network(region="us-east-1")
    drs_emulator.backend.add_source_networks([network])
    wrong_region = network["arn"].replace("us-east-1", "eu-west-1")
    with pytest.raises(drs_client.exceptions.ResourceNotFoundException):
        drs_client.list_tags_for_resource(resourceArn=wrong_region)
