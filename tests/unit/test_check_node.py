"""`make setup`'s Node check: one line for an end-of-life Node, nothing for a supported one."""

from __future__ import annotations

from datetime import date

import pytest

from scripts.check_node import warning

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("version", ["v22.11.0\n", "v24.1.0", "v25.2.1"])
def test_a_supported_or_newer_node_gets_no_warning(version: str) -> None:
    assert warning(version, TODAY) is None


def test_node_20_is_end_of_life_in_one_line_naming_the_fix() -> None:
    line = warning("v20.20.2\n", TODAY)

    assert line == "warning: Node 20 is end-of-life since 2026-04-30; use Node 22 or 24 (see README)"


def test_node_20_was_fine_before_its_end_of_life() -> None:
    assert warning("v20.20.2", date(2026, 4, 30)) is None


@pytest.mark.parametrize(("version", "fragment"), [("v16.20.0", "far past"), ("node?", "'node?'")])
def test_an_ancient_or_unreadable_version_is_named(version: str, fragment: str) -> None:
    line = warning(version, TODAY)

    assert line is not None
    assert fragment in line
    assert "\n" not in line
