"""Shared fixtures: the DRS emulator (its own plugin) and one moto server for SNS, SQS and DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.env import use_fake_aws
from harness.moto_server import running_moto

pytest_plugins = ["drs_emulator.pytest_plugin"]

# Tests never reach AWS: fake credentials, a fixed region, no shared config or profile.
use_fake_aws()


# The cheapest tests first, wherever they were named: pytest runs the command line's tests in the order
# given, and mutmut names a mutant's tests in no set order; a failing unit test ends its run in a second.
_FIRST = ("tests/unit/", "tests/emulator/", "tests/integration/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.removeprefix("mutants/")
        return next((i for i, prefix in enumerate(_FIRST) if path.startswith(prefix)), len(_FIRST))

    items.sort(key=rank)  # stable: each directory keeps its own order


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the session on loopback; tests use unique resource names."""
    with running_moto() as url:
        yield url
