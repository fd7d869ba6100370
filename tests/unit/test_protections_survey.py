"""Listing source networks and recovery instances as an operator sees it when something goes wrong:
the pages asked for, a listing DRS refuses (the report's surveyErrors and the log line), and claims
that cannot be read."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from drs_emulator.fleet import make_source_network
from reprotect.deadline import Deadline
from tests.unit.test_acts import logged, run
from tests.unit.test_engine import FakeCooldowns
from tests.unit.test_protections_run import ProtectingDrs, ec2_recovery


def denied(operation: str) -> Any:
    def refuse(**_: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, operation)

    return refuse


@pytest.mark.parametrize("operation", ["DescribeSourceNetworks", "DescribeRecoveryInstances"])
def test_a_refused_listing_is_reported_in_drs_words_and_logged(
    operation: str, caplog: pytest.LogCaptureFixture
) -> None:
    drs = ProtectingDrs([[]])
    drs.networks = [make_source_network("STOPPED", tags={})]
    drs.recovery_instances = [ec2_recovery("i-0aaaaaaaaaaaaaaa1")]
    setattr(
        drs,
        "describe_source_networks" if "Networks" in operation else "describe_recovery_instances",
        denied(operation),
    )

    report = run(drs, reverse_replication="on")

    assert report["surveyErrors"] == [
        {
            "operation": operation,
            "code": "AccessDeniedException",
            "message": f"An error occurred (AccessDeniedException) when calling the {operation} operation:"
            " no",
        }
    ]
    assert logged(caplog, "Listing failed") == [
        {
            "level": "ERROR",
            "message": "Listing failed",
            "service": "drs-reprotect",
            "operation": operation,
            "error_code": "AccessDeniedException",
            "exception_name": "ClientError",
        }
    ]
    assert report["sweepComplete"] is False


def two_pages(request: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The first and second of three items, then (asked with the token) the second again and the third:
    an item that moved between pages."""
    first, moved, last = items
    if "nextToken" not in request:
        return {"items": [first, moved], "nextToken": "page-2"}
    return {"items": [moved, last]}


class PagedNetworks(ProtectingDrs):
    """Source networks in two pages, the second named by a token; one network moved onto both."""

    def __init__(self) -> None:
        super().__init__([[]])
        self.networks = [make_source_network("STOPPED", tags={}) for _ in range(3)]
        self.requests: list[dict[str, Any]] = []

    def describe_source_networks(self, **request: Any) -> dict[str, Any]:
        if "filters" in request:
            return super().describe_source_networks(**request)
        self.requests.append(dict(request))
        return two_pages(request, self.networks)


def test_every_page_of_source_networks_is_asked_for_and_each_network_judged_once() -> None:
    drs = PagedNetworks()

    report = run(drs)

    assert drs.requests == [{"maxResults": 1000}, {"maxResults": 1000, "nextToken": "page-2"}]
    assert sorted(e["sourceNetworkID"] for e in report["sourceNetworks"]) == sorted(
        n["sourceNetworkID"] for n in drs.networks
    )
    assert (report["sourceNetworkCounts"]["started"], report["sourceNetworkCounts"]["examined"]) == (3, 3)


def test_claims_that_cannot_be_read_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    drs = ProtectingDrs([[]])
    drs.networks = [make_source_network("STOPPED", tags={})]
    claims = FakeCooldowns()
    claims.fail_reads = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchGetItem"
    )

    run(drs, claims=claims)

    assert logged(caplog, "Could not read claims") == [
        {
            "level": "ERROR",
            "message": "Could not read claims",
            "service": "drs-reprotect",
            "kind": "source-network",
            "error_code": "ProvisionedThroughputExceededException",
            "exception_name": "ClientError",
        }
    ]


class PagedInstances(ProtectingDrs):
    """Recovery instances in two pages, the second named by a token; one instance moved onto both."""

    def __init__(self) -> None:
        super().__init__([[]])
        self.recovery_instances = [ec2_recovery(f"i-0aaaaaaaaaaaaaaa{n}") for n in range(1, 4)]

    def describe_recovery_instances(self, **request: Any) -> dict[str, Any]:
        if "filters" in request:
            return super().describe_recovery_instances(**request)
        return two_pages(request, self.recovery_instances)


def test_every_page_of_recovery_instances_is_read_and_each_instance_reversed_once() -> None:
    drs = PagedInstances()

    report = run(drs, reverse_replication="on")

    assert sorted(drs.acted) == sorted(i["recoveryInstanceID"] for i in drs.recovery_instances)
    assert (report["recoveryInstanceCounts"]["started"], report["recoveryInstanceCounts"]["examined"]) == (
        3,
        3,
    )


def test_a_page_without_items_lists_nothing() -> None:
    drs = ProtectingDrs([[]])
    drs.describe_source_networks = lambda **_: {}  # type: ignore[method-assign]

    report = run(drs)

    assert (report["sourceNetworks"], report["sourceNetworkCounts"]["examined"]) == ([], 0)
    assert "surveyErrors" not in report


def test_a_dry_run_starts_no_source_network_and_says_it_would() -> None:
    drs = ProtectingDrs([[]])
    network = make_source_network("STOPPED", tags={})
    drs.networks = [network]

    report = run(drs, dry_run=True)

    assert [(e["outcome"], e["reason"]) for e in report["sourceNetworks"]] == [
        ("would-start", "replication-stopped")
    ]
    assert drs.acted == []


def test_claims_that_cannot_be_read_fail_each_target_in_the_tables_words() -> None:
    drs = ProtectingDrs([[]])
    network = make_source_network("STOPPED", tags={})
    drs.networks = [network]
    claims = FakeCooldowns()
    claims.fail_reads = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchGetItem"
    )

    report = run(drs, claims=claims)

    (entry,) = report["sourceNetworks"]
    assert (entry["outcome"], entry["reason"], entry["errorCode"], entry["detail"]) == (
        "failed",
        "cooldown-store-error",
        "ProvisionedThroughputExceededException",
        "An error occurred (ProvisionedThroughputExceededException) when calling the BatchGetItem operation:"
        " Unknown",
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class LatePages(PagedNetworks):
    """PagedNetworks whose first page takes the run past its deadline's margin."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def describe_source_networks(self, **request: Any) -> dict[str, Any]:
        page = super().describe_source_networks(**request)
        self.clock.now = 85.0  # 15 s left of 100, within the 20 s margin
        return page


def test_the_deadline_reached_while_listing_networks_acts_on_what_was_listed_and_stops_the_sweep() -> None:
    clock = Clock()
    drs = LatePages(clock)
    first, moved, _ = drs.networks

    report = run(drs, deadline=Deadline(ends_at=100.0, margin=20.0, clock=clock), reverse_replication="off")

    assert drs.requests == [{"maxResults": 1000}]  # the second page waits for the next run
    assert [e["sourceNetworkID"] for e in report["sourceNetworks"]] == sorted(
        [first["sourceNetworkID"], moved["sourceNetworkID"]]
    )
    assert report["sweepComplete"] is False
