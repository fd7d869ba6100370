"""The newest CPython 3 on this machine that the project supports: `python -m scripts.newest_python`
prints its path and its version (`/root/.pyenv/versions/3.13.0/bin/python3.13 3.13`), for CI's second
run of the suite. It looks on PATH (`python3.N`) and in pyenv's versions, whose shims on PATH only
answer for the selected version."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

OLDEST = (3, 11)  # pyproject.toml's requires-python
_ASK = "import sys; print(sys.version_info[0], sys.version_info[1])"


def version_of(python: str) -> tuple[int, int] | None:
    """(major, minor) of an interpreter that runs, else None (a pyenv shim for an unselected version)."""
    try:
        done = subprocess.run([python, "-c", _ASK], capture_output=True, text=True, timeout=30, check=True)
        major, minor = (int(part) for part in done.stdout.split())
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return major, minor


def candidates() -> Iterable[str]:
    for minor in range(OLDEST[1], 30):
        found = shutil.which(f"python3.{minor}")
        if found:
            yield found
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    yield from sorted(glob.glob(f"{root}/versions/3.*/bin/python3"))
    yield sys.executable


def newest(pythons: Iterable[str]) -> tuple[str, tuple[int, int]]:
    """The newest interpreter among `pythons` that runs and is at least OLDEST."""
    found = [(version, python) for python in pythons if (version := version_of(python)) and version >= OLDEST]
    if not found:
        raise SystemExit(f"no Python {OLDEST[0]}.{OLDEST[1]} or newer found")
    version, python = max(found)
    return python, version


def main() -> int:
    python, (major, minor) = newest(candidates())
    print(f"{python} {major}.{minor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
