"""The report's lists beside its servers: source networks and recovery instances, each with its own
counts, in the JSON form of the public contract (`sourceNetworks` / `sourceNetworkCounts`,
`recoveryInstances` / `recoveryInstanceCounts`), and how trimming to fit SNS takes from every list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reprotect.outcomes import KINDS, LISTED, Entry, Kind, Outcome

RANK = {kind: i for i, kind in enumerate(LISTED)}


def no_counts() -> dict[Outcome, int]:
    return {kind: 0 for kind in Outcome}


def count_map(counts: Mapping[Outcome, int]) -> dict[str, int]:
    """Counts as the JSON report has them: every outcome, then `examined`."""
    return {**{kind.value: counts[kind] for kind in Outcome}, "examined": sum(counts.values())}


@dataclass(frozen=True)
class Listing:
    """One kind's entries that are not healthy (most urgent first), its counts (every one examined,
    healthy ones included), and how many entries were left out to fit SNS (still counted)."""

    kind: Kind
    entries: tuple[Entry, ...] = ()
    counts: Mapping[Outcome, int] = field(default_factory=no_counts)
    omitted: int = 0

    @classmethod
    def of(cls, kind: Kind, entries: Sequence[Entry], healthy: int) -> Listing:
        ranked = sorted(entries, key=lambda e: (RANK[e.outcome], e.resource_id))
        counts = no_counts()
        for entry in ranked:
            counts[entry.outcome] += 1
        counts[Outcome.HEALTHY] = healthy
        return cls(kind, tuple(ranked), counts)

    def kept(self, keep: int) -> Listing:
        """The same listing with only its `keep` most urgent entries."""
        return Listing(self.kind, self.entries[:keep], self.counts, self.omitted + len(self.entries) - keep)

    def to_dict(self) -> dict[str, Any]:
        info = KINDS[self.kind]
        out: dict[str, Any] = {
            info.list_key: [entry.to_dict() for entry in self.entries],
            info.counts_key: count_map(self.counts),
        }
        if self.omitted:
            out[f"{info.list_key}Omitted"] = self.omitted
        return out

    @classmethod
    def from_dict(cls, kind: Kind, data: Mapping[str, Any]) -> Listing:
        """The listing in a report's JSON form; reports before schemaVersion 3 have none (empty)."""
        info = KINDS[kind]
        if info.list_key not in data:
            return cls(kind)
        counts = {outcome: data[info.counts_key][outcome.value] for outcome in Outcome}
        entries = tuple(Entry.from_dict(kind, entry) for entry in data[info.list_key])
        return cls(kind, entries, counts, data.get(f"{info.list_key}Omitted", 0))


class Ranked(Protocol):
    @property
    def outcome(self) -> Outcome: ...


def keep_counts(keep: int, lists: Sequence[Sequence[Ranked]]) -> list[int]:
    """How many of each list (each most urgent first) are among the `keep` most urgent of all: more
    urgent outcomes first whatever the list, then the earlier list."""
    ranked = sorted(
        (RANK[item.outcome], which, i) for which, items in enumerate(lists) for i, item in enumerate(items)
    )
    counts = [0] * len(lists)
    for _, which, _ in ranked[:keep]:
        counts[which] += 1
    return counts
