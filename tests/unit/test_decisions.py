"""Decisions' texts a person reads in the report: who holds a server in cooldown, and what an
ambiguous start found when the server was described again."""

from __future__ import annotations

from reprotect import decisions
from reprotect.cooldown import Cooling, Record
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.selection import Candidate

CANDIDATE = Candidate("s-00000000000000001", "web-1")
NOW = 1_800_000_000


def test_a_server_in_cooldown_says_this_tool_started_it_and_until_when() -> None:
    record = Record(Cooling("2027-01-15T08:00:00Z"), ())

    verdict = decisions.admit(
        CANDIDATE,
        record=record,
        limits=decisions.Limits(5),
        starts_so_far=0,
        now=NOW,
        deadline_reached=False,
        dry_run=False,
    )

    assert verdict == ServerOutcome(
        "s-00000000000000001",
        "web-1",
        Outcome.SKIPPED,
        Reason.COOLDOWN,
        "started by drs-reprotect; cooldown until 2027-01-15T08:00:00Z",
    )


def test_a_hold_found_when_claiming_says_another_run_started_it() -> None:
    verdict = decisions.held(CANDIDATE, Cooling("2027-01-15T08:00:00Z"))

    assert verdict.detail == "started by another run; cooldown until 2027-01-15T08:00:00Z"


def test_a_server_gone_when_an_ambiguous_start_is_described_again_is_skipped_with_the_error() -> None:
    verdict = decisions.settled(CANDIDATE, "ReadTimeoutError", None)

    assert verdict == ServerOutcome(
        "s-00000000000000001",
        "web-1",
        Outcome.SKIPPED,
        Reason.NOT_FOUND,
        "deleted while the run was going",
        "ReadTimeoutError",
    )


def test_a_conflict_not_known_to_follow_an_earlier_attempt_reports_what_drs_shows() -> None:
    verdict = decisions.settled(CANDIDATE, "ConflictException", "CONTINUOUS")

    assert (verdict.outcome, verdict.detail) == (
        Outcome.STARTED,
        "StartReplication answered ConflictException, but DRS shows the server CONTINUOUS",
    )
