"""Pure verdicts about where a server stands in its DR lifecycle: failed over, restarted too often,
over the replicating-server limit, lagging, or stuck setting replication up. Values in, a verdict (or
None) out; no I/O, no clock: `now` is given."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from reprotect.contract import RESTART_WINDOW_SECONDS
from reprotect.recovery import RecoveryInstance

# Every server in any other state counts against DRS's quota of replicating servers (an unknown
# state too: counting it can only defer a start, never start one too many).
NOT_REPLICATING = frozenset({"STOPPED", "DISCONNECTED"})
# Initial sync has no recovery point to be late with.
INITIAL_SYNC = frozenset({"INITIATING", "INITIAL_SYNC"})
# An EC2 instance in these states no longer runs anything.
GONE = frozenset({"SHUTTING-DOWN", "TERMINATED", "NOT_FOUND"})
_LAUNCHING = frozenset({"PENDING", "IN_PROGRESS"})
_DURATION = re.compile(
    r"P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<MO>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?(?:(?P<D>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<MI>\d+(?:\.\d+)?)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?",
    re.ASCII,
)
# Seconds per unit; a year and a month have no fixed length, so these are the usual approximations.
_UNITS = {"Y": 365 * 86400, "MO": 30 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "MI": 60, "S": 1}


def state_of(server: Mapping[str, Any]) -> Any:
    return (server.get("dataReplicationInfo") or {}).get("dataReplicationState")


def replicating(server: Mapping[str, Any]) -> bool:
    """Whether the server counts against REPLICATING_SERVER_LIMIT."""
    state = state_of(server)
    return not (isinstance(state, str) and state in NOT_REPLICATING)


def holds_workload(instance: RecoveryInstance) -> bool:
    """A recovery instance the workload may run on: a real recovery (not a drill) whose EC2 instance
    still exists and whose failback has not completed."""
    if instance.is_drill or instance.ec2_state in GONE:
        return False
    return instance.failback_state != "FAILBACK_COMPLETED"


def failed_over(server: Mapping[str, Any], instances: Iterable[RecoveryInstance]) -> str | None:
    """Why a stopped server must be left alone because it was recovered for real (the detail), or None.

    Its workload runs on a recovery instance that is not a drill, or a recovery launch is under way.
    """
    for instance in instances:
        if holds_workload(instance):
            return (
                f"failed over to recovery instance {instance.recovery_instance_id} (not a drill, EC2"
                f" {instance.ec2_state or 'state unknown'}): failback or reverse replication re-protects it,"
                " not StartReplication"
            )
    launch = (server.get("lifeCycle") or {}).get("lastLaunch") or {}
    initiated = launch.get("initiated") or {}
    if initiated.get("type") == "RECOVERY" and launch.get("status") in _LAUNCHING:
        return (
            f"a recovery launch is under way (job {initiated.get('jobID') or 'unknown'}, {launch['status']}):"
            " failback or reverse replication re-protects it, not StartReplication"
        )
    return None


def recent(starts: Iterable[int], now: int) -> tuple[int, ...]:
    """The starts within the restart window before `now`, oldest first."""
    return tuple(sorted(t for t in starts if now - RESTART_WINDOW_SECONDS < t <= now))


def flapping(starts: Iterable[int], now: int, limit: int) -> str | None:
    """The detail when this tool already started the server `limit` times in the window, else None.

    `limit` 0 means no limit.
    """
    within = recent(starts, now)
    if not limit or len(within) < limit:
        return None
    times = ", ".join(iso(t) for t in within)
    return (
        f"started {len(within)} times in 24 hours ({times}) and stopped again (MAX_RESTARTS_PER_DAY={limit})"
    )


def places(limit: int, replicating_now: int) -> int:
    """How many servers a run may start before the replicating servers reach `limit`."""
    return max(0, limit - replicating_now)


def duration_seconds(text: Any) -> float | None:
    """An ISO 8601 duration (`PT2H5S`, `P1DT3H`) in seconds; None when it is not one."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    return sum(float(value) * _UNITS[unit] for unit, value in match.groupdict().items() if value)


def lagging(info: Mapping[str, Any], max_lag: int) -> str | None:
    """The detail when replication is more than `max_lag` seconds behind, else None.

    `max_lag` 0 turns the rule off; servers in their initial sync and unreadable lags are not judged.
    """
    state = info.get("dataReplicationState")
    if not max_lag or state in INITIAL_SYNC:
        return None
    lag = duration_seconds(info.get("lagDuration"))
    if lag is None or lag <= max_lag:
        return None
    return f"replication is {span(lag)} behind ({info['lagDuration']}; MAX_LAG_SECONDS={max_lag})"


def failed_step(info: Mapping[str, Any]) -> str | None:
    """The initiation step DRS marks FAILED, if any."""
    steps = (info.get("dataReplicationInitiation") or {}).get("steps") or []
    for step in steps:
        if isinstance(step, Mapping) and step.get("status") == "FAILED":
            name = step.get("name")
            return name if isinstance(name, str) else "UNKNOWN"
    return None


def span(seconds: float) -> str:
    """`26h03m04s`: hours, minutes and seconds of a duration."""
    whole = int(seconds)
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m{whole % 60:02d}s"


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
