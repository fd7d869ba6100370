"""A member's report reaches the organization's hub bus (moto's EventBridge) after its own publish, and
the run is unchanged when the hub cannot be reached."""

from __future__ import annotations

import json
import logging
import socket
import uuid

import pytest

from harness.hub import Hub, create_hub, received_events
from harness.resources import Clients
from reprotect.org.contract import DETAIL_TYPE, EVENT_SOURCE
from tests.integration.conftest import Stack, load_event
from tests.integration.test_observability import emf_records


@pytest.fixture
def hub(stack: Stack, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Hub:
    monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", moto_url)
    created = create_hub(Clients.create(), f"hub{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("HUB_EVENT_BUS_ARN", created.bus_arn)
    return created


def hub_failures(out: str) -> list[float]:
    return [value for record in emf_records(out) for value in record.get("HubDeliveryFailed", [])]


def test_each_run_publishes_its_own_report_and_puts_the_same_report_on_the_hub_bus(
    stack: Stack, hub: Hub, fleet, capsys
) -> None:
    # Given a member with a stopped and a stalled server, and a hub bus
    fleet({"state": "STOPPED"}, {"state": "STALLED"})

    # When it runs
    report = stack.invoke(load_event("scheduler.json"))

    # Then its own topic has the report, and the hub's rule received the same report
    (own,) = stack.messages()
    assert json.loads(own["Message"]) == report
    (event,) = received_events(stack.sqs, hub.queue_url)
    assert (event["source"], event["detail-type"]) == (EVENT_SOURCE, DETAIL_TYPE)
    assert event["account"] == report["account"]
    assert event["detail"] == report
    assert hub_failures(capsys.readouterr().out) == [0.0]


def test_an_idle_run_publishes_nothing_of_its_own_but_still_reports_to_the_hub(
    stack: Stack, hub: Hub, fleet
) -> None:
    fleet({"state": "CONTINUOUS"})

    report = stack.invoke(load_event("scheduler.json"))

    assert report["status"] == "idle"
    assert stack.messages() == []
    (event,) = received_events(stack.sqs, hub.queue_url)
    assert event["detail"]["counts"]["healthy"] == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("fault", ["bus-missing", "hub-unreachable"])
def test_when_the_hub_fails_the_run_still_publishes_its_report_and_logs_and_counts_the_failure(
    stack: Stack, hub: Hub, fleet, monkeypatch: pytest.MonkeyPatch, capsys, caplog, fault: str
) -> None:
    # Given a hub whose bus is gone, or whose endpoint refuses connections
    fleet({"state": "STOPPED"})
    if fault == "bus-missing":
        monkeypatch.setenv("HUB_EVENT_BUS_ARN", hub.bus_arn + "-deleted")
    else:
        monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", f"http://127.0.0.1:{closed_port()}")

    # When the member runs
    report = stack.invoke(load_event("scheduler.json"))

    # Then the run did its work and published its report as ever
    assert report["status"] == "ok"
    assert report["counts"]["started"] == 1
    (own,) = stack.messages()
    assert json.loads(own["Message"]) == report
    # And the hub's failure is in the log, with its reason, and in the metrics
    (line,) = [r for r in caplog.records if r.getMessage() == "Report not sent to the hub"]
    assert line.levelno == logging.WARNING
    expected = "ResourceNotFoundException" if fault == "bus-missing" else "EndpointConnectionError"
    assert expected in line.reason
    assert hub_failures(capsys.readouterr().out) == [1.0]
    assert received_events(stack.sqs, hub.queue_url) == []
