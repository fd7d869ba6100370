"""Seeded generators: a whole account's worth of source servers, recovery instances and networks."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drs_emulator.fleet.common import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_STAGING_ACCOUNT,
    random_server_id,
)
from drs_emulator.fleet.networks import make_source_network
from drs_emulator.fleet.recovery import make_recovery_instance
from drs_emulator.fleet.server_options import set_last_launch
from drs_emulator.fleet.servers import make_server

# Share of each non-STOPPED state in a default fleet (the STOPPED share is a parameter).
_ACTIVE_MIX = {
    "CONTINUOUS": 0.82,
    "STALLED": 0.04,
    "DISCONNECTED": 0.04,
    "PAUSED": 0.03,
    "INITIAL_SYNC": 0.02,
    "BACKLOG": 0.02,
    "RESCAN": 0.01,
    "CREATING_SNAPSHOT": 0.01,
    "INITIATING": 0.01,
}
_NETWORK_MIX = {"PROTECTED": 0.7, "STOPPED": 0.15, "IN_PROGRESS": 0.1, "ERROR": 0.05}
_EC2_MIX = {"RUNNING": 0.85, "STOPPED": 0.1, "TERMINATED": 0.05}
DRILL_SHARE = 0.3
_ACTIVE_STATES_AND_WEIGHTS = (list(_ACTIVE_MIX), list(_ACTIVE_MIX.values()))


@dataclass(frozen=True)
class _Shares:
    stopped: float
    failback: float
    extended: float
    opted_out: float
    ec2_origin: float


@dataclass(frozen=True)
class _Place:
    account_id: str
    region: str
    staging_account_id: str
    now: datetime


@dataclass
class Fleet:
    """Everything one emulated account holds; ``DrsBackend.add_fleet`` loads it."""

    servers: list[dict[str, Any]]
    recovery_instances: list[dict[str, Any]] = field(default_factory=list)
    source_networks: list[dict[str, Any]] = field(default_factory=list)


def generate_fleet(
    count: int,
    *,
    seed: int = 0,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    stopped: float = 0.15,
    failback: float = 0.04,
    extended: float = 0.04,
    opted_out: float = 0.05,
    ec2_origin: float = 0.3,
    staging_account_id: str = DEFAULT_STAGING_ACCOUNT,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Build ``count`` servers; ids and attributes depend only on ``seed`` (timestamps on ``now``)."""
    rng = random.Random(seed)
    shares = _Shares(stopped, failback, extended, opted_out, ec2_origin)
    place = _Place(account_id, region, staging_account_id, now or datetime.now(UTC))
    seen: set[str] = set()
    return [_next_server(rng, seen, shares, place) for _ in range(count)]


def _next_server(rng: random.Random, seen: set[str], shares: _Shares, place: _Place) -> dict[str, Any]:
    server_id = random_server_id(rng)
    while server_id in seen:
        server_id = random_server_id(rng)
    seen.add(server_id)
    state = "STOPPED" if rng.random() < shares.stopped else rng.choices(*_ACTIVE_STATES_AND_WEIGHTS)[0]
    server = make_server(
        state,
        server_id=server_id,
        direction="FAILBACK" if rng.random() < shares.failback else "FAILOVER",
        extended=rng.random() < shares.extended,
        ec2_origin=rng.random() < shares.ec2_origin,
        account_id=place.account_id,
        region=place.region,
        staging_account_id=place.staging_account_id,
        now=place.now,
        rng=rng,
    )
    if rng.random() < shares.opted_out:
        server["tags"]["AutoReprotect"] = "false"
    return server


def generate_source_networks(
    count: int,
    *,
    rng: random.Random,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """``count`` networks, mostly PROTECTED, some STOPPED, IN_PROGRESS or in ERROR."""
    statuses, weights = zip(*_NETWORK_MIX.items(), strict=True)
    networks = []
    for _ in range(count):
        status = rng.choices(statuses, weights)[0]
        recovered = "SUCCESS" if rng.random() < 0.2 else None
        networks.append(
            make_source_network(
                status, last_recovery=recovered, account_id=account_id, region=region, now=now, rng=rng
            )
        )
    return networks


def generate_recovery_instances(
    servers: list[dict[str, Any]],
    count: int,
    *,
    rng: random.Random,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Recovery instances (a share of them drills) launched from ``count`` FAILOVER ``servers``; each
    chosen server is updated in place to point at its instance and record the launch."""
    now = now or datetime.now(UTC)
    candidates = [s for s in servers if s["replicationDirection"] == "FAILOVER"]
    instances = []
    for server in rng.sample(candidates, min(count, len(candidates))):
        states, weights = zip(*_EC2_MIX.items(), strict=True)
        instance = make_recovery_instance(
            server,
            is_drill=rng.random() < DRILL_SHARE,
            ec2_state=rng.choices(states, weights)[0],
            account_id=account_id,
            region=region,
            now=now,
            rng=rng,
        )
        server["recoveryInstanceId"] = instance["recoveryInstanceID"]
        set_last_launch(server, "DRILL" if instance["isDrill"] else "RECOVERY", "LAUNCHED", now)
        instances.append(instance)
    return instances


def generate_account(
    count: int,
    *,
    seed: int = 0,
    recovery_instances: int = 0,
    source_networks: int = 0,
    account_id: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    now: datetime | None = None,
    **fleet_options: Any,
) -> Fleet:
    """``generate_fleet(count, seed=seed, ...)`` plus recovery instances and source networks.

    The extras come from a stream of their own, so the servers' ids match ``generate_fleet``'s for the
    same seed; servers of EC2 origin are spread over the generated networks.
    """
    now = now or datetime.now(UTC)
    servers = generate_fleet(count, seed=seed, account_id=account_id, region=region, now=now, **fleet_options)
    rng = random.Random(f"drs-emulator/{seed}/account")
    networks = generate_source_networks(
        source_networks, rng=rng, account_id=account_id, region=region, now=now
    )
    if networks:
        for server in servers:
            if "sourceCloudProperties" in server:
                server["sourceNetworkID"] = rng.choice(networks)["sourceNetworkID"]
    instances = generate_recovery_instances(
        servers, recovery_instances, rng=rng, account_id=account_id, region=region, now=now
    )
    return Fleet(servers, instances, networks)
