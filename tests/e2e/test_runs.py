"""Runs through the deployed resources: the Scheduler's input to the deployed function, every sample event
in events/ through the deployed rules, a duplicate answered from the deployed table, the report reaching
a queue subscribed to the deployed topic. DRS is the emulator; the function runs from its deployed zip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.events import EVENTS, load_event
from tests.e2e.conftest import WEB_01, Deployed

pytestmark = pytest.mark.e2e

# How each sample event reaches the deployed function: through a rule (and the trigger type the report
# then names), through no rule, or as a direct invocation (Scheduler's target input, a person's invoke).
ROUTES: dict[str, tuple[str, str | None]] = {
    "alarm_plain.json": ("rule", "alarm"),
    "alarm_drs.json": ("rule", "alarm"),
    "drs_stalled.json": ("rule", "drs-event"),
    "drs_launch_result.json": ("rule", "drs-event"),
    "scheduled_event.json": ("no rule", None),  # a classic EventBridge schedule: the stack uses Scheduler
    "scheduler.json": ("invoke", "schedule"),
    "manual.json": ("invoke", "manual"),
}


def invoke(deployed: Deployed, payload: dict[str, Any]) -> dict[str, Any]:
    answer = deployed.client("lambda").invoke(
        FunctionName=deployed.function_name, Payload=json.dumps(payload)
    )
    body = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, body
    result: dict[str, Any] = body
    return result


def scheduler_input(deployed: Deployed) -> dict[str, Any]:
    """The deployed schedule's target input with its placeholders filled in, as Scheduler would send it."""
    (schedule,) = deployed.deployment.logical_ids("AWS::Scheduler::Schedule")
    text = deployed.deployment.properties(schedule)["Target"]["Input"]
    for placeholder, value in {
        "<aws.scheduler.schedule-arn>": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/e2e",
        "<aws.scheduler.scheduled-time>": "2026-11-27T06:00:00Z",
        "<aws.scheduler.execution-id>": "e2e-execution",
        "<aws.scheduler.attempt-number>": "1",
    }.items():
        text = text.replace(placeholder, value)
    value: dict[str, Any] = json.loads(text)
    return value


def started(deployed: Deployed) -> list[str]:
    return sorted(c.params["sourceServerID"] for c in deployed.drs.backend.calls_of("StartReplication"))


def by_hostname(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {s["hostname"]: (s["outcome"], s["reason"]) for s in report["servers"]}


def test_every_sample_event_has_a_route() -> None:
    assert {path.name for path in Path(EVENTS).glob("*.json")} == set(ROUTES)


def test_the_scheduler_input_sweeps_the_fleet_and_reports_to_a_subscriber(fresh: Deployed) -> None:
    report = invoke(fresh, scheduler_input(fresh))

    assert report["trigger"]["type"] == "schedule"
    assert by_hostname(report) == {
        "web-01": ("started", "replication-stopped"),
        "db-01": ("started", "replication-stopped"),
        "legacy-01": ("skipped", "excluded-by-tag"),
        "files-01": ("attention", "stalled"),
    }
    assert len(started(fresh)) == 2
    (received,) = fresh.reports()
    assert received["runId"] == report["runId"]
    # a server needs a person (files-01 stalled), so the filterable outcome says so
    assert received["_attributes"]["outcome"]["Value"] == "attention"
    cooling = {i["id"]["S"] for i in fresh.table_items() if i["id"]["S"].startswith("cooldown#")}
    assert cooling == {f"cooldown#{sid}" for sid in started(fresh)}


def test_a_duplicate_is_answered_from_the_deployed_table(fresh: Deployed) -> None:
    event = scheduler_input(fresh) | {"scheduledTime": "2026-11-27T06:30:00Z"}
    first = invoke(fresh, event)
    calls = len(fresh.drs.backend.calls)

    again = invoke(fresh, event)

    assert again == first
    assert len(fresh.drs.backend.calls) == calls  # not even a describe
    assert [r["runId"] for r in fresh.reports()] == [first["runId"]]
    records = [i for i in fresh.table_items() if i.get("status", {}).get("S") == "COMPLETED"]
    assert any(json.loads(r["data"]["S"])["runId"] == first["runId"] for r in records)


@pytest.mark.parametrize("name", [name for name, (route, _) in ROUTES.items() if route != "invoke"])
def test_a_sample_event_reaches_the_function_only_through_the_rule_that_matches_it(
    fresh: Deployed, name: str
) -> None:
    sample = load_event(name)
    entry = {
        "Source": sample["source"],
        "DetailType": sample["detail-type"],
        "Detail": json.dumps(sample["detail"]),
        "Resources": sample["resources"],
    }

    (answer,) = fresh.client("events").put_events(Entries=[entry])["Entries"]

    route, trigger = ROUTES[name]
    reports = fresh.reports()
    if route == "no rule":
        assert (reports, fresh.drs.backend.calls) == ([], [])
        return
    if name in LOOKS_AT_RECOVERY_ONLY:
        # A recovery's launch result looks at that server's recovery instances, nothing else; with none
        # to report, the run is idle and publishes nothing.
        (lookup,) = fresh.drs.backend.calls
        assert (lookup.operation, lookup.params["filters"]) == (
            "DescribeRecoveryInstances",
            {"sourceServerIDs": [sample["resources"][0].rsplit("/", 1)[-1]]},
        )
        assert reports == []
        return
    (report,) = reports
    assert (report["trigger"]["type"], report["trigger"]["eventId"]) == (trigger, answer["EventId"])
    assert WEB_01 in started(fresh)


LOOKS_AT_RECOVERY_ONLY = {"drs_launch_result.json"}


def test_a_manual_invocation_as_the_readme_shows_it(fresh: Deployed) -> None:
    report = invoke(fresh, load_event("manual.json"))

    assert (report["trigger"]["type"], report["status"]) == ("manual", "dry-run")
    assert by_hostname(report) == {"web-01": ("would-start", "replication-stopped")}
    assert started(fresh) == []
