"""The handler against the DRS emulator and moto: a fresh topic, queue and table per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from drs_emulator.fleet import make_server
from drs_emulator.server import EmulatorServer
from harness.context import FakeContext
from harness.env import endpoints
from harness.events import load_event
from harness.function import new_execution_environment
from harness.stack import Stack
from reprotect.contract import SETTINGS

__all__ = ["FakeContext", "Stack", "load_event"]


@pytest.fixture
def stack(moto_url: str, drs_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    for name, value in endpoints(moto_url).items():
        monkeypatch.setenv(name, value)
    created = Stack.create(drs_emulator, f"t{uuid.uuid4().hex[:12]}")
    for name, value in created.env().items():
        monkeypatch.setenv(name, value)
    for setting in SETTINGS:  # every test starts from the documented defaults
        monkeypatch.delenv(setting.env, raising=False)
    new_execution_environment()  # the function keeps clients per environment; each test has new endpoints
    yield created
    new_execution_environment()


@pytest.fixture
def fleet(stack: Stack) -> Callable[..., list[str]]:
    """Add servers built by drs_emulator.fleet.make_server; returns their ids in order."""

    def add(*specs: dict[str, Any]) -> list[str]:
        servers = [make_server(**spec) for spec in specs]
        stack.backend.add_servers(servers)
        return [s["sourceServerID"] for s in servers]

    return add
