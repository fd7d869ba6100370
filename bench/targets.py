"""The targets, as data: a new target is a new row of `TARGETS`.

A row names the figure it reads as a dotted path into the figures (`sweep.1000.speedup` is the
sweep scenario's figure `speedup` at 1,000 servers); its section is the path's first part.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.markdown import table, verdict
from bench.settings import SNS_LIMIT

COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Target:
    name: str
    figure: str  # dotted path into the figures
    comparison: str  # a key of COMPARISONS: figure <comparison> threshold
    threshold: float
    wording: str  # the words
    where: str = ""  # the conditions, as the sentence in the section gives them
    shown: Callable[[Any], str] = str  # the figure, in the sentence and the summary


def _mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


# The throttled shapes the targets hold for, and how their sentences name them.
_LIMITERS = (
    ("strict", "with the pacer, a strict bucket (burst 1), no Retry-After"),
    ("strict-hint", "with the pacer, a strict bucket, Retry-After"),
    ("bursty", "with the pacer, a bursty bucket (burst 10), no Retry-After"),
    ("bursty-hint", "with the pacer, a bursty bucket, Retry-After"),
)

# Each row: name, figure, comparison, threshold / the wording / where, how the figure reads.
TARGETS: tuple[Target, ...] = (
    Target("speed-up", "sweep.1000.speedup", ">=", 7,
           "at least 7x the baseline",
           "at 1,000 servers", "{:.1f}x".format),
    Target("near the ideal", "sweep.1000.sweepOverIdeal", "<=", 1.5,
           "within 1.5x the ideal",
           "at 1,000 servers", "{:.2f}x".format),
    *(
        target
        for limiter, where in _LIMITERS
        for target in (
            Target(f"share of the limit, {limiter}", f"throttled.{limiter}.pacer.shareOfLimit", ">=", 0.9,
                   "at least 90% of what the limiter allows",
                   where, "{:.0%}".format),
            Target(f"few refusals, {limiter}", f"throttled.{limiter}.pacer.refusedPerStart", "<=", 0.5,
                   "at most 0.5 refused calls per start",
                   where, "{:.2f}".format),
            Target(f"all started, {limiter}", f"throttled.{limiter}.pacer.notStarted", "==", 0,
                   "every server started, nothing failed or deferred",
                   where, "{} not started".format),
        )
    ),
    Target("nothing failed as the limit fell", "throttled.drop.pacer.failed", "==", 0,
           "no server failed",
           "with the pacer, the limit falling from 10/s to 3/s", "{} failed".format),
    Target("follows a falling limit", "throttled.drop.pacer.followSeconds", "<=", 5,
           "the rate follows the new limit within 5 s",
           "with the pacer, the limit falling from 10/s to 3/s", "{:.1f} s".format),
    Target("memory", "memory.4000.handlerPeakBytes", "<=", 100_000_000,
           "at most 100 MB",
           "at 4,000 servers", _mib),
    Target("cold start", "cold.ratio", "<=", 1.5,
           "at most 1.5x the plain script",
           "", "{:.2f}x".format),
    Target("no reads for untouched servers", "cost.notStartedServersAsked", "==", 0,
           "no DynamoDB request for servers not started",
           "", "{} asked about".format),
    Target("writes per start", "cost.writesPerStarted", "<=", 2,
           "at most 2 writes per started server plus a constant per run",
           "", "{:.2f}".format),
    Target("report fits SNS", "report.4000.bytes", "<", SNS_LIMIT,
           f"under {SNS_LIMIT:,} bytes",
           "at 4,000 servers", "{:,} bytes".format),
)  # fmt: skip


@dataclass(frozen=True)
class Judged:
    target: Target
    value: Any
    met: bool


def judge(target: Target, figures: Mapping[str, Any]) -> Judged | None:
    """The target against its figure; None when the run did not measure it (a None figure misses)."""
    value: Any = figures
    for part in target.figure.split("."):
        key = int(part) if part.isdigit() else part
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    met = value is not None and COMPARISONS[target.comparison](value, target.threshold)
    return Judged(target, value, met)


def judged(section: str | None, figures: Mapping[str, Any]) -> list[Judged]:
    """The measured targets of one section (of every section when None), in table order."""
    found = (judge(t, figures) for t in TARGETS if section in (None, t.figure.split(".")[0]))
    return [j for j in found if j is not None]


def sentence(section: str, figures: Mapping[str, Any]) -> list[str]:
    """The section's closing lines: each target in its words, the figure and the verdict."""
    lines = []
    found = judged(section, figures)
    for where in dict.fromkeys(j.target.where for j in found):
        group = [j for j in found if j.target.where == where]
        parts = [f"{j.target.wording}: {_shown(j)}, {verdict(j.met)}" for j in group]
        label = "Targets" if len(group) > 1 else "Target"
        lines += [f"{label}{' ' + where if where else ''}: {'; '.join(parts)}.", ""]
    return lines


def summary(figures: Mapping[str, Any]) -> list[str]:
    """Every target the run measured, in one table."""
    rows = [
        [j.target.name, _wanted(j.target), _test(j.target), _shown(j), verdict(j.met)]
        for j in judged(None, figures)
    ]
    if not rows:
        return []
    return [
        "## Targets",
        "",
        "Every target this run measured: the rows of `bench/targets.py`, each judged on one figure.",
        "",
        table(["Target", "Wanted", "Test", "Measured", "Verdict"], rows),
        "",
    ]


def _wanted(target: Target) -> str:
    return f"{target.wording}, {target.where}" if target.where else target.wording


def _test(target: Target) -> str:
    return f"`{target.figure} {target.comparison} {target.threshold:,}`"


def _shown(result: Judged) -> str:
    return "none" if result.value is None else result.target.shown(result.value)
