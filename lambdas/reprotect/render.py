"""Every form a report takes for its readers: the SNS message (JSON for machines, text for people),
its subject and filterable attributes, the size fit, and the CLI's table. All from `Report`.

The subject and the SNS count attributes give the totals over servers, source networks and recovery
instances (SNS delivers at most 10 attributes to a raw-delivery SQS subscriber, and the report has
them all already); the text gives each list its own lines."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from reprotect.listing import Listing
from reprotect.outcomes import KINDS, LISTED, NOTEWORTHY, OUTCOME_TABLE, Outcome
from reprotect.report import Report

# SNS takes 262,144 bytes for the message and its attributes together; keep room for the attributes.
MESSAGE_BUDGET = 250_000
SUBJECT_LIMIT = 100
PER_SECTION = 25
# What DRS or a caller wrote goes into text a person reads: no control characters (a newline in a
# hostname could forge a line of the email), and bounded.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MAX_NAME = 100
MAX_DETAIL = 300
_HEADINGS = {info.outcome: info.heading for info in OUTCOME_TABLE}
_COLUMNS = (("sourceServerID", 19), ("hostname", 24), ("outcome", 11), ("reason", 30), ("detail", 0))
# The summary names each kind that happened, in this order.
_SUMMARY_ORDER = (
    Outcome.STARTED,
    Outcome.WOULD_START,
    Outcome.FAILED,
    Outcome.DEFERRED,
    Outcome.ATTENTION,
    Outcome.SKIPPED,
)


def clean(text: object, limit: int = MAX_DETAIL) -> str:
    """One line of at most `limit` characters, control characters replaced by spaces."""
    line = _CONTROL.sub(" ", str(text)).strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def where(report: Report) -> str:
    return clean("/".join(x for x in (report.info.account, report.info.region) if x), MAX_NAME)


def summary(report: Report) -> str:
    """The servers' counts, then each other list's when the run examined any."""
    lines = [_counted(report.counts, "nothing to do")]
    for listing in (report.networks, report.instances):
        if sum(listing.counts.values()):
            lines.append(f"{KINDS[listing.kind].title}: {_counted(listing.counts, 'nothing to do')}")
    return " ".join(lines)


def _counted(counts: Mapping[Outcome, int], idle: str) -> str:
    parts = [f"{counts[kind]} {kind}" for kind in _SUMMARY_ORDER if counts[kind]]
    return (
        ", ".join(parts) or idle
    ) + f"; {counts[Outcome.HEALTHY]} healthy of {sum(counts.values())} examined."


def email_text(report: Report, per_section: int = PER_SECTION) -> str:
    """What an email subscriber reads: the verdict first, then what to act on."""
    lines = _verdict_lines(report)
    for kind in LISTED:
        lines += _section(report, kind, per_section)
    for listing in (report.networks, report.instances):
        lines += _listing_section(listing, per_section)
    if report.truncated:
        omitted = report.servers_omitted + report.networks.omitted + report.instances.omitted
        lines += ["", f"The lists were trimmed to fit SNS; {omitted} entries are in the run's log."]
    return "\n".join(lines) + "\n"


def _verdict_lines(report: Report) -> list[str]:
    trigger, place = report.info.trigger, where(report) or "this account"
    lines = [
        f"drs-reprotect run {clean(report.info.run_id, MAX_NAME)} in {place}: {report.status.upper()}",
        f"Trigger: {trigger.type}" + (f" ({clean(trigger.name, MAX_NAME)})" if trigger.name else ""),
        summary(report),
    ]
    if report.info.dry_run:
        lines.append("Dry run: nothing was started.")
    if report.error:
        lines.append(
            f"The run failed as a whole: {clean(report.error.code, MAX_NAME)}: {clean(report.error.message)}"
        )
    for problem in report.survey_errors:
        lines.append(
            f"{problem.operation} failed ({clean(problem.code, MAX_NAME)}): {clean(problem.message)}"
        )
    if not report.sweep_complete:
        lines.append("The sweep did not reach everything before the deadline; the next run continues.")
    return lines


def _section(report: Report, kind: Outcome, per_section: int) -> list[str]:
    rows = [server for server in report.servers if server.outcome is kind]
    if not rows:
        return []
    lines = ["", f"{_HEADINGS[kind]}: {report.counts[kind]}"]
    for server in rows[:per_section]:
        name = f"{server.source_server_id} {clean(server.hostname or '-', MAX_NAME)}"
        lines += _entry(name, str(server.reason), server.error_code, server.detail, server.diagnosis)
    return lines + _more(report.counts[kind], min(len(rows), per_section))


def _listing_section(listing: Listing, per_section: int) -> list[str]:
    """A source network's or recovery instance's entries that are not healthy, most urgent first."""
    if not listing.entries:
        return []
    info = KINDS[listing.kind]
    lines = ["", f"{info.title}: {_counted(listing.counts, 'nothing to do')}"]
    for entry in listing.entries[:per_section]:
        name = f"{entry.resource_id} ({clean(entry.related or '-', MAX_NAME)})"
        why = f"{entry.outcome} {entry.reason}"
        lines += _entry(name, why, entry.error_code, entry.detail, entry.diagnosis)
    return lines + _more(len(listing.entries), min(len(listing.entries), per_section))


def _entry(
    name: str, why: str, error_code: str | None, detail: str | None, diagnosis: str | None
) -> list[str]:
    """One entry of the email: what it is and why, then what to check when a person must."""
    extra = clean("; ".join(x for x in (error_code, detail) if x))
    lines = [f"  - {name}: {why}" + (f" ({extra})" if extra else "")]
    if diagnosis:
        lines.append(f"    What to check: {clean(diagnosis)}")
    return lines


def _more(total: int, shown: int) -> list[str]:
    return [f"  ... and {total - shown} more (see the JSON report)"] if total > shown else []


def subject(report: Report) -> str:
    """`[drs-reprotect] STATUS account/region: counts`: ASCII, one line, at most 100 characters. The
    counts are the totals over servers, source networks and recovery instances."""
    totals = report.totals
    what = ", ".join(f"{totals[k]} {k}" for k in NOTEWORTHY if totals[k]) or "nothing to do"
    text = f"[drs-reprotect] {report.status.upper()} {where(report)}: {what}"
    return clean(text.encode("ascii", "replace").decode(), SUBJECT_LIMIT)


def attributes(report: Report) -> dict[str, dict[str, str]]:
    """SNS message attributes for subscription filter policies (10, SNS's most for raw delivery to
    SQS): the status, trigger, dry run, and the totals by outcome."""
    totals = report.totals
    out = {
        "outcome": {"DataType": "String", "StringValue": report.status.value},
        "trigger": {"DataType": "String", "StringValue": report.info.trigger.type},
        "dryRun": {"DataType": "String", "StringValue": str(report.info.dry_run).lower()},
    }
    for info in OUTCOME_TABLE:
        out[info.attribute] = {"DataType": "Number", "StringValue": str(totals[info.outcome])}
    return out


def message_body(report: Report) -> str:
    """SNS `MessageStructure=json`: the JSON report by default, plain text for email."""
    default = json.dumps(report.to_dict(), separators=(",", ":"))
    return json.dumps({"default": default, "email": email_text(report)})


def fit(report: Report, budget: int = MESSAGE_BUDGET) -> Report:
    """Trim the lists (most urgent kept, whatever the list) until the SNS message fits; counts stay
    whole."""
    if _size(report) <= budget:
        return report
    low, high = 0, report.listed  # the largest kept count that fits lies in [low, high)
    while low < high - 1:
        middle = (low + high) // 2
        if _size(report.trimmed(middle)) <= budget:
            low = middle
        else:
            high = middle
    return report.trimmed(low)


def _size(report: Report) -> int:
    return len(message_body(report).encode())


def table(report: Report) -> str:
    """The report's servers as a fixed-width table, then the run's verdict (the CLI's output)."""
    lines = _rows(_COLUMNS, [server.to_dict() for server in report.servers])
    if not report.servers:
        lines.append("(no server needed anything)")
    for listing in (report.networks, report.instances):
        if listing.entries:
            info = KINDS[listing.kind]
            columns = ((info.id_key, 21), (info.related_key, 24), *_COLUMNS[2:])
            lines += ["", *_rows(columns, [entry.to_dict() for entry in listing.entries])]
    lines += ["", f"{report.status.upper()} {where(report)}: {summary(report)}"]
    if report.error:
        lines.append(f"error: {report.error.code}: {report.error.message}")
    if report.info.dry_run:
        lines.append("Dry run: nothing was started. Add --apply to start replication.")
    return "\n".join(lines)


def _rows(columns: tuple[tuple[str, int], ...], rows: list[dict[str, object]]) -> list[str]:
    """A header, then one line per row: each cell padded to its column's width, `-` when empty."""

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, columns, strict=True)).rstrip()

    return [line([name for name, _ in columns])] + [
        line([clean(row.get(name) or "-") for name, _ in columns]) for row in rows
    ]
