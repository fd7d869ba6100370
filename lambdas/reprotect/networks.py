"""Pure policy for source networks: what one described network needs, before its hold, the cap and
the deadline apply.

DRS replicates a source VPC's configuration so that a recovery has a network to launch into
(`replicationStatus`: STOPPED, IN_PROGRESS, PROTECTED or ERROR in botocore's model). A stopped network
the tag policy allows is a `Target` for StartSourceNetworkReplication; an erroring one needs a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reprotect.config import Config
from reprotect.outcomes import Entry, Outcome, Reason
from reprotect.targets import NETWORK_START, Target

PROTECTING = frozenset({"IN_PROGRESS", "PROTECTED"})
MAX_DETAILS = 160  # characters of DRS's replicationStatusDetails quoted in the entry


def target_of(network: Mapping[str, Any]) -> Target:
    vpc = network.get("sourceVpcID")
    return Target(NETWORK_START, str(network["sourceNetworkID"]), vpc if isinstance(vpc, str) else None)


def classify(network: Mapping[str, Any], config: Config) -> Target | Entry:
    """A final outcome, or the network as a Target to start."""
    this = target_of(network)
    status = network.get("replicationStatus")
    if status == NETWORK_START.idle:
        return _policy(network, this, config)
    if status == "ERROR":
        said = network.get("replicationStatusDetails")
        detail = "replication is ERROR" + (f": {str(said)[:MAX_DETAILS]}" if said else "")
        return this.attention(Reason.REPLICATION_ERROR, detail)
    if isinstance(status, str) and status in PROTECTING:
        return this.outcome(Outcome.HEALTHY, Reason.REPLICATING)
    return this.attention(Reason.UNKNOWN_STATE, f"replication status is {status!r:.60}")


def _policy(network: Mapping[str, Any], target: Target, config: Config) -> Target | Entry:
    """The same tag rules as servers': the exclude tag wins, then the opt-in tag."""
    tags = network.get("tags") or {}
    if excluded := config.excluded_by(tags):
        return target.outcome(Outcome.SKIPPED, Reason.EXCLUDED_BY_TAG, f"tagged {excluded}")
    if config.include_tag and not config.include_tag.matches(tags):
        return target.outcome(Outcome.SKIPPED, Reason.NOT_OPTED_IN, f"not tagged {config.include_tag}")
    return target
