"""pytest fixtures for the DRS emulator (``pytest_plugins = ["drs_emulator.pytest_plugin"]``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from drs_emulator.models import DrsBackend
from drs_emulator.server import EmulatorServer


@pytest.fixture
def drs_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """A running emulator with an empty backend; boto3 clients created in the test talk to it.

    Starting a server takes about a millisecond, so each test gets its own: no state leaks.
    """
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        monkeypatch.delenv(name, raising=False)
    if not (os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with EmulatorServer(DrsBackend()) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DRS", server.url)
        yield server


@pytest.fixture
def drs_client(drs_emulator: EmulatorServer) -> Any:
    """A boto3 DRS client for the emulator that does not retry, so error paths stay fast."""
    import boto3
    from botocore.config import Config

    return boto3.client("drs", config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
