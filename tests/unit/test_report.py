from __future__ import annotations

import dataclasses
import json

import pytest

from reprotect import render
from reprotect.events import Trigger
from reprotect.outcomes import Entry, Kind, Outcome, Reason, ServerOutcome
from reprotect.publication import standing_news
from reprotect.report import Report, RunError, RunInfo, SurveyError, Tally

SNS_MESSAGE_BUDGET = 250_000  # SNS's 262,144 bytes less room for the attributes (README, "Size")


def make_report(
    *outcomes: tuple[str, str],
    healthy: int = 0,
    dry_run: bool = False,
    sweep_complete: bool = True,
    error: RunError | None = None,
    account: str = "123456789012",
) -> Report:
    tally = Tally()
    for i, (outcome, reason) in enumerate(outcomes):
        tally.add(ServerOutcome(f"s-{i:017d}", f"host-{i}", Outcome(outcome), Reason(reason)))
    for i in range(healthy):
        tally.add(ServerOutcome(f"h-{i}", None, Outcome.HEALTHY, Reason.REPLICATING))
    tally.sweep_complete = sweep_complete
    tally.error = error
    info = RunInfo(
        "run-1", Trigger("schedule", "sweep"), dry_run, "eu-west-1", account, "2026-11-27T06:00:00.000Z"
    )
    return tally.report(info, finished_at="2026-11-27T06:00:01.000Z", duration_ms=1000)


@pytest.mark.parametrize(
    ("outcomes", "kwargs", "status"),
    [
        ([], {}, "idle"),
        ([("skipped", "excluded-by-tag")], {}, "idle"),
        ([("started", "replication-stopped")], {}, "ok"),
        ([("attention", "stalled")], {}, "attention"),
        ([("attention", "stalled"), ("started", "replication-stopped")], {}, "attention"),
        ([("attention", "stalled"), ("would-start", "replication-stopped")], {"dry_run": True}, "attention"),
        (
            [("attention", "stalled"), ("started", "replication-stopped"), ("failed", "start-failed")],
            {},
            "partial-failure",
        ),
        ([("attention", "flapping"), ("failed", "start-failed")], {}, "failed"),
        ([("deferred", "replicating-limit")], {}, "ok"),
        ([("would-start", "replication-stopped")], {"dry_run": True}, "dry-run"),
        ([("started", "replication-stopped"), ("failed", "start-failed")], {}, "partial-failure"),
        ([("failed", "start-failed")], {}, "failed"),
        ([("deferred", "deadline")], {"sweep_complete": False}, "partial-failure"),
        ([], {"error": RunError("UninitializedAccountException", "x")}, "failed"),
    ],
)
def test_status(outcomes, kwargs, status: str) -> None:
    assert make_report(*outcomes, **kwargs).status == status


def test_servers_are_listed_most_urgent_first_and_counted_with_healthy() -> None:
    report = make_report(
        ("skipped", "failback-direction"),
        ("started", "replication-stopped"),
        ("failed", "start-failed"),
        healthy=5,
    ).to_dict()

    assert [s["outcome"] for s in report["servers"]] == ["failed", "started", "skipped"]
    assert report["counts"]["healthy"] == 5
    assert report["counts"]["examined"] == 8


def test_json_form_round_trips_through_the_idempotency_record() -> None:
    report = make_report(
        ("started", "replication-stopped"), ("failed", "start-failed"), healthy=2, error=RunError("X", "y")
    ).trimmed(1)

    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))

    assert again == report
    assert again.to_dict() == report.to_dict()


def test_email_says_what_was_started_what_failed_and_what_needs_attention() -> None:
    report = make_report(
        ("started", "replication-stopped"), ("failed", "start-failed"), ("attention", "stalled"), healthy=2
    )

    text = render.email_text(report)

    assert text.splitlines()[0] == "drs-reprotect run run-1 in 123456789012/eu-west-1: PARTIAL-FAILURE"
    assert "1 started, 1 failed, 1 attention; 2 healthy of 5 examined." in text
    assert "Replication started: 1\n  - s-00000000000000000 host-0: replication-stopped" in text
    assert "Failed to start (will be retried next run): 1" in text
    assert "Needs a person" in text


def test_report_of_4000_servers_is_trimmed_to_fit_sns_with_counts_whole() -> None:
    outcomes = [("started", "replication-stopped")] * 2000 + [("attention", "stalled")] * 2000
    full = make_report(*outcomes)

    fitted = render.fit(full)

    size = len(render.message_body(fitted).encode())
    assert size <= SNS_MESSAGE_BUDGET
    as_json = fitted.to_dict()
    assert as_json["truncated"] is True
    assert as_json["serversOmitted"] == 4000 - len(as_json["servers"])
    assert as_json["counts"] == full.to_dict()["counts"]
    # the most urgent stay: attention is listed before started
    assert as_json["servers"][0]["outcome"] == "attention"
    # and one more server would not have fitted
    one_more = full.trimmed(len(as_json["servers"]) + 1)
    assert len(render.message_body(one_more).encode()) > SNS_MESSAGE_BUDGET


def test_small_report_is_untouched() -> None:
    full = make_report(("started", "replication-stopped"))

    assert render.fit(full) is full


def test_subject_fits_sns_rules() -> None:
    report = make_report(*[("started", "replication-stopped")] * 3, healthy=10, account="123456789012" * 5)

    subject = render.subject(report)

    assert len(subject) <= 100
    assert subject.isascii()
    assert "\n" not in subject


def test_message_is_sns_json_structure_with_default_and_email() -> None:
    report = make_report(("started", "replication-stopped"))

    message = json.loads(render.message_body(report))

    assert set(message) == {"default", "email"}
    assert json.loads(message["default"]) == report.to_dict()
    assert message["email"] == render.email_text(report)


def test_a_hostname_cannot_forge_lines_in_the_email_or_the_subject() -> None:
    forged = "web-1\n\nAll servers are healthy.\r\nTrigger: manual\x1b[2J\u2028x"
    tally = Tally()
    tally.add(ServerOutcome("s-00000000000000001", forged, Outcome.FAILED, Reason.START_FAILED, "a\nb" * 400))
    info = RunInfo("run-1", Trigger("alarm", "alarm\nname"), False, "eu-west-1", "123456789012", "t")
    report = tally.report(info, finished_at="t", duration_ms=1)

    text = render.email_text(report)
    subject = render.subject(report)

    assert not any(line.startswith(("All servers", "Trigger: manual")) for line in text.splitlines())
    assert not any(ch in text for ch in "\r\x1b\u2028")
    server_line = next(line for line in text.splitlines() if "s-00000000000000001" in line)
    assert "web-1 All servers are healthy. Trigger: manual" in server_line
    assert len(server_line) < 500  # hostname and detail are bounded
    assert "Trigger: alarm (alarm name)" in text
    assert subject.isascii()
    assert "\n" not in subject


def test_the_subject_is_cut_to_100_characters() -> None:
    report = make_report(*[("started", "replication-stopped")] * 3, account="123456789012" * 9)

    subject = render.subject(report)

    assert len(subject) == 100
    assert subject.endswith("...")
    assert subject.startswith("[drs-reprotect] OK 123456789012123456789012")


def test_the_email_says_what_to_check_under_each_server_needing_a_person() -> None:
    tally = Tally()
    why = "The agent has not reported.\nCheck TCP 443."
    tally.add(ServerOutcome("s-00000000000000001", "db-1", Outcome.ATTENTION, Reason.DISCONNECTED, None,
                            "AGENT_NOT_SEEN", why))  # fmt: skip
    info = RunInfo("run-1", Trigger("schedule"), False, "eu-west-1", "123456789012", "t")
    report = tally.report(info, finished_at="t", duration_ms=1)

    lines = render.email_text(report).splitlines()

    at = lines.index("  - s-00000000000000001 db-1: disconnected (AGENT_NOT_SEEN)")
    assert lines[at + 1] == "    What to check: The agent has not reported. Check TCP 443."
    assert report.to_dict()["servers"][0]["diagnosis"] == why
    assert report.to_dict()["status"] == "attention"
    assert report.to_dict()["schemaVersion"] == 3


def test_a_report_of_schema_version_1_still_reads() -> None:
    # A report the idempotency store kept before `diagnosis` and status `attention` existed
    older = make_report(("attention", "stalled")).to_dict()
    older["schemaVersion"], older["status"] = 1, "ok"

    again = Report.from_dict(older)

    assert again.servers[0].diagnosis is None
    assert again.status == "attention"  # the verdict is recomputed from the counts


def test_the_json_form_has_exactly_the_documented_keys() -> None:
    report = make_report(("started", "replication-stopped"), healthy=1).to_dict()

    assert list(report) == [
        "schemaVersion",
        "runId",
        "status",
        "trigger",
        "dryRun",
        "region",
        "account",
        "startedAt",
        "finishedAt",
        "durationMs",
        "sweepComplete",
        "counts",
        "servers",
        "sourceNetworks",
        "sourceNetworkCounts",
        "recoveryInstances",
        "recoveryInstanceCounts",
        "truncated",
    ]
    assert report["schemaVersion"] == 3
    assert (report["startedAt"], report["finishedAt"], report["durationMs"]) == (
        "2026-11-27T06:00:00.000Z",
        "2026-11-27T06:00:01.000Z",
        1000,
    )
    assert report["trigger"] == {"type": "schedule", "name": "sweep"}


def test_sns_attributes_carry_status_trigger_dry_run_and_every_count() -> None:
    report = make_report(
        ("would-start", "replication-stopped"), ("skipped", "cooldown"), healthy=2, dry_run=True
    )

    attributes = {
        name: (value["DataType"], value["StringValue"]) for name, value in render.attributes(report).items()
    }

    assert attributes == {
        "outcome": ("String", "dry-run"),
        "trigger": ("String", "schedule"),
        "dryRun": ("String", "true"),
        "started": ("Number", "0"),
        "wouldStart": ("Number", "1"),
        "skipped": ("Number", "1"),
        "failed": ("Number", "0"),
        "deferred": ("Number", "0"),
        "attention": ("Number", "0"),
        "healthy": ("Number", "2"),
    }


def test_the_email_says_why_a_run_failed_as_a_whole() -> None:
    report = make_report(error=RunError("UninitializedAccountException", "DRS is not initialized here"))

    text = render.email_text(report)

    assert "The run failed as a whole: UninitializedAccountException: DRS is not initialized here" in text
    assert text.splitlines()[0].endswith(": FAILED")


# ---- the lists beside the servers: source networks and recovery instances ----------------------

NETWORK_ID, INSTANCE_ID = "sn-0123456789abcdefg", "i-0123456789abcdef0"


def with_others(
    *entries: Entry, healthy_networks: int = 0, servers: tuple[tuple[str, str], ...] = ()
) -> Report:
    tally = Tally()
    for i, (outcome, reason) in enumerate(servers):
        tally.add(ServerOutcome(f"s-{i:017d}", f"host-{i}", Outcome(outcome), Reason(reason)))
    for entry in entries:
        tally.add(entry)
    for i in range(healthy_networks):
        tally.add(Entry(Kind.NETWORK, f"sn-{i:017d}", None, Outcome.HEALTHY, Reason.REPLICATING))
    info = RunInfo("run-1", Trigger("schedule", "sweep"), False, "eu-west-1", "123456789012", "t")
    return tally.report(info, finished_at="t", duration_ms=1)


STARTED_NETWORK = Entry(
    Kind.NETWORK, NETWORK_ID, "vpc-0123456789abcdef0", Outcome.STARTED, Reason.REPLICATION_STOPPED
)
UNPROTECTED = Entry(
    Kind.INSTANCE,
    INSTANCE_ID,
    "s-0123456789abcdefg",
    Outcome.ATTENTION,
    Reason.NOT_REVERSE_PROTECTED,
    "not reversed",
    None,
    "Start reversed replication.",
)


def test_networks_and_recovery_instances_have_their_own_lists_and_counts() -> None:
    report = with_others(STARTED_NETWORK, UNPROTECTED, healthy_networks=2).to_dict()

    assert report["schemaVersion"] == 3
    assert report["sourceNetworks"] == [
        {
            "sourceNetworkID": NETWORK_ID,
            "sourceVpcID": "vpc-0123456789abcdef0",
            "outcome": "started",
            "reason": "replication-stopped",
        }
    ]
    assert report["recoveryInstances"] == [
        {
            "recoveryInstanceID": INSTANCE_ID,
            "sourceServerID": "s-0123456789abcdefg",
            "outcome": "attention",
            "reason": "not-reverse-protected",
            "detail": "not reversed",
            "diagnosis": "Start reversed replication.",
        }
    ]
    assert report["sourceNetworkCounts"]["started"] == 1
    assert report["sourceNetworkCounts"]["healthy"] == 2
    assert report["sourceNetworkCounts"]["examined"] == 3
    assert report["recoveryInstanceCounts"]["attention"] == 1
    assert report["counts"]["examined"] == 0  # `counts` stay the servers'
    assert report["status"] == "attention"  # the status covers every list


@pytest.mark.parametrize(
    ("entries", "status"),
    [
        ((STARTED_NETWORK,), "ok"),
        (
            (dataclasses.replace(STARTED_NETWORK, outcome=Outcome.FAILED, reason=Reason.START_FAILED),),
            "failed",
        ),
        ((UNPROTECTED,), "attention"),
    ],
)
def test_the_status_counts_networks_and_recovery_instances(entries: tuple[Entry, ...], status: str) -> None:
    assert with_others(*entries).status == status


def test_sns_count_attributes_and_the_subject_are_the_totals_of_every_list() -> None:
    report = with_others(STARTED_NETWORK, UNPROTECTED, servers=(("started", "replication-stopped"),))

    attributes = render.attributes(report)

    assert len(attributes) == 10  # SNS delivers at most 10 to a raw-delivery SQS subscriber
    assert attributes["started"]["StringValue"] == "2"
    assert attributes["attention"]["StringValue"] == "1"
    assert (
        render.subject(report) == "[drs-reprotect] ATTENTION 123456789012/eu-west-1: 2 started, 1 attention"
    )


def test_the_email_lists_networks_and_instances_with_what_to_check() -> None:
    text = render.email_text(with_others(STARTED_NETWORK, UNPROTECTED))

    assert "Source networks: 1 started; 0 healthy of 1 examined." in text
    assert f"  - {NETWORK_ID} (vpc-0123456789abcdef0): started replication-stopped" in text
    assert f"  - {INSTANCE_ID} (s-0123456789abcdefg): attention not-reverse-protected (not reversed)" in text
    assert "    What to check: Start reversed replication." in text


def test_standing_news_includes_instances_needing_a_person() -> None:
    quiet, unprotected = with_others(STARTED_NETWORK), with_others(STARTED_NETWORK, UNPROTECTED)

    assert standing_news(quiet) != standing_news(unprotected)
    assert standing_news(quiet) == standing_news(with_others())


def test_trimming_keeps_the_most_urgent_entries_whatever_their_list() -> None:
    skipped = [("skipped", "excluded-by-tag")] * 3
    report = with_others(STARTED_NETWORK, UNPROTECTED, servers=tuple(skipped))

    kept = report.trimmed(2).to_dict()

    assert [e["outcome"] for e in kept["recoveryInstances"]] == ["attention"]
    assert [e["outcome"] for e in kept["sourceNetworks"]] == ["started"]
    assert kept["servers"] == []
    assert (kept["serversOmitted"], kept["truncated"]) == (3, True)
    assert "sourceNetworksOmitted" not in kept
    assert Report.from_dict(json.loads(json.dumps(kept))) == report.trimmed(2)


def test_a_report_of_schema_version_2_reads_with_no_networks_or_instances() -> None:
    older = make_report(("attention", "stalled")).to_dict()
    for key in ("sourceNetworks", "sourceNetworkCounts", "recoveryInstances", "recoveryInstanceCounts"):
        del older[key]
    older["schemaVersion"] = 2

    again = Report.from_dict(older)

    assert again.networks.entries == ()
    assert sum(again.instances.counts.values()) == 0
    assert again.status == "attention"


def test_a_survey_error_leaves_the_sweep_incomplete_and_says_what_failed() -> None:
    tally = Tally()
    tally.survey_failed(SurveyError("DescribeSourceNetworks", "AccessDeniedException", "not allowed"))
    report = tally.report(
        RunInfo("r", Trigger("schedule"), False, None, None, "t"), finished_at="t", duration_ms=1
    )

    assert report.status == "partial-failure"
    assert report.to_dict()["surveyErrors"] == [
        {"operation": "DescribeSourceNetworks", "code": "AccessDeniedException", "message": "not allowed"}
    ]
    assert "DescribeSourceNetworks failed (AccessDeniedException): not allowed" in render.email_text(report)


def test_every_field_of_a_network_and_an_instance_entry_survives_the_json_round_trip() -> None:
    failed = Entry(
        Kind.NETWORK,
        NETWORK_ID,
        "vpc-0123456789abcdef0",
        Outcome.FAILED,
        Reason.START_FAILED,
        "Rate exceeded",
        "ThrottlingException",
        None,
    )
    report = with_others(failed, UNPROTECTED)

    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))

    assert again.networks.entries == (failed,)
    assert again.instances.entries == (UNPROTECTED,)


def test_trimming_to_one_keeps_the_instance_needing_a_person_and_counts_the_networks_left_out() -> None:
    second = dataclasses.replace(STARTED_NETWORK, resource_id="sn-0000000000000000b")
    report = with_others(STARTED_NETWORK, second, UNPROTECTED)

    kept = report.trimmed(1).to_dict()

    assert [e["recoveryInstanceID"] for e in kept["recoveryInstances"]] == [INSTANCE_ID]
    assert kept["sourceNetworks"] == []
    assert kept["sourceNetworksOmitted"] == 2
    assert kept["sourceNetworkCounts"]["started"] == 2  # counts stay whole


def test_a_report_with_a_survey_error_and_nothing_omitted_round_trips_whole() -> None:
    tally = Tally()
    tally.add(ServerOutcome("s-00000000000000001", "web-1", Outcome.STARTED, Reason.REPLICATION_STOPPED))
    tally.survey_failed(SurveyError("DescribeRecoveryInstances", "ThrottlingException", "Rate exceeded"))
    report = tally.report(
        RunInfo("r", Trigger("schedule"), False, "eu-west-1", "123456789012", "t"),
        finished_at="t",
        duration_ms=1,
    )

    again = Report.from_dict(json.loads(json.dumps(report.to_dict())))

    assert again.survey_errors == (
        SurveyError("DescribeRecoveryInstances", "ThrottlingException", "Rate exceeded"),
    )
    assert again.servers_omitted == 0
    assert again == report
    assert again.status == "partial-failure"


def test_trimming_cuts_the_recovery_instances_too_and_counts_the_ones_left_out() -> None:
    second = dataclasses.replace(UNPROTECTED, resource_id="i-0123456789abcdef1")
    report = with_others(UNPROTECTED, second)

    kept = report.trimmed(1).to_dict()

    assert [e["recoveryInstanceID"] for e in kept["recoveryInstances"]] == [INSTANCE_ID]
    assert (kept["recoveryInstancesOmitted"], kept["truncated"]) == (1, True)
    assert kept["recoveryInstanceCounts"]["attention"] == 2  # counts stay whole


def test_a_run_with_no_account_given_reports_the_one_read_from_its_servers_or_none() -> None:
    info = RunInfo("r", Trigger("schedule"), False, "eu-west-1", None, "t")
    read = Tally()
    read.account = "111122223333"  # from a server's ARN
    unknown = Tally()

    assert read.report(info, finished_at="t", duration_ms=1).to_dict()["account"] == "111122223333"
    assert unknown.report(info, finished_at="t", duration_ms=1).to_dict()["account"] is None
