"""Turns whatever invoked the Lambda into a typed run request, or a clear error before any AWS call."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reprotect import contract as c

SERVER_ID = re.compile(r"s-[0-9a-zA-Z]{17}")  # matched whole (fullmatch): no trailing newline
MANUAL_KEYS = frozenset({"sourceServerIDs", "dryRun"})
MAX_MANUAL_IDS = 4000
MAX_EVENT_ID = 128  # EventBridge ids and Scheduler execution ids are UUIDs (36 characters)
MAX_ARN = 2048
MAX_TIMESTAMP = 64
MAX_DETAIL_TYPE = 128
_SCHEDULE_ARN = re.compile(
    r"arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule/[\w.-]{1,64}/[\w.-]{1,64}", re.ASCII
)
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)", re.ASCII)
_ACCOUNT = re.compile(r"[0-9]{12}")
_ATTEMPT = re.compile(r"[0-9]{1,4}")


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
    _same_account(event, account)
    return parse(event)


def _eventbridge_parser(source: Any, detail_type: Any) -> Callable[[Mapping[str, Any]], RunRequest | Ignored]:
    parse = None
    if isinstance(source, str) and isinstance(detail_type, str | None):
        parse = _EVENTBRIDGE.get((source, detail_type)) or _EVENTBRIDGE.get((source, None))
    if parse is None:
        raise InvalidEventError(f"unsupported event: source {source!r} with detail-type {detail_type!r}")
    return parse


def _scheduler(event: Mapping[str, Any], account: str | None) -> RunRequest:
    arn = _required_str(event, "scheduleArn", MAX_ARN)
    if not _SCHEDULE_ARN.fullmatch(arn):
        raise InvalidEventError(f"the event's 'scheduleArn' is not a schedule ARN: {arn!r}")
    if account and arn.split(":")[4] != account:
        raise InvalidEventError(f"the event's 'scheduleArn' {arn!r} is not of this account ({account})")
    scheduled = _required_str(event, "scheduledTime", MAX_TIMESTAMP)
    if not _TIMESTAMP.fullmatch(scheduled):
        raise InvalidEventError(f"the event's 'scheduledTime' is not an ISO 8601 time: {scheduled!r}")
    execution = _optional_str(event, "executionId", MAX_EVENT_ID)
    _optional_attempt(event.get("attemptNumber"))
    # Scheduler's retries of one invocation share the schedule and the scheduled time.
    return RunRequest(Trigger("schedule", arn.rsplit("/", 1)[-1], execution), f"{arn}#{scheduled}")


def _scheduled_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = _required_str(event, "id", MAX_EVENT_ID)
    resources = _resources(event)
    name = resources[0].rsplit("/", 1)[-1] if resources else None
    return RunRequest(Trigger("schedule", name, event_id), event_id)


def _alarm(event: Mapping[str, Any]) -> RunRequest | Ignored:
    event_id = _required_str(event, "id", MAX_EVENT_ID)
    detail = _mapping(event.get("detail"), "detail")
    state = _mapping(detail.get("state"), "detail.state").get("value")
    alarm = detail.get("alarmName")
    if alarm is not None and not isinstance(alarm, str):
        raise InvalidEventError(f"the event's 'detail.alarmName' must be a string, got {alarm!r}")
    if state != c.ALARM_STATE:
        return Ignored(f"alarm {alarm!r} changed to {state!r}, not {c.ALARM_STATE}")
    ids = _alarm_server_ids(detail)
    return RunRequest(Trigger("alarm", alarm or None, event_id), event_id, _unique(ids) if ids else None)


def _alarm_server_ids(detail: Mapping[str, Any]) -> list[str]:
    """The SourceServerID dimensions of the alarm's metrics. Malformed metrics are refused: widening
    to a whole-fleet sweep is not this alarm's call to make."""
    configuration = detail.get("configuration")
    metrics = (
        None if configuration is None else _mapping(configuration, "detail.configuration").get("metrics")
    )
    if metrics is None:
        return []
    if not isinstance(metrics, list):
        raise InvalidEventError(f"the event's 'detail.configuration.metrics' must be a list, got {metrics!r}")
    ids = []
    for index, metric in enumerate(metrics):
        where = f"detail.configuration.metrics[{index}]"
        entry = _mapping(metric, where)
        if "metricStat" not in entry:  # a metric math expression names no server
            continue
        definition = _mapping(
            _mapping(entry["metricStat"], f"{where}.metricStat").get("metric"), f"{where}.metricStat.metric"
        )
        dimensions = _mapping(definition.get("dimensions", {}), f"{where}.metricStat.metric.dimensions")
        if "SourceServerID" in dimensions:
            ids.append(_server_id(dimensions["SourceServerID"], "the alarm's SourceServerID dimension"))
    return ids


def _drs_event(event: Mapping[str, Any]) -> RunRequest:
    event_id = _required_str(event, "id", MAX_EVENT_ID)
    ids = [
        _server_id(arn.rsplit("/", 1)[-1], "the event's resources")
        for arn in _resources(event)
        if ":source-server/" in arn
    ]
    if not ids:
        raise InvalidEventError(f"DRS event {event_id!r} names no source server ARN in its resources")
    detail_type = _optional_str(event, "detail-type", MAX_DETAIL_TYPE) or ""
    return RunRequest(Trigger("drs-event", detail_type, event_id), event_id, _unique(ids))


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
        ids = _unique([_server_id(value, "sourceServerIDs") for value in raw])
    return RunRequest(Trigger("manual", None, request_id), f"manual#{request_id}", ids, dry_run)


_EVENTBRIDGE: dict[tuple[str, str | None], Callable[[Mapping[str, Any]], RunRequest | Ignored]] = {
    (c.SCHEDULED_EVENT_SOURCE, c.SCHEDULED_EVENT_DETAIL_TYPE): _scheduled_event,
    (c.ALARM_EVENT_SOURCE, c.ALARM_EVENT_DETAIL_TYPE): _alarm,
    (c.DRS_EVENT_SOURCE, None): _drs_event,  # any detail-type the DRS rule lets through
}


def _same_account(event: Mapping[str, Any], account: str | None) -> None:
    sender = event.get("account")
    if not isinstance(sender, str) or not _ACCOUNT.fullmatch(sender):
        raise InvalidEventError(f"the event's 'account' must be a 12-digit account id, got {sender!r}")
    if account and sender != account:
        raise InvalidEventError(f"the event's 'account' {sender} is not this function's account ({account})")


def _server_id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not SERVER_ID.fullmatch(value):
        raise InvalidEventError(f"{value!r} in {where} is not a source server id (^s-[0-9a-zA-Z]{{17}}$)")
    return value


def _required_str(event: Mapping[str, Any], key: str, longest: int) -> str:
    value = event.get(key)
    if not isinstance(value, str) or not value or len(value) > longest:
        raise InvalidEventError(
            f"the event's {key!r} must be a non-empty string of at most {longest} characters,"
            f" got {value!r:.200}"
        )
    return value


def _optional_str(event: Mapping[str, Any], key: str, longest: int) -> str | None:
    return None if event.get(key) is None else _required_str(event, key, longest)


def _optional_attempt(value: Any) -> None:
    number = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if value is not None and not (isinstance(number, str) and _ATTEMPT.fullmatch(number)):
        raise InvalidEventError(f"the event's 'attemptNumber' must be a whole number, got {value!r:.200}")


def _resources(event: Mapping[str, Any]) -> list[str]:
    resources = event.get("resources", [])
    if not isinstance(resources, list) or not all(
        isinstance(r, str) and len(r) <= MAX_ARN for r in resources
    ):
        raise InvalidEventError(f"the event's 'resources' must be a list of ARNs, got {resources!r:.200}")
    return resources


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEventError(f"the event's {where} must be an object, got {value!r:.200}")
    return value


def _unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
