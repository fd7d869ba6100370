"""Options of ``make_server`` that recovery features need, applied after the random draws so they
never shift them (the fleet for a seed stays the same)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from drs_emulator.fleet.common import (
    INITIATION_STEPS,
    RECOVERY_INSTANCE_ID,
    SOURCE_NETWORK_ID,
    check_choice,
    check_id,
    duration,
    iso,
    random_id,
    steps_up_to,
)

LAUNCH_TYPES = ("DRILL", "RECOVERY")
LAUNCH_STATUSES = ("PENDING", "IN_PROGRESS", "LAUNCHED", "FAILED", "TERMINATED")
# lastLaunchResult that goes with each lifeCycle.lastLaunch.status
_LAUNCH_RESULTS = {
    "PENDING": "PENDING",
    "IN_PROGRESS": "PENDING",
    "LAUNCHED": "SUCCEEDED",
    "FAILED": "FAILED",
    "TERMINATED": "SUCCEEDED",
}


@dataclass(frozen=True)
class RecoveryOptions:
    """What the caller chose; None leaves the drawn value."""

    recovery_instance_id: str | None = None
    lag_seconds: int | None = None
    initiation_failed_step: str | None = None
    last_launch: str | None = None
    last_launch_status: str = "LAUNCHED"
    source_network_id: str | None = None

    def check(self) -> None:
        if self.recovery_instance_id is not None:
            check_id("recovery_instance_id", self.recovery_instance_id, RECOVERY_INSTANCE_ID)
        if self.source_network_id is not None:
            check_id("source_network_id", self.source_network_id, SOURCE_NETWORK_ID)
        if self.lag_seconds is not None and self.lag_seconds < 0:
            raise ValueError(f"lag_seconds must be at least 0, not {self.lag_seconds}")
        if self.initiation_failed_step is not None:
            check_choice("initiation step", self.initiation_failed_step, INITIATION_STEPS)
        if self.last_launch is not None:
            check_choice("last launch type", self.last_launch, LAUNCH_TYPES)
        check_choice("last launch status", self.last_launch_status, LAUNCH_STATUSES)

    def apply(self, server: dict[str, Any], now: datetime, error: str | None) -> None:
        """Set the chosen values on a built server (``error``: the one the caller chose, if any)."""
        if self.recovery_instance_id is not None:
            server["recoveryInstanceId"] = self.recovery_instance_id
        if self.source_network_id is not None:
            server["sourceNetworkID"] = self.source_network_id
        if self.lag_seconds is not None:
            server["dataReplicationInfo"]["lagDuration"] = duration(self.lag_seconds)
        if self.initiation_failed_step is not None:
            fail_initiation(server["dataReplicationInfo"], self.initiation_failed_step, now, error)
        if self.last_launch is not None:
            set_last_launch(server, self.last_launch, self.last_launch_status, now)


def fail_initiation(info: dict[str, Any], step: str, now: datetime, error: str | None = None) -> None:
    """The step FAILED, earlier ones SUCCEEDED; DRS retries later and names the failure in the error."""
    initiation = info["dataReplicationInitiation"]
    initiation["steps"] = steps_up_to(INITIATION_STEPS.index(step), "FAILED")
    initiation["nextAttemptDateTime"] = iso(now + timedelta(minutes=5))
    if error is None and step != "WAIT":  # every other step has a FAILED_TO_<step> error
        error = f"FAILED_TO_{step}"
        info["dataReplicationError"] = {"error": error, "rawError": f"{error} during initiation"}


def set_last_launch(server: dict[str, Any], launch_type: str, status: str, now: datetime) -> None:
    """Record a DRILL or RECOVERY launch in ``lifeCycle.lastLaunch`` and ``lastLaunchResult``."""
    previous = server["lifeCycle"].get("lastLaunch", {}).get("initiated", {})
    # Seeded by the server id, not by the caller's rng, so the fleet's draws stay where they were.
    job_id = previous.get("jobID") or random_id(random.Random(server["sourceServerID"]), "drsjob-")
    server["lifeCycle"]["lastLaunch"] = {
        "initiated": {
            "apiCallDateTime": previous.get("apiCallDateTime") or iso(now - timedelta(hours=1)),
            "jobID": job_id,
            "type": launch_type,
        },
        "status": status,
    }
    server["lastLaunchResult"] = _LAUNCH_RESULTS[status]
