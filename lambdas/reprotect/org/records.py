"""What the hub keeps of each member report, as plain values: the report as received, the latest-run
item and the day's totals of its place (one account and region), and a place's state read back.

The sending account is EventBridge's `account` (which a member cannot forge), not the report's own;
the region is the report's (the hub's bus is in one region, so the event's `region` is the hub's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from reprotect.org import contract as c
from reprotect.outcomes import Outcome
from reprotect.report import Report, Status

MAX_NEEDS = 50  # servers needing a person kept per place (the digest lists at most 100 in all)
_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z")
NEEDS = (Outcome.ATTENTION, Outcome.FAILED)
DAY_COUNTS = {"started": Outcome.STARTED, "wouldStart": Outcome.WOULD_START, "failed": Outcome.FAILED}


class RejectedEvent(ValueError):
    """The event is not a member's run report; the message says why."""


@dataclass(frozen=True)
class Received:
    """A member's report as the hub received it."""

    event_id: str
    account: str
    report: Report

    @property
    def region(self) -> str:
        return str(self.report.info.region)

    @property
    def place(self) -> str:
        return place_key(self.account, self.region)

    @property
    def day(self) -> str:
        """The UTC day the run finished: the day whose totals it counts in."""
        return self.report.finished_at[:10]

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Received:
        """The report in an EventBridge event of the member contract; RejectedEvent otherwise."""
        if event.get("source") != c.EVENT_SOURCE or event.get("detail-type") != c.DETAIL_TYPE:
            raise RejectedEvent(f"not a run report: {event.get('source')!r} / {event.get('detail-type')!r}")
        account = str(event.get("account", ""))
        if not _ACCOUNT.fullmatch(account):
            raise RejectedEvent(f"no sending account: {event.get('account')!r}")
        try:
            report = Report.from_dict(event["detail"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RejectedEvent(f"the detail is not a run report ({type(exc).__name__}: {exc})") from None
        if not _REGION.fullmatch(str(report.info.region)) or not _TIME.fullmatch(str(report.finished_at)):
            raise RejectedEvent(f"no region or finish time: {report.info.region!r}, {report.finished_at!r}")
        if not all(type(count) is int for count in report.counts.values()):
            raise RejectedEvent(f"counts that are not whole numbers: {dict(report.counts)!r:.200}")
        # The place is the sender's: a member can only ever write its own account's rows.
        report = replace(report, info=replace(report.info, account=account))
        return cls(str(event.get("id", "")), account, report)


def place_key(account: str, region: str) -> str:
    return f"{account}#{region}"


def expires(now: datetime, days: int) -> int:
    return int((now + timedelta(days=days)).timestamp())


def latest_item(received: Received, now: datetime) -> dict[str, Any]:
    """The place's latest-run item (written only if newer than the one there)."""
    report = received.report
    needs = [server.to_dict() for server in report.servers if server.outcome in NEEDS]
    return {
        c.TABLE_PARTITION_KEY: c.LATEST_PARTITION,
        c.TABLE_SORT_KEY: received.place,
        "account": received.account,
        "region": received.region,
        "runId": report.info.run_id,
        "finishedAt": report.finished_at,
        "status": report.status.value,
        "dryRun": report.info.dry_run,
        "sweepComplete": report.sweep_complete,
        "counts": report.count_map(),
        "needs": needs[:MAX_NEEDS],
        # Counted, not listed: what the member's trimmed list and this item's cap left out.
        "needsOmitted": sum(report.counts[o] for o in NEEDS) - min(len(needs), MAX_NEEDS),
        c.TABLE_TTL_ATTRIBUTE: expires(now, c.LATEST_DAYS),
    }


def day_increments(received: Received) -> dict[str, int]:
    """What the run adds to its place's totals for its day."""
    report = received.report
    added = {name: report.counts[outcome] for name, outcome in DAY_COUNTS.items()}
    return {"runs": 1, "runsFailed": 1 if report.status is Status.FAILED else 0, **added}


@dataclass(frozen=True)
class NeedsPerson:
    """A server whose latest run left it for a person (attention), or failed to start in it."""

    account: str
    region: str
    server: Mapping[str, Any]  # the report's JSON form of the server


@dataclass(frozen=True)
class PlaceState:
    """One account and region: its latest run (if the table still has it) and the day's totals."""

    account: str
    region: str
    last_report_at: str | None = None
    status: str | None = None
    dry_run: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)  # the latest run's
    needs: tuple[NeedsPerson, ...] = ()
    needs_omitted: int = 0
    day: Mapping[str, int] = field(default_factory=dict)  # the day's totals

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    def total(self, name: str) -> int:
        return int(self.day.get(name, 0))

    @classmethod
    def from_items(cls, latest: Mapping[str, Any] | None, day: Mapping[str, Any] | None) -> PlaceState:
        """A place from its items as stored (numbers may come back as Decimal)."""
        source = latest or day or {}
        account, region = str(source["account"]), str(source["region"])
        if latest is None:
            return cls(account, region, day=_numbers(day or {}, DAY_FIELDS))
        needs = tuple(NeedsPerson(account, region, dict(server)) for server in latest.get("needs", []))
        return cls(
            account,
            region,
            last_report_at=str(latest["finishedAt"]),
            status=str(latest["status"]),
            dry_run=bool(latest.get("dryRun", False)),
            counts=_numbers(latest.get("counts", {}), None),
            needs=needs,
            needs_omitted=int(latest.get("needsOmitted", 0)),
            day=_numbers(day or {}, DAY_FIELDS),
        )


DAY_FIELDS = ("runs", "runsFailed", *DAY_COUNTS)


def _numbers(item: Mapping[str, Any], names: tuple[str, ...] | None) -> dict[str, int]:
    return {key: int(value) for key, value in item.items() if names is None or key in names}
