"""One function's local stack: the DRS emulator, a topic with a queue subscriber, a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drs_emulator import DrsBackend, EmulatorServer
from drs_emulator.faults import FaultInjector
from harness import resources
from harness.context import FakeContext
from harness.function import invoke
from reprotect.contract import COOLDOWN_PREFIX


@dataclass
class Stack:
    """The resources one handler runs against, and ways to read what it did."""

    drs: EmulatorServer
    topic_arn: str
    table_name: str
    queue_url: str
    sqs: Any
    dynamodb: Any

    @classmethod
    def create(cls, drs: EmulatorServer, name: str, clients: resources.Clients | None = None) -> Stack:
        """A topic, a queue subscribed to it and a table, all called `name`, in moto."""
        clients = clients or resources.Clients.create()
        topic_arn = resources.create_topic(clients, name)
        queue_url = resources.subscribe_queue(clients, topic_arn, name)
        resources.create_table(clients, name)
        return cls(drs, topic_arn, name, queue_url, clients.sqs, clients.dynamodb)

    def env(self) -> dict[str, str]:
        """The variables that point the function at this stack's topic and table."""
        return resources.function_env(self.topic_arn, self.table_name)

    @property
    def backend(self) -> DrsBackend:
        return self.drs.backend

    @property
    def faults(self) -> FaultInjector:
        return self.drs.backend.faults

    def messages(self) -> list[dict[str, Any]]:
        """Every SNS notification the queue subscriber received so far (the SNS envelope)."""
        return resources.read_messages(self.sqs, self.queue_url)

    def cooldown_items(self, prefix: str = COOLDOWN_PREFIX) -> dict[str, dict[str, Any]]:
        return resources.cooldown_items(self.dynamodb, self.table_name, prefix)

    def invoke(self, event: dict[str, Any], context: FakeContext | None = None) -> dict[str, Any]:
        return invoke(event, context)
