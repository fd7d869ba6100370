"""Arbitrary JSON events: the handler either runs or fails with the documented error, touching nothing."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reprotect.config import ConfigError
from reprotect.contract import SETTINGS
from reprotect.events import InvalidEventError
from tests.integration.conftest import Stack

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
server_ids = st.from_regex(r"s-[0-9a-zA-Z]{17}", fullmatch=True) | st.text(string.printable, max_size=22)
keys = st.sampled_from(
    [
        "source",
        "detail-type",
        "id",
        "resources",
        "detail",
        "sourceServerIDs",
        "dryRun",
        "scheduleArn",
        "scheduledTime",
        "version",
        "account",
        "hello",
    ]
)
near_valid = st.dictionaries(
    keys,
    json_values
    | server_ids
    | st.lists(server_ids, max_size=3)
    | st.sampled_from(
        [
            "aws.drs",
            "aws.cloudwatch",
            "aws.events",
            "drs-reprotect.schedule",
            "CloudWatch Alarm State Change",
            "Scheduled Event",
            "123456789012",
        ]
    ),
    max_size=5,
)
events = st.one_of(json_values, near_valid)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=events)
def test_arbitrary_event_runs_or_fails_before_any_aws_call(stack: Stack, event) -> None:
    stack.backend.reset()
    drs_calls_before = len(stack.backend.calls)
    records_before = stack.dynamodb.scan(TableName=stack.table_name)["Count"]
    try:
        result = stack.invoke(event)
    except InvalidEventError as exc:
        assert str(exc)
        assert len(stack.backend.calls) == drs_calls_before
        assert stack.dynamodb.scan(TableName=stack.table_name)["Count"] == records_before
        return
    # Accepted: it is one of the documented kinds, and against an empty fleet nothing can happen
    kind = TRIGGER_OF_SOURCE[event.get("source")]
    if result["status"] == "ignored":
        assert kind == "alarm"
        assert event["detail"]["state"]["value"] != "ALARM"
        return
    assert result["trigger"]["type"] == kind
    assert result["status"] == "idle"
    assert result["counts"]["started"] == result["counts"]["failed"] == 0
    assert len(stack.backend.calls_of("StartReplication")) == 0


# What each accepted event's `source` makes of the run (README, "Events it accepts")
TRIGGER_OF_SOURCE = {
    None: "manual",
    "drs-reprotect.schedule": "schedule",
    "aws.events": "schedule",
    "aws.cloudwatch": "alarm",
    "aws.drs": "drs-event",
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(server_ids, min_size=1, max_size=5))
def test_manual_ids_are_all_accounted_for_or_refused(stack: Stack, ids) -> None:
    try:
        report = stack.invoke({"sourceServerIDs": ids, "dryRun": True})
    except InvalidEventError as exc:
        bad = [i for i in ids if not isinstance(i, str) or len(i) != 19 or not i.startswith("s-")]
        assert bad or "not a source server id" in str(exc)
        return
    assert {s["sourceServerID"] for s in report["servers"]} == set(ids)


def test_a_valid_event_in_the_property_space_really_runs(stack: Stack, fleet) -> None:
    # Guards the property tests above from passing only because everything is refused.
    fleet({"state": "STOPPED"})

    report = stack.invoke({"dryRun": False})

    assert report["counts"]["started"] == 1


config_variables = st.sampled_from([s.env for s in SETTINGS])
# What an environment variable can hold: no NUL, no lone surrogates.
env_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=24)
config_values = env_text | st.integers(-5, 200).map(str) | st.sampled_from(["true", "false", "k=v"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variable=config_variables, value=config_values)
def test_arbitrary_configuration_runs_or_fails_naming_the_variable_before_any_aws_call(
    stack: Stack, variable: str, value: str
) -> None:
    import os

    calls_before = len(stack.backend.calls)
    previous = os.environ.get(variable)
    os.environ[variable] = value
    try:
        result = stack.invoke({"dryRun": True})
    except ConfigError as exc:
        assert str(exc).startswith(variable)
        assert len(stack.backend.calls) == calls_before
        return
    finally:
        if previous is None:
            os.environ.pop(variable, None)
        else:
            os.environ[variable] = previous
    assert result["dryRun"] is True
    assert result["trigger"]["type"] == "manual"
    assert stack.backend.calls_of("StartReplication") == []  # a dry run, whatever the variable says
