from __future__ import annotations

import json

import pytest

from reprotect import notify
from reprotect.outcomes import ServerOutcome
from reprotect.report import Report, email_text


def make_report(*outcomes: tuple[str, str], healthy: int = 0, dry_run: bool = False, **extra) -> Report:
    report = Report(
        run_id="run-1",
        trigger={"type": "schedule", "name": "sweep"},
        dry_run=dry_run,
        region="eu-west-1",
        account="123456789012",
        started_at="2026-11-27T06:00:00.000Z",
        **extra,
    )
    for i, (outcome, reason) in enumerate(outcomes):
        report.add(ServerOutcome(f"s-{i:017d}", f"host-{i}", outcome, reason))
    report.healthy = healthy
    return report


@pytest.mark.parametrize(
    ("outcomes", "kwargs", "status"),
    [
        ([], {}, "idle"),
        ([("skipped", "excluded-by-tag")], {}, "idle"),
        ([("started", "replication-stopped")], {}, "ok"),
        ([("attention", "stalled")], {}, "ok"),
        ([("would-start", "replication-stopped")], {"dry_run": True}, "dry-run"),
        ([("started", "replication-stopped"), ("failed", "start-failed")], {}, "partial-failure"),
        ([("failed", "start-failed")], {}, "failed"),
        ([("deferred", "deadline")], {"sweep_complete": False}, "partial-failure"),
        ([], {"error": {"code": "UninitializedAccountException", "message": "x"}}, "failed"),
    ],
)
def test_status(outcomes, kwargs, status: str) -> None:
    assert make_report(*outcomes, **kwargs).status() == status


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


def test_email_says_what_was_started_what_failed_and_what_needs_attention() -> None:
    report = make_report(
        ("started", "replication-stopped"), ("failed", "start-failed"), ("attention", "stalled"), healthy=2
    ).to_dict()

    text = email_text(report)

    assert text.splitlines()[0] == "drs-reprotect run run-1 in 123456789012/eu-west-1: PARTIAL-FAILURE"
    assert "1 started, 1 failed, 1 attention; 2 healthy of 5 examined." in text
    assert "Replication started: 1\n  - s-00000000000000000 host-0: replication-stopped" in text
    assert "Failed to start (will be retried next run): 1" in text
    assert "Needs a person" in text


def test_report_of_4000_servers_is_trimmed_to_fit_sns_with_counts_whole() -> None:
    outcomes = [("started", "replication-stopped")] * 2000 + [("attention", "stalled")] * 2000
    full = make_report(*outcomes).to_dict()

    fitted = notify.fit(full)

    size = len(notify.message_body(fitted).encode())
    assert size <= notify.MESSAGE_BUDGET
    assert fitted["truncated"] is True
    assert fitted["serversOmitted"] == 4000 - len(fitted["servers"])
    assert fitted["counts"] == full["counts"]
    # the most urgent stay: attention is listed before started
    assert fitted["servers"][0]["outcome"] == "attention"
    # and one more server would not have fitted
    one_more = notify.trimmed(full, len(fitted["servers"]) + 1)
    assert len(notify.message_body(one_more).encode()) > notify.MESSAGE_BUDGET


def test_small_report_is_untouched() -> None:
    full = make_report(("started", "replication-stopped")).to_dict()

    assert notify.fit(full) is full


def test_subject_fits_sns_rules() -> None:
    report = make_report(*[("started", "replication-stopped")] * 3, healthy=10**6).to_dict()
    report["account"] = "123456789012" * 5

    subject = notify.subject(report)

    assert len(subject) <= 100
    assert subject.isascii()
    assert "\n" not in subject


def test_message_is_sns_json_structure_with_default_and_email() -> None:
    report = make_report(("started", "replication-stopped")).to_dict()

    message = json.loads(notify.message_body(report))

    assert set(message) == {"default", "email"}
    assert json.loads(message["default"]) == report
