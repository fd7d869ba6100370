# ruff: noqa: E501  (a table row is wider than a line of code; it is compared whole)
"""The report's text, line for line: the CLI's table (columns line up whatever the list) and the email
(verdict first, then each list with what to check). Exact text, because people read it and a column
one character off is a bug they see."""

from __future__ import annotations

from reprotect import render
from reprotect.events import Trigger
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.report import Report, RunError, RunInfo, Tally

from .test_report import STARTED_NETWORK, UNPROTECTED, make_report


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
