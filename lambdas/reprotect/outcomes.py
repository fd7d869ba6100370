"""The vocabulary of a run's report: outcomes, reasons, and one server's result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STARTED = "started"
WOULD_START = "would-start"
SKIPPED = "skipped"
FAILED = "failed"
DEFERRED = "deferred"
ATTENTION = "attention"
HEALTHY = "healthy"  # counted, never listed
OUTCOMES = (STARTED, WOULD_START, SKIPPED, FAILED, DEFERRED, ATTENTION, HEALTHY)


class Reason:
    REPLICATION_STOPPED = "replication-stopped"
    EXCLUDED_BY_TAG = "excluded-by-tag"
    NOT_OPTED_IN = "not-opted-in"
    FAILBACK = "failback-direction"
    EXTENDED = "extended-from-staging-account"
    COOLDOWN = "cooldown"
    NO_LONGER_STOPPED = "no-longer-stopped"
    NOT_FOUND = "not-found"
    MAX_STARTS = "max-starts-per-run"
    DEADLINE = "deadline"
    THROTTLED = "throttled"
    START_FAILED = "start-failed"
    COOLDOWN_UNAVAILABLE = "cooldown-store-error"
    STALLED = "stalled"
    DISCONNECTED = "disconnected"
    PAUSED = "paused"
    REPLICATION_ERROR = "replication-error"
    REPLICATING = "replicating"


@dataclass(frozen=True)
class ServerOutcome:
    source_server_id: str
    hostname: str | None
    outcome: str
    reason: str
    detail: str | None = None
    error_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "sourceServerID": self.source_server_id,
            "hostname": self.hostname,
            "outcome": self.outcome,
            "reason": self.reason,
        }
        if self.detail:
            out["detail"] = self.detail
        if self.error_code:
            out["errorCode"] = self.error_code
        return out
