"""When a report is worth a message, and the record of the last one that was sent.

A run publishes when it started, would start or failed something (a server, or the run as a whole),
or did not finish its sweep; when its standing news differs from the last published report's for the
same account and Region; when that publication is older than REMIND_AFTER_SECONDS and there is still
news to remind of; or always with NOTIFY_WHEN_IDLE. The standing news is the set of (id, outcome,
reason) of the servers, source networks and recovery instances that need a person or wait for a
later run (`attention`, `deferred`), taken from the whole report, not the one trimmed to fit SNS.
Starts and failures are left out because they publish by themselves (else the run after a start would
publish again, the start being gone), and skips because they are policy, not news.

The record is one item per account and Region (`notify#<account>#<region>`): a digest of the standing
news and the time, read once per run and written once per publication.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reprotect.contract import (
    EVENT_RECORD_SECONDS,
    PUBLICATION_PREFIX,
    TABLE_PARTITION_KEY,
    TABLE_TTL_ATTRIBUTE,
)
from reprotect.lifecycle import iso
from reprotect.outcomes import Outcome
from reprotect.report import Report

STANDING = frozenset({Outcome.ATTENTION, Outcome.DEFERRED})
_NEWS = (Outcome.STARTED, Outcome.WOULD_START, Outcome.FAILED)
NOTHING = hashlib.sha256(b"").hexdigest()  # the digest of no standing news


def standing_news(report: Report) -> str:
    """A digest of the report's standing news: (id, outcome, reason) of every server, source network
    and recovery instance waiting or needing a person, in any order."""
    servers = [(s.source_server_id, s.outcome, s.reason) for s in report.servers]
    others = [
        (e.resource_id, e.outcome, e.reason) for e in (*report.networks.entries, *report.instances.entries)
    ]
    lines = sorted(
        f"{ident}|{outcome}|{reason}" for ident, outcome, reason in servers + others if outcome in STANDING
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class Published:
    """The last publication for an account and Region: its standing news and when it was sent."""

    digest: str
    at: int


@dataclass(frozen=True)
class Policy:
    notify_when_idle: bool
    remind_after_seconds: int


def why_publish(report: Report, last: Published | None, now: int, policy: Policy) -> str | None:
    """Why this report is published (a few words for the log), or None to stay quiet.

    `report` is the whole report; `last` None means nothing was published (or the record is gone).
    """
    if policy.notify_when_idle:
        return "NOTIFY_WHEN_IDLE"
    if has_news(report):
        return "news"
    digest = standing_news(report)
    if digest != (last.digest if last else NOTHING):
        return "changed since the last report"
    if last and digest != NOTHING and now - last.at >= policy.remind_after_seconds:
        return f"unchanged since {iso(last.at)}: a reminder"
    return None


def has_news(report: Report) -> bool:
    """Whether the run itself did or failed something: that is always worth a report."""
    return bool(report.error) or not report.sweep_complete or any(report.totals[kind] for kind in _NEWS)


class PublicationLog:
    """The record of the last publication, one item per account and Region in the table."""

    def __init__(self, client: Any, table_name: str, remind_after_seconds: int) -> None:
        self._client = client
        self._table = table_name
        # The record outlives the reminder's interval, so a reminder is never lost with it.
        self._keep = remind_after_seconds + EVENT_RECORD_SECONDS

    @staticmethod
    def _key(account: str | None, region: str | None) -> dict[str, Any]:
        return {
            TABLE_PARTITION_KEY: {"S": f"{PUBLICATION_PREFIX}{account or 'unknown'}#{region or 'unknown'}"}
        }

    def last(self, account: str | None, region: str | None) -> Published | None:
        item = self._client.get_item(
            TableName=self._table, Key=self._key(account, region), ConsistentRead=True
        ).get("Item")
        return read(item) if item else None

    def remember(self, account: str | None, region: str | None, digest: str, now: int) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                **self._key(account, region),
                "digest": {"S": digest},
                "publishedAt": {"N": str(now)},
                TABLE_TTL_ATTRIBUTE: {"N": str(now + self._keep)},
            },
        )


def read(item: Mapping[str, Any]) -> Published | None:
    """The record; None when it cannot be read (then the next report is published, not lost)."""
    try:
        return Published(str(item["digest"]["S"]), int(item["publishedAt"]["N"]))
    except (KeyError, TypeError, ValueError):
        return None


class NoPublicationLog:
    """No table: nothing is remembered, so every report with news is published."""

    def last(self, account: str | None, region: str | None) -> Published | None:
        return None

    def remember(self, account: str | None, region: str | None, digest: str, now: int) -> None:
        return None
