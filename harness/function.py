"""The function under test, reached as Lambda reaches it: by the handler name in the contract."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from harness.context import FakeContext
from reprotect.contract import HANDLER

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def lambda_handler() -> Handler:
    """`reprotect.handler.lambda_handler`, imported on first use."""
    module, name = HANDLER.rsplit(".", 1)
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def invoke(event: dict[str, Any], context: FakeContext | None = None) -> dict[str, Any]:
    """One invocation; a fresh context (new request id, full budget) unless one is given."""
    return lambda_handler()(event, context or FakeContext())


def new_execution_environment() -> None:
    """Forget what the function keeps between invocations, as a new Lambda environment would.

    The function caches its clients (and what it builds on them) for the life of the environment;
    a client keeps the endpoint and retry settings it was made with. Every module-level functools cache
    in the function's package is cleared, whatever its name, so this survives changes to the package.
    """
    package = HANDLER.split(".", 1)[0]
    for name, module in list(sys.modules.items()):
        if name == package or name.startswith(package + "."):
            for value in list(vars(module).values()):
                if hasattr(value, "cache_info") and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()  # a functools cache
