"""Turns whatever invoked the Lambda into a typed run request, or a clear error before any AWS call."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reprotect import contract as c
from reprotect import fields as f
from reprotect.fields import MAX_ARN, SERVER_ID, InvalidEventError

__all__ = ["SERVER_ID", "Ignored", "InvalidEventError", "RunRequest", "Trigger", "parse_event"]

MANUAL_KEYS = frozenset({"sourceServerIDs", "dryRun"})
MAX_MANUAL_IDS = 4000
MAX_EVENT_ID = 128  # EventBridge ids and Scheduler execution ids are UUIDs (36 characters)
MAX_TIMESTAMP = 64
MAX_DETAIL_TYPE = 128
MAX_LAUNCH_STATE = 64
_LAUNCH_STATE = re.compile(r"[A-Z][A-Z_]*", re.ASCII)
_DRILL_WORDS = {"true": True, "false": False}
_SCHEDULE_ARN = re.compile(
    r"arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule/[\w.-]{1,64}/[\w.-]{1,64}", re.ASCII
)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)", re.ASCII)


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
    # A recovery's launch-result event: the source servers whose recovery instances are looked at.
    recovered: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Ignored:
    """A valid event that asks for nothing (an alarm leaving the ALARM state)."""

    reason: str


def parse_event(event: Any, request_id: str, account: str | None = None) -> RunRequest | Ignored:
    """Classify an invocation event, or refuse it naming the field at fault.

    `request_id` keys manual invocations, whose retries share it. `account` is the function's own:
    an event from any other account is refused.
    """
    if not isinstance(event, Mapping):
        raise InvalidEventError(f"the event must be a JSON object, got {type(event).__name__}")
    source = event.get("source")
    if source == c.SCHEDULE_SOURCE:
        return _scheduler(event, account)
    if source is None:
        return _manual(event, request_id)
    parse = _eventbridge_parser(source, event.get("detail-type"))
    f.same_account(event, account)
    return parse(event)


def _eventbridge_parser(source: Any, detail_type: Any) -> Callable[[Mapping[str, Any]], RunRequest | Ignored]:
    parse = None
    if isinstance(source, str) and isinstance(detail_type, str | None):
        parse = _EVENTBRIDGE.get((source, detail_type)) or _EVENTBRIDGE.get((source, None))
    if parse is None:
        raise InvalidEventError(f"unsupported event: source {source!r} with detail-type {detail_type!r}")
    return parse


def _scheduler(event: Mapping[str, Any], account: str | None) -> RunRequest:
    arn = f.required_str(event, "scheduleArn", MAX_ARN)
    if not _SCHEDULE_ARN.fullmatch(arn):
        raise InvalidEventError(f"the event's 'scheduleArn' is not a schedule ARN: {arn!r}")
    if account and arn.split(":")[4] != account:
        raise InvalidEventError(f"the event's 'scheduleArn' {arn!r} is not of this account ({account})")
    scheduled = f.required_str(event, "scheduledTime", MAX_TIMESTAMP)
    if not _TIMESTAMP.fullmatch(scheduled):
        raise InvalidEventError(f"the event's 'scheduledTime' is not an ISO 8601 time: {scheduled!r}")
    execution = f.optional_str(event, "executionId", MAX_EVENT_ID)
    f.optional_attempt(event.get("attemptNumber"))
    # Scheduler's retries of one invocation share the schedule and the scheduled time.
    return RunRequest(Trigger("schedule", arn.rsplit("/", 1)[-1], execution), f"{arn}#{scheduled}")


def _scheduled_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = f.required_str(event, "id", MAX_EVENT_ID)
    resources = f.resources(event)
    name = resources[0].rsplit("/", 1)[-1] if resources else None
    return RunRequest(Trigger("schedule", name, event_id), event_id)


def _alarm(event: Mapping[str, Any]) -> RunRequest | Ignored:
    event_id = f.required_str(event, "id", MAX_EVENT_ID)
    detail = f.mapping(event.get("detail"), "detail")
    state = f.mapping(detail.get("state"), "detail.state").get("value")
    alarm = detail.get("alarmName")
    if alarm is not None and not isinstance(alarm, str):
        raise InvalidEventError(f"the event's 'detail.alarmName' must be a string, got {alarm!r}")
    if state != c.ALARM_STATE:
        return Ignored(f"alarm {alarm!r} changed to {state!r}, not {c.ALARM_STATE}")
    ids = _alarm_server_ids(detail)
    return RunRequest(Trigger("alarm", alarm or None, event_id), event_id, f.unique(ids) if ids else None)


def _alarm_server_ids(detail: Mapping[str, Any]) -> list[str]:
    """The SourceServerID dimensions of the alarm's metrics. Malformed metrics are refused: widening
    to a whole-fleet sweep is not this alarm's call to make."""
    configuration = detail.get("configuration")
    metrics = (
        None if configuration is None else f.mapping(configuration, "detail.configuration").get("metrics")
    )
    if metrics is None:
        return []
    if not isinstance(metrics, list):
        raise InvalidEventError(f"the event's 'detail.configuration.metrics' must be a list, got {metrics!r}")
    ids = []
    for index, metric in enumerate(metrics):
        where = f"detail.configuration.metrics[{index}]"
        entry = f.mapping(metric, where)
        if "metricStat" not in entry:  # a metric math expression names no server
            continue
        definition = f.mapping(
            f.mapping(entry["metricStat"], f"{where}.metricStat").get("metric"), f"{where}.metricStat.metric"
        )
        dimensions = f.mapping(definition.get("dimensions", {}), f"{where}.metricStat.metric.dimensions")
        if "SourceServerID" in dimensions:
            ids.append(f.server_id(dimensions["SourceServerID"], "the alarm's SourceServerID dimension"))
    return ids


def _drs_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = f.required_str(event, "id", MAX_EVENT_ID)
    ids = f.server_ids_of(event)
    if not ids:
        raise InvalidEventError(f"DRS event {event_id!r} names no source server ARN in its resources")
    detail_type = f.optional_str(event, "detail-type", MAX_DETAIL_TYPE) or ""
    return RunRequest(Trigger("drs-event", detail_type, event_id), event_id, ids)


def _launch_result(event: Mapping[str, Any]) -> RunRequest | Ignored:
    """DRS's `Source Server Launch Result`: a successful recovery that is not a drill asks for a look
    at the recovered servers' recovery instances; any other launch asks for nothing."""
    event_id = f.required_str(event, "id", MAX_EVENT_ID)
    ids = f.server_ids_of(event)
    if not ids:
        raise InvalidEventError(f"DRS event {event_id!r} names no source server ARN in its resources")
    detail = f.mapping(event.get("detail"), "detail")
    state = f.required_str(detail, "state", MAX_LAUNCH_STATE, where="detail.state")
    if not _LAUNCH_STATE.fullmatch(state):
        raise InvalidEventError(f"the event's 'detail.state' is not a launch state: {state!r}")
    drill = _drill(detail.get("is-drill"))
    if detail.get("job-id") is not None:
        f.required_str(detail, "job-id", MAX_EVENT_ID, where="detail.job-id")
    launched = ", ".join(ids)
    if drill:
        return Ignored(f"the launch of {launched} was a drill: drills are never reversed")
    if state != c.DRS_LAUNCH_SUCCEEDED:
        return Ignored(f"the launch of {launched} ended {state}, not {c.DRS_LAUNCH_SUCCEEDED}")
    trigger = Trigger("drs-event", c.DRS_LAUNCH_RESULT_DETAIL_TYPE, event_id)
    return RunRequest(trigger, event_id, server_ids=(), recovered=ids)


def _drill(value: Any) -> bool:
    """`detail.is-drill`: DRS sends "TRUE" or "FALSE"; a JSON boolean is taken too. Required: a launch
    that might be a drill is never reversed, so it must say."""
    if isinstance(value, bool):
        return value
    word = _DRILL_WORDS.get(value.lower()) if isinstance(value, str) else None
    if word is None:
        raise InvalidEventError(f"the event's 'detail.is-drill' must be 'TRUE' or 'FALSE', got {value!r:.60}")
    return word


def _manual(event: Mapping[str, Any], request_id: str) -> RunRequest:
    if not event or not set(event) <= MANUAL_KEYS:
        raise InvalidEventError(
            "unsupported event: expected a schedule, alarm or DRS event, or a manual invocation "
            f'{{"sourceServerIDs": [...], "dryRun": true}}; got keys {sorted(map(str, event))}'
        )
    dry_run = event.get("dryRun")
    if "dryRun" in event and not isinstance(dry_run, bool):
        raise InvalidEventError(f"dryRun must be true or false, got {dry_run!r}")
    ids: tuple[str, ...] | None = None
    if "sourceServerIDs" in event:
        raw = event["sourceServerIDs"]
        if not isinstance(raw, list) or not raw:
            raise InvalidEventError(f"sourceServerIDs must be a non-empty list of ids, got {raw!r}")
        if len(raw) > MAX_MANUAL_IDS:
            raise InvalidEventError(f"sourceServerIDs has {len(raw)} ids; at most {MAX_MANUAL_IDS}")
        ids = f.unique([f.server_id(value, "sourceServerIDs") for value in raw])
    return RunRequest(Trigger("manual", None, request_id), f"manual#{request_id}", ids, dry_run)


_EVENTBRIDGE: dict[tuple[str, str | None], Callable[[Mapping[str, Any]], RunRequest | Ignored]] = {
    (c.SCHEDULED_EVENT_SOURCE, c.SCHEDULED_EVENT_DETAIL_TYPE): _scheduled_event,
    (c.ALARM_EVENT_SOURCE, c.ALARM_EVENT_DETAIL_TYPE): _alarm,
    (c.DRS_EVENT_SOURCE, c.DRS_LAUNCH_RESULT_DETAIL_TYPE): _launch_result,
    (c.DRS_EVENT_SOURCE, None): _drs_event,  # any other detail-type the DRS rule lets through
}
