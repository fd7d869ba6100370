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
import sys
import uuid
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "demo",
        "AWS_SECRET_ACCESS_KEY": "demo",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from moto.sns import sns_backends  # noqa: E402

from drs_emulator.fleet import make_server  # noqa: E402
from drs_emulator.models import DrsBackend  # noqa: E402
from drs_emulator.server import EmulatorServer  # noqa: E402

ACCOUNT = "123456789012"


class Context:
    """The parts of the Lambda context the handler reads."""

    function_name = "drs-reprotect"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:drs-reprotect"
    log_group_name = "/aws/lambda/drs-reprotect"
    log_stream_name = "demo"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def seeded_fleet() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {"state": "STOPPED", "hostname": "web-01"},
        {"state": "STOPPED", "hostname": "web-02"},
        {"state": "STOPPED", "hostname": "db-01"},
        {"state": "STOPPED", "hostname": "legacy-01", "tags": {"AutoReprotect": "false"}},
        {"state": "STOPPED", "hostname": "erp-01", "direction": "FAILBACK"},
        {"state": "STALLED", "hostname": "files-01", "error": "UNSTABLE_NETWORK"},
    ]
    specs += [{"state": "CONTINUOUS", "hostname": f"app-{i:02d}"} for i in range(1, 7)]
    import random

    rng = random.Random(7)
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]


def heading(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}")


def invoke(handler: Any, event: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Run the handler; return its result and the log lines and EMF records it wrote to stdout."""
    out = io.StringIO()
    stream = handler.logger.registered_handler
    previous = stream.setStream(out)  # Lambda sends stdout to CloudWatch Logs; here we keep it
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = handler.lambda_handler(event, Context())
    finally:
        stream.setStream(previous)
    return result, [line for line in out.getvalue().splitlines() if line.strip()]


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    for service in ("SNS", "SQS", "DYNAMODB"):
        os.environ[f"AWS_ENDPOINT_URL_{service}"] = f"http://{host}:{port}"
    backend = DrsBackend()
    backend.add_servers(seeded_fleet())
    drs = EmulatorServer(backend).start()
    os.environ["AWS_ENDPOINT_URL_DRS"] = drs.url

    try:
        sns, sqs, dynamodb = boto3.client("sns"), boto3.client("sqs"), boto3.client("dynamodb")
        topic = sns.create_topic(Name="drs-reprotect-outcomes")["TopicArn"]
        queue = sqs.create_queue(QueueName="drs-reprotect-ops")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="dr-team@example.com")
        dynamodb.create_table(
            TableName="drs-reprotect-idempotency",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        os.environ.update({"OUTCOME_TOPIC_ARN": topic, "IDEMPOTENCY_TABLE_NAME": "drs-reprotect-idempotency"})

        from reprotect import handler
        from reprotect.render import table
        from reprotect.report import Report

        print(
            f"DRS emulator at {drs.url} with {len(backend.server_ids())} source servers;"
            f" moto at {host}:{port}"
        )

        heading("Run 1: the periodic sweep (EventBridge Scheduler input, events/scheduler.json)")
        schedule_event = json.loads((EVENTS / "scheduler.json").read_text())
        report, logs = invoke(handler, schedule_event)
        print(table(Report.from_dict(report)))
        emf = [line for line in logs if '"_aws"' in line]
        print(f"\n{len(logs) - len(emf)} structured log lines and {len(emf)} EMF metric record were written.")
        print("The log line for web-01:")
        print(next((line for line in logs if '"web-01"' in line), "(none)"))
        print("The run's metrics:")
        print(emf[0] if emf else "(none)")

        sent = sns_backends[ACCOUNT]["us-east-1"].topics[topic].sent_notifications
        _, message, subject, _, _ = sent[-1]
        heading("What the email subscriber (dr-team@example.com) receives")
        print(f"Subject: {subject}\n")
        print(json.loads(message)["email"])

        heading("What the queue subscriber receives (SNS envelope; filter policies can match 'outcome')")
        body = json.loads(sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"][0]["Body"])
        attributes = {k: v["Value"] for k, v in body["MessageAttributes"].items()}
        print("MessageAttributes:", json.dumps(attributes))
        print("Message (the JSON report):")
        print(json.dumps(json.loads(body["Message"]), indent=2)[:2500])

        heading("The same scheduled event delivered again (a retry): nothing is started or published")
        calls_before, sent_before = len(backend.calls_of("StartReplication")), len(sent)
        again, _ = invoke(handler, schedule_event)
        new_calls = len(backend.calls_of("StartReplication")) - calls_before
        print(
            f"same report returned: {again == report}; new StartReplication calls: {new_calls};"
            f" new messages: {len(sent) - sent_before}"
        )

        heading("Run 2: web-01 stopped again; a CloudWatch alarm fires (events/alarm_plain.json)")
        web01 = next(s["sourceServerID"] for s in report["servers"] if s["hostname"] == "web-01")
        backend.set_state(web01, "STOPPED")
        second, _ = invoke(handler, json.loads((EVENTS / "alarm_plain.json").read_text()))
        print(table(Report.from_dict(second)))
        return 0
    finally:
        drs.stop()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
