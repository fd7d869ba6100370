"""Source networks and reversals inside a run, over in-memory fakes: the calls share the start workers'
bound on DRS calls, ambiguous answers are settled, a retry reports its earlier attempt's work, and a
claim store that fails holds its targets."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
from reprotect import engine
from reprotect.config import Config
from reprotect.deadline import Deadline
from reprotect.events import RunRequest, Trigger
from reprotect.journal import NoJournal
from reprotect.services import Services
from tests.unit.test_engine import SWEEP, FakeCooldowns, FakeDrs, server

REVERSED_ARN = "arn:aws:drs:eu-west-1:111122223333:source-server/s-rrrrrrrrrrrrrrrrr"


class FakeJournal:
    def __init__(self, earlier: frozenset[str] = frozenset()) -> None:
        self.earlier = earlier
        self.intended: list[str] = []

    def earlier_intents(self) -> frozenset[str]:
        return self.earlier

    def intend(self, ids: Any, now: int) -> None:
        self.intended += list(ids)


class ProtectingDrs(FakeDrs):
    """FakeDrs with source networks and recovery instances: their listings, starts and reversals,
    counted together with StartReplication in flight."""

    def __init__(self, pages: Any, *, call_seconds: float = 0.0) -> None:
        super().__init__(pages, call_seconds=call_seconds)
        self.networks: list[dict[str, Any]] = []
        self.acted: list[str] = []
        self.reverse_errors: dict[str, Exception] = {}
        self.calls: list[str] = []

    def describe_source_networks(self, **request: Any) -> dict[str, Any]:
        self.calls.append("DescribeSourceNetworks")
        wanted = request.get("filters", {}).get("sourceNetworkIDs")
        return {"items": [n for n in self.networks if wanted is None or n["sourceNetworkID"] in wanted]}

    def describe_recovery_instances(self, **request: Any) -> dict[str, Any]:
        self.calls.append("DescribeRecoveryInstances")
        wanted = request.get("filters", {}).get("recoveryInstanceIDs")
        if "sourceServerIDs" in request.get("filters", {}):
            return super().describe_recovery_instances(**request)
        return {
            "items": [
                i for i in self.recovery_instances if wanted is None or i["recoveryInstanceID"] in wanted
            ]
        }

    def _busy(self, target: str, change: Any) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.call_seconds)
            with self._lock:
                self.acted.append(target)
                change()
        finally:
            with self._lock:
                self.in_flight -= 1

    def start_source_network_replication(self, sourceNetworkID: str) -> dict[str, Any]:
        network = next(n for n in self.networks if n["sourceNetworkID"] == sourceNetworkID)
        self._busy(sourceNetworkID, lambda: network.update(replicationStatus="IN_PROGRESS"))
        return {"sourceNetwork": network}

    def reverse_replication(self, recoveryInstanceID: str) -> dict[str, Any]:
        instance = next(i for i in self.recovery_instances if i["recoveryInstanceID"] == recoveryInstanceID)
        self._busy(
            recoveryInstanceID,
            lambda: instance["dataReplicationInfo"].update(dataReplicationState="INITIATING"),
        )
        if recoveryInstanceID in self.reverse_errors:  # DRS reversed it, but the answer is lost
            raise self.reverse_errors[recoveryInstanceID]
        return {"reversedDirectionSourceServerArn": REVERSED_ARN}


def run(drs: ProtectingDrs, *, journal: Any = None, claims: Any = None, **config: Any) -> dict[str, Any]:
    services = Services(
        drs=drs,
        starts=drs,
        cooldown=FakeCooldowns(),
        journal=journal or NoJournal(),
        network_claims=claims or FakeCooldowns(),
        reverse_claims=claims or FakeCooldowns(),
    )
    report = engine.run(
        SWEEP, Config(None, None, **config), services, run_id="run-1", deadline=Deadline.after(300)
    )
    return report.to_dict()


def ec2_recovery(instance_id: str) -> dict[str, Any]:
    return make_recovery_instance(make_server("STOPPED", ec2_origin=True), recovery_instance_id=instance_id)


def test_network_starts_and_reversals_share_the_bound_on_drs_calls_with_server_starts() -> None:
    # Given servers, networks and recovery instances to act on, slow calls, and MAX_CONCURRENCY=2
    drs = ProtectingDrs([[server(i) for i in range(1, 5)]], call_seconds=0.05)
    drs.networks = [make_source_network("STOPPED", tags={}) for _ in range(4)]
    drs.recovery_instances = [ec2_recovery(f"i-{i:017x}") for i in range(1, 5)]

    report = run(drs, max_concurrency=2, reverse_replication="on")

    # Then all twelve happened, never more than two DRS calls at once, whatever their kind
    assert report["counts"]["started"] == 4
    assert report["sourceNetworkCounts"]["started"] == 4
    assert report["recoveryInstanceCounts"]["started"] == 4
    assert len(drs.acted) == 8
    assert drs.most_in_flight <= 2


def test_a_reversal_whose_answer_was_lost_is_settled_by_what_drs_shows() -> None:
    drs = ProtectingDrs([[]])
    drs.recovery_instances = [ec2_recovery("i-0aaaaaaaaaaaaaaa1")]
    drs.reverse_errors["i-0aaaaaaaaaaaaaaa1"] = ReadTimeoutError(endpoint_url="https://drs")
    claims = FakeCooldowns()

    report = run(drs, claims=claims, reverse_replication="on")

    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["reason"]) == ("started", "reverse-replication")
    assert entry["detail"] == "ReverseReplication answered ReadTimeoutError, but DRS shows INITIATING"
    assert claims.confirmed == ["i-0aaaaaaaaaaaaaaa1"]  # its claim holds it: never asked twice


def test_a_retry_reports_its_earlier_attempts_work_and_does_only_what_it_never_did() -> None:
    # Given an earlier attempt of this event that started one network and reversed one instance, and
    # set out to start another network it never reached
    done, undone = make_source_network("IN_PROGRESS"), make_source_network("STOPPED", tags={})
    reversed_ = ec2_recovery("i-0aaaaaaaaaaaaaaa1")
    reversed_["dataReplicationInfo"]["dataReplicationState"] = "INITIATING"
    drs = ProtectingDrs([[]])
    drs.networks = [done, undone]
    drs.recovery_instances = [reversed_]
    earlier = frozenset({done["sourceNetworkID"], undone["sourceNetworkID"], "i-0aaaaaaaaaaaaaaa1"})
    claims = FakeCooldowns()

    report = run(drs, journal=FakeJournal(earlier), claims=claims, reverse_replication="on")

    # Then what it did is started (its claims confirmed now), and only the undone network is called
    outcomes = {e["sourceNetworkID"]: (e["outcome"], e.get("detail")) for e in report["sourceNetworks"]}
    assert outcomes[done["sourceNetworkID"]] == ("started", "started by an earlier attempt of this event")
    assert outcomes[undone["sourceNetworkID"]] == ("started", None)
    (entry,) = report["recoveryInstances"]
    assert (entry["outcome"], entry["detail"]) == ("started", "started by an earlier attempt of this event")
    assert drs.acted == [undone["sourceNetworkID"]]
    assert sorted(claims.confirmed) == sorted(earlier)


def test_claims_that_cannot_be_read_hold_every_target_and_nothing_is_called() -> None:
    drs = ProtectingDrs([[]])
    drs.networks = [make_source_network("STOPPED", tags={})]
    claims = FakeCooldowns()
    claims.fail_reads = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchGetItem"
    )

    report = run(drs, claims=claims)

    (entry,) = report["sourceNetworks"]
    assert (entry["outcome"], entry["reason"]) == ("failed", "cooldown-store-error")
    assert drs.acted == []
    assert report["status"] == "failed"


def test_the_cap_bounds_each_kind_of_start_on_its_own() -> None:
    drs = ProtectingDrs([[server(1), server(2)]])
    drs.networks = [make_source_network("STOPPED", tags={}) for _ in range(3)]

    report = run(drs, max_starts_per_run=2)

    assert report["counts"]["started"] == 2
    assert report["sourceNetworkCounts"]["started"] == 2
    (deferred,) = [e for e in report["sourceNetworks"] if e["outcome"] == "deferred"]
    assert (deferred["reason"], deferred["detail"]) == ("max-starts-per-run", "MAX_STARTS_PER_RUN=2 reached")


def test_a_listing_that_fails_is_a_survey_error_and_the_rest_of_the_run_goes_on() -> None:
    drs = ProtectingDrs([[server(1)]])

    def denied(**_: Any) -> dict[str, Any]:
        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeSourceNetworks"
        )

    drs.describe_source_networks = denied  # type: ignore[method-assign]

    report = run(drs)

    assert report["surveyErrors"][0]["operation"] == "DescribeSourceNetworks"
    assert report["surveyErrors"][0]["code"] == "AccessDeniedException"
    assert report["counts"]["started"] == 1
    assert (report["sweepComplete"], report["status"]) == (False, "partial-failure")


def test_a_run_about_given_servers_looks_at_no_network_or_recovery_instance() -> None:
    drs = ProtectingDrs([[server(1, "CONTINUOUS")]])
    drs.networks = [make_source_network("STOPPED", tags={})]
    targeted = RunRequest(Trigger("alarm"), "k", ("s-00000000000000001",))
    services = Services(drs=drs, starts=drs, cooldown=FakeCooldowns(), journal=NoJournal())

    engine.run(
        targeted,
        Config(None, None, reverse_replication="on"),
        services,
        run_id="r",
        deadline=Deadline.after(300),
    )

    assert drs.calls == []
