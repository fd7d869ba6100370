"""The demo's fleet: one account's source servers, each a line. Add a line to show a new case."""

from __future__ import annotations

import random
from typing import Any

from drs_emulator.fleet import make_server
from harness.env import ACCOUNT

# make_server's keywords (drs_emulator/fleet/servers.py): state, hostname, tags, direction, error, ...
SPECS: tuple[dict[str, Any], ...] = (
    {"state": "STOPPED", "hostname": "web-01"},
    {"state": "STOPPED", "hostname": "web-02"},
    {"state": "STOPPED", "hostname": "db-01"},
    {"state": "STOPPED", "hostname": "legacy-01", "tags": {"AutoReprotect": "false"}},
    {"state": "STOPPED", "hostname": "erp-01", "direction": "FAILBACK"},
    {"state": "STALLED", "hostname": "files-01", "error": "UNSTABLE_NETWORK"},
    *({"state": "CONTINUOUS", "hostname": f"app-{i:02d}"} for i in range(1, 7)),
)


def seeded_fleet(specs: tuple[dict[str, Any], ...] = SPECS, seed: int = 7) -> list[dict[str, Any]]:
    """The same servers (ids included) on every run."""
    rng = random.Random(seed)
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]
