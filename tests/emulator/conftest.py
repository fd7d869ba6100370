"""Fixtures for the emulator's own tests.

The project conftest loads ``drs_emulator.pytest_plugin``; importing the fixtures here as well keeps
``pytest tests/emulator`` working on its own (a conftest definition simply overrides the plugin's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from drs_emulator.pytest_plugin import drs_client, drs_emulator  # noqa: F401
from drs_emulator.server import EmulatorServer
from tests.emulator.shape_validator import NO_RETRY


@dataclass
class WireRecord:
    """What came over the wire for one call, before botocore's forgiving parser saw it."""

    operation: str
    status: int
    headers: dict[str, str]
    body: Any


@pytest.fixture
def wire(drs_emulator: EmulatorServer) -> tuple[Any, list[WireRecord]]:  # noqa: F811
    """A non-retrying DRS client plus the raw responses it received, captured via ``after-call``."""
    client = boto3.client("drs", config=NO_RETRY)
    records: list[WireRecord] = []

    def capture(http_response: Any, model: Any, **_: Any) -> None:
        raw = http_response.content
        body = json.loads(raw) if raw else None
        records.append(WireRecord(model.name, http_response.status_code, dict(http_response.headers), body))

    client.meta.events.register("after-call.drs", capture)
    return client, records
