from __future__ import annotations

import dataclasses

import jmespath
import pytest

from harness.events import load_event as event
from reprotect import handler
from reprotect.events import Ignored, InvalidEventError, RunRequest, Trigger, parse_event


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


def test_idempotency_keys_on_the_dedupe_key_of_the_typed_request() -> None:
    parsed = parse_event(event("alarm_drs.json"), "r")
    assert isinstance(parsed, RunRequest)

    # Powertools hashes the dataclass as dataclasses.asdict() and picks the key with the JMESPath.
    key = jmespath.search(handler.IDEMPOTENCY_KEY, dataclasses.asdict(parsed))

    assert key == parsed.dedupe_key == event("alarm_drs.json")["id"]


@pytest.mark.parametrize(
    ("payload", "kind"), [(None, "NoneType"), ([], "list"), ("sweep", "str"), (42, "int")]
)
def test_non_object_events_are_refused_naming_what_they_are(payload: object, kind: str) -> None:
    with pytest.raises(InvalidEventError) as caught:
        parse_event(payload, "r")

    assert str(caught.value) == f"the event must be a JSON object, got {kind}"


# ---- strict input: every wrong type or value is refused, naming the field (issue: trustworthy) ----

OWN = "123456789012"


def refused(payload: object, account: str | None = OWN) -> str:
    with pytest.raises(InvalidEventError) as caught:
        parse_event(payload, "r", account)
    return str(caught.value)


def test_a_null_dry_run_is_refused_not_read_as_a_real_sweep() -> None:
    assert "dryRun must be true or false, got None" in refused({"dryRun": None})


def test_an_id_is_matched_whole_so_a_trailing_newline_is_refused() -> None:
    assert "'s-1234567890abcdef0\\n'" in refused({"sourceServerIDs": ["s-1234567890abcdef0\n"]})


@pytest.mark.parametrize("resources", [{"arn": "x"}, "arn:aws:events:...", [1], [None]])
def test_resources_of_the_wrong_type_are_refused_naming_the_field(resources: object) -> None:
    for name in ("scheduled_event.json", "drs_stalled.json"):
        assert "'resources' must be a list of ARNs" in refused({**event(name), "resources": resources})


@pytest.mark.parametrize(
    ("metrics", "field"),
    [
        ("m1", "'detail.configuration.metrics' must be a list"),
        (["m1"], "detail.configuration.metrics[0] must be an object"),
        ([{"metricStat": []}], "detail.configuration.metrics[0].metricStat must be an object"),
        ([{"metricStat": {"metric": 5}}], "metrics[0].metricStat.metric must be an object"),
        (
            [{"metricStat": {"metric": {"dimensions": ["SourceServerID"]}}}],
            "metric.dimensions must be an object",
        ),
        ([{"metricStat": {"metric": {"dimensions": {"SourceServerID": 7}}}}], "SourceServerID dimension"),
    ],
)
def test_malformed_alarm_metrics_are_refused_not_widened_to_the_whole_fleet(
    metrics: object, field: str
) -> None:
    alarm = event("alarm_drs.json")
    alarm["detail"]["configuration"]["metrics"] = metrics

    assert field in refused(alarm)


def test_a_metric_math_expression_names_no_server_and_is_not_malformed() -> None:
    alarm = event("alarm_drs.json")
    alarm["detail"]["configuration"]["metrics"].append({"id": "e1", "expression": "m1 * 2"})

    parsed = parse_event(alarm, "r", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids == ("s-1234567890abcdef0",)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"executionId": "x" * 129}, "'executionId' must be a non-empty string of at most 128"),
        ({"executionId": {"nested": "object"}}, "'executionId'"),
        ({"executionId": 42}, "'executionId'"),
        ({"attemptNumber": "two"}, "'attemptNumber'"),
        ({"scheduledTime": "yesterday"}, "'scheduledTime' is not an ISO 8601 time"),
        ({"scheduleArn": "arn:aws:sns:us-east-1:123456789012:topic"}, "'scheduleArn' is not a schedule ARN"),
    ],
)
def test_scheduler_fields_are_bounded(changes: dict, field: str) -> None:
    assert field in refused({**event("scheduler.json"), **changes})


def test_a_scheduler_attempt_number_may_be_a_string_or_a_number() -> None:
    for attempt in ("3", 3):
        assert isinstance(
            parse_event({**event("scheduler.json"), "attemptNumber": attempt}, "r", OWN), RunRequest
        )


@pytest.mark.parametrize("name", ["scheduled_event.json", "alarm_drs.json", "drs_stalled.json"])
def test_events_from_another_account_are_refused(name: str) -> None:
    assert "'account' 210987654321 is not this function's account (123456789012)" in refused(
        {**event(name), "account": "210987654321"}
    )


def test_a_schedule_of_another_account_is_refused() -> None:
    arn = "arn:aws:scheduler:us-east-1:210987654321:schedule/default/drs-reprotect-sweep"

    assert "is not of this account (123456789012)" in refused({**event("scheduler.json"), "scheduleArn": arn})


FULL_WIDTH_ACCOUNT = "".join(chr(0xFF10 + int(d)) for d in "123456789012")  # digits int() would accept


@pytest.mark.parametrize("account", [None, 123456789012, FULL_WIDTH_ACCOUNT, "12345678901"])
def test_an_eventbridge_event_needs_a_12_digit_ascii_account(account: object) -> None:
    assert "'account' must be a 12-digit account id" in refused(
        {**event("drs_stalled.json"), "account": account}
    )


def test_an_unhashable_source_is_refused_not_crashed_on() -> None:
    assert "unsupported event" in refused({"source": [], "detail-type": {}})


@pytest.mark.parametrize(
    ("source", "detail_type"),
    [
        ("aws.events", "Scheduled Event Typo"),
        ("aws.events", "CloudWatch Alarm State Change"),
        ("aws.cloudwatch", "Scheduled Event"),
        ("aws.cloudwatch", "CloudWatch Alarm Configuration Change"),
    ],
)
def test_a_source_is_accepted_only_with_its_own_detail_type(source: str, detail_type: str) -> None:
    event_ = {**event("alarm_drs.json"), "source": source, "detail-type": detail_type}

    assert f"unsupported event: source {source!r} with detail-type {detail_type!r}" in refused(event_)


@pytest.mark.parametrize(
    "name", ["alarm_plain.json", "alarm_drs.json", "drs_stalled.json", "scheduled_event.json"]
)
def test_an_eventbridge_events_dedupe_key_is_its_id(name: str) -> None:
    parsed = parse_event(event(name), "request-1", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.dedupe_key == event(name)["id"]
    assert parsed.trigger.event_id == event(name)["id"]


def test_a_manual_invocations_dedupe_key_is_its_request_id() -> None:
    parsed = parse_event({"dryRun": True}, "request-1", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.dedupe_key == "manual#request-1"


# ---- DRS Source Server Launch Result: a recovery's cue for reverse replication ------------------


def launch(**detail: object) -> dict:
    sample = event("drs_launch_result.json")
    return {**sample, "detail": {**sample["detail"], **detail}}


def test_a_successful_recovery_that_is_not_a_drill_looks_at_its_servers_recovery_instances_only() -> None:
    parsed = parse_event(launch(), "r", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.recovered == ("s-1234567890abcdef0",)
    assert parsed.server_ids == ()  # no source server is described or judged
    assert (parsed.trigger.type, parsed.trigger.name) == ("drs-event", "DRS Source Server Launch Result")
    assert parsed.dedupe_key == "5b8f3e21-4c6d-4a7e-9f10-2c3d4e5f6a7b"


@pytest.mark.parametrize("drill", ["TRUE", "true", True])
def test_a_drill_launch_asks_for_nothing(drill: object) -> None:
    parsed = parse_event(launch(**{"is-drill": drill}), "r", OWN)

    assert parsed == Ignored("the launch of s-1234567890abcdef0 was a drill: drills are never reversed")


def test_a_failed_recovery_launch_asks_for_nothing() -> None:
    parsed = parse_event(launch(state="RECOVERY_LAUNCH_FAILED"), "r", OWN)

    assert isinstance(parsed, Ignored)
    assert "ended RECOVERY_LAUNCH_FAILED, not RECOVERY_LAUNCH_SUCCEEDED" in parsed.reason


@pytest.mark.parametrize(
    ("detail", "field"),
    [
        ({"is-drill": None}, "'detail.is-drill' must be 'TRUE' or 'FALSE', got None"),
        ({"is-drill": "maybe"}, "'detail.is-drill' must be 'TRUE' or 'FALSE', got 'maybe'"),
        ({"is-drill": 0}, "'detail.is-drill' must be 'TRUE' or 'FALSE', got 0"),
        ({"state": None}, "'detail.state' must be a non-empty string"),
        ({"state": "succeeded\n"}, "'detail.state' is not a launch state: 'succeeded\\n'"),
        ({"job-id": 7}, "'detail.job-id' must be a non-empty string"),
    ],
)
def test_a_malformed_launch_result_is_refused_naming_the_field(detail: dict, field: str) -> None:
    assert field in refused(launch(**detail))


def test_a_launch_result_without_detail_or_server_is_refused() -> None:
    assert "detail must be an object" in refused({**event("drs_launch_result.json"), "detail": "x"})
    assert "names no source server ARN" in refused({**event("drs_launch_result.json"), "resources": []})
    assert "'account' 210987654321 is not this function's account" in refused(
        {**event("drs_launch_result.json"), "account": "210987654321"}
    )


def test_an_arn_of_2048_characters_is_read_and_one_longer_refused() -> None:
    longest = "arn:aws:events:eu-west-1:123456789012:rule/" + "r" * (2048 - 43)
    assert len(longest) == 2048
    sweep = event("scheduled_event.json")

    assert isinstance(parse_event({**sweep, "resources": [longest]}, "r", OWN), RunRequest)
    assert "'resources' must be a list of ARNs" in refused({**sweep, "resources": [longest + "r"]})


def test_a_drs_event_without_resources_names_no_server_and_one_with_a_bad_id_names_where() -> None:
    stalled = event("drs_stalled.json")
    without = {key: value for key, value in stalled.items() if key != "resources"}
    bad = {**stalled, "resources": ["arn:aws:drs:us-east-1:123456789012:source-server/s-123"]}

    assert "names no source server ARN" in refused(without)
    assert refused(bad) == "'s-123' in the event's resources is not a source server id (^s-[0-9a-zA-Z]{17}$)"


def test_a_rule_is_named_by_its_last_arn_segment_also_on_a_custom_bus() -> None:
    sweep = event("scheduled_event.json")
    on_a_bus = {
        **sweep,
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/ops-bus/drs-reprotect-sweep"],
    }
    unnamed = {**sweep, "resources": []}
    bare = {**sweep, "resources": ["drs-reprotect-sweep"]}  # not an ARN: named by the whole of it

    cases = (
        (sweep, "drs-reprotect-sweep"),
        (on_a_bus, "drs-reprotect-sweep"),
        (unnamed, None),
        (bare, "drs-reprotect-sweep"),
    )
    for payload, name in cases:
        parsed = parse_event(payload, "r", OWN)
        assert isinstance(parsed, RunRequest)
        assert parsed.trigger == Trigger("schedule", name, sweep["id"])
        assert parsed.dedupe_key == sweep["id"]


def test_a_launch_result_trigger_carries_the_event_id_and_a_drill_of_two_names_both() -> None:
    parsed = parse_event(launch(), "r", OWN)
    arn = "arn:aws:drs:us-east-1:123456789012:source-server/"
    both = {
        **launch(**{"is-drill": "TRUE"}),
        "resources": [arn + "s-1234567890abcdef0", arn + "s-0000000000000000a"],
    }

    assert isinstance(parsed, RunRequest)
    assert parsed.trigger == Trigger(
        "drs-event", "DRS Source Server Launch Result", "5b8f3e21-4c6d-4a7e-9f10-2c3d4e5f6a7b"
    )
    assert parse_event(both, "r", OWN) == Ignored(
        "the launch of s-1234567890abcdef0, s-0000000000000000a was a drill: drills are never reversed"
    )


def alarm(**detail: object) -> dict:
    sample = event("alarm_drs.json")
    return {**sample, "detail": {**sample["detail"], **detail}}


def expression(metric_id: str = "e1") -> dict:
    return {"id": metric_id, "expression": "MAX(METRICS())", "returnData": True}


def lag_of(server_id: str, metric_id: str) -> dict:
    dimensions = {"SourceServerID": server_id}
    return {"id": metric_id, "metricStat": {"metric": {"namespace": "AWS/DRS", "dimensions": dimensions}}}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**event("alarm_drs.json"), "detail": "x"}, "the event's detail must be an object, got 'x'"),
        (alarm(state="ALARM"), "the event's detail.state must be an object, got 'ALARM'"),
        (alarm(alarmName=7), "the event's 'detail.alarmName' must be a string, got 7"),
        (alarm(configuration=[]), "the event's detail.configuration must be an object, got []"),
        (
            alarm(configuration={"metrics": [lag_of("s-12", "m1")]}),
            "'s-12' in the alarm's SourceServerID dimension is not a source server id (^s-[0-9a-zA-Z]{17}$)",
        ),
    ],
)
def test_a_malformed_alarm_is_refused_naming_the_field(payload: dict, message: str) -> None:
    assert refused(payload) == message


def test_an_alarm_reads_every_metric_after_an_expression_and_needs_no_name_or_configuration() -> None:
    metrics = [expression(), lag_of("s-1234567890abcdef0", "m1"), lag_of("s-0000000000000000a", "m2")]
    both = parse_event(alarm(configuration={"metrics": metrics}), "r", OWN)
    unnamed = alarm()
    del unnamed["detail"]["alarmName"]
    del unnamed["detail"]["configuration"]

    assert isinstance(both, RunRequest)
    assert both.server_ids == ("s-1234567890abcdef0", "s-0000000000000000a")
    parsed = parse_event(unnamed, "r", OWN)
    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids is None  # an alarm on no server's metric sweeps the fleet


# ---- what each trigger says in the report, and the manual invocation's bounds -----------------------


def test_a_scheduler_trigger_names_the_schedule_and_carries_the_execution_id() -> None:
    parsed = parse_event(event("scheduler.json"), "r", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.trigger.to_dict() == {
        "type": "schedule",
        "name": "drs-reprotect-sweep",
        "eventId": "c9b1e0b4-3f4e-4a4a-9f55-8d2b1d3f6a10",
    }
    assert parsed.dedupe_key == (
        "arn:aws:scheduler:us-east-1:123456789012:schedule/default/drs-reprotect-sweep#2026-11-27T06:00:00Z"
    )


def test_a_drs_event_without_a_detail_type_has_a_trigger_without_a_name() -> None:
    stalled = {key: value for key, value in event("drs_stalled.json").items() if key != "detail-type"}

    parsed = parse_event(stalled, "r", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.trigger.to_dict() == {
        "type": "drs-event",
        "eventId": "7a5e2a11-9d0c-4c55-8d7e-1f2b3c4d5e6f",
    }
    assert parsed.server_ids == ("s-1234567890abcdef0",)


def test_an_alarm_metric_without_dimensions_names_no_server() -> None:
    metric = {"id": "m1", "metricStat": {"metric": {"namespace": "AWS/DRS", "metricName": "LagDuration"}}}
    both = [metric, lag_of("s-1234567890abcdef0", "m2")]

    alone = parse_event(alarm(configuration={"metrics": [metric]}), "r", OWN)
    beside = parse_event(alarm(configuration={"metrics": both}), "r", OWN)

    assert isinstance(alone, RunRequest)
    assert isinstance(beside, RunRequest)
    assert alone.server_ids is None  # the whole fleet
    assert beside.server_ids == ("s-1234567890abcdef0",)


def test_a_manual_trigger_carries_the_request_id() -> None:
    parsed = parse_event({"sourceServerIDs": ["s-1234567890abcdef0"]}, "req-9")

    assert isinstance(parsed, RunRequest)
    assert parsed.trigger.to_dict() == {"type": "manual", "eventId": "req-9"}


def test_an_event_of_unknown_keys_is_refused_showing_the_manual_form() -> None:
    assert refused({"sourceServerIds": ["s-1234567890abcdef0"]}) == (
        "unsupported event: expected a schedule, alarm or DRS event, or a manual invocation"
        ' {"sourceServerIDs": [...], "dryRun": true}; got keys [\'sourceServerIds\']'
    )


def test_a_bad_manual_id_is_refused_naming_the_field() -> None:
    assert refused({"sourceServerIDs": ["s-1234567890abcdef0", "web-1"]}) == (
        "'web-1' in sourceServerIDs is not a source server id (^s-[0-9a-zA-Z]{17}$)"
    )


def test_a_manual_invocation_takes_4000_ids_and_refuses_4001() -> None:
    ids = [f"s-{n:017d}" for n in range(4001)]

    parsed = parse_event({"sourceServerIDs": ids[:4000]}, "r")

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids is not None
    assert len(parsed.server_ids) == 4000
    assert refused({"sourceServerIDs": ids}) == "sourceServerIDs has 4001 ids; at most 4000"


def test_a_drs_server_id_is_the_last_segment_of_its_arn() -> None:
    nested = "arn:aws:drs:us-east-1:123456789012:source-server/replicated/s-1234567890abcdef0"

    parsed = parse_event({**event("drs_stalled.json"), "resources": [nested]}, "r", OWN)

    assert isinstance(parsed, RunRequest)
    assert parsed.server_ids == ("s-1234567890abcdef0",)
