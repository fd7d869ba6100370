"""The DR lifecycle rules as pure functions, each at its boundary, and the diagnosis table's coverage."""

from __future__ import annotations

import botocore.session
import pytest

from drs_emulator.fleet import make_recovery_instance, make_server
from reprotect import diagnosis, lifecycle
from reprotect.outcomes import Reason
from reprotect.recovery import RecoveryInstance

NOW = 1_800_000_000
HOUR = 3600
MODEL = botocore.session.get_session().get_service_model("drs")


def instance(**options: object) -> RecoveryInstance:
    return RecoveryInstance.from_api(make_recovery_instance(**options))  # type: ignore[arg-type]


# ---- failed over -------------------------------------------------------------------------------


def test_a_drill_is_not_a_failover_and_a_real_recovery_is() -> None:
    server = make_server("STOPPED")
    drill = instance(source_server=server, is_drill=True)
    real = instance(source_server=server, is_drill=False, recovery_instance_id="i-0123456789abcdef0")

    assert lifecycle.failed_over(server, [drill]) is None
    detail = lifecycle.failed_over(server, [drill, real])
    assert detail == (
        "failed over to recovery instance i-0123456789abcdef0 (not a drill, EC2 RUNNING): failback or"
        " reverse replication re-protects it, not StartReplication"
    )


@pytest.mark.parametrize(
    ("ec2_state", "holds"),
    [("RUNNING", True), ("STOPPED", True), ("PENDING", True), ("SHUTTING-DOWN", False), ("TERMINATED", False),
     ("NOT_FOUND", False)],
)  # fmt: skip
def test_a_recovery_instance_that_no_longer_exists_holds_no_workload(ec2_state: str, holds: bool) -> None:
    assert lifecycle.holds_workload(instance(ec2_state=ec2_state)) is holds


def test_a_completed_failback_gives_the_workload_back_to_the_source() -> None:
    def real(failback: str) -> RecoveryInstance:
        return RecoveryInstance(
            "i-0123456789abcdef0", "s-0000000000000000a", False, "RUNNING", failback, None, None
        )

    back, under_way = real("FAILBACK_COMPLETED"), real("FAILBACK_IN_PROGRESS")

    assert not lifecycle.holds_workload(back)
    assert lifecycle.holds_workload(under_way)


def test_an_instance_drs_does_not_call_a_drill_counts_as_a_real_recovery() -> None:
    item = make_recovery_instance(is_drill=True)
    del item["isDrill"]

    assert RecoveryInstance.from_api(item).is_drill is False


@pytest.mark.parametrize(
    ("launch", "status", "failed_over"),
    [("RECOVERY", "IN_PROGRESS", True), ("RECOVERY", "PENDING", True), ("RECOVERY", "LAUNCHED", False),
     ("DRILL", "IN_PROGRESS", False), (None, "LAUNCHED", False)],
)  # fmt: skip
def test_a_recovery_launch_under_way_is_a_failover_even_before_its_instance_exists(
    launch: str | None, status: str, failed_over: bool
) -> None:
    server = make_server("STOPPED", last_launch=launch, last_launch_status=status)

    detail = lifecycle.failed_over(server, [])

    assert (detail is not None) is failed_over
    if failed_over:
        assert detail is not None
        assert detail.startswith("a recovery launch is under way (job drsjob-")


def test_a_failover_whose_ec2_state_or_job_drs_does_not_give_says_unknown_word_for_word() -> None:
    server = make_server("STOPPED", last_launch="RECOVERY", last_launch_status="PENDING")
    del server["lifeCycle"]["lastLaunch"]["initiated"]["jobID"]
    stateless = RecoveryInstance("i-0123456789abcdef0", "s-0000000000000000a", False, None, None, None, None)

    assert lifecycle.failed_over(server, [stateless]) == (
        "failed over to recovery instance i-0123456789abcdef0 (not a drill, EC2 state unknown): failback or"
        " reverse replication re-protects it, not StartReplication"
    )
    assert lifecycle.failed_over(server, []) == (
        "a recovery launch is under way (job unknown, PENDING): failback or reverse replication re-protects"
        " it, not StartReplication"
    )


# ---- restart loops ------------------------------------------------------------------------------


def test_the_third_stop_in_a_day_is_restarted_and_the_fourth_is_flapping() -> None:
    two = [NOW - 5 * HOUR, NOW - 3 * HOUR]
    three = [*two, NOW - HOUR]

    assert lifecycle.flapping(two, NOW, limit=3) is None
    detail = lifecycle.flapping(three, NOW, limit=3)
    assert detail == (
        "started 3 times in 24 hours (2027-01-15T03:00:00Z, 2027-01-15T05:00:00Z, 2027-01-15T07:00:00Z)"
        " and stopped again (MAX_RESTARTS_PER_DAY=3)"
    )


def test_starts_older_than_a_day_do_not_count_and_zero_means_no_limit() -> None:
    old = NOW - 24 * HOUR  # exactly a day ago: out of the window
    starts = [old, NOW - 2 * HOUR, NOW - HOUR]

    assert lifecycle.recent(starts, NOW) == (NOW - 2 * HOUR, NOW - HOUR)
    assert lifecycle.flapping(starts, NOW, limit=3) is None
    assert lifecycle.flapping([NOW - i for i in range(1, 500)], NOW, limit=0) is None


# ---- the replicating-server limit ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "counts"),
    [("STOPPED", False), ("DISCONNECTED", False), ("CONTINUOUS", True), ("STALLED", True), ("PAUSED", True),
     ("INITIATING", True), ("BACKLOG", True)],
)  # fmt: skip
def test_every_server_not_stopped_or_disconnected_counts_as_replicating(state: str, counts: bool) -> None:
    assert lifecycle.replicating(make_server(state)) is counts


def test_an_unknown_state_counts_as_replicating() -> None:
    server = make_server("CONTINUOUS")
    server["dataReplicationInfo"]["dataReplicationState"] = "SOMETHING_NEW"

    assert lifecycle.replicating(server)


@pytest.mark.parametrize(("replicating_now", "left"), [(298, 2), (299, 1), (300, 0), (305, 0)])
def test_places_left_under_the_limit(replicating_now: int, left: int) -> None:
    assert lifecycle.places(300, replicating_now) == left


# ---- lag -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT0S", 0), ("PT2H5S", 7205), ("P1DT2H", 93_600), ("PT1.5S", 1.5), ("P1W", 604_800), ("PT90M", 5400)],
)
def test_iso_8601_durations(text: str, seconds: float) -> None:
    assert lifecycle.duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "2 hours", "PT-5S", None, 7200])
def test_what_is_not_a_duration_is_not_judged(text: object) -> None:
    assert lifecycle.duration_seconds(text) is None
    assert lifecycle.lagging({"dataReplicationState": "CONTINUOUS", "lagDuration": text}, 60) is None


# ---- diagnoses -----------------------------------------------------------------------------------


def test_every_drs_error_code_and_initiation_step_has_its_own_diagnosis() -> None:
    # The model's enums are the source of truth: a code DRS adds shows up here first.
    codes = MODEL.shape_for("DataReplicationErrorString").enum
    steps = MODEL.shape_for("DataReplicationInitiationStepName").enum

    assert (len(codes), len(steps)) == (14, 11)
    assert sorted(diagnosis.ERRORS) == sorted(codes)
    assert sorted(diagnosis.STEPS) == sorted(steps)
    assert len(set(diagnosis.ERRORS.values())) == 14  # no two codes share a line


@pytest.mark.parametrize(
    "reason",
    [Reason.FLAPPING, Reason.LAGGING, Reason.DISCONNECTED, Reason.PAUSED, Reason.STALLED,
     Reason.INITIATION_FAILED, Reason.START_UNCONFIRMED, Reason.UNKNOWN_STATE],
)  # fmt: skip
def test_every_reason_a_person_is_told_about_has_a_diagnosis(reason: Reason) -> None:
    line = diagnosis.diagnose(reason)

    assert line == diagnosis.REASONS[reason]
    assert 40 < len(line) < 300


def test_the_tools_own_judgments_speak_for_themselves_over_drs_error_codes() -> None:
    assert diagnosis.diagnose(Reason.FLAPPING, error="AGENT_NOT_SEEN") == diagnosis.REASONS[Reason.FLAPPING]
    assert diagnosis.diagnose(Reason.STALLED, error="AGENT_NOT_SEEN") == diagnosis.ERRORS["AGENT_NOT_SEEN"]
    lost = diagnosis.diagnose(Reason.START_UNCONFIRMED, error="ReadTimeoutError")  # the API's code, not DRS's
    assert lost == diagnosis.REASONS[Reason.START_UNCONFIRMED]
    step = diagnosis.diagnose(
        Reason.INITIATION_FAILED, error="FAILED_TO_BOOT_REPLICATION_SERVER", step="WAIT"
    )
    assert step == diagnosis.STEPS["WAIT"]


def test_an_unknown_code_quotes_a_bounded_part_of_drs_text() -> None:
    line = diagnosis.diagnose(Reason.STALLED, error="SOMETHING_NEW", raw="x" * 5000)

    assert line.startswith("DRS reports SOMETHING_NEW: xxx")
    assert len(line) < 300


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0h00m00s"), (59.9, "0h00m59s"), (3599, "0h59m59s"), (18_000, "5h00m00s"), (93_784, "26h03m04s")],
)
def test_a_span_reads_as_hours_minutes_and_seconds(seconds: float, text: str) -> None:
    assert lifecycle.span(seconds) == text
