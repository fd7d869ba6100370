"""`make e2e`: the app deployed with the real CDK CLI (`cdk bootstrap`, `cdk deploy`) to moto on loopback,
patched where it falls short (harness/moto_patches.py), with the DRS emulator behind the deployed
function. One deployment per session; each test starts from the same fleet and an empty cooldown.

The run's phases are timed and printed at the end (measured, never asserted).
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import boto3
import pytest

from drs_emulator.fleet import make_server
from drs_emulator.server import EmulatorServer
from harness.cdk import CDK, CdkCli, local_endpoint
from harness.deployment import Deployment
from harness.emulator import start_emulator
from harness.env import ACCOUNT, REGION
from harness.moto_server import MotoProcess
from harness.resources import Clients, read_messages, subscribe_queue
from infra.constants import STACK_NAME_PREFIX
from reprotect.contract import COOLDOWN_PREFIX, TABLE_PARTITION_KEY

WEB_01 = "s-1234567890abcdef0"  # the server the sample events in events/ name
TIMINGS: dict[str, float] = {}
SESSION_STARTED = time.monotonic()


def e2e_fleet() -> list[dict[str, Any]]:
    """Two servers to start, one excluded, one a person must look at (so every sweep reports), two healthy."""
    rng = random.Random(11)
    specs: list[dict[str, Any]] = [
        {"state": "STOPPED", "server_id": WEB_01, "hostname": "web-01"},
        {"state": "STOPPED", "hostname": "db-01"},
        {"state": "STOPPED", "hostname": "legacy-01", "tags": {"AutoReprotect": "false"}},
        {"state": "STALLED", "hostname": "files-01", "error": "UNSTABLE_NETWORK"},
        {"state": "CONTINUOUS", "hostname": "app-01"},
        {"state": "CONTINUOUS", "hostname": "app-02"},
    ]
    return [make_server(**spec, account_id=ACCOUNT, rng=rng) for spec in specs]


FLEET = e2e_fleet()


@dataclass
class Deployed:
    """The deployed stack, the moto serving it, the DRS emulator behind it, and a queue on its topic."""

    deployment: Deployment
    moto_url: str
    drs: EmulatorServer
    subscriber: str

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.moto_url)

    @cached_property
    def function_name(self) -> str:
        return self.deployment.one("AWS::Lambda::Function").physical_id

    @cached_property
    def topic_arn(self) -> str:
        return self.deployment.one("AWS::SNS::Topic").physical_id

    @cached_property
    def table_name(self) -> str:
        return self.deployment.one("AWS::DynamoDB::Table").physical_id

    def reports(self) -> list[dict[str, Any]]:
        """The reports the queue subscriber received since last asked, with the SNS attributes."""
        envelopes = read_messages(self.client("sqs"), self.subscriber)
        return [
            {**json.loads(e["Message"]), "_attributes": e.get("MessageAttributes", {})} for e in envelopes
        ]

    def table_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.client("dynamodb").scan(TableName=self.table_name)["Items"]
        return items

    def reset(self) -> None:
        """The fleet as it began, no cooldown claims, an empty subscriber queue."""
        self.drs.backend.reset()
        self.drs.backend.add_servers(copy.deepcopy(FLEET))
        dynamodb = self.client("dynamodb")
        for item in self.table_items():
            if item[TABLE_PARTITION_KEY]["S"].startswith(COOLDOWN_PREFIX):
                dynamodb.delete_item(
                    TableName=self.table_name, Key={TABLE_PARTITION_KEY: item[TABLE_PARTITION_KEY]}
                )
        self.reports()


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    if not CDK.exists():
        pytest.fail(f"{CDK} is missing: `make e2e` installs it (make setup)")
    assembly = tmp_path_factory.mktemp("cdk.out")
    _timed("cdk synth", lambda: CdkCli("http://localhost:1").synth(assembly))  # synth reaches no endpoint
    with start_emulator(copy.deepcopy(FLEET)) as drs:
        moto = MotoProcess(deploy=drs.url)
        try:
            cli = CdkCli(local_endpoint(moto.url))
            _timed("cdk bootstrap", lambda: cli.bootstrap(ACCOUNT, REGION))
            _timed("cdk deploy", lambda: cli.deploy(assembly))
            deployment = Deployment.read(
                boto3.client("cloudformation", endpoint_url=moto.url), STACK_NAME_PREFIX
            )
            topic = deployment.one("AWS::SNS::Topic").physical_id
            queue = subscribe_queue(Clients.create(moto.url), topic, "e2e-subscriber")
            yield Deployed(deployment, moto.url, drs, queue)
        finally:
            moto.stop()


@pytest.fixture
def fresh(deployed: Deployed) -> Deployed:
    deployed.reset()
    return deployed


def _timed(phase: str, step: Any) -> Any:
    began = time.monotonic()
    result = step()
    TIMINGS[phase] = time.monotonic() - began
    return result


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TIMINGS:
        terminalreporter.section("e2e timings (measured, not asserted)")
        TIMINGS["the whole e2e session"] = time.monotonic() - SESSION_STARTED
        TIMINGS["beyond the synth"] = TIMINGS["the whole e2e session"] - TIMINGS.get("cdk synth", 0.0)
        for phase, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{phase}: {seconds:.1f} s")
