"""The run report: what a run found and did, its status, and its JSON form (the public contract).

A `Tally` collects outcomes while the run goes (from several threads); `Tally.report` freezes them
into a `Report`. Counts are kept apart from the server list, so a report trimmed to fit SNS still
counts every server.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reprotect.events import Trigger
from reprotect.outcomes import LISTED, NOTEWORTHY, Outcome, ServerOutcome

# 2: status `attention`, and `diagnosis` on the servers that need a person. Reports of version 1
# (kept by the idempotency store) still read.
SCHEMA_VERSION = 2


class Status(StrEnum):
    """A run's verdict, most serious first: `status` gives the first that applies."""

    FAILED = "failed"
    PARTIAL_FAILURE = "partial-failure"
    ATTENTION = "attention"
    DRY_RUN = "dry-run"
    OK = "ok"
    IDLE = "idle"


@dataclass(frozen=True)
class RunError:
    """The run failed as a whole (the account, credentials or endpoint), not one server."""

    code: str
    message: str


@dataclass(frozen=True)
class RunInfo:
    """What is known of a run before it looks at any server."""

    run_id: str
    trigger: Trigger
    dry_run: bool
    region: str | None
    account: str | None
    started_at: str


@dataclass(frozen=True)
class Report:
    info: RunInfo
    finished_at: str
    duration_ms: int
    sweep_complete: bool
    counts: Mapping[Outcome, int]
    servers: tuple[ServerOutcome, ...]  # every examined server that is not healthy, most urgent first
    error: RunError | None = None
    servers_omitted: int = 0  # left out of `servers` to fit SNS; still counted
    replayed: bool = field(default=False, compare=False)  # answered from the idempotency record

    @property
    def examined(self) -> int:
        return sum(self.counts.values())

    @property
    def status(self) -> Status:
        """failed > partial-failure > attention > dry-run > ok > idle: a server needing a person makes
        the run `attention` unless something failed, whatever else it did."""
        counts = self.counts
        if self.error or (counts[Outcome.FAILED] and not counts[Outcome.STARTED]):
            return Status.FAILED
        if counts[Outcome.FAILED] or not self.sweep_complete:
            return Status.PARTIAL_FAILURE
        if counts[Outcome.ATTENTION]:
            return Status.ATTENTION
        if not any(counts[kind] for kind in NOTEWORTHY):
            return Status.IDLE
        return Status.DRY_RUN if self.info.dry_run else Status.OK

    def count_map(self) -> dict[str, int]:
        """The counts as the JSON report has them: every outcome, then `examined`."""
        return {**{kind.value: self.counts[kind] for kind in Outcome}, "examined": self.examined}

    @property
    def truncated(self) -> bool:
        return self.servers_omitted > 0

    def trimmed(self, keep: int) -> Report:
        """The same report listing only its `keep` most urgent servers."""
        return replace(
            self, servers=self.servers[:keep], servers_omitted=self.servers_omitted + len(self.servers) - keep
        )

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form, documented in the README (`schemaVersion` 2)."""
        out: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "runId": self.info.run_id,
            "status": self.status.value,
            "trigger": self.info.trigger.to_dict(),
            "dryRun": self.info.dry_run,
            "region": self.info.region,
            "account": self.info.account,
            "startedAt": self.info.started_at,
            "finishedAt": self.finished_at,
            "durationMs": self.duration_ms,
            "sweepComplete": self.sweep_complete,
            "counts": self.count_map(),
            "servers": [server.to_dict() for server in self.servers],
            "truncated": self.truncated,
        }
        if self.truncated:
            out["serversOmitted"] = self.servers_omitted
        if self.error:
            out["error"] = {"code": self.error.code, "message": self.error.message}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """The inverse of `to_dict` (the idempotency record keeps a report this way)."""
        info = RunInfo(
            data["runId"],
            Trigger.from_dict(data["trigger"]),
            data["dryRun"],
            data["region"],
            data["account"],
            data["startedAt"],
        )
        error = data.get("error")
        return cls(
            info,
            data["finishedAt"],
            data["durationMs"],
            data["sweepComplete"],
            {kind: data["counts"][kind.value] for kind in Outcome},
            tuple(ServerOutcome.from_dict(server) for server in data["servers"]),
            RunError(error["code"], error["message"]) if error else None,
            data.get("serversOmitted", 0),
        )


class Tally:
    """Outcomes as a run records them; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed: list[ServerOutcome] = []
        self._healthy = 0
        self.sweep_complete = True
        self.error: RunError | None = None
        self.account: str | None = None  # read from the servers' ARNs when the run had none

    def add(self, outcome: ServerOutcome) -> None:
        with self._lock:
            if outcome.outcome is Outcome.HEALTHY:
                self._healthy += 1
            else:
                self._listed.append(outcome)

    def report(self, info: RunInfo, *, finished_at: str, duration_ms: int) -> Report:
        rank = {kind: i for i, kind in enumerate(LISTED)}
        with self._lock:
            listed = sorted(self._listed, key=lambda o: (rank[o.outcome], o.source_server_id))
            counts = {kind: 0 for kind in Outcome}
            for item in listed:
                counts[item.outcome] += 1
            counts[Outcome.HEALTHY] = self._healthy
        if info.account is None:
            info = replace(info, account=self.account)
        return Report(info, finished_at, duration_ms, self.sweep_complete, counts, tuple(listed), self.error)
