"""What a scenario is, and running the selected ones in order.

A scenario is a module with a `SCENARIO`: a function that returns its figures, and one that turns
those figures into its section of docs/benchmarks.md. A scenario with `needs` reads the figures of
the scenarios it names instead of running anything (memory, cost and report size read the sweeps').
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bench.testbed import TestBed

Figures = dict[str, Any]  # every scenario's figures, by scenario name


@dataclass(frozen=True)
class Scenario:
    name: str  # its key in the figures, in BENCH_ONLY and in the targets' figure paths
    title: str  # its section heading
    measure: Callable[[TestBed, Figures], Any]  # its figures, from a run or from `needs`
    render: Callable[[Any], list[str]]  # its section's body, from its figures
    needs: tuple[str, ...] = ()


def run_scenarios(bed: TestBed, scenarios: Sequence[Scenario], only: Collection[str] | None) -> Figures:
    """The figures of every scenario `only` names (all when None), and of every one whose needs ran."""
    figures: Figures = {}
    for scenario in scenarios:
        if scenario.needs:
            wanted = all(name in figures for name in scenario.needs)
        else:
            wanted = only is None or scenario.name in only
        if wanted:
            figures[scenario.name] = scenario.measure(bed, figures)
    return figures


def progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)
