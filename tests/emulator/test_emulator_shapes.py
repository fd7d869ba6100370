"""Every response body the emulator sends conforms to botocore's DRS output and error shapes."""

from __future__ import annotations

import itertools

import botocore.session
import pytest

from drs_emulator.fleet import ALL_STATES, generate_fleet, make_server
from tests.emulator.shape_validator import validate

MODEL = botocore.session.get_session().get_service_model("drs")
SOURCE_SERVER = MODEL.shape_for("SourceServer")


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
            )
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
