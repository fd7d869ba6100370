"""The targets table and the one function that judges a row: pure, no runs."""

from __future__ import annotations

from bench.scenarios import SCENARIOS
from bench.targets import COMPARISONS, TARGETS, Target, judge, sentence


def test_every_row_reads_a_scenario_figure_with_a_known_comparison() -> None:
    names = {scenario.name for scenario in SCENARIOS}
    for target in TARGETS:
        assert target.figure.split(".")[0] in names, target.name
        assert target.comparison in COMPARISONS, target.name


def test_a_figure_is_found_by_its_path_with_sizes_as_numbers() -> None:
    target = Target("t", "sweep.1000.speedup", ">=", 7, "at least 7x")

    judged = judge(target, {"sweep": {1000: {"speedup": 8.5}}})

    assert judged is not None
    assert (judged.value, judged.met) == (8.5, True)


def test_a_figure_the_run_did_not_measure_is_not_judged() -> None:
    target = Target("t", "sweep.4000.speedup", ">=", 7, "at least 7x")

    assert judge(target, {"sweep": {1000: {"speedup": 8.5}}}) is None
    assert judge(target, {}) is None


def test_a_measured_figure_of_none_misses() -> None:
    target = Target("t", "report.4000.bytes", "<", 262_144, "under 262,144 bytes")

    judged = judge(target, {"report": {4000: {"bytes": None}}})

    assert judged is not None
    assert judged.met is False


def test_the_section_sentence_groups_targets_by_where_and_gives_value_and_verdict() -> None:
    figures = {"sweep": {1000: {"speedup": 6.0, "sweepOverIdeal": 1.2}}}

    (line, blank) = sentence("sweep", figures)

    assert line == (
        "Targets at 1,000 servers: at least 7x the baseline: 6.0x, **missed**;"
        " within 1.5x the ideal: 1.20x, met."
    )
    assert blank == ""
