"""The shared harness itself: moto in its own process, the fault door, a new execution environment."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from drs_emulator.fleet import make_server
from drs_emulator.server import EmulatorServer
from harness.function import new_execution_environment
from harness.moto_server import MotoProcess
from harness.resources import Clients, create_table
from tests.integration.conftest import Stack, load_event


def test_moto_in_its_own_process_listens_on_loopback_and_ends_with_its_stdin() -> None:
    moto = MotoProcess()
    try:
        assert moto.url.startswith("http://127.0.0.1:")
        assert create_table(Clients.create(moto.url), "t") == "t"
    finally:
        moto.stop()

    assert moto.process.returncode is not None


def test_the_table_has_the_contract_key_and_ttl(stack: Stack) -> None:
    table = stack.dynamodb.describe_table(TableName=stack.table_name)["Table"]
    ttl = stack.dynamodb.describe_time_to_live(TableName=stack.table_name)["TimeToLiveDescription"]

    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}


def test_faults_count_the_calls_a_rate_limit_refused(drs_emulator: EmulatorServer, drs_client) -> None:
    faults = drs_emulator.backend.faults
    faults.rate_limit("DescribeSourceServers", rate=0.01, burst=1)

    drs_client.describe_source_servers()
    with pytest.raises(ClientError, match="ThrottlingException"):
        drs_client.describe_source_servers()

    assert faults.throttled == 1


def test_a_new_execution_environment_reaches_the_new_endpoints(stack: Stack, monkeypatch) -> None:
    # Given a first invocation against one emulator, and then a second emulator for the same account
    stack.invoke(load_event("scheduler.json"))
    with EmulatorServer() as other:
        other.backend.add_servers([make_server("STOPPED")])
        monkeypatch.setenv("AWS_ENDPOINT_URL_DRS", other.url)

        # When the function starts in a new execution environment
        new_execution_environment()
        report = stack.invoke(load_event("alarm_plain.json"))

    # Then it made its clients afresh, and they reached the second emulator
    assert report["counts"]["started"] == 1
    assert len(other.backend.calls_of("StartReplication")) == 1


def test_the_deploy_patches_refuse_a_moto_they_were_not_written_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import moto

    from harness import moto_patches

    monkeypatch.setattr(moto, "__version__", "5.3.0")

    with pytest.raises(RuntimeError, match=r"patches moto 5\.2\.5, found 5\.3\.0"):
        moto_patches.apply({})
