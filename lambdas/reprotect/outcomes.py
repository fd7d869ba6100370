"""The vocabulary of a run's report: outcomes, reasons, one server's result, one source network's or
recovery instance's result, and the outcome table.

The table is the one place that says, for each outcome, how it is counted (metric and SNS attribute),
how urgent it is (the order entries are listed and trimmed in) and what a person reads above it.
`KINDS` says the same of the report's two other lists: their JSON keys, title and metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reprotect.contract import Metric


class Outcome(StrEnum):
    STARTED = "started"
    WOULD_START = "would-start"
    SKIPPED = "skipped"
    FAILED = "failed"
    DEFERRED = "deferred"
    ATTENTION = "attention"
    HEALTHY = "healthy"  # counted, never listed


class Reason(StrEnum):
    REPLICATION_STOPPED = "replication-stopped"
    EXCLUDED_BY_TAG = "excluded-by-tag"
    NOT_OPTED_IN = "not-opted-in"
    FAILBACK = "failback-direction"
    EXTENDED = "extended-from-staging-account"
    FAILED_OVER = "failed-over"
    COOLDOWN = "cooldown"
    NO_LONGER_STOPPED = "no-longer-stopped"
    NOT_FOUND = "not-found"
    MAX_STARTS = "max-starts-per-run"
    REPLICATING_LIMIT = "replicating-limit"
    DEADLINE = "deadline"
    THROTTLED = "throttled"
    START_FAILED = "start-failed"
    START_UNCONFIRMED = "start-unconfirmed"
    DESCRIBE_FAILED = "describe-failed"
    COOLDOWN_UNAVAILABLE = "cooldown-store-error"
    RECOVERY_LOOKUP_FAILED = "recovery-lookup-failed"
    FLAPPING = "flapping"
    STALLED = "stalled"
    DISCONNECTED = "disconnected"
    PAUSED = "paused"
    REPLICATION_ERROR = "replication-error"
    INITIATION_FAILED = "initiation-failed"
    LAGGING = "lagging"
    UNKNOWN_STATE = "unknown-state"
    REVERSE_REPLICATION = "reverse-replication"
    NOT_REVERSE_PROTECTED = "not-reverse-protected"
    ALREADY_REVERSED = "already-reversed"
    DRILL = "drill"
    NOT_FROM_AWS = "not-from-aws"
    INSTANCE_GONE = "instance-gone"
    REPLICATING = "replicating"


@dataclass(frozen=True)
class OutcomeInfo:
    """How one outcome is counted and shown. `heading` None: never listed (healthy)."""

    outcome: Outcome
    metric: Metric | None
    attribute: str  # the SNS message attribute carrying its count
    heading: str | None


# Most urgent first: servers are listed in this order, and trimmed from the end when SNS is full.
OUTCOME_TABLE: tuple[OutcomeInfo, ...] = (
    OutcomeInfo(
        Outcome.FAILED, Metric.SERVERS_FAILED, "failed", "Failed to start (will be retried next run)"
    ),
    OutcomeInfo(
        Outcome.ATTENTION,
        Metric.SERVERS_NEEDING_ATTENTION,
        "attention",
        "Needs a person (restarting replication cannot fix these)",
    ),
    OutcomeInfo(Outcome.DEFERRED, Metric.SERVERS_DEFERRED, "deferred", "Deferred to the next run"),
    OutcomeInfo(Outcome.STARTED, Metric.SERVERS_STARTED, "started", "Replication started"),
    OutcomeInfo(Outcome.WOULD_START, Metric.SERVERS_WOULD_START, "wouldStart", "Would start (dry run)"),
    OutcomeInfo(Outcome.SKIPPED, Metric.SERVERS_SKIPPED, "skipped", "Stopped but skipped by policy"),
    OutcomeInfo(Outcome.HEALTHY, None, "healthy", None),
)
LISTED = tuple(info.outcome for info in OUTCOME_TABLE if info.heading)
# What makes a run worth reporting, in the order the summary and the subject name them.
NOTEWORTHY = (Outcome.STARTED, Outcome.WOULD_START, Outcome.FAILED, Outcome.DEFERRED, Outcome.ATTENTION)


@dataclass(frozen=True)
class ServerOutcome:
    source_server_id: str
    hostname: str | None
    outcome: Outcome
    reason: Reason
    detail: str | None = None
    error_code: str | None = None
    diagnosis: str | None = None  # cause and what to check, for servers that need a person

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sourceServerID": self.source_server_id,
            "hostname": self.hostname,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.error_code:
            out["errorCode"] = self.error_code
        if self.diagnosis:
            out["diagnosis"] = self.diagnosis
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerOutcome:
        return cls(
            data["sourceServerID"],
            data.get("hostname"),
            Outcome(data["outcome"]),
            Reason(data["reason"]),
            data.get("detail"),
            data.get("errorCode"),
            data.get("diagnosis"),
        )


class Kind(StrEnum):
    """What else a run looks at besides source servers."""

    NETWORK = "source-network"
    INSTANCE = "recovery-instance"


@dataclass(frozen=True)
class KindInfo:
    """How one kind's entries are named in the JSON report, titled for people, and counted as metrics."""

    kind: Kind
    id_key: str  # the entry's id: sourceNetworkID, recoveryInstanceID
    related_key: str  # what the entry belongs to: sourceVpcID, sourceServerID
    list_key: str  # the report's list of them
    counts_key: str  # the report's counts of them
    title: str
    metrics: Mapping[Outcome, Metric]


KINDS: Mapping[Kind, KindInfo] = {
    Kind.NETWORK: KindInfo(
        Kind.NETWORK,
        "sourceNetworkID",
        "sourceVpcID",
        "sourceNetworks",
        "sourceNetworkCounts",
        "Source networks",
        {
            Outcome.STARTED: Metric.SOURCE_NETWORKS_STARTED,
            Outcome.FAILED: Metric.SOURCE_NETWORKS_FAILED,
            Outcome.ATTENTION: Metric.SOURCE_NETWORKS_NEEDING_ATTENTION,
        },
    ),
    Kind.INSTANCE: KindInfo(
        Kind.INSTANCE,
        "recoveryInstanceID",
        "sourceServerID",
        "recoveryInstances",
        "recoveryInstanceCounts",
        "Recovery instances",
        {
            Outcome.STARTED: Metric.RECOVERY_INSTANCES_REVERSED,
            Outcome.FAILED: Metric.RECOVERY_INSTANCES_FAILED,
            Outcome.ATTENTION: Metric.RECOVERY_INSTANCES_NEEDING_ATTENTION,
        },
    ),
}


@dataclass(frozen=True)
class Entry:
    """One source network's or recovery instance's result: its id, what it belongs to (the network's
    VPC, the instance's source server), the outcome and why."""

    kind: Kind
    resource_id: str
    related: str | None
    outcome: Outcome
    reason: Reason
    detail: str | None = None
    error_code: str | None = None
    diagnosis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        info = KINDS[self.kind]
        out: dict[str, Any] = {
            info.id_key: self.resource_id,
            info.related_key: self.related,
            "outcome": self.outcome.value,
            "reason": self.reason.value,
        }
        for key, value in (
            ("detail", self.detail),
            ("errorCode", self.error_code),
            ("diagnosis", self.diagnosis),
        ):
            if value:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, kind: Kind, data: Mapping[str, Any]) -> Entry:
        info = KINDS[kind]
        return cls(
            kind,
            data[info.id_key],
            data.get(info.related_key),
            Outcome(data["outcome"]),
            Reason(data["reason"]),
            data.get("detail"),
            data.get("errorCode"),
            data.get("diagnosis"),
        )
