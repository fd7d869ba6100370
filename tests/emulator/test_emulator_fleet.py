"""The fleet generator: the same seed gives the same fleet, release after release."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime

import botocore.session
import pytest

from drs_emulator.fleet import (
    ALL_STATES,
    generate_account,
    generate_fleet,
    make_recovery_instance,
    make_server,
    make_source_network,
)
from tests.emulator.shape_validator import validate

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
MODEL = botocore.session.get_session().get_service_model("drs")


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


def test_generated_accounts_are_pinned_by_seed():
    account = generate_account(120, seed=5, recovery_instances=15, source_networks=6, now=NOW)
    assert _digest(account.__dict__) == "5492144e0d5d7ae4ed7fd8e2e79c63bb9e4743d5309823fa797cd9cecce5c5a2"


def test_recovery_options_set_exactly_what_they_say_and_conform():
    # Given a server built with every recovery option
    server = make_server(
        "STALLED",
        recovery_instance_id="i-0123456789abcdef0",
        lag_seconds=2 * 3600 + 5,
        initiation_failed_step="BOOT_REPLICATION_SERVER",
        last_launch="DRILL",
        last_launch_status="FAILED",
        source_network_id="sn-0123456789abcdefg",
        now=NOW,
    )

    # Then each option shows where DRS puts it, and the server still conforms to the model
    info = server["dataReplicationInfo"]
    assert server["recoveryInstanceId"] == "i-0123456789abcdef0"
    assert server["sourceNetworkID"] == "sn-0123456789abcdefg"
    assert info["lagDuration"] == "PT2H5S"
    steps = {step["name"]: step["status"] for step in info["dataReplicationInitiation"]["steps"]}
    assert steps["LAUNCH_REPLICATION_SERVER"] == "SUCCEEDED"
    assert steps["BOOT_REPLICATION_SERVER"] == "FAILED"
    assert steps["START_DATA_TRANSFER"] == "NOT_STARTED"
    assert info["dataReplicationError"]["error"] == "FAILED_TO_BOOT_REPLICATION_SERVER"
    assert "nextAttemptDateTime" in info["dataReplicationInitiation"]
    assert server["lifeCycle"]["lastLaunch"]["initiated"]["type"] == "DRILL"
    assert server["lifeCycle"]["lastLaunch"]["status"] == "FAILED"
    assert server["lastLaunchResult"] == "FAILED"
    assert validate(MODEL.shape_for("SourceServer"), server) == []


def test_an_explicit_error_wins_over_the_failed_steps_own():
    server = make_server("INITIATING", initiation_failed_step="WAIT", error="AGENT_NOT_SEEN")
    assert server["dataReplicationInfo"]["dataReplicationError"]["error"] == "AGENT_NOT_SEEN"


def test_recovery_options_do_not_shift_the_draws():
    # Given two generators in the same state, one building with options
    plain_rng, optioned_rng = random.Random(5), random.Random(5)
    plain = make_server("STOPPED", now=NOW, rng=plain_rng)
    optioned = make_server(
        "STOPPED",
        recovery_instance_id="i-0123456789",
        lag_seconds=9,
        last_launch="RECOVERY",
        now=NOW,
        rng=optioned_rng,
    )

    # Then only the chosen fields differ, and the next draw is the same for both
    assert optioned["sourceServerID"] == plain["sourceServerID"]
    assert optioned["sourceProperties"] == plain["sourceProperties"]
    assert plain_rng.random() == optioned_rng.random()


@pytest.mark.parametrize(
    "options",
    [
        {"recovery_instance_id": "i-xyz"},
        {"source_network_id": "sn-short"},
        {"lag_seconds": -1},
        {"initiation_failed_step": "PRAY"},
        {"last_launch": "PRODUCTION"},
        {"last_launch": "DRILL", "last_launch_status": "MAYBE"},
    ],
)
def test_bad_recovery_options_fail_at_once(options):
    with pytest.raises(ValueError, match=r"bad|unknown|at least"):
        make_server(**options)


def test_generate_account_adds_linked_instances_and_networks_to_the_same_fleet():
    # Given an account generated with recovery instances and source networks
    account = generate_account(200, seed=7, recovery_instances=12, source_networks=4, now=NOW)

    # Then its servers are the plain fleet's servers (same ids), and the extras are linked to them
    plain = generate_fleet(200, seed=7, now=NOW)
    assert [s["sourceServerID"] for s in account.servers] == [s["sourceServerID"] for s in plain]
    assert len(account.recovery_instances) == 12
    assert len(account.source_networks) == 4
    by_id = {s["sourceServerID"]: s for s in account.servers}
    for instance in account.recovery_instances:
        server = by_id[instance["sourceServerID"]]
        assert server["recoveryInstanceId"] == instance["recoveryInstanceID"]
        assert server["lifeCycle"]["lastLaunch"]["initiated"]["type"] == (
            "DRILL" if instance["isDrill"] else "RECOVERY"
        )
        assert instance["originEnvironment"] == (
            "AWS" if "sourceCloudProperties" in server else "ON_PREMISES"
        )
    network_ids = {n["sourceNetworkID"] for n in account.source_networks}
    aws_servers = [s for s in account.servers if "sourceCloudProperties" in s]
    assert aws_servers
    assert all(s["sourceNetworkID"] in network_ids for s in aws_servers)
    # and it is the same account every time
    again = generate_account(200, seed=7, recovery_instances=12, source_networks=4, now=NOW)
    assert _digest(again.__dict__) == _digest(account.__dict__)


def test_generate_account_without_extras_is_the_plain_fleet():
    account = generate_account(50, seed=3, now=NOW, stopped=0.5)
    assert account.servers == generate_fleet(50, seed=3, now=NOW, stopped=0.5)
    assert (account.recovery_instances, account.source_networks) == ([], [])


def test_builders_reject_unknown_enums():
    with pytest.raises(ValueError, match="ec2InstanceState"):
        make_recovery_instance(ec2_state="LEVITATING")
    with pytest.raises(ValueError, match="originEnvironment"):
        make_recovery_instance(origin_environment="MARS")
    with pytest.raises(ValueError, match="replicationStatus"):
        make_source_network("HALF")
