"""The member's copy of each run's report for the organization's hub: one PutEvents to the hub's
event bus, after the member's own publish, that never fails the run.

The hub is another account, often in another region: it may be unreachable, its bus deleted or its
policy wrong. Whatever happens, the member's own report is already published; a delivery that fails
is logged (`Report not sent to the hub`, with the reason) and counted (`HubDeliveryFailed` 1, else 0),
and the run ends as it would have. The call is bounded like every other call of the run: its client is
built for what the deadline leaves for publishing (at most HUB_WINDOW seconds), and it is not made at
all with less than MIN_WINDOW left.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from reprotect import aws
from reprotect.config import Config
from reprotect.contract import Metric
from reprotect.deadline import Deadline
from reprotect.observability import logger, metrics
from reprotect.org.contract import DETAIL_TYPE, EVENT_SOURCE
from reprotect.report import Report

HUB_WINDOW = 10.0  # the hub is a copy: it never gets more than this of the run's time
MIN_WINDOW = 1.0
NOT_SENT = "Report not sent to the hub"

EventsClient = Callable[[float], Any]  # an EventBridge client whose calls end within a window (seconds)


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def entry(report: Report, bus_arn: str) -> dict[str, str]:
    """The PutEvents entry: the report's JSON form as the detail (already fitted to SNS, so it also fits
    EventBridge's 256 KB)."""
    return {
        "Source": EVENT_SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(report.to_dict(), separators=(",", ":")),
        "EventBusName": bus_arn,
    }


@dataclass(frozen=True)
class Hub:
    """Where a run sends its report's copy, and the deadline that bounds the call."""

    bus_arn: str
    deadline: Deadline
    client: EventsClient

    @classmethod
    def for_run(cls, config: Config, deadline: Deadline) -> Hub | None:
        """The run's hub, or None when the function has no HUB_EVENT_BUS_ARN."""
        if not config.hub_bus_arn:
            return None

        def client(window: float) -> Any:
            return aws.client(
                "events",
                window,
                max_attempts=config.max_attempts,
                retry_mode=config.retry_mode,
                region=region_of(str(config.hub_bus_arn)),
            )

        return cls(config.hub_bus_arn, deadline, client)

    def send(self, report: Report) -> bool:
        """Put the report on the hub's bus; True if it got there. Never raises: see the module's doc."""
        window = min(HUB_WINDOW, self.deadline.publish_window())
        if window < MIN_WINDOW:
            return self._failed(f"no time left before the run's deadline ({window:.1f} s)")
        try:
            response = self.client(window).put_events(Entries=[entry(report, self.bus_arn)])
            (result,) = response["Entries"]
        except Exception as exc:  # whatever it is, the member's run must not fail for its copy
            return self._failed(f"{type(exc).__name__}: {exc!s:.300}")
        if response.get("FailedEntryCount") or "EventId" not in result:
            return self._failed(f"{result.get('ErrorCode')}: {result.get('ErrorMessage')}")
        logger.info("Report sent to the hub", bus=self.bus_arn, event_id=result["EventId"])
        metrics.add_metric(name=Metric.HUB_DELIVERY_FAILED, unit=MetricUnit.Count, value=0)
        return True

    def _failed(self, reason: str) -> bool:
        logger.warning(NOT_SENT, bus=self.bus_arn, reason=reason)
        metrics.add_metric(name=Metric.HUB_DELIVERY_FAILED, unit=MetricUnit.Count, value=1)
        return False
