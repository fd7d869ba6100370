"""Pure policy: what one described source server needs, before cooldown, cap and deadline apply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reprotect import lifecycle
from reprotect.config import Config
from reprotect.diagnosis import diagnose
from reprotect.outcomes import Outcome, Reason, ServerOutcome

_ATTENTION_STATES = {
    "STALLED": Reason.STALLED,
    "DISCONNECTED": Reason.DISCONNECTED,
    "PAUSED": Reason.PAUSED,
}
# DataReplicationState in botocore's DRS model: replication is under way in each of these.
_REPLICATING_STATES = frozenset(
    {"INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT", "CONTINUOUS", "RESCAN"}
)


@dataclass(frozen=True)
class Candidate:
    """A stopped server the policy allows: it is started unless cooldown, cap or deadline say no."""

    source_server_id: str
    hostname: str | None

    def outcome(
        self,
        kind: Outcome,
        reason: Reason,
        detail: str | None = None,
        code: str | None = None,
        diagnosis: str | None = None,
    ) -> ServerOutcome:
        return ServerOutcome(self.source_server_id, self.hostname, kind, reason, detail, code, diagnosis)

    def attention(
        self,
        reason: Reason,
        detail: str,
        code: str | None = None,
        *,
        raw: str | None = None,
        step: str | None = None,
    ) -> ServerOutcome:
        """Needs a person: the outcome carries the diagnosis for its reason, DRS's error or failed step."""
        told = diagnose(reason, error=code, raw=raw, step=step)
        return self.outcome(Outcome.ATTENTION, reason, detail, code, told)


Verdict = Candidate | ServerOutcome


def hostname(server: Mapping[str, Any]) -> str | None:
    hints = (server.get("sourceProperties") or {}).get("identificationHints") or {}
    name = hints.get("hostname") or hints.get("fqdn") or hints.get("awsInstanceID")
    return name if isinstance(name, str) else None


def classify(server: Mapping[str, Any], config: Config) -> Verdict:
    """Decide by state and policy alone: a final outcome, or a Candidate to start."""
    this = Candidate(server["sourceServerID"], hostname(server))
    info = server.get("dataReplicationInfo") or {}
    state = info.get("dataReplicationState")
    if state == "STOPPED":
        return _policy(server, this, config)
    problem = info.get("dataReplicationError")
    error, raw = _error_of(problem) if isinstance(problem, Mapping) else (None, None)
    if not isinstance(state, str) or state not in _ATTENTION_STATES.keys() | _REPLICATING_STATES:
        # Missing, or a state this version does not know: a person should look, not a guess.
        return this.attention(Reason.UNKNOWN_STATE, f"replication state is {state!r:.60}", error, raw=raw)
    if state in _ATTENTION_STATES:
        return this.attention(_ATTENTION_STATES[state], f"replication is {state}", error, raw=raw)
    return _replicating(info, this, config, error, raw)


def _replicating(
    info: Mapping[str, Any], this: Candidate, config: Config, error: str | None, raw: str | None
) -> ServerOutcome:
    """A server in a replicating state: stuck setting up, in error, lagging, or healthy."""
    step = lifecycle.failed_step(info)
    if step is not None:
        retry = info.get("dataReplicationInitiation", {}).get("nextAttemptDateTime")
        detail = f"replication setup failed at {step}" + (f"; DRS retries at {retry}" if retry else "")
        return this.attention(Reason.INITIATION_FAILED, detail, error, raw=raw, step=step)
    if error:
        return this.attention(
            Reason.REPLICATION_ERROR, f"replication is {info['dataReplicationState']}", error, raw=raw
        )
    late = lifecycle.lagging(info, config.max_lag_seconds)
    if late:
        return this.attention(Reason.LAGGING, late)  # any error of DRS's was named just above
    return this.outcome(Outcome.HEALTHY, Reason.REPLICATING)


def _error_of(problem: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """DRS's error code and its raw text, as text whatever DRS sent."""
    error, raw = problem.get("error"), problem.get("rawError")
    return (None if error is None else str(error)), (None if raw is None else str(raw))


def _policy(server: Mapping[str, Any], candidate: Candidate, config: Config) -> Verdict:
    tags = server.get("tags") or {}
    if excluded := config.excluded_by(tags):
        return candidate.outcome(Outcome.SKIPPED, Reason.EXCLUDED_BY_TAG, f"tagged {excluded}")
    if config.include_tag and not config.include_tag.matches(tags):
        return candidate.outcome(Outcome.SKIPPED, Reason.NOT_OPTED_IN, f"not tagged {config.include_tag}")
    if server.get("replicationDirection") == "FAILBACK":
        return candidate.outcome(
            Outcome.SKIPPED, Reason.FAILBACK, "re-protected by reverse replication, not StartReplication"
        )
    staging = server.get("stagingArea") or {}
    if staging.get("status") == "EXTENDED":
        account = staging.get("stagingAccountID") or "unknown"
        return candidate.outcome(
            Outcome.SKIPPED, Reason.EXTENDED, f"replication is driven in staging account {account}"
        )
    return candidate
