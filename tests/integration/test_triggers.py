"""Each kind of event reaches the right servers; bad events fail before any AWS call."""

from __future__ import annotations

import pytest

from reprotect.events import InvalidEventError
from tests.integration.conftest import FakeContext, Stack, load_event

KNOWN = "s-1234567890abcdef0"


def started_ids(stack: Stack) -> list[str]:
    return [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")]


def test_alarm_with_server_dimension_checks_only_that_server(stack: Stack, fleet) -> None:
    # Given two stopped servers, one named by the alarm's SourceServerID dimension
    fleet({"state": "STOPPED", "server_id": KNOWN}, {"state": "STOPPED"})

    report = stack.invoke(load_event("alarm_drs.json"))

    assert started_ids(stack) == [KNOWN]
    assert report["trigger"] == {
        "type": "alarm",
        "name": "drs-reprotect-lag-web-001",
        "eventId": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    }
    assert report["counts"]["examined"] == 1
    # The named server, then the whole fleet: it had a candidate, so the replicating servers are counted
    named, fleet_page = stack.backend.calls_of("DescribeSourceServers")
    assert named.params["filters"] == {"sourceServerIDs": [KNOWN]}
    assert "filters" not in fleet_page.params


def test_alarm_without_server_dimension_sweeps_everything(stack: Stack, fleet) -> None:
    ids = fleet({"state": "STOPPED"}, {"state": "STOPPED"}, {"state": "CONTINUOUS"})

    report = stack.invoke(load_event("alarm_plain.json"))

    assert sorted(started_ids(stack)) == sorted(ids[:2])
    assert report["counts"]["examined"] == 3


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_alarm_leaving_alarm_state_does_nothing(stack: Stack, fleet, state: str) -> None:
    fleet({"state": "STOPPED", "server_id": KNOWN})
    event = load_event("alarm_drs.json")
    event["detail"]["state"]["value"] = state

    result = stack.invoke(event)

    assert result["status"] == "ignored"
    assert state in result["reason"]
    assert stack.backend.calls == []
    assert stack.messages() == []


def test_drs_event_checks_the_server_in_its_resources(stack: Stack, fleet) -> None:
    fleet({"state": "STALLED", "server_id": KNOWN, "hostname": "db-7"}, {"state": "STOPPED"})

    report = stack.invoke(load_event("drs_stalled.json"))

    assert started_ids(stack) == []
    assert report["trigger"]["type"] == "drs-event"
    assert report["trigger"]["name"] == "DRS Source Server Data Replication Stalled Change"
    assert [(s["sourceServerID"], s["outcome"], s["reason"]) for s in report["servers"]] == [
        (KNOWN, "attention", "stalled")
    ]
    (message,) = stack.messages()
    assert message["MessageAttributes"]["outcome"]["Value"] == "attention"
    # No candidate: the fleet was not described to count the replicating servers
    assert len(stack.backend.calls_of("DescribeSourceServers")) == 1


def test_manual_invocation_checks_listed_ids_and_reports_unknown_ones(stack: Stack, fleet) -> None:
    (stopped,) = fleet({"state": "STOPPED"})
    unknown = "s-00000000000000000"

    report = stack.invoke({"sourceServerIDs": [stopped, unknown, stopped]})

    assert started_ids(stack) == [stopped]
    outcomes = {s["sourceServerID"]: (s["outcome"], s["reason"]) for s in report["servers"]}
    assert outcomes == {stopped: ("started", "replication-stopped"), unknown: ("skipped", "not-found")}
    assert report["trigger"]["type"] == "manual"


def test_manual_dry_run_overrides_the_environment(stack: Stack, fleet, monkeypatch) -> None:
    monkeypatch.setenv("DRY_RUN", "false")
    (stopped,) = fleet({"state": "STOPPED"})

    report = stack.invoke({"sourceServerIDs": [stopped], "dryRun": True})

    assert started_ids(stack) == []
    assert report["dryRun"] is True
    assert report["servers"][0]["outcome"] == "would-start"
    assert stack.cooldown_items() == {}


def test_manual_list_longer_than_200_is_described_in_chunks(stack: Stack) -> None:
    from drs_emulator.fleet import generate_fleet

    servers = generate_fleet(450, seed=3, stopped=0.0)
    stack.backend.add_servers(servers)
    ids = [s["sourceServerID"] for s in servers]

    report = stack.invoke({"sourceServerIDs": ids})

    sizes = [
        len(c.params["filters"]["sourceServerIDs"]) for c in stack.backend.calls_of("DescribeSourceServers")
    ]
    assert sizes == [200, 200, 50]
    assert report["counts"]["examined"] == 450


@pytest.mark.parametrize(
    ("event", "named"),
    [
        ({"sourceServerIDs": ["s-123"]}, "'s-123'"),
        ({"sourceServerIDs": ["s-1234567890abcdef0", "i-1234567890abcdef0"]}, "'i-1234567890abcdef0'"),
        ({"sourceServerIDs": []}, "sourceServerIDs"),
        ({"sourceServerIDs": "s-1234567890abcdef0"}, "sourceServerIDs"),
        ({"dryRun": "yes"}, "dryRun"),
        ({"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification"}, "aws.ec2"),
        ({"hello": "world"}, "hello"),
        ({}, "unsupported event"),
        (
            {"source": "aws.drs", "id": "x", "account": "123456789012", "resources": []},
            "names no source server",
        ),
    ],
)
def test_bad_events_fail_before_any_aws_call(stack: Stack, event, named: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        stack.invoke(event)

    assert named in str(caught.value)
    assert stack.backend.calls == []
    assert stack.messages() == []
    assert stack.dynamodb.scan(TableName=stack.table_name)["Count"] == 0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_STARTS_PER_RUN", "abc"),
        ("MAX_CONCURRENCY", "0"),
        ("DRY_RUN", "maybe"),
        ("EXCLUDE_TAG", "=false"),
        ("INCLUDE_TAG", "Team="),
        ("RESTART_COOLDOWN_SECONDS", "-5"),
        ("NOTIFY_WHEN_IDLE", "sometimes"),
        ("OUTCOME_TOPIC_ARN", "not-an-arn"),
    ],
)
def test_bad_configuration_fails_naming_the_variable_before_any_aws_call(
    stack: Stack, fleet, monkeypatch, variable: str, value: str
) -> None:
    from reprotect.config import ConfigError

    fleet({"state": "STOPPED"})
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        stack.invoke(load_event("scheduler.json"), FakeContext())

    assert variable in str(caught.value)
    assert repr(value) in str(caught.value)
    assert stack.backend.calls == []
    assert stack.dynamodb.scan(TableName=stack.table_name)["Count"] == 0
