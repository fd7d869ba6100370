"""CI's second Python: the newest interpreter that runs and is supported, whatever else is on the list."""

from __future__ import annotations

import sys

import pytest

from scripts.newest_python import newest, version_of


def test_an_interpreter_that_does_not_run_is_passed_over() -> None:
    python, version = newest(["/nonexistent/python3.99", sys.executable])

    assert (python, version) == (sys.executable, sys.version_info[:2])
    assert version_of("/nonexistent/python3.99") is None


def test_no_supported_interpreter_is_an_error_naming_the_oldest() -> None:
    with pytest.raises(SystemExit, match=r"no Python 3\.11 or newer found"):
        newest(["/nonexistent/python3"])
