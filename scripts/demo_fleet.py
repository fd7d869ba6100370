"""The demo's fleet: one account's source servers, each a line. Add a line to show a new case."""

from __future__ import annotations

import random
import time
from typing import Any

from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
from harness.env import ACCOUNT
from harness.resources import Clients
from harness.stack import Stack
from reprotect.cooldown import CooldownStore, RunClaim

FAILED_OVER_INSTANCE = "i-0d3e5f7a9b1c2d4e6"
UNPROTECTED_INSTANCE = "i-0a1b2c3d4e5f60718"

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
    # An EC2 workload recovered for real into this Region; nothing protects its recovery instance.
    {
        "state": "STOPPED",
        "hostname": "shop-01",
        "ec2_origin": True,
        "recovery_instance_id": UNPROTECTED_INSTANCE,
    },
    *({"state": "CONTINUOUS", "hostname": f"app-{i:02d}"} for i in range(1, 7)),
)


def seeded_fleet(specs: tuple[dict[str, Any], ...] = SPECS, seed: int = 7) -> list[dict[str, Any]]:
    """The same servers (ids included) on every run."""
    rng = random.Random(seed)
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]


def seed_account(stack: Stack, clients: Clients) -> None:
    """What the account holds beside its servers: the recovery instances of erp-02 (a real recovery,
    not a drill, running) and of shop-01 (an EC2 workload recovered for real, its reverse replication
    never started); two source VPCs, one protected, one whose replication was stopped; and batch-07's
    starts by earlier runs 3, 2 and 1 hours ago."""
    hosts = {_host(stack.backend.get_server(sid)): sid for sid in stack.backend.server_ids()}
    stack.backend.add_recovery_instances(
        [
            make_recovery_instance(
                stack.backend.get_server(hosts[host]), recovery_instance_id=rid, account_id=ACCOUNT
            )
            for host, rid in (("erp-02", FAILED_OVER_INSTANCE), ("shop-01", UNPROTECTED_INSTANCE))
        ]
    )
    rng = random.Random(11)
    stack.backend.add_source_networks(
        [
            make_source_network("PROTECTED", vpc_id="vpc-0f1e2d3c4b5a69788", account_id=ACCOUNT, rng=rng),
            make_source_network("STOPPED", vpc_id="vpc-0a9b8c7d6e5f40312", account_id=ACCOUNT, rng=rng),
        ]
    )
    store = CooldownStore(clients.dynamodb, stack.table_name, seconds=600)
    now = int(time.time())
    for hours in (3, 2, 1):
        earlier = RunClaim(f"earlier-run-{hours}", f"earlier-event-{hours}", lease_seconds=300)
        store.claim(hosts["batch-07"], earlier, now - hours * 3600)
        store.confirm(hosts["batch-07"], earlier, now - hours * 3600)


def _host(server: dict[str, Any]) -> str | None:
    hostname: str | None = server["sourceProperties"]["identificationHints"].get("hostname")
    return hostname
