"""Recovery instances: DescribeRecoveryInstances and ReverseReplication."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from drs_emulator.exceptions import ConflictException, ValidationException
from drs_emulator.fleet import REVERSE_STATES, random_server_id, server_arn
from drs_emulator.fleet.recovery import reverse_replication_info, reversed_server
from drs_emulator.models.base import BackendState, Record, matcher
from drs_emulator.paging import MAX_RESULTS, Page


@dataclass(frozen=True)
class RecoveryInstanceFilters:
    """``DescribeRecoveryInstancesRequestFilters``; empty members match everything."""

    recovery_instance_ids: frozenset[str] = frozenset()
    source_server_ids: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        """Whether any member is set (an empty filter matches everything)."""
        return any(value not in (None, frozenset()) for value in vars(self).values())

    def matches(self, instance: Record) -> bool:
        return (
            not self.recovery_instance_ids or instance["recoveryInstanceID"] in self.recovery_instance_ids
        ) and (not self.source_server_ids or instance.get("sourceServerID") in self.source_server_ids)


class RecoveryInstances(BackendState):
    # ---- state helpers for tests and the CLI --------------------------------------------------

    def add_recovery_instances(self, instances: Iterable[Record]) -> None:
        with self._lock:
            self._recovery.add(instances)

    def recovery_instance_ids(self) -> list[str]:
        with self._lock:
            return list(self._recovery.ids())

    def get_recovery_instance(self, recovery_instance_id: str) -> Record:
        """A private copy of one recovery instance (KeyError if unknown)."""
        with self._lock:
            return self._recovery.copy_of(recovery_instance_id)

    def reverse_state_of(self, recovery_instance_id: str) -> str:
        """The recovery instance's ``dataReplicationInfo.dataReplicationState``."""
        with self._lock:
            return _reverse_state(self._recovery.get(recovery_instance_id))

    def set_reverse_state(self, recovery_instance_id: str, state: str) -> None:
        """Move reverse replication to another state, as time passing in DRS would."""
        if state not in REVERSE_STATES:
            raise ValueError(f"unknown recovery instance dataReplicationState {state!r}")
        with self._lock:
            self._recovery.replace(
                recovery_instance_id,
                lambda i: i.setdefault("dataReplicationInfo", {}).update(dataReplicationState=state),
            )

    # ---- operations -------------------------------------------------------------------------

    def describe_recovery_instances(
        self,
        filters: RecoveryInstanceFilters | None = None,
        max_results: int = MAX_RESULTS,
        next_token: str | None = None,
    ) -> Page:
        """One page of recovery instances in id order."""
        matches = matcher(filters)
        return self._page(self._recovery, matches, max_results, next_token)

    def reverse_replication(self, recovery_instance_id: str) -> str:
        """Start replicating a recovery instance back to its origin: a new FAILBACK source server.

        Returns the new server's ARN. Drills and instances from outside AWS are refused with a
        ValidationException; an instance whose reverse replication already started, a ConflictException.
        """
        now = datetime.now(UTC)
        with self._lock:
            instance = self._recovery.existing(recovery_instance_id)
            _check_reversible(instance)
            original = self._servers.find(instance["sourceServerID"])
            original_arn = (
                original["arn"]
                if original
                else server_arn(instance["sourceServerID"], self.account_id, self.region)
            )
            server = reversed_server(
                instance,
                server_id=self._new_server_id(recovery_instance_id),
                original_arn=original_arn,
                account_id=self.account_id,
                region=self.region,
                now=now,
            )
            self._servers.add([server])
            self._recovery.replace(recovery_instance_id, lambda i: _start_reverse(i, now))
            if original is not None:
                self._servers.replace(original["sourceServerID"], lambda s: _link(s, server["arn"]))
            return str(server["arn"])

    def _new_server_id(self, recovery_instance_id: str) -> str:
        # Seeded by the instance, so a test run gets the same ids every time.
        rng = random.Random(f"reverse/{recovery_instance_id}")
        server_id = random_server_id(rng)
        while self._servers.find(server_id) is not None:
            server_id = random_server_id(rng)
        return server_id


def _reverse_state(instance: Record) -> str:
    return str(instance.get("dataReplicationInfo", {}).get("dataReplicationState", "NOT_STARTED"))


def _check_reversible(instance: Record) -> None:
    instance_id = instance["recoveryInstanceID"]
    if instance.get("isDrill"):
        raise ValidationException(
            f"Recovery instance {instance_id} is a drill; reverse replication applies to recovery instances"
        )
    if instance.get("originEnvironment") != "AWS":
        raise ValidationException(
            f"Recovery instance {instance_id} did not originate in EC2; reverse replication applies only to "
            "instances that did"
        )
    state = _reverse_state(instance)
    if state != "NOT_STARTED":
        raise ConflictException(
            f"Reverse replication for recovery instance {instance_id} already started (state {state})",
            resource_id=instance_id,
            resource_type="RECOVERY_INSTANCE",
        )


def _start_reverse(instance: Record, now: datetime) -> None:
    instance["dataReplicationInfo"] = reverse_replication_info("INITIATING", "AWS", now)


def _link(server: Record, reversed_arn: str) -> None:
    server["reversedDirectionSourceServerArn"] = reversed_arn
