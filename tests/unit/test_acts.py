"""Source network starts and reversals as an operator sees them when something goes wrong: the entry in
the report, the request DRS was sent, and the Powertools JSON log line to search for, over in-memory
fakes (a claim store or journal that fails, DRS answers that are lost, refused, or leave keys out)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from drs_emulator.fleet import make_source_network
from reprotect import engine
from reprotect.config import Config
from reprotect.cooldown import Cooling, Record, RunClaim
from reprotect.deadline import Deadline
from reprotect.observability import logger
from reprotect.services import Services
from tests.unit.test_engine import SWEEP, FakeClock, FakeCooldowns
from tests.unit.test_protections_run import REVERSED_ARN, FakeJournal, ProtectingDrs, ec2_recovery

INSTANCE = "i-0aaaaaaaaaaaaaaa1"
EARLIER = "started by an earlier attempt of this event"
THROUGHPUT = ClientError(
    {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}}, "PutItem"
)
THROUGHPUT_TEXT = (
    "An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation:"
    " Rate exceeded"
)


class Claims(FakeCooldowns):
    """FakeCooldowns whose writes can fail, and whose reads can show leases the claim takes over."""

    def __init__(
        self,
        *,
        fail_claim: Exception | None = None,
        fail_confirm: Exception | None = None,
        leases: dict[str, Cooling] | None = None,
    ) -> None:
        super().__init__()
        self.fail_claim = fail_claim
        self.fail_confirm = fail_confirm
        self.leases = leases or {}

    def read(self, server_ids: Any, now: int) -> dict[str, Record]:
        ids = list(server_ids)
        found = super().read(ids, now)
        return {**found, **{i: Record(self.leases[i]) for i in ids if i in self.leases}}

    def claim(self, server_id: str, run: RunClaim, now: int) -> Cooling | None:
        if self.fail_claim:
            raise self.fail_claim
        return super().claim(server_id, run, now)

    def confirm(self, server_id: str, run: RunClaim, now: int) -> None:
        if self.fail_confirm:
            raise self.fail_confirm
        super().confirm(server_id, run, now)


class FailingJournal(FakeJournal):
    def intend(self, ids: Any, now: int) -> None:
        raise THROUGHPUT


def run(
    drs: ProtectingDrs,
    *,
    claims: Any = None,
    journal: Any = None,
    deadline: Deadline | None = None,
    **config: Any,
) -> dict[str, Any]:
    claims = claims or FakeCooldowns()
    services = Services(
        drs=drs,
        starts=drs,
        cooldown=FakeCooldowns(),
        journal=journal or FakeJournal(),
        network_claims=claims,
        reverse_claims=claims,
    )
    report = engine.run(
        SWEEP,
        Config(None, None, **config),
        services,
        run_id="run-1",
        deadline=deadline or Deadline.after(300),
    )
    return report.to_dict()


# Left out: the time, the code location and the traceback, and the invocation's keys that the handler
# adds to every line (a handler test run earlier in the same process leaves them on the logger).
VOLATILE = (
    "timestamp",
    "location",
    "exception",
    "stack_trace",
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
    "correlation_id",
    "xray_trace_id",
)


def logged(caplog: pytest.LogCaptureFixture, message: str) -> list[dict[str, Any]]:
    """The Powertools JSON lines with this message, as CloudWatch gets them (less what VOLATILE says)."""
    lines = [
        json.loads(logger.registered_formatter.format(record))
        for record in caplog.records
        if record.getMessage() == message
    ]
    return [{k: v for k, v in line.items() if k not in VOLATILE} for line in lines]


def stopped_network() -> dict[str, Any]:
    return make_source_network("STOPPED", vpc_id="vpc-0123456789abcdef0", tags={})


def network_entry(network: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"sourceNetworkID": network["sourceNetworkID"], "sourceVpcID": "vpc-0123456789abcdef0", **fields}


def reversal_with(drs: ProtectingDrs, answer: Exception) -> str:
    """One EC2 recovery to reverse; DRS reverses it (INITIATING) but answers `answer`."""
    instance = ec2_recovery(INSTANCE)
    drs.recovery_instances = [instance]
    drs.reverse_errors[INSTANCE] = answer
    return str(instance["sourceServerID"])


# ---- the claim store and the run journal -----------------------------------------------------


def test_a_claim_that_cannot_be_written_fails_its_network_with_the_stores_words_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]

    report = run(drs, claims=Claims(fail_claim=THROUGHPUT))

    assert report["sourceNetworks"] == [
        network_entry(
            network,
            outcome="failed",
            reason="cooldown-store-error",
            detail=THROUGHPUT_TEXT,
            errorCode="ProvisionedThroughputExceededException",
        )
    ]
    assert drs.acted == []
    assert logged(caplog, "Could not write a claim") == [
        {
            "level": "ERROR",
            "message": "Could not write a claim",
            "service": "drs-reprotect",
            "resource_id": network["sourceNetworkID"],
            "exception_name": "ClientError",
        }
    ]


def test_a_run_journal_that_cannot_be_written_fails_every_target_unasked_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]

    report = run(drs, journal=FailingJournal())

    assert report["sourceNetworks"] == [
        network_entry(
            network,
            outcome="failed",
            reason="cooldown-store-error",
            detail=THROUGHPUT_TEXT,
            errorCode="ProvisionedThroughputExceededException",
        )
    ]
    assert drs.acted == []
    assert logged(caplog, "Could not write the run journal") == [
        {
            "level": "ERROR",
            "message": "Could not write the run journal",
            "service": "drs-reprotect",
            "error_code": "ProvisionedThroughputExceededException",
            "exception_name": "ClientError",
        }
    ]


def test_a_start_whose_claim_cannot_be_confirmed_stands_and_the_claim_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]

    report = run(drs, claims=Claims(fail_confirm=THROUGHPUT))

    assert report["sourceNetworks"] == [
        network_entry(network, outcome="started", reason="replication-stopped")
    ]
    assert logged(caplog, "Could not confirm or release a claim") == [
        {
            "level": "WARNING",
            "message": "Could not confirm or release a claim",
            "service": "drs-reprotect",
            "resource_id": network["sourceNetworkID"],
            "outcome": "started",
        }
    ]


def test_another_events_hold_keeps_a_network_away_but_this_events_own_unconfirmed_lease_does_not() -> None:
    drs = ProtectingDrs([[]])
    held, leased = stopped_network(), stopped_network()
    drs.networks = [held, leased]
    journal = FakeJournal()
    claims = Claims(
        leases={
            held["sourceNetworkID"]: Cooling("2026-12-01T00:00:00Z", confirmed=True, key="another-event"),
            # An earlier attempt of this same event (SWEEP's key "k") died before confirming its claim.
            leased["sourceNetworkID"]: Cooling("2026-11-27T06:10:00Z", confirmed=False, key="k"),
        }
    )

    report = run(drs, claims=claims, journal=journal)

    assert sorted(report["sourceNetworks"], key=lambda e: e["outcome"]) == [
        network_entry(
            held,
            outcome="skipped",
            reason="cooldown",
            detail=(
                "StartSourceNetworkReplication called by drs-reprotect; not again until 2026-12-01T00:00:00Z"
            ),
        ),
        network_entry(leased, outcome="started", reason="replication-stopped"),
    ]
    assert journal.intended == [leased["sourceNetworkID"]]
    assert drs.acted == [leased["sourceNetworkID"]]


def test_a_network_admitted_before_the_margin_is_neither_claimed_nor_started_once_it_is_reached() -> None:
    # Given 300 s with a 60 s margin, and writing the run journal takes the run to 50 s left: past the
    # margin, though a call (15 s) would still end with half the margin (30 s) to spare
    clock = FakeClock()
    deadline = Deadline.after(300, clock=clock)

    class SlowJournal(FakeJournal):
        def intend(self, ids: Any, now: int) -> None:
            super().intend(ids, now)
            clock.now = deadline.ends_at - 50

    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]
    claims = Claims()

    report = run(drs, claims=claims, journal=SlowJournal(), deadline=deadline)

    assert report["sourceNetworks"] == [
        network_entry(
            network,
            outcome="deferred",
            reason="deadline",
            detail="not reached before the invocation's deadline",
        )
    ]
    assert claims.claims == {}
    assert drs.acted == []


# ---- what DRS answers to the call ------------------------------------------------------------


def test_an_unexpected_error_fails_only_its_target_with_its_own_words_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    source_server = reversal_with(drs, RuntimeError("the fake broke"))

    report = run(drs, reverse_replication="on")

    assert report["recoveryInstances"] == [
        {
            "recoveryInstanceID": INSTANCE,
            "sourceServerID": source_server,
            "outcome": "failed",
            "reason": "start-failed",
            "detail": "the fake broke",
            "errorCode": "RuntimeError",
        }
    ]
    assert logged(caplog, "Unexpected error") == [
        {
            "level": "ERROR",
            "message": "Unexpected error",
            "service": "drs-reprotect",
            "operation": "ReverseReplication",
            "resource_id": INSTANCE,
            "exception_name": "RuntimeError",
        }
    ]


def test_a_call_that_never_reached_drs_fails_with_botocores_words() -> None:
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]

    def unreachable(sourceNetworkID: str) -> dict[str, Any]:
        raise EndpointConnectionError(endpoint_url="https://drs.eu-west-1.amazonaws.com")

    drs.start_source_network_replication = unreachable  # type: ignore[method-assign]

    report = run(drs)

    assert report["sourceNetworks"] == [
        network_entry(
            network,
            outcome="failed",
            reason="start-failed",
            detail='Could not connect to the endpoint URL: "https://drs.eu-west-1.amazonaws.com"',
            errorCode="EndpointConnectionError",
        )
    ]


def test_a_reversal_answered_without_an_arn_names_no_new_source_server() -> None:
    drs = ProtectingDrs([[]])
    source_server = reversal_with(drs, RuntimeError("unused"))
    drs.reverse_errors.clear()
    drs.reverse_replication = lambda recoveryInstanceID: {}  # type: ignore[method-assign]

    report = run(drs, reverse_replication="on")

    assert report["recoveryInstances"] == [
        {
            "recoveryInstanceID": INSTANCE,
            "sourceServerID": source_server,
            "outcome": "started",
            "reason": "reverse-replication",
        }
    ]


def conflict(metadata: dict[str, Any]) -> ClientError:
    error = {"Code": "ConflictException", "Message": "Recovery instance is already reversed"}
    return ClientError({"Error": error, "ResponseMetadata": metadata}, "ReverseReplication")


@pytest.mark.parametrize(
    ("answer", "earlier", "expected"),
    [
        # botocore retried the call: the 409 may answer its own first attempt, so DRS is asked again
        (
            conflict({"HTTPStatusCode": 409, "RetryAttempts": 1}),
            frozenset(),
            {
                "outcome": "started",
                "reason": "reverse-replication",
                "detail": "ReverseReplication answered ConflictException, but DRS shows INITIATING",
            },
        ),
        # an earlier attempt of this event set out to reverse it: what DRS shows is that attempt's work
        (
            conflict({"HTTPStatusCode": 409, "RetryAttempts": 0}),
            frozenset({INSTANCE}),
            {"outcome": "started", "reason": "reverse-replication", "detail": EARLIER},
        ),
        # a first try refused: someone else reversed it, in DRS's own words
        (
            conflict({"HTTPStatusCode": 409}),
            frozenset(),
            {
                "outcome": "skipped",
                "reason": "already-reversed",
                "detail": "Recovery instance is already reversed",
                "errorCode": "ConflictException",
            },
        ),
        # an error answer with no Error at all still gets an outcome, in botocore's words
        (
            ClientError({"ResponseMetadata": {"HTTPStatusCode": 400}}, "ReverseReplication"),
            frozenset(),
            {
                "outcome": "failed",
                "reason": "start-failed",
                "detail": (
                    "An error occurred (Unknown) when calling the ReverseReplication operation: Unknown"
                ),
                "errorCode": "ClientError",
            },
        ),
    ],
)
def test_what_a_refused_reversal_comes_to_after_a_retry_an_earlier_attempt_or_neither(
    answer: ClientError, earlier: frozenset[str], expected: dict[str, Any]
) -> None:
    drs = ProtectingDrs([[]])
    source_server = reversal_with(drs, answer)

    report = run(drs, journal=FakeJournal(earlier), reverse_replication="on")

    assert report["recoveryInstances"] == [
        {"recoveryInstanceID": INSTANCE, "sourceServerID": source_server, **expected}
    ]


# ---- asking DRS again after an answer that leaves the call open ------------------------------


@pytest.mark.parametrize("answer", [{}, {"items": []}])
def test_a_network_drs_no_longer_lists_after_a_lost_answer_is_gone(answer: dict[str, Any]) -> None:
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]
    listing = drs.describe_source_networks

    def lost(sourceNetworkID: str) -> dict[str, Any]:
        raise ReadTimeoutError(endpoint_url="https://drs")

    def gone_once_asked_again(**request: Any) -> dict[str, Any]:
        return answer if "filters" in request else listing(**request)

    drs.start_source_network_replication = lost  # type: ignore[method-assign]
    drs.describe_source_networks = gone_once_asked_again  # type: ignore[method-assign]

    report = run(drs)

    assert report["sourceNetworks"] == [
        network_entry(
            network,
            outcome="skipped",
            reason="not-found",
            detail="deleted while the run was going",
            errorCode="ReadTimeoutError",
        )
    ]


def test_a_recovery_instance_is_asked_about_again_by_its_id_and_gone_when_drs_no_longer_lists_it() -> None:
    drs = ProtectingDrs([[]])
    source_server = reversal_with(drs, ReadTimeoutError(endpoint_url="https://drs"))
    listing = drs.describe_recovery_instances
    asked: list[dict[str, Any]] = []

    def gone_once_asked_again(**request: Any) -> dict[str, Any]:
        if "filters" not in request:
            return listing(**request)
        asked.append(request)
        return {"items": []}

    drs.describe_recovery_instances = gone_once_asked_again  # type: ignore[method-assign]

    report = run(drs, reverse_replication="on")

    assert asked == [{"filters": {"recoveryInstanceIDs": [INSTANCE]}}]
    assert report["recoveryInstances"] == [
        {
            "recoveryInstanceID": INSTANCE,
            "sourceServerID": source_server,
            "outcome": "skipped",
            "reason": "not-found",
            "detail": "deleted while the run was going",
            "errorCode": "ReadTimeoutError",
        }
    ]


def test_a_target_that_cannot_be_described_again_needs_a_person_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    source_server = reversal_with(drs, ReadTimeoutError(endpoint_url="https://drs"))
    listing = drs.describe_recovery_instances

    def throttled_once_asked_again(**request: Any) -> dict[str, Any]:
        if "filters" in request:
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "DescribeRecoveryInstances")
        return listing(**request)

    drs.describe_recovery_instances = throttled_once_asked_again  # type: ignore[method-assign]

    report = run(drs, reverse_replication="on")

    (entry,) = report["recoveryInstances"]
    assert (entry["sourceServerID"], entry["outcome"], entry["reason"], entry["errorCode"]) == (
        source_server,
        "attention",
        "start-unconfirmed",
        "ReadTimeoutError",
    )
    assert logged(caplog, "Could not describe an ambiguous call's target again") == [
        {
            "level": "WARNING",
            "message": "Could not describe an ambiguous call's target again",
            "service": "drs-reprotect",
            "resource_id": INSTANCE,
        }
    ]


# ---- a retry's report of its earlier attempt's reversal (protections) ------------------------


def reversed_earlier(drs: ProtectingDrs) -> dict[str, Any]:
    """A recovery instance an earlier attempt of this event reversed (DRS shows INITIATING)."""
    instance = ec2_recovery(INSTANCE)
    instance["dataReplicationInfo"]["dataReplicationState"] = "INITIATING"
    drs.recovery_instances = [instance]
    return instance


def test_an_earlier_attempts_claim_that_cannot_be_confirmed_is_logged_and_its_work_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    network = make_source_network("IN_PROGRESS", vpc_id="vpc-0123456789abcdef0")
    drs.networks = [network]
    journal = FakeJournal(frozenset({network["sourceNetworkID"]}))

    report = run(drs, claims=Claims(fail_confirm=THROUGHPUT), journal=journal)

    assert report["sourceNetworks"] == [
        network_entry(network, outcome="started", reason="replication-stopped", detail=EARLIER)
    ]
    assert logged(caplog, "Could not confirm an earlier attempt's claim") == [
        {
            "level": "WARNING",
            "message": "Could not confirm an earlier attempt's claim",
            "service": "drs-reprotect",
            "resource_id": network["sourceNetworkID"],
        }
    ]


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        (
            {"items": [{"reversedDirectionSourceServerArn": REVERSED_ARN}]},
            f"{EARLIER}; new source server {REVERSED_ARN}",
        ),
        ({"items": [{}]}, EARLIER),
        ({}, EARLIER),
    ],
)
def test_an_earlier_reversal_names_the_source_server_it_created_when_drs_does(
    answer: dict[str, Any], detail: str
) -> None:
    drs = ProtectingDrs([[]])
    instance = reversed_earlier(drs)
    listing = drs.describe_source_servers
    asked: list[dict[str, Any]] = []

    def original_server(**request: Any) -> dict[str, Any]:
        if "filters" not in request:  # the sweep's own listing of the servers
            return listing(**request)
        asked.append(request)
        return answer

    drs.describe_source_servers = original_server  # type: ignore[method-assign]

    report = run(drs, journal=FakeJournal(frozenset({INSTANCE})), reverse_replication="on")

    assert asked == [{"filters": {"sourceServerIDs": [instance["sourceServerID"]]}}]
    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["detail"]) == ("started", detail)


def test_an_earlier_reversal_whose_source_server_cannot_be_read_is_reported_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drs = ProtectingDrs([[]])
    instance = reversed_earlier(drs)

    listing = drs.describe_source_servers

    def denied(**request: Any) -> dict[str, Any]:
        if "filters" not in request:  # the sweep's own listing of the servers
            return listing(**request)
        raise ClientError({"Error": {"Code": "AccessDeniedException"}}, "DescribeSourceServers")

    drs.describe_source_servers = denied  # type: ignore[method-assign]

    report = run(drs, journal=FakeJournal(frozenset({INSTANCE})), reverse_replication="on")

    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["detail"]) == ("started", EARLIER)
    assert logged(caplog, "Could not read the reversed server's ARN") == [
        {
            "level": "WARNING",
            "message": "Could not read the reversed server's ARN",
            "service": "drs-reprotect",
            "source_server_id": instance["sourceServerID"],
        }
    ]


def test_an_earlier_reversal_of_an_instance_naming_no_source_server_asks_drs_for_none() -> None:
    drs = ProtectingDrs([[]])
    instance = reversed_earlier(drs)
    del instance["sourceServerID"]  # optional in the DRS model
    listing = drs.describe_source_servers
    asked: list[dict[str, Any]] = []

    def original_server(**request: Any) -> dict[str, Any]:
        if "filters" not in request:  # the sweep's own listing of the servers
            return listing(**request)
        asked.append(request)
        return {"items": []}

    drs.describe_source_servers = original_server  # type: ignore[method-assign]

    report = run(drs, journal=FakeJournal(frozenset({INSTANCE})), reverse_replication="on")

    assert asked == []
    assert report["recoveryInstances"] == [
        {
            "recoveryInstanceID": INSTANCE,
            "sourceServerID": None,
            "outcome": "started",
            "reason": "reverse-replication",
            "detail": EARLIER,
        }
    ]


# ---- one log line per network or instance acted on -------------------------------------------


def test_each_network_and_recovery_instance_acted_on_has_its_own_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    drs = ProtectingDrs([[]])
    network = stopped_network()
    drs.networks = [network]
    instance = ec2_recovery(INSTANCE)
    drs.recovery_instances = [instance]

    run(drs, reverse_replication="on")

    assert logged(caplog, "Source network outcome") == [
        {
            "level": "INFO",
            "message": "Source network outcome",
            "service": "drs-reprotect",
            "resource_id": network["sourceNetworkID"],
            "related": "vpc-0123456789abcdef0",
            "outcome": "started",
            "reason": "replication-stopped",
        }
    ]
    assert logged(caplog, "Recovery instance outcome") == [
        {
            "level": "INFO",
            "message": "Recovery instance outcome",
            "service": "drs-reprotect",
            "resource_id": INSTANCE,
            "related": instance["sourceServerID"],
            "outcome": "started",
            "reason": "reverse-replication",
            "detail": f"new source server {REVERSED_ARN}",
        }
    ]
