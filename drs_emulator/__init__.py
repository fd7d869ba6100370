"""Wire-level emulator of the AWS Elastic Disaster Recovery (DRS) API, for tests, demos and benchmarks."""

from drs_emulator.exceptions import DrsError
from drs_emulator.faults import FaultInjector
from drs_emulator.fleet import (
    Fleet,
    generate_account,
    generate_fleet,
    generate_recovery_instances,
    generate_source_networks,
    make_recovery_instance,
    make_server,
    make_source_network,
)
from drs_emulator.models import CallRecord, DrsBackend
from drs_emulator.server import EmulatorServer

__all__ = [
    "CallRecord",
    "DrsBackend",
    "DrsError",
    "EmulatorServer",
    "FaultInjector",
    "Fleet",
    "generate_account",
    "generate_fleet",
    "generate_recovery_instances",
    "generate_source_networks",
    "make_recovery_instance",
    "make_server",
    "make_source_network",
]
