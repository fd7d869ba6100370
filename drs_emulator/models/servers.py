"""Source servers: DescribeSourceServers, StartReplication, StopReplication."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from drs_emulator.exceptions import ConflictException
from drs_emulator.fleet import ACTIVE_STATES, ALL_STATES, initiation_steps, iso
from drs_emulator.models.base import BackendState, Record, matcher
from drs_emulator.paging import MAX_RESULTS, Page


@dataclass(frozen=True)
class ServerFilters:
    """``DescribeSourceServersRequestFilters``; empty members match everything."""

    source_server_ids: frozenset[str] = frozenset()
    staging_account_ids: frozenset[str] = frozenset()
    hardware_id: str | None = None

    def __bool__(self) -> bool:
        """Whether any member is set (an empty filter matches everything)."""
        return any(value not in (None, frozenset()) for value in vars(self).values())

    def matches(self, server: Record) -> bool:
        staging = server.get("stagingArea", {}).get("stagingAccountID")
        return (
            (not self.source_server_ids or server["sourceServerID"] in self.source_server_ids)
            and (not self.staging_account_ids or staging in self.staging_account_ids)
            and (self.hardware_id is None or _has_hardware_id(server, self.hardware_id))
        )


def _has_hardware_id(server: Record, hardware_id: str) -> bool:
    props = server.get("sourceProperties", {})
    hints = props.get("identificationHints", {})
    macs = {nic.get("macAddress") for nic in props.get("networkInterfaces", [])}
    return hardware_id in (hints.get("awsInstanceID"), hints.get("vmWareUuid")) or hardware_id in macs


class SourceServers(BackendState):
    # ---- state helpers for tests and the CLI --------------------------------------------------

    def add_servers(self, servers: Iterable[Record]) -> None:
        with self._lock:
            self._servers.add(servers)

    def server_ids(self) -> list[str]:
        with self._lock:
            return list(self._servers.ids())

    def get_server(self, server_id: str) -> Record:
        """A private copy of one server (KeyError if unknown)."""
        with self._lock:
            return self._servers.copy_of(server_id)

    def state_of(self, server_id: str) -> str:
        with self._lock:
            return str(self._servers.get(server_id)["dataReplicationInfo"]["dataReplicationState"])

    def set_state(self, server_id: str, state: str) -> None:
        """Move a server to another replication state, as time passing in DRS would: a server that
        reaches CONTINUOUS has caught up (`lagDuration` PT0S, as builders give CONTINUOUS servers)."""
        if state not in ALL_STATES:
            raise ValueError(f"unknown dataReplicationState {state!r}")
        change: dict[str, str] = {"dataReplicationState": state}
        if state == "CONTINUOUS":
            change["lagDuration"] = "PT0S"
        with self._lock:
            self._servers.replace(server_id, lambda s: s["dataReplicationInfo"].update(change))

    # ---- operations -------------------------------------------------------------------------

    def describe_source_servers(
        self,
        filters: ServerFilters | None = None,
        max_results: int = MAX_RESULTS,
        next_token: str | None = None,
    ) -> Page:
        """One page of servers in id order."""
        return self._page(self._servers, matcher(filters), max_results, next_token)

    def start_replication(self, source_server_id: str) -> Record:
        """STOPPED -> INITIATING; any other state is a ConflictException."""
        with self._lock:
            state = self._servers.existing(source_server_id)["dataReplicationInfo"]["dataReplicationState"]
            if state != "STOPPED":
                raise ConflictException(
                    f"Cannot start replication for source server {source_server_id} in state {state}",
                    resource_id=source_server_id,
                    resource_type="SOURCE_SERVER",
                )
            return self._servers.replace(source_server_id, _start)

    def stop_replication(self, source_server_id: str) -> Record:
        """Any active state -> STOPPED; already stopped is a ConflictException."""
        with self._lock:
            state = self._servers.existing(source_server_id)["dataReplicationInfo"]["dataReplicationState"]
            if state not in ACTIVE_STATES:
                raise ConflictException(
                    f"Replication for source server {source_server_id} is already stopped",
                    resource_id=source_server_id,
                    resource_type="SOURCE_SERVER",
                )
            return self._servers.replace(source_server_id, _stop)


def _start(server: Record) -> None:
    info = server["dataReplicationInfo"]
    info["dataReplicationState"] = "INITIATING"
    info.pop("dataReplicationError", None)
    info.pop("etaDateTime", None)
    info["dataReplicationInitiation"] = {
        "startDateTime": iso(datetime.now(UTC)),
        "steps": initiation_steps("NOT_STARTED"),
    }


def _stop(server: Record) -> None:
    server["dataReplicationInfo"]["dataReplicationState"] = "STOPPED"
    server["dataReplicationInfo"].pop("etaDateTime", None)
