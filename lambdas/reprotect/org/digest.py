"""One daily digest for the whole organization, composed from every place's state (its forms are in
`digest_render`).

A place is one account and region. The digest covers one UTC day (the runs of that day: how many,
what they restarted, what failed) and the state now (each place's latest run: what it examined, what
needs a person), and names the places that stopped reporting, since an unprotected place sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reprotect.org.records import NeedsPerson, PlaceState

LISTED = 100  # at most this many servers, silent places and table rows: the whole digest fits SNS


@dataclass(frozen=True)
class Digest:
    organization_id: str
    day: date  # the UTC day whose runs the totals cover
    generated_at: datetime
    silent_after_hours: int
    places: tuple[PlaceState, ...]  # most urgent first
    silent: frozenset[tuple[str, str]]  # (account, region) of the places that stopped reporting

    def is_silent(self, place: PlaceState) -> bool:
        return (place.account, place.region) in self.silent

    def servers(self, outcome: str) -> list[NeedsPerson]:
        """The servers whose latest run left them `attention` or `failed`, place by place."""
        return [need for place in self.places for need in place.needs if need.server["outcome"] == outcome]

    def now(self, name: str) -> int:
        return sum(place.count(name) for place in self.places)

    def during_day(self, name: str) -> int:
        return sum(place.total(name) for place in self.places)


def compose(
    places: Iterable[PlaceState], *, organization_id: str, day: date, now: datetime, silent_after_hours: int
) -> Digest:
    """The digest of `places` for `day`, as of `now` (timezone-aware)."""
    cutoff = now - timedelta(hours=silent_after_hours)
    silent = frozenset(
        (place.account, place.region)
        for place in places
        if place.last_report_at is None or parse_time(place.last_report_at) < cutoff
    )
    ordered = sorted(places, key=lambda place: _urgency(place, (place.account, place.region) in silent))
    return Digest(organization_id, day, now, silent_after_hours, tuple(ordered), silent)


def _urgency(place: PlaceState, silent: bool) -> tuple[Any, ...]:
    return (
        not silent,
        -place.total("runsFailed"),
        -(place.count("attention") + place.count("failed")),
        -place.total("failed"),
        place.account,
        place.region,
    )


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
