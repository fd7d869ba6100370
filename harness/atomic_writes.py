"""DynamoDB's guarantee, given to moto: a conditional write is checked and applied atomically.

DynamoDB evaluates a write's ConditionExpression and applies the write as one step, so two runs
racing for one cooldown claim cannot both win. moto's server answers requests on concurrent threads
and its DynamoDB backend takes no lock, so two conditional puts can both pass their check. The
harness serializes moto's item writes, which makes moto do what DynamoDB promises; the engine's claim
logic is then what the overlap tests prove, not moto's thread timing.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_LOCK = threading.RLock()


def make_item_writes_atomic() -> None:
    """Serialize moto's DynamoDB item writes (idempotent; lasts for the process)."""
    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "_serialized", False):
            setattr(DynamoDBBackend, name, _serialized(method))


def _serialized(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    write._serialized = True  # type: ignore[attr-defined]
    return write
