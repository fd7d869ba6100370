"""Source networks: DescribeSourceNetworks, StartSourceNetworkReplication, StopSourceNetworkReplication."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drs_emulator.exceptions import ConflictException
from drs_emulator.fleet import REPLICATION_STATUSES
from drs_emulator.models.base import BackendState, Record, matcher
from drs_emulator.paging import MAX_RESULTS, Page


@dataclass(frozen=True)
class SourceNetworkFilters:
    """``DescribeSourceNetworksRequestFilters``; empty members match everything."""

    source_network_ids: frozenset[str] = frozenset()
    origin_account_id: str | None = None
    origin_region: str | None = None

    def __bool__(self) -> bool:
        """Whether any member is set (an empty filter matches everything)."""
        return any(value not in (None, frozenset()) for value in vars(self).values())

    def matches(self, network: Record) -> bool:
        return (
            (not self.source_network_ids or network["sourceNetworkID"] in self.source_network_ids)
            and (self.origin_account_id is None or network.get("sourceAccountID") == self.origin_account_id)
            and (self.origin_region is None or network.get("sourceRegion") == self.origin_region)
        )


class SourceNetworks(BackendState):
    # ---- state helpers for tests and the CLI --------------------------------------------------

    def add_source_networks(self, networks: Iterable[Record]) -> None:
        with self._lock:
            self._networks.add(networks)

    def source_network_ids(self) -> list[str]:
        with self._lock:
            return list(self._networks.ids())

    def get_source_network(self, source_network_id: str) -> Record:
        """A private copy of one source network (KeyError if unknown)."""
        with self._lock:
            return self._networks.copy_of(source_network_id)

    def network_status_of(self, source_network_id: str) -> str:
        """The network's ``replicationStatus``."""
        with self._lock:
            return str(self._networks.get(source_network_id)["replicationStatus"])

    def set_network_status(self, source_network_id: str, status: str) -> None:
        """Move a network to another ``replicationStatus``, as time passing in DRS would."""
        if status not in REPLICATION_STATUSES:
            raise ValueError(f"unknown replicationStatus {status!r}")
        with self._lock:
            self._networks.replace(source_network_id, lambda n: n.update(replicationStatus=status))

    # ---- operations -------------------------------------------------------------------------

    def describe_source_networks(
        self,
        filters: SourceNetworkFilters | None = None,
        max_results: int = MAX_RESULTS,
        next_token: str | None = None,
    ) -> Page:
        """One page of source networks in id order."""
        matches = matcher(filters)
        return self._page(self._networks, matches, max_results, next_token)

    def start_source_network_replication(self, source_network_id: str) -> Record:
        """STOPPED -> IN_PROGRESS (``set_network_status`` plays it on to PROTECTED); else a conflict."""
        with self._lock:
            status = self._networks.existing(source_network_id)["replicationStatus"]
            if status != "STOPPED":
                raise _conflict(source_network_id, f"is not stopped (status {status})")
            return self._networks.replace(source_network_id, _start)

    def stop_source_network_replication(self, source_network_id: str) -> Record:
        """IN_PROGRESS, PROTECTED or ERROR -> STOPPED; already stopped is a conflict."""
        with self._lock:
            if self._networks.existing(source_network_id)["replicationStatus"] == "STOPPED":
                raise _conflict(source_network_id, "is already stopped")
            return self._networks.replace(source_network_id, _stop)


def _conflict(source_network_id: str, what: str) -> ConflictException:
    return ConflictException(
        f"Replication of source network {source_network_id} {what}",
        resource_id=source_network_id,
        resource_type="SOURCE_NETWORK",
    )


def _start(network: Record) -> None:
    network["replicationStatus"] = "IN_PROGRESS"
    network.pop("replicationStatusDetails", None)


def _stop(network: Record) -> None:
    network["replicationStatus"] = "STOPPED"
    network.pop("replicationStatusDetails", None)
