"""A run's report told as an operator would tell it: what it found, what it did, what it left alone and
why, what needs a person. Outcomes and reasons it has no words for fall back to the report's own text."""

from __future__ import annotations

from collections.abc import Iterable

from reprotect.outcomes import KINDS, OUTCOME_TABLE, Entry, Outcome, ServerOutcome
from reprotect.report import Report

# Sections in the order an operator reads them; any other listed outcome gets the report's heading.
SECTIONS: dict[str, str] = {
    Outcome.STARTED: "What it did: restarted replication",
    Outcome.WOULD_START: "What it would do (dry run): restart replication",
    Outcome.FAILED: "What failed (the next run tries again)",
    Outcome.ATTENTION: "What needs a person: restarting replication cannot fix these",
    Outcome.DEFERRED: "Left for the next run",
    Outcome.SKIPPED: "What it left alone, and why",
}
# Why, in words; a reason not here is told by the report's detail.
WHY: dict[str, str] = {
    "replication-stopped": "its replication had stopped",
    "excluded-by-tag": "{detail}, so it is never restarted",
    "failback-direction": "it replicates back after a failover; re-protect it with reverse replication",
    "cooldown": "this tool restarted it recently, so it waits ({detail})",
    "max-starts-per-run": "the per-run cap was reached",
    "failed-over": "{detail}",
    "flapping": "its replication keeps stopping: {detail}",
    "lagging": "it replicates, but its recovery point is behind: {detail}",
}


def server_line(server: ServerOutcome) -> str:
    name = server.hostname or server.source_server_id
    why = WHY.get(server.reason, "{detail}").format(detail=server.detail or server.reason)
    code = f" [{server.error_code}]" if server.error_code else ""
    return f"  - {name}: {why}{code}"


def found(report: Report) -> str:
    counts = report.counts
    listed = report.examined - counts[Outcome.HEALTHY]
    return (
        f"It looked at {report.examined} source servers: {counts[Outcome.HEALTHY]} replicate normally,"
        f" {listed} did not."
    )


def story(report: Report) -> list[str]:
    """What a DR engineer would say about this run, in a few lines."""
    lines = [found(report)]
    order = [
        *SECTIONS,
        *(info.outcome for info in OUTCOME_TABLE if info.heading and info.outcome not in SECTIONS),
    ]
    headings: dict[str, str | None] = {info.outcome: info.heading for info in OUTCOME_TABLE}
    for outcome in order:
        servers = [s for s in report.servers if s.outcome == outcome]
        if servers:
            lines += ["", SECTIONS.get(outcome) or str(headings.get(outcome)), *_lines(servers)]
    lines += beside_the_servers(report)
    if report.truncated:
        lines.append("  (more are in the function's log)")
    return lines


# What was done to, or found of, a source network or a recovery instance, in words.
BESIDE: dict[tuple[str, str], str] = {
    ("started", "replication-stopped"): "its replication had stopped; restarted",
    ("started", "reverse-replication"): "reverse replication started: {detail}",
    ("attention", "not-reverse-protected"): "recovered for real and not protected back: {detail}",
}


def beside_the_servers(report: Report) -> list[str]:
    """The source networks and recovery instances that were not healthy, each a line."""
    lines: list[str] = []
    for listing in (report.networks, report.instances):
        info = KINDS[listing.kind]
        if listing.entries:
            lines += ["", f"{info.title}:", *(_entry_line(entry) for entry in listing.entries)]
    return lines


def _entry_line(entry: Entry) -> str:
    why = BESIDE.get((entry.outcome, entry.reason), "{detail}").format(detail=entry.detail or entry.reason)
    return f"  - {entry.resource_id} ({entry.related or '-'}): {entry.outcome}, {why}"


def _lines(servers: Iterable[ServerOutcome]) -> list[str]:
    return [server_line(server) for server in servers]
