"""The demo's fleet: one account's source servers, each a line. Add a line to show a new case."""

from __future__ import annotations

import random
import time
from typing import Any

from drs_emulator.fleet import make_recovery_instance, make_server
from harness.env import ACCOUNT
from harness.resources import Clients
from harness.stack import Stack
from reprotect.cooldown import CooldownStore, RunClaim

FAILED_OVER_INSTANCE = "i-0d3e5f7a9b1c2d4e6"

# make_server's keywords (drs_emulator/fleet/servers.py): state, hostname, tags, direction, error, ...
SPECS: tuple[dict[str, Any], ...] = (
    {"state": "STOPPED", "hostname": "web-01"},
    {"state": "STOPPED", "hostname": "web-02"},
    {"state": "STOPPED", "hostname": "db-01"},
    {"state": "STOPPED", "hostname": "legacy-01", "tags": {"AutoReprotect": "false"}},
    {"state": "STOPPED", "hostname": "erp-01", "direction": "FAILBACK"},
    {"state": "STALLED", "hostname": "files-01", "error": "UNSTABLE_NETWORK"},
    # Recovered for real: its workload runs on the recovery instance seeded below.
    {"state": "STOPPED", "hostname": "erp-02", "recovery_instance_id": FAILED_OVER_INSTANCE},
    # Started three times today already (the history seeded below), and stopped again.
    {"state": "STOPPED", "hostname": "batch-07"},
    # Replicating, but three hours and twenty minutes behind.
    {"state": "CONTINUOUS", "hostname": "reports-01", "lag_seconds": 3 * 3600 + 20 * 60},
    *({"state": "CONTINUOUS", "hostname": f"app-{i:02d}"} for i in range(1, 7)),
)


def seeded_fleet(specs: tuple[dict[str, Any], ...] = SPECS, seed: int = 7) -> list[dict[str, Any]]:
    """The same servers (ids included) on every run."""
    rng = random.Random(seed)
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]


def seed_account(stack: Stack, clients: Clients) -> None:
    """What the account holds beside its servers: erp-02's recovery instance (a real recovery, not a
    drill, running) and batch-07's starts by earlier runs 3, 2 and 1 hours ago."""
    hosts = {_host(stack.backend.get_server(sid)): sid for sid in stack.backend.server_ids()}
    erp = stack.backend.get_server(hosts["erp-02"])
    instance = make_recovery_instance(erp, recovery_instance_id=FAILED_OVER_INSTANCE, account_id=ACCOUNT)
    stack.backend.add_recovery_instances([instance])
    store = CooldownStore(clients.dynamodb, stack.table_name, seconds=600)
    now = int(time.time())
    for hours in (3, 2, 1):
        earlier = RunClaim(f"earlier-run-{hours}", f"earlier-event-{hours}", lease_seconds=300)
        store.claim(hosts["batch-07"], earlier, now - hours * 3600)
        store.confirm(hosts["batch-07"], earlier, now - hours * 3600)


def _host(server: dict[str, Any]) -> str | None:
    hostname: str | None = server["sourceProperties"]["identificationHints"].get("hostname")
    return hostname
