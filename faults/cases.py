"""The deadline cases, from the reliability issue's item 7, as data: each names its fault and budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drs_emulator import DrsBackend, make_recovery_instance, make_server, make_source_network
from faults.dependencies import HangingProxy, Silent

# Requests the function makes before its first claim: Powertools' in-progress record, the run
# journal's read, the cooldown read and the journal's write. A proxy that answers these and then
# holds every request makes DynamoDB hang mid-run.
BEFORE_THE_FIRST_CLAIM = 4


@dataclass
class Setup:
    """What a case can change: the emulated account, the function's environment, what to close after."""

    backend: DrsBackend
    env: dict[str, str]
    moto_url: str
    closers: list[Callable[[], None]] = field(default_factory=list)

    def endpoint(self, service: str, dependency: Any) -> None:
        self.env[f"AWS_ENDPOINT_URL_{service}"] = dependency.url
        self.closers.append(dependency.close)


@dataclass(frozen=True)
class Case:
    name: str
    budget: float  # the Lambda's remaining time when the invocation starts, in seconds
    fault: str  # what is wrong, in the words
    apply: Callable[[Setup], None]


def _sns_silent(setup: Setup) -> None:
    setup.endpoint("SNS", Silent())


def _dynamodb_silent(setup: Setup) -> None:
    setup.endpoint("DYNAMODB", Silent())


def _dynamodb_hangs_mid_run(setup: Setup) -> None:
    setup.endpoint("DYNAMODB", HangingProxy(setup.moto_url, answered=BEFORE_THE_FIRST_CLAIM))


def _drs_slow(setup: Setup) -> None:
    setup.backend.faults.latency(16.0, "StartReplication")


def _drs_silent(setup: Setup) -> None:
    setup.backend.faults.hang("StartReplication")


def _describe_silent(setup: Setup) -> None:
    setup.backend.faults.hang("DescribeSourceServers")


def _drs_500s(setup: Setup) -> None:
    setup.env["AWS_MAX_ATTEMPTS"] = "10"
    setup.backend.faults.script(None, "StartReplication", ["InternalServerException"] * 10_000)


def _drs_429s(setup: Setup) -> None:
    setup.env["AWS_MAX_ATTEMPTS"] = "10"
    setup.backend.faults.rate_limit("StartReplication", rate=0.05, burst=1)


def _network_start_silent(setup: Setup) -> None:
    setup.backend.add_source_networks([make_source_network("STOPPED", tags={}) for _ in range(5)])
    setup.backend.faults.hang("StartSourceNetworkReplication")


def _describe_networks_silent(setup: Setup) -> None:
    setup.backend.faults.hang("DescribeSourceNetworks")


def _reversal_silent(setup: Setup) -> None:
    setup.env["REVERSE_REPLICATION"] = "on"
    for i in range(5):
        origin = make_server("STOPPED", ec2_origin=True, recovery_instance_id=f"i-0fa{i:014x}")
        setup.backend.add_servers([origin])
        setup.backend.add_recovery_instances(
            [make_recovery_instance(origin, recovery_instance_id=f"i-0fa{i:014x}")]
        )
    setup.backend.faults.hang("ReverseReplication")


CASES = (
    Case("sns-never-answers-30s", 30, "SNS accepts the connection and never answers", _sns_silent),
    Case("sns-never-answers-60s", 60, "SNS accepts the connection and never answers", _sns_silent),
    Case(
        "dynamodb-never-answers",
        30,
        "DynamoDB accepts and never answers, from the first call",
        _dynamodb_silent,
    ),
    Case("dynamodb-hangs-mid-run", 60, "DynamoDB answers, then hangs mid-run", _dynamodb_hangs_mid_run),
    Case("drs-answers-in-16s", 60, "every StartReplication is answered after 16 s", _drs_slow),
    Case("drs-never-answers", 60, "StartReplication accepts and never answers", _drs_silent),
    Case("describe-never-answers", 60, "DescribeSourceServers accepts and never answers", _describe_silent),
    Case(
        "drs-500s-max-attempts-10", 60, "every StartReplication answers 500; AWS_MAX_ATTEMPTS=10", _drs_500s
    ),
    Case(
        "drs-429s-max-attempts-10", 60, "StartReplication throttled to 0.05/s; AWS_MAX_ATTEMPTS=10", _drs_429s
    ),
    Case(
        "network-start-never-answers",
        60,
        "StartSourceNetworkReplication accepts and never answers",
        _network_start_silent,
    ),
    Case(
        "networks-never-listed",
        60,
        "DescribeSourceNetworks accepts and never answers",
        _describe_networks_silent,
    ),
    Case(
        "reversal-never-answers",
        60,
        "ReverseReplication accepts and never answers; REVERSE_REPLICATION=on",
        _reversal_silent,
    ),
)
