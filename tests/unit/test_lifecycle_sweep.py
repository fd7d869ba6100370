"""The lifecycle rules inside a run, over in-memory fakes: what the executor looks up, and for whom."""

from __future__ import annotations

import time
from typing import Any

import pytest

from drs_emulator.fleet import make_recovery_instance
from reprotect.cooldown import Cooling
from reprotect.deadline import Deadline
from reprotect.events import RunRequest, Trigger
from tests.unit.test_acts import logged
from tests.unit.test_engine import FakeClock, FakeCooldowns, FakeDrs, client_error, outcomes, run, server

INSTANCE = "i-0123456789abcdef0"


def recovered(number: int, *, drill: bool, state: str = "STOPPED") -> tuple[dict[str, Any], dict[str, Any]]:
    """A server that names its recovery instance, and that instance."""
    source = server(number, state, recoveryInstanceId=f"i-{number:017x}")
    instance = make_recovery_instance(source, recovery_instance_id=f"i-{number:017x}", is_drill=drill)
    return source, instance


def test_a_real_recovery_is_skipped_as_failed_over_and_a_drill_is_started() -> None:
    # Given two stopped servers, one recovered for real and one only drilled
    real, real_instance = recovered(1, drill=False)
    drilled, drill_instance = recovered(2, drill=True)
    drs = FakeDrs([[real, drilled, server(3)]])
    drs.recovery_instances = [real_instance, drill_instance]

    report = run(drs, FakeCooldowns())

    assert outcomes(report) == {
        "s-00000000000000001": ("skipped", "failed-over"),
        "s-00000000000000002": ("started", "replication-stopped"),
        "s-00000000000000003": ("started", "replication-stopped"),
    }
    detail = report["servers"][-1]["detail"]
    assert detail.startswith(
        "failed over to recovery instance i-00000000000000001 (not a drill, EC2 RUNNING)"
    )
    # One lookup for the page, naming only the candidates that name a recovery instance
    assert drs.recovery_requests == [["s-00000000000000001", "s-00000000000000002"]]


def test_recovery_instances_are_looked_up_200_servers_a_call_per_page_and_only_for_candidates() -> None:
    # Given 450 stopped servers naming a recovery instance over two pages, and healthy ones that do too
    first = [server(i, recoveryInstanceId=f"i-{i:017x}") for i in range(1, 301)]
    second = [server(i, recoveryInstanceId=f"i-{i:017x}") for i in range(301, 451)]
    healthy = [server(i, "CONTINUOUS", recoveryInstanceId=f"i-{i:017x}") for i in range(451, 500)]
    drs = FakeDrs([first + healthy, second])

    run(drs, FakeCooldowns(), max_starts_per_run=4000, replicating_server_limit=10_000)

    assert [len(ids) for ids in drs.recovery_requests] == [200, 100, 150]
    asked = {sid for ids in drs.recovery_requests for sid in ids}
    assert not asked & {s["sourceServerID"] for s in healthy}


def test_no_candidate_names_a_recovery_instance_no_lookup() -> None:
    drs = FakeDrs([[server(1), server(2, "CONTINUOUS", recoveryInstanceId=INSTANCE)]])

    run(drs)

    assert drs.recovery_requests == []


def test_unreadable_recovery_instances_hold_only_the_servers_that_name_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    named, _ = recovered(1, drill=True)
    drs = FakeDrs([[named, server(2)]])

    def denied(**_: Any) -> dict[str, Any]:
        raise client_error("AccessDeniedException")

    drs.describe_recovery_instances = denied  # type: ignore[method-assign]

    report = run(drs, FakeCooldowns())

    assert outcomes(report) == {
        "s-00000000000000001": ("failed", "recovery-lookup-failed"),
        "s-00000000000000002": ("started", "replication-stopped"),
    }
    assert report["status"] == "partial-failure"
    assert logged(caplog, "Could not describe recovery instances") == [
        {
            "level": "ERROR",
            "message": "Could not describe recovery instances",
            "service": "drs-reprotect",
            "error_code": "AccessDeniedException",
            "exception_name": "ClientError",
        }
    ]


def test_the_limit_exactly_reached_defers_the_rest_with_the_reason() -> None:
    # Given 297 replicating servers (on the last page, after the candidates) and a limit of 300
    candidates = [server(i) for i in range(1, 6)]
    replicating = [server(i, "CONTINUOUS") for i in range(6, 303)]
    drs, cooldowns = FakeDrs([candidates, replicating]), FakeCooldowns()

    report = run(drs, cooldowns, replicating_server_limit=300)

    # Then three are started (297 + 3 = 300) and two wait, with no cooldown read for them
    assert len(drs.started) == 3
    deferred = [s for s in report["servers"] if s["outcome"] == "deferred"]
    assert {s["reason"] for s in deferred} == {"replicating-limit"}
    assert len(deferred) == 2
    assert [len(read) for read in cooldowns.reads] == [3]


def test_disconnected_and_stopped_servers_do_not_count_and_failed_starts_give_their_place_back() -> None:
    drs = FakeDrs([[server(1), server(2), server(3, "DISCONNECTED"), server(4, "STALLED")]])
    drs.errors["s-00000000000000001"] = client_error("InternalServerException")

    report = run(drs, replicating_server_limit=2)  # one replicating (STALLED): one place

    assert drs.started == ["s-00000000000000002"]
    assert outcomes(report)["s-00000000000000001"] == ("failed", "start-failed")


class FilteringDrs(FakeDrs):
    """Answers a describe filtered by ids with those servers; `describe_calls` counts the fleet's pages."""

    def __init__(self, pages: list[list[dict[str, Any]]]) -> None:
        super().__init__(pages)
        self.filtered_calls = 0

    def describe_source_servers(self, **request: Any) -> dict[str, Any]:
        wanted = request.get("filters", {}).get("sourceServerIDs")
        if wanted is None:
            return super().describe_source_servers(**request)
        self.filtered_calls += 1
        return {"items": [s for page in self.pages for s in page if s["sourceServerID"] in wanted]}


def test_a_targeted_run_counts_the_whole_fleet_but_only_when_it_has_a_candidate() -> None:
    # Given a fleet of 11 on two pages, 10 of them replicating, and a limit of 10
    fleet = [server(1), *[server(i, "CONTINUOUS") for i in range(2, 12)]]
    drs = FilteringDrs([fleet[:5], fleet[5:]])

    report = run(
        drs, request=RunRequest(Trigger("manual"), "k", ("s-00000000000000001",)), replicating_server_limit=10
    )

    # Then the stopped server waits for a place, after one filtered describe and the fleet's two pages
    assert outcomes(report) == {"s-00000000000000001": ("deferred", "replicating-limit")}
    assert (drs.filtered_calls, drs.describe_calls) == (1, 2)

    # And a run asked about a healthy server counts nothing
    healthy = FilteringDrs([fleet[:5], fleet[5:]])
    run(healthy, request=RunRequest(Trigger("manual"), "k", ("s-00000000000000002",)))
    assert (healthy.filtered_calls, healthy.describe_calls) == (1, 0)


def test_a_server_started_three_times_today_needs_a_person_and_costs_no_write() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2)]]), FakeCooldowns()
    now = int(time.time())
    cooldowns.starts["s-00000000000000001"] = (now - 7200, now - 3600, now - 1800)
    cooldowns.starts["s-00000000000000002"] = (now - 7200, now - 3600)

    report = run(drs, cooldowns)

    assert outcomes(report) == {
        "s-00000000000000001": ("attention", "flapping"),
        "s-00000000000000002": ("started", "replication-stopped"),
    }
    assert set(cooldowns.claims) == {"s-00000000000000002"}
    assert report["status"] == "attention"


def test_cooling_servers_still_read_once_per_batch() -> None:
    drs, cooldowns = FakeDrs([[server(1), server(2)]]), FakeCooldowns()
    cooldowns.cooling["s-00000000000000001"] = Cooling("2026-11-27T07:00:00Z")

    report = run(drs, cooldowns)

    assert outcomes(report)["s-00000000000000001"] == ("skipped", "cooldown")
    assert cooldowns.reads == [["s-00000000000000001", "s-00000000000000002"]]


def test_a_targeted_run_whose_count_runs_out_of_time_starts_nothing_and_says_so() -> None:
    clock = FakeClock()
    deadline = Deadline.after(100, clock)  # margin 20: reached once 80 s have passed
    drs = FilteringDrs([[server(1), server(2, "CONTINUOUS")], [server(3, "CONTINUOUS")]])

    def slow_pages(index: int) -> None:
        clock.now += 50  # each page of the fleet takes 50 s

    drs.on_describe = slow_pages

    report = run(drs, request=RunRequest(Trigger("manual"), "k", ("s-00000000000000001",)), deadline=deadline)

    assert drs.started == []
    assert outcomes(report) == {"s-00000000000000001": ("deferred", "deadline")}
    assert report["sweepComplete"] is False
    assert report["status"] == "partial-failure"
