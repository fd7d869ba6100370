# ruff: noqa: E501  (a table row is wider than a line of code; it is compared whole)
"""The report's text, line for line: the CLI's table (columns line up whatever the list) and the email
(verdict first, then each list with what to check). Exact text, because people read it and a column
one character off is a bug they see."""

from __future__ import annotations

import dataclasses
import json

from reprotect import render
from reprotect.events import Trigger
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.report import Report, RunError, RunInfo, SurveyError, Tally

from .test_report import STARTED_NETWORK, UNPROTECTED, make_report, with_others


def mixed_report(dry_run: bool = False) -> Report:
    """A started server, a failed one with no hostname, a healthy one, a source network and a recovery
    instance."""
    tally = Tally()
    tally.add(ServerOutcome("s-1111111111111111a", "web-1", Outcome.STARTED, Reason.REPLICATION_STOPPED))
    tally.add(
        ServerOutcome(
            "s-2222222222222222b",
            None,
            Outcome.FAILED,
            Reason.START_FAILED,
            "Rate exceeded",
            "ThrottlingException",
        )
    )
    tally.add(ServerOutcome("s-3333333333333333c", "db-1", Outcome.HEALTHY, Reason.REPLICATING))
    tally.add(STARTED_NETWORK)
    tally.add(UNPROTECTED)
    info = RunInfo("run-1", Trigger("schedule", "sweep"), dry_run, "eu-west-1", "123456789012", "t")
    return tally.report(info, finished_at="t", duration_ms=1)


TOTALS = (
    "1 started, 1 failed; 1 healthy of 3 examined. Source networks: 1 started; 0 healthy of 1 examined."
    " Recovery instances: 1 attention; 0 healthy of 1 examined."
)


def test_the_cli_table_lines_up_servers_then_networks_then_instances() -> None:
    assert render.table(mixed_report()).split("\n") == [
        "sourceServerID       hostname                  outcome      reason                          detail",
        "s-2222222222222222b  -                         failed       start-failed                    Rate exceeded",
        "s-1111111111111111a  web-1                     started      replication-stopped             -",
        "",
        "sourceNetworkID        sourceVpcID               outcome      reason                          detail",
        "sn-0123456789abcdefg   vpc-0123456789abcdef0     started      replication-stopped             -",
        "",
        "recoveryInstanceID     sourceServerID            outcome      reason                          detail",
        "i-0123456789abcdef0    s-0123456789abcdefg       attention    not-reverse-protected           not reversed",
        "",
        f"PARTIAL-FAILURE 123456789012/eu-west-1: {TOTALS}",
    ]


def test_the_cli_table_of_a_failed_dry_run_with_nothing_listed() -> None:
    report = make_report(
        dry_run=True, error=RunError("UninitializedAccountException", "not initialized"), account=""
    )

    assert render.table(report).split("\n") == [
        "sourceServerID       hostname                  outcome      reason                          detail",
        "(no server needed anything)",
        "",
        "FAILED eu-west-1: nothing to do; 0 healthy of 0 examined.",
        "error: UninitializedAccountException: not initialized",
        "Dry run: nothing was started. Add --apply to start replication.",
    ]


def test_the_email_gives_the_verdict_then_each_list_with_what_to_check() -> None:
    assert render.email_text(mixed_report()) == "\n".join(
        [
            "drs-reprotect run run-1 in 123456789012/eu-west-1: PARTIAL-FAILURE",
            "Trigger: schedule (sweep)",
            TOTALS,
            "",
            "Failed to start (will be retried next run): 1",
            "  - s-2222222222222222b -: start-failed (ThrottlingException; Rate exceeded)",
            "",
            "Replication started: 1",
            "  - s-1111111111111111a web-1: replication-stopped",
            "",
            "Source networks: 1 started; 0 healthy of 1 examined.",
            "  - sn-0123456789abcdefg (vpc-0123456789abcdef0): started replication-stopped",
            "",
            "Recovery instances: 1 attention; 0 healthy of 1 examined.",
            "  - i-0123456789abcdef0 (s-0123456789abcdefg): attention not-reverse-protected (not reversed)",
            "    What to check: Start reversed replication.",
            "",
        ]
    )


def test_the_email_of_a_failed_dry_run_says_both() -> None:
    report = make_report(
        dry_run=True, error=RunError("UninitializedAccountException", "not initialized"), account=""
    )

    assert render.email_text(report) == (
        "drs-reprotect run run-1 in eu-west-1: FAILED\n"
        "Trigger: schedule (sweep)\n"
        "nothing to do; 0 healthy of 0 examined.\n"
        "Dry run: nothing was started.\n"
        "The run failed as a whole: UninitializedAccountException: not initialized\n"
    )


def test_a_long_list_shows_the_first_entries_and_counts_the_rest() -> None:
    report = make_report(*[("attention", "stalled")] * 3, healthy=1)

    assert render.email_text(report, per_section=2).split("\n")[3:] == [
        "",
        "Needs a person (restarting replication cannot fix these): 3",
        "  - s-00000000000000000 host-0: stalled",
        "  - s-00000000000000001 host-1: stalled",
        "  ... and 1 more (see the JSON report)",
        "",
    ]


def test_a_trimmed_report_says_how_many_entries_only_the_log_has() -> None:
    report = make_report(*[("attention", "stalled")] * 3).trimmed(1)

    assert render.email_text(report).split("\n")[-4:] == [
        "  ... and 2 more (see the JSON report)",
        "",
        "The lists were trimmed to fit SNS; 2 entries are in the run's log.",
        "",
    ]


def test_a_detail_of_nothing_but_control_characters_leaves_no_blanks_at_the_end_of_its_line() -> None:
    tally = Tally()
    tally.add(ServerOutcome("s-2222222222222222b", "web-2", Outcome.FAILED, Reason.START_FAILED, "\r\n"))
    report = tally.report(
        RunInfo("run-1", Trigger("schedule", "sweep"), False, "eu-west-1", "123456789012", "t"),
        finished_at="t",
        duration_ms=1,
    )

    assert render.table(report).split("\n")[1] == (
        "s-2222222222222222b  web-2                     failed       start-failed"
    )


def test_a_message_exactly_the_size_of_the_budget_is_sent_whole() -> None:
    report = make_report(*[("attention", "stalled")] * 3)
    size = len(render.message_body(report).encode())

    assert render.fit(report, budget=size) is report


def test_when_only_the_counts_fit_the_budget_no_entry_is_listed() -> None:
    report = make_report(*[("attention", "stalled")] * 2)
    counts_only = len(render.message_body(report.trimmed(0)).encode())

    fitted = render.fit(report, budget=counts_only)

    assert fitted.servers == ()
    assert fitted.servers_omitted == 2
    assert fitted.count_map()["attention"] == 2


def test_names_in_the_email_are_cut_to_100_characters() -> None:
    long = "n" * 150
    tally = Tally()
    tally.add(ServerOutcome("s-1111111111111111a", long, Outcome.STARTED, Reason.REPLICATION_STOPPED))
    tally.add(dataclasses.replace(STARTED_NETWORK, related=long))
    tally.survey_failed(SurveyError("DescribeRecoveryInstances", long, "Rate exceeded"))
    tally.error = RunError(long, "failed")
    info = RunInfo(long, Trigger("manual", long), False, "eu-west-1", long, "t")

    lines = render.email_text(tally.report(info, finished_at="t", duration_ms=1)).split("\n")

    cut = "n" * 97 + "..."
    assert lines[0] == f"drs-reprotect run {cut} in {cut}: FAILED"
    assert lines[1] == f"Trigger: manual ({cut})"
    assert f"The run failed as a whole: {cut}: failed" in lines
    assert f"DescribeRecoveryInstances failed ({cut}): Rate exceeded" in lines
    assert f"  - s-1111111111111111a {cut}: replication-stopped" in lines
    assert f"  - sn-0123456789abcdefg ({cut}): started replication-stopped" in lines


def test_a_name_of_exactly_100_characters_is_kept_whole() -> None:
    assert render.clean("n" * 100, 100) == "n" * 100


def test_the_email_of_a_run_with_no_account_region_or_trigger_name() -> None:
    tally = Tally()
    tally.add(dataclasses.replace(STARTED_NETWORK, related=None))
    tally.sweep_complete = False
    info = RunInfo("run-1", Trigger("schedule"), False, None, None, "t")

    lines = render.email_text(tally.report(info, finished_at="t", duration_ms=1)).split("\n")

    assert lines[:2] == ["drs-reprotect run run-1 in this account: PARTIAL-FAILURE", "Trigger: schedule"]
    assert "The sweep did not reach everything before the deadline; the next run continues." in lines
    assert "  - sn-0123456789abcdefg (-): started replication-stopped" in lines


def test_a_network_that_failed_shows_the_error_code_and_the_detail() -> None:
    failed = dataclasses.replace(
        STARTED_NETWORK,
        outcome=Outcome.FAILED,
        reason=Reason.START_FAILED,
        detail="Rate exceeded",
        error_code="ThrottlingException",
    )
    tally = Tally()
    tally.add(failed)
    info = RunInfo("run-1", Trigger("schedule"), False, "eu-west-1", "123456789012", "t")

    text = render.email_text(tally.report(info, finished_at="t", duration_ms=1))

    assert (
        "  - sn-0123456789abcdefg (vpc-0123456789abcdef0): failed start-failed (ThrottlingException; Rate exceeded)"
        in text.split("\n")
    )


def test_a_list_examined_with_nothing_to_do_says_so_in_the_summary() -> None:
    report = with_others(healthy_networks=2)

    assert render.summary(report) == (
        "nothing to do; 0 healthy of 0 examined. Source networks: nothing to do; 2 healthy of 2 examined."
    )


def test_the_trimmed_note_counts_the_entries_left_out_of_every_list() -> None:
    second_network = dataclasses.replace(STARTED_NETWORK, resource_id="sn-0000000000000000b")
    second_instance = dataclasses.replace(UNPROTECTED, resource_id="i-0123456789abcdef1")
    report = with_others(
        STARTED_NETWORK,
        second_network,
        UNPROTECTED,
        second_instance,
        servers=(("started", "replication-stopped"),),
    )

    text = render.email_text(report.trimmed(0))  # 1 server, 2 networks, 2 instances left out

    assert text.split("\n")[-2:] == ["The lists were trimmed to fit SNS; 5 entries are in the run's log.", ""]


def test_a_budget_exactly_the_size_of_the_message_with_one_entry_keeps_that_entry() -> None:
    report = make_report(*[("attention", "stalled")] * 3)
    one = len(render.message_body(report.trimmed(1)).encode())

    fitted = render.fit(report, budget=one)

    assert [server.source_server_id for server in fitted.servers] == ["s-00000000000000000"]


def test_the_json_report_in_the_message_is_compact() -> None:
    default = json.loads(render.message_body(make_report(("started", "replication-stopped"))))["default"]

    assert default == json.dumps(json.loads(default), separators=(",", ":"))


def test_an_idle_run_with_a_region_not_in_ascii_has_an_ascii_subject_saying_nothing_to_do() -> None:
    report = make_report()
    report = dataclasses.replace(report, info=dataclasses.replace(report.info, region="eu-wést-1"))

    assert render.subject(report) == "[drs-reprotect] IDLE 123456789012/eu-w?st-1: nothing to do"
