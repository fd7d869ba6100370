"""Turns whatever invoked the Lambda into a typed run request, or a clear error before any AWS call."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reprotect import contract as c

SERVER_ID = re.compile(r"^s-[0-9a-zA-Z]{17}$")
MANUAL_KEYS = frozenset({"sourceServerIDs", "dryRun"})
MAX_MANUAL_IDS = 4000


class InvalidEventError(ValueError):
    """The event is not one this function accepts; the message says which part is wrong."""


@dataclass(frozen=True)
class Trigger:
    type: str  # schedule | alarm | drs-event | manual
    name: str | None = None
    event_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.name:
            out["name"] = self.name
        if self.event_id:
            out["eventId"] = self.event_id
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trigger:
        return cls(data["type"], data.get("name"), data.get("eventId"))


@dataclass(frozen=True)
class RunRequest:
    """What one invocation asks for. Powertools idempotency keys on `dedupe_key` (two deliveries of
    one event share it)."""

    trigger: Trigger
    dedupe_key: str
    # None means a full sweep; otherwise exactly these servers are checked.
    server_ids: tuple[str, ...] | None = None
    dry_run: bool | None = None


@dataclass(frozen=True)
class Ignored:
    """A valid event that asks for nothing (an alarm leaving the ALARM state)."""

    reason: str


def parse_event(event: Any, request_id: str) -> RunRequest | Ignored:
    """Classify an invocation event. `request_id` keys manual invocations, whose retries share it."""
    if not isinstance(event, Mapping):
        raise InvalidEventError(f"the event must be a JSON object, got {type(event).__name__}")
    source = event.get("source")
    detail_type = event.get("detail-type")
    if source == c.SCHEDULE_SOURCE:
        return _scheduler(event)
    if source == c.SCHEDULED_EVENT_SOURCE and detail_type == c.SCHEDULED_EVENT_DETAIL_TYPE:
        return _scheduled_event(event)
    if source == c.ALARM_EVENT_SOURCE and detail_type == c.ALARM_EVENT_DETAIL_TYPE:
        return _alarm(event)
    if source == c.DRS_EVENT_SOURCE:
        return _drs_event(event)
    if source is None and event and set(event) <= MANUAL_KEYS:
        return _manual(event, request_id)
    if source is not None:
        raise InvalidEventError(
            f"unsupported event: source {source!r} with detail-type {event.get('detail-type')!r}"
        )
    raise InvalidEventError(
        "unsupported event: expected a schedule, alarm or DRS event, or a manual invocation "
        f'{{"sourceServerIDs": [...], "dryRun": true}}; got keys {sorted(map(str, event))}'
    )


def _scheduler(event: Mapping[str, Any]) -> RunRequest:
    arn = _required_str(event, "scheduleArn")
    scheduled = _required_str(event, "scheduledTime")
    # Scheduler's retries of one invocation share the schedule and the scheduled time.
    return RunRequest(
        Trigger("schedule", arn.rsplit("/", 1)[-1], event.get("executionId")), f"{arn}#{scheduled}"
    )


def _scheduled_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = _required_str(event, "id")
    resources = event.get("resources") or []
    name = str(resources[0]).rsplit("/", 1)[-1] if resources else None
    return RunRequest(Trigger("schedule", name, event_id), event_id)


def _alarm(event: Mapping[str, Any]) -> RunRequest | Ignored:
    event_id = _required_str(event, "id")
    detail = _mapping(event.get("detail"), "detail")
    state = _mapping(detail.get("state"), "detail.state").get("value")
    alarm = detail.get("alarmName")
    if state != c.ALARM_STATE:
        return Ignored(f"alarm {alarm!r} changed to {state!r}, not {c.ALARM_STATE}")
    ids: list[str] = []
    configuration = detail.get("configuration")
    metrics = configuration.get("metrics") if isinstance(configuration, Mapping) else None
    for metric in metrics if isinstance(metrics, list) else []:
        stat = metric.get("metricStat") if isinstance(metric, Mapping) else None
        definition = stat.get("metric") if isinstance(stat, Mapping) else None
        dims = definition.get("dimensions") if isinstance(definition, Mapping) else None
        if isinstance(dims, Mapping) and "SourceServerID" in dims:
            ids.append(_server_id(dims["SourceServerID"], "the alarm's SourceServerID dimension"))
    trigger = Trigger("alarm", str(alarm) if alarm else None, event_id)
    return RunRequest(trigger, event_id, _unique(ids) if ids else None)


def _drs_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = _required_str(event, "id")
    resources = event.get("resources")
    ids = [
        _server_id(str(arn).rsplit("/", 1)[-1], "the event's resources")
        for arn in resources or []
        if isinstance(arn, str) and ":source-server/" in arn
    ]
    if not ids:
        raise InvalidEventError(f"DRS event {event_id!r} names no source server ARN in its resources")
    return RunRequest(
        Trigger("drs-event", str(event.get("detail-type") or ""), event_id), event_id, _unique(ids)
    )


def _manual(event: Mapping[str, Any], request_id: str) -> RunRequest:
    dry_run = event.get("dryRun")
    if dry_run is not None and not isinstance(dry_run, bool):
        raise InvalidEventError(f"dryRun must be true or false, got {dry_run!r}")
    ids: tuple[str, ...] | None = None
    if "sourceServerIDs" in event:
        raw = event["sourceServerIDs"]
        if not isinstance(raw, list) or not raw:
            raise InvalidEventError(f"sourceServerIDs must be a non-empty list of ids, got {raw!r}")
        if len(raw) > MAX_MANUAL_IDS:
            raise InvalidEventError(f"sourceServerIDs has {len(raw)} ids; at most {MAX_MANUAL_IDS}")
        ids = _unique([_server_id(value, "sourceServerIDs") for value in raw])
    return RunRequest(Trigger("manual", None, request_id), f"manual#{request_id}", ids, dry_run)


def _server_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not SERVER_ID.match(value):
        raise InvalidEventError(f"{value!r} in {where} is not a source server id (^s-[0-9a-zA-Z]{{17}}$)")
    return value


def _required_str(event: Mapping[str, Any], key: str) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidEventError(f"the event's {key!r} must be a non-empty string, got {value!r}")
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEventError(f"the event's {where} must be an object, got {value!r}")
    return value


def _unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
