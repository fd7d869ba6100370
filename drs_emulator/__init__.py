"""Wire-level emulator of the AWS Elastic Disaster Recovery (DRS) API, for tests, demos and benchmarks."""

from drs_emulator.exceptions import DrsError
from drs_emulator.fleet import generate_fleet, make_server
from drs_emulator.models import CallRecord, DrsBackend
from drs_emulator.server import EmulatorServer

__all__ = ["CallRecord", "DrsBackend", "DrsError", "EmulatorServer", "generate_fleet", "make_server"]
