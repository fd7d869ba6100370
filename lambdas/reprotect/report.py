"""The run report: its JSON contract, its status, and the plain text a person reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reprotect.outcomes import (
    ATTENTION,
    DEFERRED,
    FAILED,
    HEALTHY,
    OUTCOMES,
    SKIPPED,
    STARTED,
    WOULD_START,
    ServerOutcome,
)

SCHEMA_VERSION = 1
# Listed in this order, so that when a report must be trimmed the servers a person acts on stay.
LIST_ORDER = (FAILED, ATTENTION, DEFERRED, STARTED, WOULD_START, SKIPPED)
NOTEWORTHY = (STARTED, WOULD_START, FAILED, DEFERRED, ATTENTION)


@dataclass
class Report:
    run_id: str
    trigger: dict[str, Any]
    dry_run: bool
    region: str | None
    account: str | None
    started_at: str
    outcomes: list[ServerOutcome] = field(default_factory=list)
    healthy: int = 0
    finished_at: str | None = None
    duration_ms: int | None = None
    sweep_complete: bool = True
    error: dict[str, str] | None = None

    def add(self, outcome: ServerOutcome) -> None:
        if outcome.outcome == HEALTHY:
            self.healthy += 1
        else:
            self.outcomes.append(outcome)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for item in self.outcomes:
            counts[item.outcome] += 1
        counts[HEALTHY] = self.healthy
        counts["examined"] = len(self.outcomes) + self.healthy
        return counts

    def status(self) -> str:
        counts = self.counts()
        if self.error or (counts[FAILED] and not counts[STARTED]):
            return "failed"
        if counts[FAILED] or not self.sweep_complete:
            return "partial-failure"
        if not any(counts[kind] for kind in NOTEWORTHY):
            return "idle"
        return "dry-run" if self.dry_run else "ok"

    def to_dict(self) -> dict[str, Any]:
        """The public JSON form (documented in the README); servers listed most urgent first."""
        rank = {kind: i for i, kind in enumerate(LIST_ORDER)}
        ordered = sorted(self.outcomes, key=lambda o: (rank[o.outcome], o.source_server_id))
        out: dict[str, Any] = {
            "schemaVersion": SCHEMA_VERSION,
            "runId": self.run_id,
            "status": self.status(),
            "trigger": self.trigger,
            "dryRun": self.dry_run,
            "region": self.region,
            "account": self.account,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "durationMs": self.duration_ms,
            "sweepComplete": self.sweep_complete,
            "counts": self.counts(),
            "servers": [o.to_dict() for o in ordered],
            "truncated": False,
        }
        if self.error:
            out["error"] = self.error
        return out


def email_text(report: dict[str, Any], per_section: int = 25) -> str:
    """What an email subscriber reads: the verdict first, then what to act on."""
    counts = report["counts"]
    where = "/".join(x for x in (report.get("account"), report.get("region")) if x) or "this account"
    trigger = report["trigger"]
    lines = [
        f"drs-reprotect run {report['runId']} in {where}: {report['status'].upper()}",
        f"Trigger: {trigger['type']}" + (f" ({trigger['name']})" if trigger.get("name") else ""),
        summary(counts),
    ]
    if report["dryRun"]:
        lines.append("Dry run: nothing was started.")
    if report.get("error"):
        error = report["error"]
        lines.append(f"The run failed as a whole: {error.get('code')}: {error.get('message')}")
    if not report.get("sweepComplete", True):
        lines.append("The sweep did not reach every server before the deadline; the next run continues.")
    headings = {
        FAILED: "Failed to start (will be retried next run)",
        ATTENTION: "Needs a person (restarting replication cannot fix these)",
        DEFERRED: "Deferred to the next run",
        STARTED: "Replication started",
        WOULD_START: "Would start (dry run)",
        SKIPPED: "Stopped but skipped by policy",
    }
    servers = report["servers"]
    for kind in LIST_ORDER:
        rows = [s for s in servers if s["outcome"] == kind]
        if not rows:
            continue
        lines.append("")
        lines.append(f"{headings[kind]}: {counts[kind]}")
        for s in rows[:per_section]:
            extra = "; ".join(x for x in (s.get("errorCode"), s.get("detail")) if x)
            lines.append(
                f"  - {s['sourceServerID']} {s.get('hostname') or '-'}: {s['reason']}"
                + (f" ({extra})" if extra else "")
            )
        if counts[kind] > min(len(rows), per_section):
            lines.append(f"  ... and {counts[kind] - min(len(rows), per_section)} more (see the JSON report)")
    if report.get("truncated"):
        lines.append("")
        lines.append(
            f"The server list was trimmed to fit SNS; {report['serversOmitted']} are in the run's log."
        )
    return "\n".join(lines) + "\n"


def summary(counts: dict[str, int]) -> str:
    parts = [
        f"{counts[k]} {k}" for k in (STARTED, WOULD_START, FAILED, DEFERRED, ATTENTION, SKIPPED) if counts[k]
    ]
    return (
        ", ".join(parts) or "nothing to do"
    ) + f"; {counts[HEALTHY]} healthy of {counts['examined']} examined."
