"""`make digest-sample`: a sample organization's daily digest, written by the hub's own code.

Eight places (accounts and regions) report every 30 minutes from yesterday until now through the real
collector (`reprotect.org.handlers.collect`) into moto's DynamoDB; one stopped reporting last night.
Then the real digest (`send_digest`) publishes to moto's SNS, and this prints what an email subscriber
of the organization's topic receives.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from moto import mock_aws
from moto.sns import sns_backends

from harness.context import FakeContext
from harness.env import ACCOUNT, REGION, use_fake_aws
from harness.hub import create_digest_table
from harness.resources import Clients, create_topic
from reprotect.contract import SERVICE_NAME
from reprotect.events import Trigger
from reprotect.org import contract as org
from reprotect.org import handlers
from reprotect.outcomes import Outcome, Reason, ServerOutcome
from reprotect.report import RunInfo, Tally

ORGANIZATION = "o-a1b2c3d4e5"
HUB_REGION = "us-east-1"
EVERY = timedelta(minutes=30)


@dataclass(frozen=True)
class Place:
    account: str
    region: str
    healthy: int
    listed: tuple[tuple[str, str, Outcome, Reason, str | None, str | None], ...] = ()
    restarts: int = 0  # servers restarted in one of yesterday's runs
    dry_run: bool = False
    silent_since: timedelta | None = None  # stopped reporting this long ago


PLACES = (
    Place("111111111111", "us-east-1", 212, restarts=3),
    Place("111111111111", "eu-west-1", 96, restarts=1),
    Place(
        "222222222222",
        "us-east-1",
        57,
        listed=(
            (
                "s-0a1b2c3d4e5f60718",
                "db-02",
                Outcome.ATTENTION,
                Reason.STALLED,
                "replication is STALLED",
                "UNSTABLE_NETWORK",
            ),
            (
                "s-1b2c3d4e5f6071829",
                "files-01",
                Outcome.ATTENTION,
                Reason.REPLICATION_ERROR,
                None,
                "AGENT_NOT_SEEN",
            ),
            (
                "s-2c3d4e5f607182930",
                "erp-app-3",
                Outcome.FAILED,
                Reason.START_FAILED,
                "not authorized to perform drs:StartReplication",
                "AccessDeniedException",
            ),
        ),
        restarts=2,
    ),
    Place("222222222222", "eu-central-1", 40),
    Place(
        "333333333333",
        "eu-west-1",
        18,
        listed=(
            (
                "s-3d4e5f60718293a4b",
                "web-07",
                Outcome.SKIPPED,
                Reason.EXTENDED,
                "staging account 666666666666",
                None,
            ),
        ),
    ),
    Place("444444444444", "ap-southeast-2", 31, silent_since=timedelta(hours=9, minutes=12)),
    Place("444444444444", "us-west-2", 25, restarts=1),
    Place(
        "555555555555",
        "us-east-1",
        12,
        listed=(
            ("s-4e5f60718293a4b5c", "test-db-1", Outcome.WOULD_START, Reason.REPLICATION_STOPPED, None, None),
        ),
        dry_run=True,
    ),
)


def report_event(place: Place, finished: datetime, restarted: int) -> dict:
    tally = Tally()
    for server_id, hostname, outcome, reason, detail, code in place.listed:
        tally.add(ServerOutcome(server_id, hostname, outcome, reason, detail, code))
    for i in range(restarted):
        tally.add(
            ServerOutcome(
                f"s-{i:04d}{place.account[:13]}", f"app-{i:02d}", Outcome.STARTED, Reason.REPLICATION_STOPPED
            )
        )
    for i in range(place.healthy):
        tally.add(ServerOutcome(f"h-{i}", None, Outcome.HEALTHY, Reason.REPLICATING))
    stamp = finished.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    info = RunInfo(
        str(uuid.uuid4()),
        Trigger("schedule", "drs-reprotect-sweep"),
        place.dry_run,
        place.region,
        place.account,
        stamp,
    )
    report = tally.report(info, finished_at=stamp, duration_ms=1800)
    return {
        "id": str(uuid.uuid4()),
        "source": org.EVENT_SOURCE,
        "detail-type": org.DETAIL_TYPE,
        "account": place.account,
        "region": HUB_REGION,
        "detail": report.to_dict(),
    }


def runs(place: Place, now: datetime) -> Iterator[dict]:
    """Every half hour from yesterday 00:10 UTC until now (or until the place went silent)."""
    start = datetime.combine(now.date() - timedelta(days=1), datetime.min.time(), UTC) + timedelta(minutes=10)
    end = now - (place.silent_since or timedelta(0))
    restarting = start + timedelta(hours=3)  # the run that found the place's stopped servers
    when = start
    while when <= end:
        yield report_event(place, when, place.restarts if when == restarting else 0)
        when += EVERY


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    logging.getLogger(SERVICE_NAME).disabled = True
    with contextlib.redirect_stdout(io.StringIO()):
        yield
    logging.getLogger(SERVICE_NAME).disabled = False


def main() -> int:
    use_fake_aws()
    os.environ.update({org.Env.ORGANIZATION_ID.value: ORGANIZATION})
    with mock_aws():
        clients = Clients.create()
        topic = create_topic(clients, "drs-reprotect-organization")
        create_digest_table(clients, "drs-reprotect-digest")
        os.environ.update(
            {org.Env.ORG_TOPIC_ARN.value: topic, org.Env.DIGEST_TABLE_NAME.value: "drs-reprotect-digest"}
        )
        now = datetime.now(UTC)
        with quiet():
            context: Any = FakeContext()  # what the handlers read of a Lambda context
            for place in PLACES:
                for event in runs(place, now):
                    handlers.collect(event, context)
            handlers.send_digest({}, context)
        # What SNS sends an email subscriber of the topic (with the filter {"kind": ["digest"]}).
        *_, (_, message, subject, attributes, _) = (
            sns_backends[ACCOUNT][REGION].topics[topic].sent_notifications
        )
        assert (attributes or {})["kind"]["Value"] == org.DIGEST_KIND
        print(f"Subject: {subject}\n")
        print(json.loads(message)["email"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
