from __future__ import annotations

import json

import pytest

from harness.events import load_event as event
from reprotect.events import Ignored, InvalidEventError, RunRequest, parse_event


def test_scheduler_input_dedupes_on_schedule_and_scheduled_time_not_attempt() -> None:
    first = parse_event(event("scheduler.json"), "req-1")
    retry = parse_event({**event("scheduler.json"), "executionId": "other", "attemptNumber": "2"}, "req-2")

    assert isinstance(first, RunRequest)
    assert isinstance(retry, RunRequest)
    assert first.dedupe_key == retry.dedupe_key
    assert first.trigger.type == "schedule"
    assert first.trigger.name == "drs-reprotect-sweep"
    assert first.server_ids is None


def test_next_scheduled_time_is_a_new_run() -> None:
    a = parse_event(event("scheduler.json"), "r")
    b = parse_event({**event("scheduler.json"), "scheduledTime": "2026-11-27T06:30:00Z"}, "r")

    assert isinstance(a, RunRequest)
    assert isinstance(b, RunRequest)
    assert a.dedupe_key != b.dedupe_key


def test_classic_scheduled_event() -> None:
    parsed = parse_event(event("scheduled_event.json"), "r")

    assert isinstance(parsed, RunRequest)
    assert (parsed.trigger.type, parsed.dedupe_key, parsed.server_ids) == (
        "schedule",
        "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        None,
    )


def test_alarm_dimensions_become_server_ids() -> None:
    parsed = parse_event(event("alarm_drs.json"), "r")

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids == ("s-1234567890abcdef0",)
    assert parsed.trigger.name == "drs-reprotect-lag-web-001"


def test_alarm_with_a_malformed_dimension_names_it() -> None:
    bad = event("alarm_drs.json")
    bad["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"]["dimensions"]["SourceServerID"] = (
        "web-1"
    )

    with pytest.raises(InvalidEventError, match="'web-1'"):
        parse_event(bad, "r")


def test_alarm_back_to_ok_is_ignored() -> None:
    ok = event("alarm_drs.json")
    ok["detail"]["state"]["value"] = "OK"

    assert isinstance(parse_event(ok, "r"), Ignored)


def test_drs_event_takes_the_server_from_resources() -> None:
    parsed = parse_event(event("drs_stalled.json"), "r")

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids == ("s-1234567890abcdef0",)
    assert parsed.trigger.type == "drs-event"


def test_manual_request_keys_on_the_request_id_and_dedupes_ids() -> None:
    ids = ["s-1234567890abcdef0", "s-1234567890abcdef0", "s-0000000000000000a"]
    parsed = parse_event({"sourceServerIDs": ids, "dryRun": False}, "req-9")

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids == ("s-1234567890abcdef0", "s-0000000000000000a")
    assert parsed.dry_run is False
    assert parsed.dedupe_key == "manual#req-9"


def test_manual_dry_run_alone_is_a_full_sweep() -> None:
    parsed = parse_event({"dryRun": True}, "r")

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids is None
    assert parsed.dry_run is True


def test_request_round_trips_through_its_dict() -> None:
    parsed = parse_event(event("alarm_drs.json"), "r")
    assert isinstance(parsed, RunRequest)

    assert RunRequest.from_dict(json.loads(json.dumps(parsed.to_dict()))) == parsed


@pytest.mark.parametrize("payload", [None, [], "sweep", 42])
def test_non_object_events_are_refused(payload) -> None:
    with pytest.raises(InvalidEventError, match="JSON object"):
        parse_event(payload, "r")
