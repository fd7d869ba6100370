"""State model of one emulated DRS account and Region, shaped like a moto backend.

``DrsBackend`` has a typed method per operation and composes one part per kind of resource
(``servers``, ``recovery``, ``networks``, ``tags``), the fault injector (``faults``) and a call log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drs_emulator.faults import FaultInjector
from drs_emulator.fleet import DEFAULT_ACCOUNT, DEFAULT_REGION, Fleet
from drs_emulator.fleet.common import RECOVERY_INSTANCE_ID, SERVER_ID, SOURCE_NETWORK_ID
from drs_emulator.models.base import Record, Records
from drs_emulator.models.networks import SourceNetworkFilters, SourceNetworks
from drs_emulator.models.recovery import RecoveryInstanceFilters, RecoveryInstances
from drs_emulator.models.servers import ServerFilters, SourceServers
from drs_emulator.models.tags import Tags

NO_ANSWER = 0  # CallRecord.status of a call that hung and was never answered

__all__ = [
    "NO_ANSWER",
    "CallRecord",
    "DrsBackend",
    "RecoveryInstanceFilters",
    "ServerFilters",
    "SourceNetworkFilters",
]


@dataclass(frozen=True)
class CallRecord:
    """One request the emulator answered (or, with status 0, held without answering)."""

    operation: str
    params: dict[str, Any]
    status: int
    error_type: str | None
    timestamp: float
    server_id: str | None = None
    """The call's target id, whatever its kind: source server, recovery instance or source network."""


class DrsBackend(SourceServers, RecoveryInstances, SourceNetworks, Tags):
    """One emulated DRS account and Region (thread-safe)."""

    def __init__(
        self,
        servers: Iterable[Record] = (),
        *,
        account_id: str = DEFAULT_ACCOUNT,
        region: str = DEFAULT_REGION,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.faults = FaultInjector()
        self._lock = threading.RLock()
        self._servers = Records("sourceServerID", SERVER_ID, "Source server", "SOURCE_SERVER")
        self._recovery = Records(
            "recoveryInstanceID", RECOVERY_INSTANCE_ID, "Recovery instance", "RECOVERY_INSTANCE"
        )
        self._networks = Records("sourceNetworkID", SOURCE_NETWORK_ID, "Source network", "SOURCE_NETWORK")
        self._calls: list[CallRecord] = []
        self.add_servers(servers)

    def add_fleet(self, fleet: Fleet) -> None:
        """Add everything ``generate_account`` built."""
        with self._lock:
            self.add_servers(fleet.servers)
            self.add_recovery_instances(fleet.recovery_instances)
            self.add_source_networks(fleet.source_networks)

    def reset(self) -> None:
        """Forget all servers, recovery instances, networks, faults and calls."""
        with self._lock:
            for records in (self._servers, self._recovery, self._networks):
                records.clear()
            self._calls.clear()
        self.faults.reset()

    # ---- call log ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[CallRecord]:
        with self._lock:
            return list(self._calls)

    def calls_of(self, operation: str) -> list[CallRecord]:
        return [call for call in self.calls if call.operation == operation]

    def record_call(
        self, operation: str, params: dict[str, Any], status: int, error_type: str | None, target: str | None
    ) -> None:
        with self._lock:
            self._calls.append(CallRecord(operation, params, status, error_type, time.time(), target))
