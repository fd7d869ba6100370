"""Pure policy: what one described source server needs, before cooldown, cap and deadline apply."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reprotect.config import Config
from reprotect.outcomes import ATTENTION, HEALTHY, SKIPPED, STARTED, Reason, ServerOutcome

_ATTENTION_STATES = {
    "STALLED": Reason.STALLED,
    "DISCONNECTED": Reason.DISCONNECTED,
    "PAUSED": Reason.PAUSED,
}


def hostname(server: Mapping[str, Any]) -> str | None:
    hints = (server.get("sourceProperties") or {}).get("identificationHints") or {}
    return hints.get("hostname") or hints.get("fqdn") or hints.get("awsInstanceID")


def classify(server: Mapping[str, Any], config: Config) -> ServerOutcome:
    """Decide by state and policy alone. `started` here means "a candidate to start"."""
    sid = server["sourceServerID"]
    name = hostname(server)
    info = server.get("dataReplicationInfo") or {}
    state = info.get("dataReplicationState")

    def outcome(kind: str, reason: str, detail: str | None = None, code: str | None = None) -> ServerOutcome:
        return ServerOutcome(sid, name, kind, reason, detail, code)

    if state != "STOPPED":
        error = (info.get("dataReplicationError") or {}).get("error")
        if state in _ATTENTION_STATES:
            return outcome(ATTENTION, _ATTENTION_STATES[state], f"replication is {state}", error)
        if error:
            return outcome(ATTENTION, Reason.REPLICATION_ERROR, f"replication is {state}", error)
        return outcome(HEALTHY, Reason.REPLICATING)

    tags = server.get("tags") or {}
    if config.exclude_tag and config.exclude_tag.matches(tags):
        return outcome(SKIPPED, Reason.EXCLUDED_BY_TAG, f"tagged {config.exclude_tag}")
    if config.include_tag and not config.include_tag.matches(tags):
        return outcome(SKIPPED, Reason.NOT_OPTED_IN, f"not tagged {config.include_tag}")
    if server.get("replicationDirection") == "FAILBACK":
        return outcome(SKIPPED, Reason.FAILBACK, "re-protected by reverse replication, not StartReplication")
    staging = server.get("stagingArea") or {}
    if staging.get("status") == "EXTENDED":
        account = staging.get("stagingAccountID") or "unknown"
        return outcome(SKIPPED, Reason.EXTENDED, f"replication is driven in staging account {account}")
    return outcome(STARTED, Reason.REPLICATION_STOPPED)
