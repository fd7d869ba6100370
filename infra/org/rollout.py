"""How long a StackSet operation takes at given operation preferences: arithmetic, so the numbers in
docs/organization.md can be reproduced (`python -m infra.org.rollout --help`).

In each region CloudFormation keeps at most `c` stack instances in progress:

    c = max(1, floor(accounts * MaxConcurrentPercentage / 100))             with SOFT_FAILURE_TOLERANCE
    c = min(that, floor(accounts * FailureTolerancePercentage / 100) + 1)   with STRICT_FAILURE_TOLERANCE

and a region stops after more than floor(accounts * FailureTolerancePercentage / 100) failures. If every
stack instance takes the same `t` minutes, a region of `n` accounts takes ceil(n / c) waves of `t`;
PARALLEL regions run at once (the operation takes one region's time), SEQUENTIAL ones one after
another (the sum). Real operations also wait on CloudFormation's own pacing and throttling: these are
lower bounds for the assumed `t`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from infra.org import preferences
from infra.org.preferences import OperationPreferences

ACCOUNTS = 500
REGIONS = 17
# Assumed time to create one member stack instance: its slowest resources (the DynamoDB table with
# point-in-time recovery, the KMS key, IAM roles, the function) take one to a few minutes each, mostly
# in parallel; 4 minutes is the assumption the guide uses. Measure yours: the first canary's events.
MINUTES_PER_INSTANCE = 4.0
CANARY_ACCOUNTS = 5


@dataclass(frozen=True)
class Plan:
    """One StackSet operation over `accounts` accounts in each of `regions` regions."""

    accounts: int
    regions: int
    concurrency: int  # stack instances in progress at once, per region
    tolerated: int  # failures a region tolerates before it stops
    waves: int  # per region
    minutes: float  # the whole operation
    sequential: bool

    @property
    def instances(self) -> int:
        return self.accounts * self.regions

    @property
    def in_flight(self) -> int:
        """Stack instances in progress at once across the organization."""
        return self.concurrency * (1 if self.sequential else self.regions)


def plan(accounts: int, regions: int, prefs: OperationPreferences, minutes_per_instance: float) -> Plan:
    """The plan of one operation (create or update) over every account of every region."""
    if accounts < 1 or regions < 1:
        raise ValueError("an operation needs at least one account and one region")
    tolerated = accounts * prefs.failure_tolerance_percentage // 100
    concurrency = max(1, accounts * prefs.max_concurrent_percentage // 100)
    if prefs.concurrency_mode == "STRICT_FAILURE_TOLERANCE":
        concurrency = min(concurrency, tolerated + 1)
    waves = math.ceil(accounts / concurrency)
    sequential = prefs.region_concurrency_type == "SEQUENTIAL"
    minutes = waves * minutes_per_instance * (regions if sequential else 1)
    return Plan(accounts, regions, concurrency, tolerated, waves, minutes, sequential)


def describe(prefs: OperationPreferences) -> str:
    mode = "soft" if prefs.concurrency_mode == "SOFT_FAILURE_TOLERANCE" else "strict"
    return (
        f"{prefs.max_concurrent_percentage}% at once, {prefs.failure_tolerance_percentage}% tolerated,"
        f" {prefs.region_concurrency_type.lower()}, {mode}"
    )


def duration(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def table(
    accounts: int, regions: int, options: Sequence[tuple[str, OperationPreferences]], minutes: float
) -> str:
    """A Markdown table of the plans of `options` (label, preferences)."""
    lines = [
        "| preferences | at once per region | failures tolerated per region | waves | in flight | duration |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, prefs in options:
        p = plan(accounts, regions, prefs, minutes)
        lines.append(
            f"| {label}: {describe(prefs)} | {p.concurrency} | {p.tolerated} | {p.waves} | {p.in_flight:,}"
            f" | {duration(p.minutes)} |"
        )
    return "\n".join(lines)


ALTERNATIVES = (
    ("members (default)", preferences.MEMBERS),
    ("same, strict", OperationPreferences(25, 10, "PARALLEL", "STRICT_FAILURE_TOLERANCE")),
    ("cautious", OperationPreferences(10, 5, "PARALLEL", "SOFT_FAILURE_TOLERANCE")),
    ("region by region", OperationPreferences(25, 10, "SEQUENTIAL", "SOFT_FAILURE_TOLERANCE")),
)


def report(accounts: int, regions: int, minutes: float, canary_accounts: int) -> str:
    """The rollout plan: the canary, then the members at the default and other preferences."""
    canary = plan(canary_accounts, regions, preferences.CANARY, minutes)
    members = plan(accounts, regions, preferences.MEMBERS, minutes)
    return "\n".join(
        [
            f"Rollout plan: {accounts:,} accounts x {regions} regions ="
            f" {accounts * regions:,} stack instances, {minutes:g} min each (assumed).",
            "",
            f"1. Canary ({canary_accounts} accounts, {describe(preferences.CANARY)}):"
            f" {canary.instances:,} instances in {canary.waves} wave(s): {duration(canary.minutes)}.",
            f"2. Members ({describe(preferences.MEMBERS)}): {members.concurrency} accounts at once in each"
            f" region, {members.in_flight:,} in flight, {members.waves} waves: {duration(members.minutes)}.",
            f"   A region stops after {members.tolerated + 1} failed accounts; a template that fails"
            f" everywhere fails in the first wave ({members.in_flight:,} instances) before every region"
            " stops: the canary is there to fail first.",
            "3. A new account joining a target OU gets its instances by automatic deployment"
            f" (operation preferences do not apply): about {duration(minutes)} after it joins.",
            "",
            f"The members' operation at other preferences ({accounts:,} x {regions}):",
            "",
            table(accounts, regions, ALTERNATIVES, minutes),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.org.rollout", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS, help="accounts in the target OUs")
    parser.add_argument("--regions", type=int, default=REGIONS, help="regions in 'regions'")
    parser.add_argument(
        "--minutes", type=float, default=MINUTES_PER_INSTANCE, help="minutes per stack instance"
    )
    parser.add_argument(
        "--canary-accounts", type=int, default=CANARY_ACCOUNTS, help="accounts in the canary OU"
    )
    args = parser.parse_args(argv)
    print(report(args.accounts, args.regions, args.minutes, args.canary_accounts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
