"""When a report is published: news, a change in standing news, a reminder, or always when asked."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from reprotect import delivery, render
from reprotect.events import Trigger
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.publication import NOTHING, Policy, PublicationLog, Published, standing_news, why_publish
from reprotect.report import Report, RunError, RunInfo, Tally

from .tables import ItemTable
from .test_acts import logged
from .test_report import STARTED_NETWORK, UNPROTECTED

NOW = 1_800_000_000
DAY = 86_400
QUIET = Policy(notify_when_idle=False, remind_after_seconds=DAY)


def report(
    *entries: tuple[str, str, str], sweep_complete: bool = True, error: RunError | None = None
) -> Report:
    tally = Tally()
    for sid, outcome, reason in entries:
        tally.add(ServerOutcome(sid, None, Outcome(outcome), Reason(reason)))
    tally.sweep_complete, tally.error = sweep_complete, error
    info = RunInfo("run-1", Trigger("schedule"), False, "eu-west-1", "123456789012", "t")
    return tally.report(info, finished_at="t", duration_ms=1)


STALLED = ("s-00000000000000001", "attention", "stalled")
LIMITED = ("s-00000000000000002", "deferred", "replicating-limit")


@pytest.mark.parametrize(
    "entries",
    [[("s-00000000000000003", "started", "replication-stopped")],
     [("s-00000000000000003", "would-start", "replication-stopped")],
     [("s-00000000000000003", "failed", "start-failed")]],
)  # fmt: skip
def test_a_run_that_started_would_start_or_failed_anything_publishes(entries: list[Any]) -> None:
    same = report(STALLED, *entries)
    last = Published(standing_news(same), NOW - 60)

    assert why_publish(same, last, NOW, QUIET) == "news"


def test_a_run_that_failed_as_a_whole_or_did_not_finish_publishes() -> None:
    assert why_publish(report(error=RunError("AccessDeniedException", "x")), None, NOW, QUIET) == "news"
    assert why_publish(report(sweep_complete=False), None, NOW, QUIET) == "news"


def test_an_unchanged_report_stays_quiet_and_a_changed_one_publishes() -> None:
    first = report(STALLED, LIMITED)
    last = Published(standing_news(first), NOW - 600)

    assert why_publish(report(LIMITED, STALLED), last, NOW, QUIET) is None  # same news, any order
    assert why_publish(report(STALLED), last, NOW, QUIET) == "changed since the last report"
    other_reason = ("s-00000000000000001", "attention", "lagging")
    assert why_publish(report(other_reason, LIMITED), last, NOW, QUIET) == "changed since the last report"


def test_skips_and_healthy_servers_are_not_news() -> None:
    skipped = report(STALLED, ("s-00000000000000009", "skipped", "cooldown"))

    assert standing_news(skipped) == standing_news(report(STALLED))
    assert (
        why_publish(report(("s-00000000000000009", "skipped", "excluded-by-tag")), None, NOW, QUIET) is None
    )


def test_the_digest_kept_in_the_table_is_the_same_from_release_to_release() -> None:
    # The last publication's digest outlives the function that wrote it: after an upgrade, news that
    # did not change must still compare equal, or every deployment repeats its standing news once.
    lines = "s-00000000000000001|attention|stalled\ns-00000000000000002|deferred|replicating-limit"

    assert standing_news(report(LIMITED, STALLED)) == hashlib.sha256(lines.encode()).hexdigest()
    assert standing_news(report()) == NOTHING == hashlib.sha256(b"").hexdigest()


def test_the_news_going_away_is_published_once() -> None:
    last = Published(standing_news(report(STALLED)), NOW - 600)

    assert why_publish(report(), last, NOW, QUIET) == "changed since the last report"
    assert why_publish(report(), Published(NOTHING, NOW - 60), NOW, QUIET) is None


@pytest.mark.parametrize(("age", "reminded"), [(DAY - 1, False), (DAY, True), (DAY + 3600, True)])
def test_unchanged_news_is_published_again_once_the_last_publication_is_old_enough(
    age: int, reminded: bool
) -> None:
    same = report(STALLED)
    last = Published(standing_news(same), NOW - age)

    why = why_publish(same, last, NOW, QUIET)

    assert (why is not None) is reminded
    if age == DAY:
        assert why == "unchanged since 2027-01-14T08:00:00Z: a reminder"


def test_no_news_is_never_a_reminder_and_notify_when_idle_publishes_everything() -> None:
    long_ago = Published(NOTHING, NOW - 30 * DAY)

    assert why_publish(report(), long_ago, NOW, QUIET) is None
    assert why_publish(report(), long_ago, NOW, Policy(True, DAY)) == "NOTIFY_WHEN_IDLE"
    assert why_publish(report(STALLED), Published(standing_news(report(STALLED)), NOW), NOW, Policy(False, 0))


class FakeSns:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **message: Any) -> dict[str, Any]:
        self.published.append(message)
        return {"MessageId": f"m-{len(self.published)}"}


class FakeLog:
    def __init__(self, last: Published | None = None) -> None:
        self.record = last
        self.reads = 0

    def last(self, account: str | None, region: str | None) -> Published | None:
        self.reads += 1
        return self.record

    def remember(self, account: str | None, region: str | None, digest: str, now: int) -> None:
        self.record = Published(digest, now)


def test_a_trimmed_report_is_compared_on_its_whole_list() -> None:
    # Given 4,000 stalled servers: far more than SNS carries, so the message lists only some
    many = [(f"s-{i:017d}", "attention", "stalled") for i in range(4000)]
    sns, log = FakeSns(), FakeLog()
    delivery.deliver(report(*many), sns=sns, topic_arn="arn:t", policy=QUIET, publications=log)
    assert render.fit(report(*many)).truncated

    # When the last server of the list (one the message never carried) recovers
    delivery.deliver(report(*many[:-1]), sns=sns, topic_arn="arn:t", policy=QUIET, publications=log)
    # Then that is a change, and it is published; the same list again is not
    delivery.deliver(report(*many[:-1]), sns=sns, topic_arn="arn:t", policy=QUIET, publications=log)

    assert len(sns.published) == 2
    assert log.reads == 3


def test_trimmed_networks_and_recovery_instances_are_logged_whole_under_their_own_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a run with 1,500 source networks and 1,500 recovery instances, too many for SNS
    tally = Tally()
    for i in range(1500):
        tally.add(dataclasses.replace(STARTED_NETWORK, resource_id=f"sn-{i:017d}", detail="d" * 200))
        tally.add(dataclasses.replace(UNPROTECTED, resource_id=f"i-{i:017d}", detail="d" * 200))
    info = RunInfo("run-1", Trigger("schedule"), False, "eu-west-1", "123456789012", "t")
    whole = tally.report(info, finished_at="t", duration_ms=1)

    fitted = delivery.deliver(whole, sns=FakeSns(), topic_arn="arn:t", policy=QUIET, publications=FakeLog())

    assert fitted.truncated
    networks = [
        r
        for r in caplog.records
        if r.getMessage() == "Full source networks list (trimmed from the notification)"
    ]
    instances = [
        r
        for r in caplog.records
        if r.getMessage() == "Full recovery instances list (trimmed from the notification)"
    ]
    assert [n["sourceNetworkID"] for part in networks for n in part.sourceNetworks] == [
        f"sn-{i:017d}" for i in range(1500)
    ]
    assert [n["recoveryInstanceID"] for part in instances for n in part.recoveryInstances] == [
        f"i-{i:017d}" for i in range(1500)
    ]


class UnwritableLog(FakeLog):
    def remember(self, account: str | None, region: str | None, digest: str, now: int) -> None:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutItem")


class UnreadableLog(FakeLog):
    def last(self, account: str | None, region: str | None) -> Published | None:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetItem")


@pytest.mark.parametrize(
    ("log", "message"),
    [
        # unknown is treated as never published: a report with news is sent rather than lost
        (UnreadableLog(), "Could not read the last publication"),
        # the report is out; the next run may publish the same news again, which is only noise
        (UnwritableLog(), "Could not record the publication"),
    ],
    ids=["unreadable", "unwritable"],
)
def test_a_publication_record_that_fails_is_logged_and_the_report_still_published(
    caplog: pytest.LogCaptureFixture, log: FakeLog, message: str
) -> None:
    sns = FakeSns()

    delivery.deliver(report(STALLED), sns=sns, topic_arn="arn:t", policy=QUIET, publications=log)

    assert len(sns.published) == 1
    assert logged(caplog, message) == [
        {"level": "ERROR", "message": message, "service": "drs-reprotect", "exception_name": "ClientError"}
    ]


class RefusingSns(FakeSns):
    def publish(self, **message: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "AuthorizationError", "Message": "not allowed"}}, "Publish")


def test_a_report_that_cannot_be_published_is_logged_whole_and_the_error_names_the_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stalled = report(STALLED)

    with pytest.raises(delivery.PublishError) as raised:
        delivery.deliver(stalled, sns=RefusingSns(), topic_arn="arn:t", policy=QUIET, publications=FakeLog())

    assert str(raised.value) == (
        "run run-1: publishing its report to arn:t failed (ClientError: An error occurred"
        " (AuthorizationError) when calling the Publish operation: not allowed);"
        " the report is in the function's log as 'Report not published'"
    )
    (line,) = logged(caplog, "Report not published")
    assert (line["level"], line["exception_name"]) == ("ERROR", "ClientError")
    assert line["report"] == stalled.to_dict()


def test_the_record_of_a_publication_outlives_the_reminder_interval_by_the_event_records_life() -> None:
    table = ItemTable()

    PublicationLog(table, "drs-reprotect", remind_after_seconds=DAY).remember(
        "123456789012", "eu-west-1", "digest", NOW
    )

    (put,) = table.puts
    assert put["TableName"] == "drs-reprotect"
    assert put["Item"]["expiration"] == {"N": str(NOW + DAY + 86400)}  # and the event record's 24 hours
    assert (put["Item"]["digest"], put["Item"]["publishedAt"]) == ({"S": "digest"}, {"N": str(NOW)})


@pytest.mark.parametrize(
    ("account", "region", "key"),
    [
        ("123456789012", "eu-west-1", "notify#123456789012#eu-west-1"),
        (None, None, "notify#unknown#unknown"),  # a run that could not tell where it ran
    ],
)
def test_the_record_is_kept_per_account_and_region(account: str | None, region: str | None, key: str) -> None:
    table = ItemTable()

    PublicationLog(table, "drs-reprotect", remind_after_seconds=DAY).remember(account, region, "digest", NOW)

    assert table.puts[0]["Item"]["id"] == {"S": key}


@pytest.mark.parametrize(
    ("item", "last"),
    [
        (None, None),
        ({"id": {"S": "notify#1#r"}, "digest": {"S": "d"}, "publishedAt": {"N": "7"}}, Published("d", 7)),
    ],
    ids=["never-published", "published"],
)
def test_the_last_publication_is_read_strongly_consistent(
    item: dict[str, Any] | None, last: Published | None
) -> None:
    table = ItemTable(item)

    assert PublicationLog(table, "drs-reprotect", DAY).last("1", "r") == last
    assert table.gets == [
        {"TableName": "drs-reprotect", "Key": {"id": {"S": "notify#1#r"}}, "ConsistentRead": True}
    ]
