"""The organization's hub in moto: its event bus with a queue that receives what a rule matches (as the
hub's own rule would hand it to its collector), the digest table, and the organization's topic."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from harness import resources
from reprotect.org import contract as org

# moto's default input to an SQS target leaves out the event's `account`; EventBridge delivers the whole
# event to the hub's collector, so the test rule spells the whole event out.
_FIELDS = ("id", "version", "account", "time", "region", "resources", "detail-type", "source", "detail")
_JSON_FIELDS = ("resources", "detail")
WHOLE_EVENT = {
    "InputPathsMap": {field: f"$.{field}" for field in _FIELDS},
    "InputTemplate": "{"
    + ", ".join(f'"{f}": <{f}>' if f in _JSON_FIELDS else f'"{f}": "<{f}>"' for f in _FIELDS)
    + "}",
}


@dataclass(frozen=True)
class Hub:
    bus_arn: str
    queue_url: str  # receives the EventBridge events the hub's rule matches
    table_name: str
    topic_arn: str
    topic_queue_url: str  # subscribed to the organization's topic, without a filter

    def env(self, organization_id: str = "o-a1b2c3d4e5") -> dict[str, str]:
        """The hub functions' variables."""
        return {
            org.Env.ORG_TOPIC_ARN.value: self.topic_arn,
            org.Env.DIGEST_TABLE_NAME.value: self.table_name,
            org.Env.ORGANIZATION_ID.value: organization_id,
        }


def create_hub(clients: resources.Clients, name: str) -> Hub:
    """A bus called `name` with the hub's rule (the member contract's source and detail-type), the
    digest table and the organization's topic, all in moto."""
    events = boto3.client("events")
    bus_arn: str = events.create_event_bus(Name=name)["EventBusArn"]
    queue_url = clients.sqs.create_queue(QueueName=f"{name}-events")["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    pattern = {"source": [org.EVENT_SOURCE], "detail-type": [org.DETAIL_TYPE]}
    events.put_rule(Name=name, EventBusName=name, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=name,
        EventBusName=name,
        Targets=[{"Id": "collector", "Arn": queue_arn, "InputTransformer": WHOLE_EVENT}],
    )
    create_digest_table(clients, name)
    topic_arn = resources.create_topic(clients, f"{name}-org")
    topic_queue_url = resources.subscribe_queue(clients, topic_arn, f"{name}-org")
    return Hub(bus_arn, queue_url, name, topic_arn, topic_queue_url)


def create_digest_table(clients: resources.Clients, name: str) -> str:
    """The digest table as the hub stack makes it: string partition and sort keys, on demand."""
    keys = (org.TABLE_PARTITION_KEY, org.TABLE_SORT_KEY)
    clients.dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"), strict=True)
        ],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def received_events(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """The EventBridge events the hub's rule delivered so far, taken off its queue."""
    out: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return out
