"""`make setup`'s Node check: one line on stderr when this machine's Node is end-of-life, else nothing.

The dates are the Node project's, as the pinned CDK's jsii runtime carries them (it keeps supporting a
release for six months after, then prints a banner on every call, which the Makefile silences for 20).
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

# Node release -> end of life. Even releases are the LTS ones the CDK supports; odd ones live 8 months.
END_OF_LIFE = {
    18: date(2025, 4, 30),
    19: date(2023, 6, 1),
    20: date(2026, 4, 30),
    21: date(2024, 6, 1),
    22: date(2027, 4, 30),
    23: date(2025, 6, 1),
    24: date(2028, 4, 30),
}
SUPPORTED = "Node 22 or 24"


def warning(version: str, today: date) -> str | None:
    """The line to print for `node --version` output (`v20.20.2`) on `today`, or None when all is well."""
    match = re.fullmatch(r"v?(\d+)\.\d+\.\d+\s*", version)
    if match is None:
        return f"warning: could not read Node's version from {version.strip()!r}; the CDK needs {SUPPORTED}"
    major = int(match[1])
    end = END_OF_LIFE.get(major)
    if end is None and major < min(END_OF_LIFE):
        return f"warning: Node {major} is far past end-of-life; the CDK needs {SUPPORTED}"
    if end is not None and today > end:
        return f"warning: Node {major} is end-of-life since {end.isoformat()}; use {SUPPORTED} (see README)"
    return None


def main() -> int:
    try:
        version = subprocess.run(
            ["node", "--version"],  # noqa: S607 - the machine's node, as npm and the CDK CLI use it
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        print(f"warning: no working `node` on PATH; the CDK CLI needs {SUPPORTED}", file=sys.stderr)
        return 0
    line = warning(version, date.today())
    if line:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
