"""StartReplication answers the workers must still make sense of: a start whose answer was lost and
that DRS cannot be asked about again, or no longer lists, and an error answer with no Error in it.
What the report says of the server, and the Powertools JSON log line an operator searches for."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from reprotect.deadline import Deadline
from tests.unit.test_acts import THROUGHPUT, THROUGHPUT_TEXT, FailingJournal, logged
from tests.unit.test_engine import FakeClock, FakeCooldowns, FakeDrs, run, server
from tests.unit.test_protections_run import FakeJournal

SID = "s-00000000000000001"


class AskedAgain(FakeDrs):
    """FakeDrs whose start is carried out but its answer lost, and which answers `again` (or raises
    it) when the worker describes the server again (the one call naming it in `filters`)."""

    def __init__(self, again: dict[str, Any] | Exception) -> None:
        super().__init__([[server(1)]])
        self.late[SID] = ReadTimeoutError(endpoint_url="https://drs.eu-west-1.amazonaws.com")
        self.again = again
        self.asked_again: list[dict[str, Any]] = []

    def describe_source_servers(self, **request: Any) -> dict[str, Any]:
        if "filters" not in request:
            return super().describe_source_servers(**request)
        self.asked_again.append(request)
        if isinstance(self.again, Exception):
            raise self.again
        return self.again


def test_a_start_drs_cannot_be_asked_about_again_needs_a_person_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = AskedAgain(ClientError({"Error": {"Code": "ThrottlingException"}}, "DescribeSourceServers"))
    cooldowns = FakeCooldowns()

    report = run(drs, cooldowns)

    (entry,) = report["servers"]
    assert (entry["outcome"], entry["reason"], entry["errorCode"]) == (
        "attention",
        "start-unconfirmed",
        "ReadTimeoutError",
    )
    assert cooldowns.released == []  # its claim holds it: never started twice
    assert logged(caplog, "Could not describe an ambiguous start again") == [
        {
            "level": "WARNING",
            "message": "Could not describe an ambiguous start again",
            "service": "drs-reprotect",
            "source_server_id": SID,
        }
    ]


@pytest.mark.parametrize("answer", [{}, {"items": []}], ids=["no-items-key", "no-items"])
def test_a_started_server_drs_no_longer_lists_when_asked_again_is_gone(answer: dict[str, Any]) -> None:
    drs = AskedAgain(answer)

    report = run(drs, FakeCooldowns())

    assert drs.asked_again == [{"filters": {"sourceServerIDs": [SID]}}]
    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "skipped",
            "reason": "not-found",
            "detail": "deleted while the run was going",
            "errorCode": "ReadTimeoutError",
        }
    ]


def test_an_error_answer_with_no_error_in_it_fails_the_start_in_botocores_words() -> None:
    drs = FakeDrs([[server(1)]])
    drs.errors[SID] = ClientError({"ResponseMetadata": {"HTTPStatusCode": 400}}, "StartReplication")

    report = run(drs, FakeCooldowns())

    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "failed",
            "reason": "start-failed",
            "detail": "An error occurred (Unknown) when calling the StartReplication operation: Unknown",
            "errorCode": "ClientError",
        }
    ]


def test_an_unexpected_error_fails_only_its_server_in_its_own_words_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = FakeDrs([[server(1), server(2)]])
    drs.errors[SID] = KeyError("sourceServerID")

    report = run(drs, FakeCooldowns())

    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "failed",
            "reason": "start-failed",
            "detail": "'sourceServerID'",
            "errorCode": "KeyError",
        },
        {
            "sourceServerID": "s-00000000000000002",
            "hostname": "host-2",
            "outcome": "started",
            "reason": "replication-stopped",
        },
    ]
    assert logged(caplog, "Unexpected error starting replication") == [
        {
            "level": "ERROR",
            "message": "Unexpected error starting replication",
            "service": "drs-reprotect",
            "source_server_id": SID,
            "exception_name": "KeyError",
        }
    ]
    # and its outcome line, as every server's, with the error's code to search for
    (failed,) = [line for line in logged(caplog, "Server outcome") if line["source_server_id"] == SID]
    assert failed == {
        "level": "INFO",
        "message": "Server outcome",
        "service": "drs-reprotect",
        "source_server_id": SID,
        "hostname": "host-1",
        "outcome": "failed",
        "reason": "start-failed",
        "detail": "'sourceServerID'",
        "error_code": "KeyError",
    }


def test_a_start_that_never_reached_drs_fails_in_botocores_words() -> None:
    drs = FakeDrs([[server(1)]])
    drs.errors[SID] = EndpointConnectionError(endpoint_url="https://drs.eu-west-1.amazonaws.com/")

    report = run(drs, FakeCooldowns())

    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "failed",
            "reason": "start-failed",
            "detail": 'Could not connect to the endpoint URL: "https://drs.eu-west-1.amazonaws.com/"',
            "errorCode": "EndpointConnectionError",
        }
    ]


class Unconfirmable(FakeCooldowns):
    """A cooldown table that takes the claim, then refuses to confirm it."""

    def confirm(self, server_id: str, run: Any, now: int) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "UpdateItem")


def test_a_start_whose_claim_cannot_be_confirmed_stands_and_the_claim_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = FakeDrs([[server(1)]])

    report = run(drs, Unconfirmable())

    assert drs.started == [SID]
    assert report["servers"] == [
        {"sourceServerID": SID, "hostname": "host-1", "outcome": "started", "reason": "replication-stopped"}
    ]
    assert logged(caplog, "Could not confirm or release a claim") == [
        {
            "level": "WARNING",
            "message": "Could not confirm or release a claim",
            "service": "drs-reprotect",
            "source_server_id": SID,
            "outcome": "started",
        }
    ]


def test_a_server_admitted_before_the_margin_is_neither_claimed_nor_started_once_it_is_reached() -> None:
    # 300 s with a 60 s margin; writing the run journal takes the run to 50 s left: past the margin,
    # though not past the deadline itself
    clock = FakeClock()
    deadline = Deadline.after(300, clock=clock)

    class SlowJournal(FakeJournal):
        def intend(self, ids: Any, now: int) -> None:
            super().intend(ids, now)
            clock.now = deadline.ends_at - 50

    drs = FakeDrs([[server(1)]])
    cooldowns = FakeCooldowns()

    report = run(drs, cooldowns, journal=SlowJournal(), deadline=deadline)

    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "deferred",
            "reason": "deadline",
            "detail": "not reached before the invocation's deadline",
        }
    ]
    assert cooldowns.claims == {}
    assert drs.started == []


class Unclaimable(FakeCooldowns):
    """A cooldown table that refuses to take a claim."""

    def claim(self, server_id: str, run: Any, now: int) -> Any:
        raise THROUGHPUT


def test_a_claim_that_cannot_be_written_fails_its_server_in_the_tables_words_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = FakeDrs([[server(1)]])

    report = run(drs, Unclaimable())

    assert drs.started == []
    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "failed",
            "reason": "cooldown-store-error",
            "detail": THROUGHPUT_TEXT,
            "errorCode": "ProvisionedThroughputExceededException",
        }
    ]
    assert logged(caplog, "Could not write a cooldown claim") == [
        {
            "level": "ERROR",
            "message": "Could not write a cooldown claim",
            "service": "drs-reprotect",
            "source_server_id": SID,
            "exception_name": "ClientError",
        }
    ]


class UnreadableJournal(FakeJournal):
    def earlier_intents(self) -> frozenset[str]:
        raise THROUGHPUT


def test_a_run_journal_that_cannot_be_read_counts_no_earlier_start_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = FakeDrs([[server(1)]])

    report = run(drs, FakeCooldowns(), journal=UnreadableJournal())

    # No earlier attempt is known to have started it: the cooldown claim still keeps it to one start
    assert drs.started == [SID]
    assert report["counts"]["started"] == 1
    assert logged(caplog, "Could not read the run journal; earlier attempts' starts count as found") == [
        {
            "level": "ERROR",
            "message": "Could not read the run journal; earlier attempts' starts count as found",
            "service": "drs-reprotect",
            "exception_name": "ClientError",
        }
    ]


def test_a_run_journal_that_cannot_be_written_starts_no_server_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = FakeDrs([[server(1)]])

    report = run(drs, FakeCooldowns(), journal=FailingJournal())

    assert drs.started == []
    assert [(s["outcome"], s["reason"], s["detail"]) for s in report["servers"]] == [
        ("failed", "cooldown-store-error", THROUGHPUT_TEXT)
    ]
    assert logged(caplog, "Could not write the run journal") == [
        {
            "level": "ERROR",
            "message": "Could not write the run journal",
            "service": "drs-reprotect",
            "error_code": "ProvisionedThroughputExceededException",
            "exception_name": "ClientError",
        }
    ]


def test_cooldowns_that_cannot_be_read_start_no_server_and_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs, cooldowns = FakeDrs([[server(1)]]), FakeCooldowns()
    cooldowns.fail_reads = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}},
        "BatchGetItem",
    )

    report = run(drs, cooldowns)

    assert drs.started == []
    assert [(s["outcome"], s["reason"], s["errorCode"]) for s in report["servers"]] == [
        ("failed", "cooldown-store-error", "ProvisionedThroughputExceededException")
    ]
    assert logged(caplog, "Could not read cooldowns") == [
        {
            "level": "ERROR",
            "message": "Could not read cooldowns",
            "service": "drs-reprotect",
            "error_code": "ProvisionedThroughputExceededException",
            "exception_name": "ClientError",
        }
    ]


def test_an_earlier_attempts_start_whose_claim_cannot_be_confirmed_is_reported_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given an earlier attempt of this event that set out to start the server, which DRS shows started
    drs = FakeDrs([[server(1, "INITIATING")]])

    report = run(drs, Unconfirmable(), journal=FakeJournal(frozenset({SID})))

    assert drs.started == []
    assert report["servers"] == [
        {
            "sourceServerID": SID,
            "hostname": "host-1",
            "outcome": "started",
            "reason": "replication-stopped",
            "detail": "started by an earlier attempt of this event",
        }
    ]
    assert logged(caplog, "Could not confirm an earlier attempt's claim") == [
        {
            "level": "WARNING",
            "message": "Could not confirm an earlier attempt's claim",
            "service": "drs-reprotect",
            "source_server_id": SID,
        }
    ]


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        ("arn:aws:drs:eu-west-1:111122223333:source-server/s-00000000000000001", "111122223333"),
        ("arn:aws:drs:eu-west-1::source-server/s-00000000000000001", None),  # no account in it
        ("arn:aws:drs:eu-west-1:111122223333", None),  # no resource: not an ARN
        ("arn:aws:drs", None),  # cut short
        (None, None),  # DRS left it out
    ],
    ids=["arn", "empty-account", "no-resource", "short", "none"],
)
def test_the_account_is_read_from_the_first_servers_arn_when_the_run_has_none(
    arn: str | None, account: str | None
) -> None:
    report = run(FakeDrs([[server(1, "CONTINUOUS", arn=arn)]]))

    assert report["account"] == account
