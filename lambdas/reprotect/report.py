"""The run report: what a run found and did, its status, and its JSON form (the public contract).

A `Tally` collects outcomes while the run goes (from several threads); `Tally.report` freezes them
into a `Report`. Counts are kept apart from the lists, so a report trimmed to fit SNS still counts
every server, source network and recovery instance. `counts` are the servers'; the networks and
recovery instances have counts of their own (`listing.py`); the status and `totals` cover all three.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reprotect.events import Trigger
from reprotect.listing import Listing, count_map, keep_counts, no_counts
from reprotect.outcomes import LISTED, NOTEWORTHY, Entry, Kind, Outcome, ServerOutcome

# 2: status `attention`, and `diagnosis` on the servers that need a person.
# 3: `sourceNetworks` and `recoveryInstances` with their counts, `surveyErrors`; the status covers them.
# Reports of versions 1 and 2 (kept by the idempotency store) still read.
SCHEMA_VERSION = 3


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
class SurveyError:
    """A listing beside the servers' (source networks, recovery instances) failed: the run went on."""

    operation: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"operation": self.operation, "code": self.code, "message": self.message}


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
    networks: Listing = field(default_factory=lambda: Listing(Kind.NETWORK))
    instances: Listing = field(default_factory=lambda: Listing(Kind.INSTANCE))
    survey_errors: tuple[SurveyError, ...] = ()

    @property
    def examined(self) -> int:
        return sum(self.counts.values())

    @property
    def totals(self) -> dict[Outcome, int]:
        """Servers, source networks and recovery instances together, by outcome."""
        return {
            kind: self.counts[kind] + self.networks.counts[kind] + self.instances.counts[kind]
            for kind in Outcome
        }

    @property
    def status(self) -> Status:
        """failed > partial-failure > attention > dry-run > ok > idle, over servers, source networks and
        recovery instances together: one needing a person makes the run `attention` unless something
        failed, whatever else it did."""
        counts = self.totals
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
        """The servers' counts as the JSON report has them: every outcome, then `examined`."""
        return count_map(self.counts)

    @property
    def truncated(self) -> bool:
        return bool(self.servers_omitted or self.networks.omitted or self.instances.omitted)

    @property
    def listed(self) -> int:
        """Entries in all three lists."""
        return len(self.servers) + len(self.networks.entries) + len(self.instances.entries)

    def trimmed(self, keep: int) -> Report:
        """The same report listing only its `keep` most urgent entries, whatever their list."""
        servers, networks, instances = keep_counts(
            keep, (self.servers, self.networks.entries, self.instances.entries)
        )
        return replace(
            self,
            servers=self.servers[:servers],
            servers_omitted=self.servers_omitted + len(self.servers) - servers,
            networks=self.networks.kept(networks),
            instances=self.instances.kept(instances),
        )

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form, documented in the README (`schemaVersion` 3)."""
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
            **self.networks.to_dict(),
            **self.instances.to_dict(),
            "truncated": self.truncated,
        }
        if self.servers_omitted:
            out["serversOmitted"] = self.servers_omitted
        if self.survey_errors:
            out["surveyErrors"] = [problem.to_dict() for problem in self.survey_errors]
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
            networks=Listing.from_dict(Kind.NETWORK, data),
            instances=Listing.from_dict(Kind.INSTANCE, data),
            survey_errors=tuple(SurveyError(**problem) for problem in data.get("surveyErrors", ())),
        )


class Tally:
    """Outcomes as a run records them; thread-safe."""

    _listed: list[ServerOutcome]
    _entries: dict[Kind, list[Entry]]
    _healthy_of: dict[Kind, int]
    _survey_errors: list[SurveyError]
    error: RunError | None
    account: str | None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed = []
        self._healthy = 0
        self._entries = {kind: [] for kind in Kind}
        self._healthy_of = {kind: 0 for kind in Kind}
        self._survey_errors = []
        self.sweep_complete = True
        self.error = None
        self.account = None  # read from the servers' ARNs when the run had none

    def add(self, outcome: ServerOutcome | Entry) -> None:
        with self._lock:
            if isinstance(outcome, Entry):
                if outcome.outcome is Outcome.HEALTHY:
                    self._healthy_of[outcome.kind] += 1
                else:
                    self._entries[outcome.kind].append(outcome)
            elif outcome.outcome is Outcome.HEALTHY:
                self._healthy += 1
            else:
                self._listed.append(outcome)

    def survey_failed(self, problem: SurveyError) -> None:
        """A listing beside the servers' could not be finished: the sweep is not complete."""
        with self._lock:
            self._survey_errors.append(problem)
            self.sweep_complete = False

    def report(self, info: RunInfo, *, finished_at: str, duration_ms: int) -> Report:
        rank = {kind: i for i, kind in enumerate(LISTED)}
        with self._lock:
            listed = sorted(self._listed, key=lambda o: (rank[o.outcome], o.source_server_id))
            counts = no_counts()
            for item in listed:
                counts[item.outcome] += 1
            counts[Outcome.HEALTHY] = self._healthy
            others = {kind: Listing.of(kind, self._entries[kind], self._healthy_of[kind]) for kind in Kind}
            problems = tuple(self._survey_errors)
        if info.account is None:
            info = replace(info, account=self.account)
        return Report(
            info,
            finished_at,
            duration_ms,
            self.sweep_complete,
            counts,
            tuple(listed),
            self.error,
            networks=others[Kind.NETWORK],
            instances=others[Kind.INSTANCE],
            survey_errors=problems,
        )
