"""The rollout arithmetic behind docs/organization.md: concurrency, tolerance, waves and duration."""

from __future__ import annotations

import pytest

from infra.org import preferences
from infra.org.preferences import OperationPreferences
from infra.org.rollout import main, plan

SOFT, STRICT = "SOFT_FAILURE_TOLERANCE", "STRICT_FAILURE_TOLERANCE"


def test_500_accounts_in_17_regions_at_the_default_preferences_take_four_waves() -> None:
    p = plan(500, 17, preferences.MEMBERS, 4.0)

    assert (p.concurrency, p.tolerated, p.waves, p.instances, p.in_flight) == (125, 50, 4, 8500, 2125)
    assert p.minutes == 16.0


@pytest.mark.parametrize(
    ("accounts", "percentage", "concurrency"),
    [(10, 25, 2), (3, 25, 1), (1, 1, 1), (500, 100, 500), (499, 25, 124)],
)
def test_concurrency_is_the_percentage_rounded_down_but_at_least_one(
    accounts, percentage, concurrency
) -> None:
    assert (
        plan(accounts, 1, OperationPreferences(percentage, 0, "PARALLEL", SOFT), 1).concurrency == concurrency
    )


def test_strict_mode_caps_concurrency_at_one_more_than_the_failures_tolerated() -> None:
    strict = plan(500, 17, OperationPreferences(25, 10, "PARALLEL", STRICT), 4.0)
    none_tolerated = plan(500, 17, OperationPreferences(100, 0, "PARALLEL", STRICT), 4.0)

    assert (strict.concurrency, strict.waves, strict.minutes) == (51, 10, 40.0)
    assert (none_tolerated.concurrency, none_tolerated.waves) == (1, 500)


def test_sequential_regions_add_up_and_parallel_regions_overlap() -> None:
    parallel = plan(500, 17, OperationPreferences(25, 10, "PARALLEL", SOFT), 4.0)
    sequential = plan(500, 17, OperationPreferences(25, 10, "SEQUENTIAL", SOFT), 4.0)

    assert sequential.minutes == 17 * parallel.minutes == 272.0
    assert (sequential.in_flight, parallel.in_flight) == (125, 2125)


def test_the_canary_of_five_accounts_is_one_wave_and_stops_at_its_first_failure() -> None:
    canary = plan(5, 17, preferences.CANARY, 4.0)

    assert (canary.concurrency, canary.tolerated, canary.waves, canary.minutes) == (5, 0, 1, 4.0)


def test_an_operation_without_accounts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one account"):
        plan(0, 17, preferences.MEMBERS, 4.0)


def test_the_command_prints_the_plan(capsys) -> None:
    assert main(["--accounts", "500", "--regions", "17", "--minutes", "4"]) == 0

    out = capsys.readouterr().out
    assert "500 accounts x 17 regions = 8,500 stack instances, 4 min each (assumed)." in out
    assert "125 accounts at once in each region, 2,125 in flight, 4 waves: 16 min." in out
    assert (
        "| members (default): 25% at once, 10% tolerated, parallel, soft | 125 | 50 | 4 | 2,125 | 16 min |"
        in out
    )
    assert (
        "| region by region: 25% at once, 10% tolerated, sequential, soft | 125 | 50 | 4 | 125 | 4 h 32 min |"
        in out
    )
