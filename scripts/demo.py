"""`make demo`: the real handler against a local stand-in for one AWS account, told as a story: the
half-hourly sweep, what the DR team's inbox receives, a retried delivery, and an alarm that finds a
server this tool just restarted. `--raw` adds the JSON report, the function's log lines and metrics,
and what a queue subscriber receives. The fleet is scripts/demo_fleet.py.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import uuid
import warnings
from collections.abc import Iterator, Sequence
from typing import IO, Any

from moto.sns import sns_backends

from harness.context import FakeContext
from harness.emulator import start_emulator
from harness.env import ACCOUNT, REGION, endpoints, use_fake_aws
from harness.events import load_event
from harness.function import lambda_handler
from harness.moto_server import running_moto
from harness.resources import Clients
from harness.stack import Stack
from reprotect.contract import SERVICE_NAME
from reprotect.render import summary
from reprotect.report import Report
from scripts.demo_fleet import seed_account, seeded_fleet
from scripts.demo_story import story

INBOX = "dr-team@example.com"


@contextlib.contextmanager
def logs_to(stream: IO[str]) -> Iterator[None]:
    """Point the function's log handler at `stream` (Lambda sends stdout to CloudWatch Logs; here we
    keep it). Powertools' handler holds the stdout it was made with, so redirecting stdout is not enough."""
    handlers = [h for h in logging.getLogger(SERVICE_NAME).handlers if isinstance(h, logging.StreamHandler)]
    # Swapped without setStream, which flushes the old stream: one a finished caller has closed raises.
    previous = [h.stream for h in handlers]
    for handler in handlers:
        handler.stream = stream
    try:
        yield
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.stream = old


class Demo:
    """The local account, the function and what it wrote; prints the story (and the raw data if asked)."""

    def __init__(self, stack: Stack, raw: bool) -> None:
        self.stack, self.raw = stack, raw

    def invoke(self, event: dict[str, Any]) -> Report:
        """Run the handler; its report. With --raw, also print its log lines and metrics."""
        handler = lambda_handler()  # imported first: its logger exists from then on
        out = io.StringIO()
        with logs_to(out), contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = handler(event, FakeContext())
        if self.raw:
            section("The function's log lines and metrics (CloudWatch Logs, EMF)")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
            section("The JSON report (the function's result and the SNS message)")
            print(json.dumps(result, indent=2))
        return Report.from_dict(result)

    def emails(self) -> list[Any]:
        """What SNS sent to the email subscriber so far (subject and text)."""
        topic = sns_backends[ACCOUNT][REGION].topics[self.stack.topic_arn]
        return [n for n in topic.sent_notifications]

    def sweep(self, event: dict[str, Any]) -> Report:
        chapter("The half-hourly sweep runs (EventBridge Scheduler)")
        report = self.invoke(event)
        tell(report)
        return report

    def inbox(self) -> None:
        chapter(f"What the DR team's inbox ({INBOX}) receives")
        _, message, subject, _, _ = self.emails()[-1]
        print(f"Subject: {subject}\n")
        print(json.loads(message)["email"].rstrip())
        if self.raw:
            section("What a queue subscriber receives (filter policies can match these attributes)")
            body = self.stack.messages()[-1]
            print(json.dumps({k: v["Value"] for k, v in body["MessageAttributes"].items()}))

    def retry(self, event: dict[str, Any], first: Report) -> None:
        chapter("Scheduler delivers the same sweep again (a retry)")
        starts, sent = len(self.stack.backend.calls_of("StartReplication")), len(self.emails())
        again = self.invoke(event)
        new_starts = len(self.stack.backend.calls_of("StartReplication")) - starts
        repeated = again.info.run_id == first.info.run_id and len(self.emails()) == sent and not new_starts
        print(
            "Nothing new happened: no server was restarted twice, no second email went out, and the retry"
            " got the first run's report back."
            if repeated
            else f"Unexpected: {new_starts} new starts, {len(self.emails()) - sent} new emails."
        )

    def reversal(self) -> None:
        chapter("The team turns REVERSE_REPLICATION on; the next sweep protects shop-01's recovery back")
        os.environ["REVERSE_REPLICATION"] = "on"
        report = self.invoke(load_event("scheduler.json", scheduledTime="2026-11-27T06:30:00Z"))
        tell(report)
        calls = len(self.stack.backend.calls_of("ReverseReplication"))
        print(
            f"\nReverseReplication was called {calls} time(s) in all; never for drills or on-premises ones."
        )

    def alarm(self, first: Report) -> None:
        chapter("web-01 stops again, and a CloudWatch alarm on the fleet fires")
        web01 = next(s.source_server_id for s in first.servers if s.hostname == "web-01")
        self.stack.backend.set_state(web01, "STOPPED")
        tell(self.invoke(load_event("alarm_plain.json")))


def chapter(title: str) -> None:
    print(f"\n== {title} " + "=" * max(3, 96 - len(title)))


def section(title: str) -> None:
    print(f"\n-- {title}")


def tell(report: Report) -> None:
    print("\n".join(story(report)))
    print(f"\nVerdict: {report.status.upper()}. {summary(report)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--raw", action="store_true", help="also print the JSON, the logs and metrics")
    raw = parser.parse_args(argv).raw
    use_fake_aws()
    with running_moto() as aws_url, start_emulator(seeded_fleet()) as drs:
        os.environ.update(endpoints(aws_url, drs.url))
        clients = Clients.create()
        stack = Stack.create(drs, f"{SERVICE_NAME}-{uuid.uuid4().hex[:8]}", clients)
        clients.sns.subscribe(TopicArn=stack.topic_arn, Protocol="email", Endpoint=INBOX)
        seed_account(stack, clients)
        os.environ.update(stack.env())
        servers = len(drs.backend.server_ids())
        print(
            f"A stand-in for one AWS account ({ACCOUNT}, {REGION}) on this machine: {servers} DRS source"
            f" servers, the report's topic with {INBOX} subscribed, and the cooldown table."
            " Nothing here reaches AWS."
        )
        demo, schedule_event = Demo(stack, raw), load_event("scheduler.json")
        first = demo.sweep(schedule_event)
        demo.inbox()
        demo.retry(schedule_event, first)
        demo.alarm(first)
        demo.reversal()
    if not raw:
        print("\n(make demo ARGS=--raw adds the JSON report, the function's log lines and its metrics.)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
