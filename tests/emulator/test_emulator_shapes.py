"""Every response body the emulator sends conforms to botocore's DRS output and error shapes."""

from __future__ import annotations

import itertools

import botocore.session
import pytest

from drs_emulator.fleet import (
    ALL_STATES,
    REPLICATION_STATUSES,
    REVERSE_STATES,
    generate_account,
    generate_fleet,
    make_recovery_instance,
    make_server,
    make_source_network,
)
from drs_emulator.fleet.networks import RECOVERY_RESULTS
from drs_emulator.fleet.recovery import EC2_STATES
from tests.emulator.shape_validator import validate

MODEL = botocore.session.get_session().get_service_model("drs")
SOURCE_SERVER = MODEL.shape_for("SourceServer")
RECOVERY_INSTANCE = MODEL.shape_for("RecoveryInstance")
SOURCE_NETWORK = MODEL.shape_for("SourceNetwork")
# Errors the emulator sends although the model does not list them for the operation: every DRS
# operation rejects malformed input, but the model names ValidationException for neither of these.
UNLISTED = {
    ("DescribeRecoveryInstances", "ValidationException"),
    ("StartSourceNetworkReplication", "ValidationException"),
}


def _check_wire(records):
    """Validate each captured body against its operation's output shape or its error shape."""
    assert records, "no responses captured"
    for record in records:
        operation = MODEL.operation_model(record.operation)
        if record.status == 200:
            shape = operation.output_shape
            if shape is None:
                assert record.body in (None, {}), record
                continue
        else:
            error_type = record.headers["x-amzn-ErrorType"]
            shape = MODEL.shape_for(error_type)
            assert shape.metadata["error"]["httpStatusCode"] == record.status
            assert (
                error_type in [e.name for e in operation.error_shapes]
                or error_type == "AccessDeniedException"
                or (record.operation, error_type) in UNLISTED
            ), (record.operation, error_type)
        errors = validate(shape, record.body)
        assert not errors, errors[:10]


def test_validator_rejects_what_the_model_forbids():
    # Given a conforming server
    good = make_server("STOPPED")
    assert validate(SOURCE_SERVER, good) == []

    # When it is broken in each way the validator is meant to catch, Then each is reported
    broken = [
        ({**good, "surprise": 1}, "unknown member"),
        ({**good, "sourceServerID": "s-short"}, "below min"),
        ({**good, "sourceServerID": "x-0123456789abcdefg"}, "does not match pattern"),
        ({**good, "replicationDirection": "SIDEWAYS"}, "not in enum"),
        ({**good, "tags": {"a": 1}}, "expected string"),
        ({**good, "sourceProperties": {**good["sourceProperties"], "ramBytes": "8"}}, "expected integer"),
        ({**good, "sourceProperties": {**good["sourceProperties"], "supportsNitroInstances": 1}}, "boolean"),
        ({**good, "lifeCycle": {"addedToServiceDateTime": "2024-01-01 00:00:00"}}, "pattern"),
    ]
    for document, expected in broken:
        errors = validate(SOURCE_SERVER, document)
        assert any(expected in e for e in errors), (expected, errors)
    assert "missing required member message" in validate(MODEL.shape_for("ThrottlingException"), {})[0]


def test_generated_fleet_conforms_over_the_wire(drs_emulator, wire):
    # Given a fleet with every kind of server, generated and hand-built
    fleet = generate_fleet(
        400, seed=7, stopped=0.3, failback=0.2, extended=0.2, opted_out=0.2, ec2_origin=0.5
    )
    for state, direction, extended in itertools.product(ALL_STATES, ("FAILOVER", "FAILBACK"), (False, True)):
        fleet.append(make_server(state, direction=direction, extended=extended, tags={}))
    drs_emulator.backend.add_servers(fleet)
    client, records = wire

    # When the whole fleet is read and every kind of write is made
    items = [i for page in client.get_paginator("describe_source_servers").paginate() for i in page["items"]]
    stopped = [
        s["sourceServerID"] for s in fleet if s["dataReplicationInfo"]["dataReplicationState"] == "STOPPED"
    ]
    client.start_replication(sourceServerID=stopped[0])
    client.stop_replication(sourceServerID=stopped[0])
    client.tag_resource(resourceArn=fleet[0]["arn"], tags={"AutoReprotect": "false"})
    client.untag_resource(resourceArn=fleet[0]["arn"], tagKeys=["AutoReprotect"])
    client.list_tags_for_resource(resourceArn=fleet[0]["arn"])

    # Then every server came back and every raw body conforms to the model
    assert len(items) == len(fleet)
    _check_wire(records)


@pytest.mark.parametrize(
    "error",
    [
        "ConflictException",
        "ResourceNotFoundException",
        "InternalServerException",
        "ThrottlingException",
        "UninitializedAccountException",
    ],
)
def test_error_bodies_conform(drs_emulator, wire, error):
    # Given a server whose next StartReplication answers an error
    server = make_server("STOPPED")
    drs_emulator.backend.add_servers([server])
    drs_emulator.backend.faults.script(server["sourceServerID"], "StartReplication", [error])
    client, records = wire

    # When it is called, Then the raw error body matches the error's shape
    with pytest.raises(client.exceptions.ClientError):
        client.start_replication(sourceServerID=server["sourceServerID"])
    _check_wire(records)


def test_validation_error_body_conforms(drs_emulator, wire):
    client, records = wire
    with pytest.raises(client.exceptions.ValidationException):
        client.describe_source_servers(maxResults=5000)
    _check_wire(records)


def test_every_kind_of_recovery_instance_and_network_conforms():
    # Given every state, origin and kind the builders take
    instances = [
        make_recovery_instance(ec2_state=ec2, is_drill=drill, origin_environment=origin, reverse_state=state)
        for ec2, drill, origin, state in itertools.product(
            EC2_STATES, (False, True), ("AWS", "ON_PREMISES"), REVERSE_STATES
        )
    ]
    instances += [make_recovery_instance(make_server(ec2_origin=aws)) for aws in (False, True)]
    networks = [
        make_source_network(status, last_recovery=result)
        for status, result in itertools.product(REPLICATION_STATUSES, (None, *RECOVERY_RESULTS))
    ]

    # Then each conforms to its shape
    for document, shape in [(i, RECOVERY_INSTANCE) for i in instances] + [
        (n, SOURCE_NETWORK) for n in networks
    ]:
        assert validate(shape, document) == [], document


def test_recovery_instances_and_networks_conform_over_the_wire(drs_emulator, wire):
    # Given an account with recovery instances and networks, generated and hand-built
    account = generate_account(60, seed=4, recovery_instances=20, source_networks=8)
    backend = drs_emulator.backend
    backend.add_fleet(account)
    origin = make_server("CONTINUOUS", ec2_origin=True)
    reversible = make_recovery_instance(origin, tags={"Team": "dr"})
    backend.add_servers([origin])
    backend.add_recovery_instances([reversible, make_recovery_instance(is_drill=True)])
    stopped = make_source_network("STOPPED")
    backend.add_source_networks([stopped])
    client, records = wire

    # When everything is read and every kind of write is made on them
    instances = _all(client, "describe_recovery_instances")
    networks = _all(client, "describe_source_networks")
    client.reverse_replication(recoveryInstanceID=reversible["recoveryInstanceID"])
    servers = _all(client, "describe_source_servers")
    client.start_source_network_replication(sourceNetworkID=stopped["sourceNetworkID"])
    client.stop_source_network_replication(sourceNetworkID=stopped["sourceNetworkID"])
    for arn in (reversible["arn"], stopped["arn"]):
        client.tag_resource(resourceArn=arn, tags={"AutoReprotect": "false"})
        client.untag_resource(resourceArn=arn, tagKeys=["AutoReprotect"])
        client.list_tags_for_resource(resourceArn=arn)

    # Then everything came back (plus the reversed server) and every raw body conforms
    assert len(instances) == 22
    assert len(networks) == 9
    assert len(servers) == 62
    _check_wire(records)


def _all(client, operation):
    return [item for page in client.get_paginator(operation).paginate() for item in page["items"]]


def _refused_calls(backend):
    """One refused call per error the new operations answer by themselves, with what it needs."""
    instance = make_recovery_instance(make_server(ec2_origin=True))
    drill = make_recovery_instance(is_drill=True)
    network = make_source_network("PROTECTED")
    backend.add_recovery_instances([instance, drill])
    backend.add_source_networks([network])
    iid, nid = instance["recoveryInstanceID"], network["sourceNetworkID"]
    return {
        "reverse-drill": lambda c: c.reverse_replication(recoveryInstanceID=drill["recoveryInstanceID"]),
        "reverse-twice": lambda c: [c.reverse_replication(recoveryInstanceID=iid) for _ in range(2)],
        "reverse-unknown": lambda c: c.reverse_replication(recoveryInstanceID="i-0123456789abcdef0"),
        "reverse-malformed": lambda c: c.reverse_replication(recoveryInstanceID="i-zzzzzzzzzz"),
        "describe-instances-bad-token": lambda c: c.describe_recovery_instances(nextToken="x"),
        "describe-networks-too-many": lambda c: c.describe_source_networks(
            filters={"sourceNetworkIDs": [f"sn-{i:017d}" for i in range(101)]}
        ),
        "start-network-conflict": lambda c: c.start_source_network_replication(sourceNetworkID=nid),
        "start-network-unknown": lambda c: c.start_source_network_replication(
            sourceNetworkID="sn-" + "0" * 17
        ),
        "start-network-malformed": lambda c: c.start_source_network_replication(
            sourceNetworkID="sn-" + "!" * 17
        ),
        "stop-network-unknown": lambda c: c.stop_source_network_replication(sourceNetworkID="sn-" + "1" * 17),
        "tags-unknown-instance": lambda c: c.list_tags_for_resource(resourceArn=instance["arn"] + "0"),
    }


REFUSED = [
    "reverse-drill",
    "reverse-twice",
    "reverse-unknown",
    "reverse-malformed",
    "describe-instances-bad-token",
    "describe-networks-too-many",
    "start-network-conflict",
    "start-network-unknown",
    "start-network-malformed",
    "stop-network-unknown",
    "tags-unknown-instance",
]


@pytest.mark.parametrize("case", REFUSED)
def test_error_bodies_of_the_new_operations_conform(drs_emulator, wire, case):
    # Given the resources the case needs, When its call is refused, Then the raw error body conforms
    call = _refused_calls(drs_emulator.backend)[case]
    client, records = wire
    with pytest.raises(client.exceptions.ClientError):
        call(client)
    assert records[-1].status >= 400
    _check_wire(records)


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("DescribeRecoveryInstances", lambda c, ids: c.describe_recovery_instances()),
        ("ReverseReplication", lambda c, ids: c.reverse_replication(recoveryInstanceID=ids[0])),
        ("DescribeSourceNetworks", lambda c, ids: c.describe_source_networks()),
        (
            "StartSourceNetworkReplication",
            lambda c, ids: c.start_source_network_replication(sourceNetworkID=ids[1]),
        ),
        (
            "StopSourceNetworkReplication",
            lambda c, ids: c.stop_source_network_replication(sourceNetworkID=ids[1]),
        ),
    ],
)
@pytest.mark.parametrize(
    "error", ["ThrottlingException", "InternalServerException", "UninitializedAccountException"]
)
def test_scripted_errors_of_the_new_operations_conform(drs_emulator, wire, operation, call, error):
    instance, network = make_recovery_instance(), make_source_network("STOPPED")
    drs_emulator.backend.add_recovery_instances([instance])
    drs_emulator.backend.add_source_networks([network])
    drs_emulator.backend.faults.script(None, operation, [error])
    client, records = wire
    with pytest.raises(client.exceptions.ClientError):
        call(client, (instance["recoveryInstanceID"], network["sourceNetworkID"]))
    _check_wire(records)
