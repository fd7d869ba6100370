"""The forms of the organization's daily digest: the email a person reads, the JSON a machine reads, the
subject and the SNS attributes. All from `digest.Digest`."""

from __future__ import annotations

import json
from typing import Any

from reprotect.org import contract as c
from reprotect.org.digest import LISTED, Digest, parse_time
from reprotect.org.records import NeedsPerson, PlaceState
from reprotect.render import MAX_NAME, clean

SCHEMA_VERSION = 1
SUBJECT_LIMIT = 100
_NOW_COUNTS = ("examined", "healthy", "attention", "failed", "deferred")
_DAY_COUNTS = ("runs", "runsFailed", "started", "wouldStart", "failed")


def _when(stamp: str | None) -> str:
    return "never" if stamp is None else parse_time(stamp).strftime("%Y-%m-%d %H:%M UTC")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# --- For people --------------------------------------------------------------------------------------
def headline(digest: Digest) -> str:
    """The digest in one line: what needs doing, or that nothing does."""
    parts = [
        _plural(digest.now("attention"), "server needs", "servers need") + " a person",
        _plural(len(digest.silent), "place stopped reporting", "places stopped reporting"),
        _plural(digest.during_day("runsFailed"), "run failed", "runs failed"),
        _plural(digest.now("failed"), "server could not be restarted", "servers could not be restarted"),
    ]
    urgent = [part for part in parts if not part.startswith("0 ")]
    return "; ".join(urgent) if urgent else "nothing needs you: every place reported and every server is fine"


def subject(digest: Digest) -> str:
    """`[drs-reprotect] digest YYYY-MM-DD: ...` (one organization per hub): ASCII, one line, <= 100 chars."""
    short = [
        f"{digest.now('attention')} need a person" if digest.now("attention") else "",
        f"{len(digest.silent)} silent" if digest.silent else "",
        _plural(digest.during_day("runsFailed"), "run failed", "runs failed")
        if digest.during_day("runsFailed")
        else "",
        f"{digest.now('failed')} not restarted" if digest.now("failed") else "",
    ]
    what = ", ".join(part for part in short if part) or f"all {len(digest.places)} places fine"
    text = f"[drs-reprotect] digest {digest.day.isoformat()}: {what}"
    return clean(text.encode("ascii", "replace").decode(), SUBJECT_LIMIT)


def email_text(digest: Digest) -> str:
    """What a digest subscriber reads: the verdict, the day in numbers, then what to act on."""
    lines = [
        f"drs-reprotect daily digest for organization {clean(digest.organization_id, MAX_NAME)}",
        f"Covering {digest.day.strftime('%A %d %B %Y')} (UTC); each place as of its latest run,"
        f" at {digest.generated_at.strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        f"In short: {headline(digest)}.",
        "",
        *_numbers(digest),
        *_server_section(
            digest, "attention", "Servers that need a person (restarting replication cannot fix them)"
        ),
        *_server_section(
            digest, "failed", "Servers that could not be restarted in their latest run (retried every run)"
        ),
        *_silent_section(digest),
        *_table(digest),
    ]
    return "\n".join(lines) + "\n"


def _numbers(digest: Digest) -> list[str]:
    accounts = {place.account for place in digest.places}
    regions = {place.region for place in digest.places}
    lines = [
        f"{_plural(len(digest.places), 'place', 'places')} ({_plural(len(accounts), 'account', 'accounts')}"
        f" in {_plural(len(regions), 'region', 'regions')}). That day:",
        f"  {_plural(digest.during_day('runs'), 'run', 'runs')},"
        f" {digest.during_day('runsFailed')} of them failed (as a whole, or every start they tried)",
        f"  {_plural(digest.during_day('started'), 'server', 'servers')} restarted,"
        f" {_plural(digest.during_day('failed'), 'start', 'starts')} failed (retried every run)",
    ]
    if digest.during_day("wouldStart"):
        lines.append(
            f"  {digest.during_day('wouldStart')} starts a dry run would have made (counted every run)"
        )
    lines.append(
        f"Now: {digest.now('examined')} source servers examined, {digest.now('healthy')} healthy,"
        f" {digest.now('attention')} need a person, {digest.now('deferred')} deferred to the next run."
    )
    return lines


def _server_section(digest: Digest, outcome: str, heading: str) -> list[str]:
    servers = digest.servers(outcome)
    total = digest.now(outcome)
    if not total:
        return []
    lines = ["", f"{heading}: {total}"]
    for need in servers[:LISTED]:
        server = need.server
        said = dict.fromkeys(str(x) for x in (server.get("errorCode"), server.get("detail")) if x)
        extra = clean("; ".join(said))
        lines.append(
            f"  {need.account} {need.region:<14} {server['sourceServerID']}"
            f" {clean(server.get('hostname') or '-', MAX_NAME)}: {server['reason']}"
            + (f" ({extra})" if extra else "")
        )
    if total > min(len(servers), LISTED):
        lines.append(f"  ... and {total - min(len(servers), LISTED)} more: see each place's latest report")
    return lines


def _silent_section(digest: Digest) -> list[str]:
    silent = [place for place in digest.places if digest.is_silent(place)]
    if not silent:
        return []
    lines = [
        "",
        f"Places that stopped reporting (nothing for more than {digest.silent_after_hours} hours):"
        f" {len(silent)}. Their servers may be unprotected: check the function's errors and alarms,"
        " and that the StackSet instance is still there.",
    ]
    lines += [f"  {p.account} {p.region:<14} last report {_when(p.last_report_at)}" for p in silent[:LISTED]]
    if len(silent) > LISTED:
        lines.append(f"  ... and {len(silent) - LISTED} more")
    return lines


def _table(digest: Digest) -> list[str]:
    header = f"  {'account':<12}  {'region':<14}  runs  started  failed  attention  healthy  latest run"
    lines = [
        "",
        "Every place, most urgent first (runs, restarts and failed starts that day; servers as of the"
        " latest run):",
        header,
    ]
    for place in digest.places[:LISTED]:
        when = _when(place.last_report_at)
        latest = f"silent since {when}" if digest.is_silent(place) else f"{place.status} at {when[11:]}"
        day = f"{place.total('runs'):>4}  {place.total('started'):>7}  {place.total('failed'):>6}"
        now = f"{place.count('attention'):>9}  {place.count('healthy'):>7}"
        lines.append(f"  {place.account:<12}  {place.region:<14}  {day}  {now}  {latest}")
    if len(digest.places) > LISTED:
        lines.append(f"  ... and {len(digest.places) - LISTED} more places, none more urgent than these")
    return lines


# --- For machines --------------------------------------------------------------------------------------
def to_dict(digest: Digest) -> dict[str, Any]:
    """The digest's JSON form (`schemaVersion` 1); lists hold at most LISTED entries, counts are whole."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "kind": c.DIGEST_KIND,
        "organizationId": digest.organization_id,
        "day": digest.day.isoformat(),
        "generatedAt": digest.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "silentAfterHours": digest.silent_after_hours,
        "places": len(digest.places),
        "dayTotals": {name: digest.during_day(name) for name in _DAY_COUNTS},
        "now": {name: digest.now(name) for name in _NOW_COUNTS},
        "needsPerson": [_need(need) for need in digest.servers("attention")[:LISTED]],
        "failedToStart": [_need(need) for need in digest.servers("failed")[:LISTED]],
        "silentPlaces": [_place(p, digest) for p in digest.places if digest.is_silent(p)][:LISTED],
        "mostUrgentPlaces": [_place(place, digest) for place in digest.places[:LISTED]],
    }


def _need(need: NeedsPerson) -> dict[str, Any]:
    return {"account": need.account, "region": need.region, **need.server}


def _place(place: PlaceState, digest: Digest) -> dict[str, Any]:
    return {
        "account": place.account,
        "region": place.region,
        "silent": digest.is_silent(place),
        "lastReportAt": place.last_report_at,
        "status": place.status,
        "day": {name: place.total(name) for name in _DAY_COUNTS},
        "now": {name: place.count(name) for name in _NOW_COUNTS},
    }


def attributes(digest: Digest) -> dict[str, dict[str, str]]:
    """SNS message attributes: `kind` selects digests; the numbers let a subscription filter on trouble."""
    numbers = {
        "needsPerson": digest.now("attention"),
        "silentPlaces": len(digest.silent),
        "runsFailed": digest.during_day("runsFailed"),
        "failed": digest.now("failed"),
    }
    return {
        "kind": {"DataType": "String", "StringValue": c.DIGEST_KIND},
        **{name: {"DataType": "Number", "StringValue": str(value)} for name, value in numbers.items()},
    }


def message_body(digest: Digest) -> str:
    """SNS `MessageStructure=json`: the JSON digest by default, the text for email."""
    default = json.dumps(to_dict(digest), separators=(",", ":"))
    return json.dumps({"default": default, "email": email_text(digest)})
