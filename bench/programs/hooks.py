"""What the handler's process sends to DynamoDB and SNS, seen from inside it.

The handler makes its DynamoDB and SNS clients from the default boto3 session, so hooks registered
on that session see every request those clients send (retries included) and the message published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from reprotect.contract import COOLDOWN_PREFIX, LIMITS_KEY, TABLE_PARTITION_KEY
from reprotect.journal import JOURNAL_PREFIX

_NAMED_SERVER = re.compile(re.escape(COOLDOWN_PREFIX) + r"(s-[0-9a-zA-Z]{17})")
WRITES = ("PutItem", "UpdateItem", "DeleteItem")


@dataclass
class Seen:
    table_requests: dict[str, int] = field(default_factory=dict)  # by DynamoDB operation
    table_writes: dict[str, int] = field(default_factory=dict)  # by the kind of item written
    table_servers: set[str] = field(default_factory=set)  # servers a DynamoDB request named
    published: list[int] = field(default_factory=list)  # bytes of each SNS message

    def count(self, request: Any, **_: Any) -> None:
        operation = str(request.headers.get("X-Amz-Target", b"?"), "utf-8").rsplit(".", 1)[-1]
        self.table_requests[operation] = self.table_requests.get(operation, 0) + 1
        if operation in WRITES:
            kind = item_kind(json.loads(request.body or b"{}"))
            self.table_writes[kind] = self.table_writes.get(kind, 0) + 1

    def note_servers(self, params: dict[str, Any], **_: Any) -> None:
        self.table_servers.update(_NAMED_SERVER.findall(json.dumps(params)))

    def measure(self, params: dict[str, Any], **_: Any) -> None:
        """Message plus attribute names, types and values: what SNS counts against its limit."""
        attributes = params.get("MessageAttributes", {})
        size = len(params["Message"].encode()) + sum(
            len(k.encode()) + len(v["DataType"].encode()) + len(v["StringValue"].encode())
            for k, v in attributes.items()
        )
        self.published.append(size)


def item_kind(body: dict[str, Any]) -> str:
    """Which of the table's items a write touches: a server's cooldown claim, the run journal, the
    learned DRS limits, or (any other key) Powertools' idempotency record."""
    key = str((body.get("Item") or body.get("Key") or {}).get(TABLE_PARTITION_KEY, {}).get("S", ""))
    if key.startswith(COOLDOWN_PREFIX):
        return "server"
    if key.startswith(JOURNAL_PREFIX):
        return "journal"
    if key == LIMITS_KEY:
        return "limits"
    return "record"


def observe(session: Any) -> Seen:
    """Register the hooks on `session`; what they see accumulates in the returned object."""
    seen = Seen()
    session.events.register("before-send.dynamodb", seen.count)
    session.events.register("provide-client-params.dynamodb", seen.note_servers)
    session.events.register("provide-client-params.sns.Publish", seen.measure)
    return seen
