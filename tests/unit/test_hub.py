"""The member's copy for the hub: what it sends, and that nothing about the hub can fail the run."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from reprotect import render
from reprotect.config import Config, ConfigError
from reprotect.deadline import SPARE_SECONDS, Deadline
from reprotect.hub import HUB_WINDOW, NOT_SENT, Hub, entry
from reprotect.observability import metrics
from reprotect.org.contract import DETAIL_TYPE, EVENT_SOURCE
from tests.unit.test_report import make_report

BUS = "arn:aws:events:eu-central-1:999999999999:event-bus/drs-reprotect-hub"
BASE = {"OUTCOME_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:t", "IDEMPOTENCY_TABLE_NAME": "table"}


class StubEvents:
    """An EventBridge client that records its window and entries and answers what it is told."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.windows: list[float] = []
        self.entries: list[dict[str, str]] = []

    def __call__(self, window: float) -> StubEvents:
        self.windows.append(window)
        return self

    def put_events(self, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.entries.extend(Entries)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


ACCEPTED = {"FailedEntryCount": 0, "Entries": [{"EventId": "e-1"}]}


@pytest.fixture(autouse=True)
def clean_metrics() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def hub_delivery_failed() -> list[float]:
    return metrics.metric_set.get("HubDeliveryFailed", {}).get("Value", [])


def hub_with(answer: Any, seconds_left: float = 300.0) -> tuple[Hub, StubEvents]:
    stub = StubEvents(answer)
    return Hub(BUS, Deadline.after(seconds_left, clock=lambda: 0.0), stub), stub


def test_without_a_hub_bus_there_is_no_hub() -> None:
    assert Hub.for_run(Config.from_env(BASE), Deadline.after(300)) is None


def test_the_report_goes_to_the_hub_bus_with_the_documented_source_and_detail_type(caplog) -> None:
    caplog.set_level(logging.INFO)
    report = make_report(("attention", "stalled"), ("started", "replication-stopped"), healthy=3)
    hub, stub = hub_with(ACCEPTED)

    assert hub.send(report) is True

    (sent,) = stub.entries
    assert (sent["Source"], sent["DetailType"], sent["EventBusName"]) == (EVENT_SOURCE, DETAIL_TYPE, BUS)
    assert json.loads(sent["Detail"]) == report.to_dict()
    assert '", "' not in sent["Detail"]  # compact JSON, as in SNS's copy (so it fits as that fits)
    assert '": ' not in sent["Detail"]
    assert hub_delivery_failed() == [0.0]
    assert metrics.metric_set["HubDeliveryFailed"]["Unit"] == "Count"
    (line,) = [r for r in caplog.records if r.getMessage() == "Report sent to the hub"]
    assert (line.event_id, line.bus) == ("e-1", BUS)


def test_the_call_gets_what_publishing_may_use_but_never_more_than_the_hub_window() -> None:
    plenty, stub = hub_with(ACCEPTED, seconds_left=300)
    plenty.send(make_report())
    short, short_stub = hub_with(ACCEPTED, seconds_left=SPARE_SECONDS + 8)
    short.send(make_report())

    assert stub.windows == [HUB_WINDOW]
    deadline = short.deadline
    assert short_stub.windows == [pytest.approx(deadline.publish_window())]
    assert short_stub.windows[0] < HUB_WINDOW


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no bus"}}, "PutEvents"),
            "ResourceNotFoundException",
        ),
        (
            ClientError({"Error": {"Code": "AccessDeniedException", "Message": "x"}}, "PutEvents"),
            "AccessDenied",
        ),
        (
            EndpointConnectionError(endpoint_url="https://events.eu-central-1.amazonaws.com"),
            "Could not connect",
        ),
        (ReadTimeoutError(endpoint_url="https://events"), "ReadTimeoutError"),
        (RuntimeError("anything else"), "RuntimeError: anything else"),
        (
            {
                "FailedEntryCount": 1,
                "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try later"}],
            },
            "InternalFailure: try later",
        ),
        # A failed count is believed even when the entry came back with an id
        ({"FailedEntryCount": 1, "Entries": [{"EventId": "e-1"}]}, "None: None"),
    ],
)
def test_a_failed_delivery_is_logged_and_counted_and_never_raises(answer: Any, reason: str, caplog) -> None:
    hub, _ = hub_with(answer)

    assert hub.send(make_report(("failed", "start-failed"))) is False

    (line,) = [r for r in caplog.records if r.getMessage() == NOT_SENT]
    assert line.levelno == logging.WARNING
    assert reason in line.reason
    assert line.bus == BUS
    assert hub_delivery_failed() == [1.0]
    assert metrics.metric_set["HubDeliveryFailed"]["Unit"] == "Count"


def test_with_no_time_left_the_hub_is_not_called(caplog) -> None:
    hub, stub = hub_with(ACCEPTED, seconds_left=SPARE_SECONDS + 1)

    assert hub.send(make_report()) is False

    assert stub.windows == []
    (line,) = [r for r in caplog.records if r.getMessage() == NOT_SENT]
    assert "no time left" in line.reason
    assert hub_delivery_failed() == [1.0]


def test_with_exactly_one_second_left_for_the_hub_the_report_is_still_sent() -> None:
    # 7 s left: 5 s kept spare and 1 s (an eighth of the 8 s margin) for the record leave 1 s to publish
    deadline = Deadline(7.0, 8.0, clock=lambda: 0.0)
    stub = StubEvents(ACCEPTED)
    assert deadline.publish_window() == 1.0

    assert Hub(BUS, deadline, stub).send(make_report()) is True

    assert stub.windows == [1.0]
    assert hub_delivery_failed() == [0.0]


def test_the_client_is_made_in_the_hub_region_in_the_retry_mode_and_its_calls_end_within_the_window() -> None:
    env = {"HUB_EVENT_BUS_ARN": BUS, "AWS_MAX_ATTEMPTS": "5", "AWS_RETRY_MODE": "adaptive"}
    config = Config.from_env({**BASE, **env})
    hub = Hub.for_run(config, Deadline.after(300))
    assert hub is not None

    client = hub.client(4.0)

    assert client.meta.region_name == "eu-central-1"
    settings = client.meta.config
    attempts = settings.retries["total_max_attempts"]
    assert attempts * (settings.connect_timeout + settings.read_timeout) <= 4.0
    assert settings.retries["mode"] == "adaptive"  # the function's AWS_RETRY_MODE


def test_a_reports_copy_fits_eventbridge_when_its_sns_message_fits() -> None:
    # The member sends the report as fitted to SNS: its JSON is part of that message, so it is smaller.
    huge = make_report(*[("attention", "stalled")] * 5000)
    fitted = render.fit(huge)
    size = sum(len(value.encode()) for value in entry(fitted, BUS).values())

    assert fitted.truncated
    assert size <= 256 * 1024


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:sns:eu-central-1:999999999999:topic",
        "arn:aws:events:eu-central-1:99999999999:event-bus/x",
        "drs-reprotect-hub",
    ],
)
def test_a_bad_hub_bus_arn_is_refused_by_name(value: str) -> None:
    with pytest.raises(
        ConfigError, match=f"^HUB_EVENT_BUS_ARN={value!r} is not an EventBridge event bus ARN"
    ):
        Config.from_env({**BASE, "HUB_EVENT_BUS_ARN": value})
