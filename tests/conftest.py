"""Shared fixtures: the DRS emulator (its own plugin) and one moto server for SNS, SQS and DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.env import use_fake_aws
from harness.moto_server import running_moto

pytest_plugins = ["drs_emulator.pytest_plugin"]

# Tests never reach AWS: fake credentials, a fixed region, no shared config or profile.
use_fake_aws()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the session on loopback; tests use unique resource names."""
    with running_moto() as url:
        yield url
