"""`make demo`: the real handler, twice, against the DRS emulator and moto, on this machine only.

It shows the outcome table, the notification as an email subscriber and as a queue subscriber get
it, that a duplicate delivery changes nothing, and that a second event respects the cooldown.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import random
import sys
import time
import warnings
from collections.abc import Iterator
from typing import IO, Any

from moto.sns import sns_backends

from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
from harness.context import FakeContext
from harness.emulator import start_emulator
from harness.env import ACCOUNT, REGION, endpoints, use_fake_aws
from harness.events import load_event
from harness.function import lambda_handler
from harness.moto_server import running_moto
from harness.resources import Clients
from harness.stack import Stack
from reprotect.contract import SERVICE_NAME
from reprotect.cooldown import CooldownStore, RunClaim
from reprotect.render import table
from reprotect.report import Report


def seeded_fleet() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {"state": "STOPPED", "hostname": "web-01"},
        {"state": "STOPPED", "hostname": "web-02"},
        {"state": "STOPPED", "hostname": "db-01"},
        {"state": "STOPPED", "hostname": "legacy-01", "tags": {"AutoReprotect": "false"}},
        {"state": "STOPPED", "hostname": "erp-01", "direction": "FAILBACK"},
        {"state": "STALLED", "hostname": "files-01", "error": "UNSTABLE_NETWORK"},
        # Recovered for real: its workload runs on the recovery instance below.
        {"state": "STOPPED", "hostname": "erp-02", "recovery_instance_id": FAILED_OVER_INSTANCE},
        # Started three times today already (the history seeded below), and stopped again.
        {"state": "STOPPED", "hostname": "batch-07"},
        # Replicating, but three hours and twenty minutes behind.
        {"state": "CONTINUOUS", "hostname": "reports-01", "lag_seconds": 3 * 3600 + 20 * 60},
        # An EC2 workload recovered for real into this Region; nothing protects its recovery instance.
        {
            "state": "STOPPED",
            "hostname": "shop-01",
            "ec2_origin": True,
            "recovery_instance_id": UNPROTECTED_INSTANCE,
        },
    ]
    specs += [{"state": "CONTINUOUS", "hostname": f"app-{i:02d}"} for i in range(1, 7)]
    rng = random.Random(7)
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]


FAILED_OVER_INSTANCE = "i-0d3e5f7a9b1c2d4e6"
UNPROTECTED_INSTANCE = "i-0a1b2c3d4e5f60718"


def seed_recovery(stack: Stack) -> None:
    """erp-02's recovery instance: a real recovery (not a drill), running; shop-01's: a real recovery
    of an EC2 workload whose reverse replication was never started."""
    servers = {_host(s): s for s in map(stack.backend.get_server, stack.backend.server_ids())}
    erp = make_recovery_instance(
        servers["erp-02"], recovery_instance_id=FAILED_OVER_INSTANCE, account_id=ACCOUNT
    )
    shop = make_recovery_instance(
        servers["shop-01"], recovery_instance_id=UNPROTECTED_INSTANCE, account_id=ACCOUNT
    )
    stack.backend.add_recovery_instances([erp, shop])


def seed_networks(stack: Stack) -> None:
    """Two source VPCs: one protected, one whose replication was stopped."""
    rng = random.Random(11)
    stack.backend.add_source_networks(
        [
            make_source_network("PROTECTED", vpc_id="vpc-0f1e2d3c4b5a69788", account_id=ACCOUNT, rng=rng),
            make_source_network("STOPPED", vpc_id="vpc-0a9b8c7d6e5f40312", account_id=ACCOUNT, rng=rng),
        ]
    )


def seed_history(stack: Stack, clients: Clients) -> None:
    """batch-07 was started by earlier runs 3, 2 and 1 hours ago (their claims, confirmed)."""
    batch = next(
        sid for sid in stack.backend.server_ids() if _host(stack.backend.get_server(sid)) == "batch-07"
    )
    store = CooldownStore(clients.dynamodb, stack.table_name, seconds=600)
    now = int(time.time())
    for hours in (3, 2, 1):
        earlier = RunClaim(f"earlier-run-{hours}", f"earlier-event-{hours}", lease_seconds=300)
        store.claim(batch, earlier, now - hours * 3600)
        store.confirm(batch, earlier, now - hours * 3600)


def _host(server: dict[str, Any]) -> str | None:
    return server["sourceProperties"]["identificationHints"].get("hostname")


def heading(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}")


@contextlib.contextmanager
def logs_to(stream: IO[str]) -> Iterator[None]:
    """Point the function's log handler at `stream` (Lambda sends stdout to CloudWatch Logs; here we
    keep it). Powertools' handler holds the stdout it was made with, so redirecting stdout is not enough."""
    handlers = [h for h in logging.getLogger(SERVICE_NAME).handlers if isinstance(h, logging.StreamHandler)]
    previous = [h.setStream(stream) for h in handlers]
    try:
        yield
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)


def invoke(event: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Run the handler; return its result and the log lines and EMF records it wrote to stdout."""
    handler = lambda_handler()  # imported first: its logger exists from then on
    out = io.StringIO()
    with logs_to(out), contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = handler(event, FakeContext())
    return result, [line for line in out.getvalue().splitlines() if line.strip()]


def sent_notifications(topic_arn: str) -> list[Any]:
    """What moto (in this process) recorded as published to the topic, whatever the subscriber."""
    notifications: list[Any] = sns_backends[ACCOUNT][REGION].topics[topic_arn].sent_notifications
    return notifications


def first_run(event: dict[str, Any]) -> dict[str, Any]:
    heading("Run 1: the periodic sweep (EventBridge Scheduler input, events/scheduler.json)")
    report, logs = invoke(event)
    print(table(Report.from_dict(report)))
    emf = [line for line in logs if '"_aws"' in line]
    print(f"\n{len(logs) - len(emf)} structured log lines and {len(emf)} EMF metric record were written.")
    print("The log line for web-01:")
    print(next((line for line in logs if '"web-01"' in line), "(none)"))
    print("The run's metrics:")
    print(emf[0] if emf else "(none)")
    return report


def email_view(stack: Stack) -> None:
    _, message, subject, _, _ = sent_notifications(stack.topic_arn)[-1]
    heading("What the email subscriber (dr-team@example.com) receives")
    print(f"Subject: {subject}\n")
    print(json.loads(message)["email"])


def queue_view(stack: Stack) -> None:
    heading("What the queue subscriber receives (SNS envelope; filter policies can match 'outcome')")
    body = stack.messages()[0]
    attributes = {k: v["Value"] for k, v in body["MessageAttributes"].items()}
    print("MessageAttributes:", json.dumps(attributes))
    print("Message (the JSON report):")
    print(json.dumps(json.loads(body["Message"]), indent=2)[:2500])


def duplicate_delivery(stack: Stack, event: dict[str, Any], report: dict[str, Any]) -> None:
    heading("The same scheduled event delivered again (a retry): nothing is started or published")
    calls_before = len(stack.backend.calls_of("StartReplication"))
    sent_before = len(sent_notifications(stack.topic_arn))
    again, _ = invoke(event)
    new_calls = len(stack.backend.calls_of("StartReplication")) - calls_before
    new_messages = len(sent_notifications(stack.topic_arn)) - sent_before
    print(
        f"same report returned: {again == report}; new StartReplication calls: {new_calls};"
        f" new messages: {new_messages}"
    )


def second_run(stack: Stack, report: dict[str, Any]) -> None:
    heading("Run 2: web-01 stopped again; a CloudWatch alarm fires (events/alarm_plain.json)")
    web01 = next(s["sourceServerID"] for s in report["servers"] if s["hostname"] == "web-01")
    stack.backend.set_state(web01, "STOPPED")
    second, _ = invoke(load_event("alarm_plain.json"))
    print(table(Report.from_dict(second)))


def reversal_run(stack: Stack) -> None:
    heading("Run 3: REVERSE_REPLICATION=on; the next periodic sweep reverses shop-01's recovery instance")
    os.environ["REVERSE_REPLICATION"] = "on"
    third, _ = invoke(load_event("scheduler.json", scheduledTime="2026-11-27T06:30:00Z", executionId="run-3"))
    print(table(Report.from_dict(third)))
    print(f"\nReverseReplication calls so far: {len(stack.backend.calls_of('ReverseReplication'))}")


def main() -> int:
    use_fake_aws()
    with running_moto() as moto_url, start_emulator(seeded_fleet()) as drs:
        os.environ.update(endpoints(moto_url, drs.url))
        clients = Clients.create()
        stack = Stack.create(drs, "drs-reprotect", clients)
        clients.sns.subscribe(TopicArn=stack.topic_arn, Protocol="email", Endpoint="dr-team@example.com")
        os.environ.update(stack.env())
        seed_recovery(stack)
        seed_networks(stack)
        seed_history(stack, clients)
        print(
            f"DRS emulator at {drs.url} with {len(stack.backend.server_ids())} source servers;"
            f" moto at {moto_url.removeprefix('http://')}"
        )
        print(
            "erp-02 was recovered for real (recovery instance, not a drill); batch-07 was started three"
            " times in the last three hours; reports-01 replicates 3h20m behind; shop-01 (EC2) was"
            " recovered for real and its recovery instance is not reverse-protected; one source VPC's"
            " replication is stopped."
        )
        schedule_event = load_event("scheduler.json")
        report = first_run(schedule_event)
        email_view(stack)
        queue_view(stack)
        duplicate_delivery(stack, schedule_event, report)
        second_run(stack, report)
        reversal_run(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
