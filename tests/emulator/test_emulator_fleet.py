"""The fleet generator: the same seed gives the same fleet, release after release."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime

from drs_emulator.fleet import ALL_STATES, generate_fleet, make_server

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _digest(document: object) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def test_generated_fleets_are_pinned_by_seed():
    # Given fixed seeds and a fixed clock, When fleets are generated, Then they are byte for byte the
    # fleets these digests were taken from (benchmarks and tests name servers by seed)
    assert _digest(generate_fleet(300, seed=7, now=NOW)) == (
        "e23aca8d8c4bc0b3ebd550a81e1c6df0f8224306e850da7be7a18a5f3096457c"
    )
    mixed = generate_fleet(
        300, seed=11, now=NOW, stopped=0.3, failback=0.2, extended=0.2, opted_out=0.2, ec2_origin=0.5
    )
    assert _digest(mixed) == "2f54944c74db4332e4b027314f887fa3bf16982e6ac1113e2948c3d1f9465c02"
    rng = random.Random(3)
    every_kind = [
        make_server(state, direction=direction, extended=extended, now=NOW, rng=rng)
        for state in ALL_STATES
        for direction in ("FAILOVER", "FAILBACK")
        for extended in (False, True)
    ]
    assert _digest(every_kind) == "ad7d0bd1d5c57e640b21cbc65fa55a88c4c7747fd9c727396ae0e629906a4512"
    assert generate_fleet(3, seed=0)[0]["sourceServerID"] == "s-oq2gwvpjumdw8i86g"
