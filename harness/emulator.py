"""The DRS emulator, started with a fleet and a latency, for the demo and the bench."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drs_emulator import DrsBackend, EmulatorServer


def start_emulator(servers: Iterable[dict[str, Any]] = (), *, latency: float = 0.0) -> EmulatorServer:
    """A running emulator on loopback serving `servers`, every call delayed by `latency` seconds."""
    backend = DrsBackend(servers)
    if latency:
        backend.faults.latency(latency)
    return EmulatorServer(backend).start()
