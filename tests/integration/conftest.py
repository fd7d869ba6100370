"""The handler against the DRS emulator and moto: a fresh topic, queue and table per test."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from drs_emulator.server import EmulatorServer
from reprotect import handler
from reprotect.contract import SETTINGS

EVENTS = Path(__file__).parent.parent.parent / "events"


def load_event(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    event.update(changes)
    return event


@dataclass
class FakeContext:
    """What the handler reads of the Lambda context; the deadline is a wall-clock budget."""

    budget_ms: int = 300_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_name: str = "drs-reprotect"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:drs-reprotect"
    log_group_name: str = "/aws/lambda/drs-reprotect"
    log_stream_name: str = "stream"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int(self.budget_ms - (time.monotonic() - self.started) * 1000)


@dataclass
class Stack:
    """The resources one test's handler runs against, and ways to read what it did."""

    drs: EmulatorServer
    topic_arn: str
    table_name: str
    queue_url: str
    sqs: Any
    dynamodb: Any

    @property
    def backend(self) -> Any:
        return self.drs.backend

    def messages(self) -> list[dict[str, Any]]:
        """Every SNS notification the queue subscriber received so far (the SNS envelope)."""
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            batch = got.get("Messages", [])
            if not batch:
                return out
            for message in batch:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def cooldown_items(self) -> dict[str, dict[str, Any]]:
        items = self.dynamodb.scan(TableName=self.table_name)["Items"]
        return {
            i["id"]["S"].removeprefix("cooldown#"): i for i in items if i["id"]["S"].startswith("cooldown#")
        }

    def invoke(self, event: dict[str, Any], context: FakeContext | None = None) -> dict[str, Any]:
        result: dict[str, Any] = handler.lambda_handler(event, context or FakeContext())
        return result


@pytest.fixture
def stack(moto_url: str, drs_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Stack:
    for service in ("SNS", "SQS", "DYNAMODB"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
    name = f"t{uuid.uuid4().hex[:12]}"
    sns, sqs, dynamodb = boto3.client("sns"), boto3.client("sqs"), boto3.client("dynamodb")
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("OUTCOME_TOPIC_ARN", topic_arn)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", name)
    for setting in SETTINGS:  # every test starts from the documented defaults
        monkeypatch.delenv(setting.env, raising=False)
    return Stack(drs_emulator, topic_arn, name, queue_url, sqs, dynamodb)


@pytest.fixture
def fleet(stack: Stack) -> Callable[..., list[str]]:
    """Add servers built by drs_emulator.fleet.make_server; returns their ids in order."""
    from drs_emulator.fleet import make_server

    def add(*specs: dict[str, Any]) -> list[str]:
        servers = [make_server(**spec) for spec in specs]
        stack.backend.add_servers(servers)
        return [s["sourceServerID"] for s in servers]

    return add
