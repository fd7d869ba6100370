"""Pure policy for recovery instances: whether one still needs reverse replication, and what
REVERSE_REPLICATION (`off`, `report`, `on`) makes of it.

After a real recovery of an EC2 workload into another Region, AWS's guidance is to start reversed
replication at once, so the recovered workload is protected in turn. ReverseReplication "applies only
to protected instances that originated in EC2" (the API reference). In botocore's DRS model a recovery
instance's `dataReplicationInfo.dataReplicationState` is the state of replication back towards its
origin, and `NOT_STARTED` means nobody started it: that is the signal read here. A drill, an instance
whose origin is not AWS (fail back with the DRS Failback Client), or one whose EC2 instance is gone is
never reversed.
"""

from __future__ import annotations

from reprotect.config import Config
from reprotect.contract import REVERSE_OFF, REVERSE_ON, REVERSE_REPORT
from reprotect.events import Ignored, RunRequest
from reprotect.lifecycle import GONE
from reprotect.outcomes import Entry, Outcome, Reason
from reprotect.recovery import RecoveryInstance
from reprotect.targets import REVERSAL, Target

NOT_PROTECTED = (
    "a real recovery of an EC2 workload, and nothing replicates it back to its origin"
    " (reverse replication NOT_STARTED)"
)


def target_of(instance: RecoveryInstance) -> Target:
    return Target(REVERSAL, instance.recovery_instance_id, instance.source_server_id)


def classify(instance: RecoveryInstance, config: Config) -> Target | Entry:
    """A final outcome, or (REVERSE_REPLICATION=on) the instance as a Target to reverse."""
    this = target_of(instance)
    left_alone = _never_reversed(instance, this)
    if left_alone is not None:
        return left_alone
    state = instance.reverse_state
    if state is None:
        return this.attention(Reason.UNKNOWN_STATE, "DRS gives no reverse replication state")
    if state != REVERSAL.idle:
        return this.outcome(Outcome.HEALTHY, Reason.REPLICATING)
    if excluded := config.excluded_by(instance.tags):
        return this.outcome(Outcome.SKIPPED, Reason.EXCLUDED_BY_TAG, f"tagged {excluded}")
    if config.include_tag and not config.include_tag.matches(instance.tags):
        return this.outcome(Outcome.SKIPPED, Reason.NOT_OPTED_IN, f"not tagged {config.include_tag}")
    if config.reverse_replication == REVERSE_ON:
        return this
    return this.attention(
        Reason.NOT_REVERSE_PROTECTED, f"{NOT_PROTECTED}; REVERSE_REPLICATION={REVERSE_REPORT}"
    )


def _never_reversed(instance: RecoveryInstance, this: Target) -> Entry | None:
    """Drills, instances from outside AWS and instances that are gone, whatever their state."""
    if instance.is_drill or not instance.drill_stated:
        said = "a drill" if instance.is_drill else "DRS does not say whether it is a drill"
        return this.outcome(Outcome.SKIPPED, Reason.DRILL, f"{said}: never reversed")
    if instance.origin != "AWS":
        detail = f"origin {instance.origin or 'unknown'}, not EC2: fail back with the DRS Failback Client"
        return this.outcome(Outcome.SKIPPED, Reason.NOT_FROM_AWS, detail)
    if instance.ec2_state in GONE:
        return this.outcome(
            Outcome.SKIPPED, Reason.INSTANCE_GONE, f"EC2 {instance.ec2_state}: nothing to protect"
        )
    return None


def scope(request: RunRequest, config: Config) -> tuple[str, ...] | None:
    """The source servers whose recovery instances a run looks at: None for every instance (a full
    sweep), those a recovery's launch-result event names, or none at all (`()`: REVERSE_REPLICATION
    off, or a run about given servers)."""
    if config.reverse_replication == REVERSE_OFF:
        return ()
    if request.recovered is not None:
        return request.recovered
    return None if request.server_ids is None else ()


def ignored(request: RunRequest, config: Config) -> Ignored | None:
    """A recovery's launch-result event asks for nothing while REVERSE_REPLICATION is off."""
    if request.recovered is not None and config.reverse_replication == REVERSE_OFF:
        return Ignored(f"REVERSE_REPLICATION={REVERSE_OFF}: recovery instances are not looked at")
    return None
