"""The function's resources in moto (topic, queue subscriber, table) and reading back what it wrote."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from reprotect.contract import COOLDOWN_PREFIX, TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE, Env


@dataclass(frozen=True)
class Clients:
    """boto3 clients for the services moto stands in for."""

    sns: Any
    sqs: Any
    dynamodb: Any

    @classmethod
    def create(cls, endpoint_url: str | None = None) -> Clients:
        """Clients for `endpoint_url`, or for the `AWS_ENDPOINT_URL_<SERVICE>` variables when None."""
        return cls(*(boto3.client(name, endpoint_url=endpoint_url) for name in ("sns", "sqs", "dynamodb")))


def function_env(topic_arn: str, table_name: str) -> dict[str, str]:
    """The variables that name the function's topic and table."""
    return {Env.OUTCOME_TOPIC_ARN.value: topic_arn, Env.IDEMPOTENCY_TABLE_NAME.value: table_name}


def create_topic(clients: Clients, name: str) -> str:
    topic_arn: str = clients.sns.create_topic(Name=name)["TopicArn"]
    return topic_arn


def create_table(clients: Clients, name: str) -> str:
    """The idempotency and cooldown table as the stack makes it: string partition key, TTL on."""
    clients.dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clients.dynamodb.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TABLE_TTL_ATTRIBUTE},
    )
    return name


def subscribe_queue(
    clients: Clients, topic_arn: str, name: str, filter_policy: Mapping[str, Any] | None = None
) -> str:
    """A new SQS queue subscribed to the topic (with a filter policy if given); its URL."""
    queue_url: str = clients.sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = clients.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    extra = {"Attributes": {"FilterPolicy": json.dumps(filter_policy)}} if filter_policy is not None else {}
    clients.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, **extra)
    return queue_url


def read_messages(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every SNS notification the queue holds (the SNS envelope), taken off the queue."""
    out: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = got.get("Messages", [])
        if not batch:
            return out
        for message in batch:
            out.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def cooldown_items(
    dynamodb: Any, table_name: str, prefix: str = COOLDOWN_PREFIX
) -> dict[str, dict[str, Any]]:
    """The table's cooldown claims by source server id (raw DynamoDB items); with another prefix, the
    claims on source networks (`network#`) or reversals (`reverse#`) by their id."""
    items = dynamodb.scan(TableName=table_name)["Items"]
    keys = {item[TABLE_PARTITION_KEY]["S"]: item for item in items}
    return {key.removeprefix(prefix): item for key, item in keys.items() if key.startswith(prefix)}
