"""The pure decisions about source networks and recovery instances: values in, an outcome out."""

from __future__ import annotations

from typing import Any

import pytest

from drs_emulator.fleet import make_recovery_instance, make_server, make_source_network
from reprotect import networks, reversal
from reprotect import targets as t
from reprotect.config import Config
from reprotect.diagnosis import diagnose_kind
from reprotect.events import RunRequest, Trigger
from reprotect.holds import Cooling
from reprotect.outcomes import Entry, Kind, Outcome, Reason
from reprotect.recovery import RecoveryInstance
from reprotect.tags import TagSpec

CONFIG = Config(topic_arn=None, table_name=None)
ON = Config(topic_arn=None, table_name=None, reverse_replication="on")


def verdict(entry: t.Target | Entry) -> tuple[str, str]:
    assert isinstance(entry, Entry), f"expected an outcome, got {entry}"
    return entry.outcome.value, entry.reason.value


# ---- source networks ---------------------------------------------------------------------------


def test_a_stopped_network_the_policy_allows_is_a_target_to_start() -> None:
    network = make_source_network("STOPPED", vpc_id="vpc-0123456789abcdef0", tags={})

    target = networks.classify(network, CONFIG)

    assert target == t.Target(t.NETWORK_START, network["sourceNetworkID"], "vpc-0123456789abcdef0")


@pytest.mark.parametrize(
    ("config", "tags", "expected"),
    [
        (CONFIG, {"AutoReprotect": "FALSE"}, ("skipped", "excluded-by-tag")),
        (Config(None, None, include_tag=TagSpec("DR", "auto")), {}, ("skipped", "not-opted-in")),
        (Config(None, None, include_tag=TagSpec("DR", "auto")), {"DR": "Auto"}, None),
    ],
)
def test_the_tag_policy_is_the_servers(config: Config, tags: dict[str, str], expected: Any) -> None:
    decided = networks.classify(make_source_network("STOPPED", tags=tags), config)

    assert (verdict(decided) if expected else isinstance(decided, t.Target)) == (expected or True)


@pytest.mark.parametrize("status", ["PROTECTED", "IN_PROGRESS"])
def test_a_protected_or_replicating_network_is_counted_healthy(status: str) -> None:
    assert verdict(networks.classify(make_source_network(status), CONFIG)) == ("healthy", "replicating")


def test_an_erroring_network_needs_a_person_with_drs_own_words_and_what_to_check() -> None:
    network = make_source_network("ERROR", details="VPC vpc-1 not found")

    entry = networks.classify(network, CONFIG)

    assert verdict(entry) == ("attention", "replication-error")
    assert isinstance(entry, Entry)
    assert entry.detail == "replication is ERROR: VPC vpc-1 not found"
    assert entry.diagnosis
    assert "VPC still exists" in entry.diagnosis


def test_an_unknown_network_status_needs_a_person() -> None:
    network = {**make_source_network(), "replicationStatus": "REPLICATING_SIDEWAYS"}

    assert verdict(networks.classify(network, CONFIG)) == ("attention", "unknown-state")


# ---- recovery instances ------------------------------------------------------------------------


def ec2_recovery(**options: Any) -> RecoveryInstance:
    """A real recovery of an EC2 source server, reverse replication not started unless said."""
    origin = make_server("STOPPED", ec2_origin=True)
    return RecoveryInstance.from_api(make_recovery_instance(origin, **options))


def test_a_real_ec2_recovery_not_reverse_protected_is_reported_by_default() -> None:
    entry = reversal.classify(ec2_recovery(), CONFIG)

    assert verdict(entry) == ("attention", "not-reverse-protected")
    assert isinstance(entry, Entry)
    assert entry.detail
    assert entry.detail.endswith("REVERSE_REPLICATION=report")
    assert entry.diagnosis
    assert "REVERSE_REPLICATION=on" in entry.diagnosis


def test_with_reverse_replication_on_it_is_a_target_to_reverse() -> None:
    instance = ec2_recovery()

    assert reversal.classify(instance, ON) == t.Target(
        t.REVERSAL, instance.recovery_instance_id, instance.source_server_id
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"is_drill": True}, ("skipped", "drill")),
        ({"origin_environment": "ON_PREMISES"}, ("skipped", "not-from-aws")),
        ({"ec2_state": "TERMINATED"}, ("skipped", "instance-gone")),
        ({"reverse_state": "INITIATING"}, ("healthy", "replicating")),
        ({"reverse_state": "CONTINUOUS"}, ("healthy", "replicating")),
        ({"tags": {"AutoReprotect": "false"}}, ("skipped", "excluded-by-tag")),
    ],
)
def test_drills_other_origins_gone_reversed_and_excluded_instances_are_never_reversed(
    options: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert verdict(reversal.classify(ec2_recovery(**options), ON)) == expected


def test_an_instance_drs_does_not_call_a_drill_or_not_is_never_reversed() -> None:
    item = make_recovery_instance(make_server(ec2_origin=True))
    del item["isDrill"]

    entry = reversal.classify(RecoveryInstance.from_api(item), ON)

    assert verdict(entry) == ("skipped", "drill")
    assert isinstance(entry, Entry)
    assert entry.detail == "DRS does not say whether it is a drill: never reversed"


def test_an_on_premises_recovery_is_left_to_the_failback_client() -> None:
    on_premises = RecoveryInstance.from_api(make_recovery_instance(make_server(ec2_origin=False)))

    entry = reversal.classify(on_premises, ON)

    assert isinstance(entry, Entry)
    assert entry.detail == "origin ON_PREMISES, not EC2: fail back with the DRS Failback Client"


SWEEP = RunRequest(Trigger("schedule"), "k")
TARGETED = RunRequest(Trigger("alarm"), "k", ("s-00000000000000001",))
LAUNCHED = RunRequest(Trigger("drs-event"), "k", (), recovered=("s-00000000000000001",))


@pytest.mark.parametrize(
    ("request_", "mode", "scope"),
    [
        (SWEEP, "report", None),
        (SWEEP, "on", None),
        (SWEEP, "off", ()),
        (TARGETED, "on", ()),
        (LAUNCHED, "on", ("s-00000000000000001",)),
        (LAUNCHED, "report", ("s-00000000000000001",)),
        (LAUNCHED, "off", ()),
    ],
)
def test_which_recovery_instances_a_run_looks_at(request_: RunRequest, mode: str, scope: Any) -> None:
    assert reversal.scope(request_, Config(None, None, reverse_replication=mode)) == scope


def test_a_launch_result_asks_for_nothing_while_reverse_replication_is_off() -> None:
    off = Config(None, None, reverse_replication="off")

    assert reversal.ignored(LAUNCHED, off) is not None
    assert reversal.ignored(LAUNCHED, CONFIG) is None
    assert reversal.ignored(SWEEP, off) is None  # a sweep still looks at servers and networks


# ---- admission and answers, for either kind ----------------------------------------------------

NETWORK = t.Target(t.NETWORK_START, "sn-0123456789abcdefg", "vpc-0123456789abcdef0")
INSTANCE = t.Target(t.REVERSAL, "i-0123456789abcdef0", "s-0123456789abcdefg")


def admit(target: t.Target = NETWORK, **changes: Any) -> t.Target | Entry:
    values: dict[str, Any] = {
        "hold": None,
        "admitted": 0,
        "cap": 100,
        "deadline_reached": False,
        "dry_run": False,
        **changes,
    }
    return t.admit(target, **values)


def test_admission_hold_then_cap_then_deadline_then_dry_run() -> None:
    assert admit() == NETWORK
    held = admit(hold=Cooling("2026-11-27T07:00:00Z"))
    assert verdict(held) == ("skipped", "cooldown")
    assert isinstance(held, Entry)
    assert held.detail == (
        "StartSourceNetworkReplication called by drs-reprotect; not again until 2026-11-27T07:00:00Z"
    )
    assert verdict(admit(admitted=100)) == ("deferred", "max-starts-per-run")
    assert verdict(admit(deadline_reached=True)) == ("deferred", "deadline")
    assert verdict(admit(dry_run=True)) == ("would-start", "replication-stopped")
    assert verdict(admit(INSTANCE, dry_run=True)) == ("would-start", "reverse-replication")
    unreadable = admit(hold=Cooling(None, problem="unreadable cooldown item"))
    assert verdict(unreadable) == ("failed", "cooldown-store-error")


@pytest.mark.parametrize(
    ("target", "code", "expected"),
    [
        (NETWORK, "ConflictException", ("skipped", "no-longer-stopped")),
        (INSTANCE, "ConflictException", ("skipped", "already-reversed")),
        (INSTANCE, "ResourceNotFoundException", ("skipped", "not-found")),
        (INSTANCE, "ThrottlingException", ("deferred", "throttled")),
        (INSTANCE, "ValidationException", ("failed", "start-failed")),
        (NETWORK, "AccessDeniedException", ("failed", "start-failed")),
    ],
)
def test_what_a_refusal_means(target: t.Target, code: str, expected: tuple[str, str]) -> None:
    assert verdict(t.refused(target, code, "no")) == expected


def test_an_ambiguous_answer_is_settled_by_what_drs_shows() -> None:
    assert verdict(t.settled(INSTANCE, "ReadTimeoutError", "INITIATING")) == (
        "started",
        "reverse-replication",
    )
    assert verdict(t.settled(INSTANCE, "ReadTimeoutError", "NOT_STARTED")) == ("failed", "start-failed")
    assert verdict(t.settled(NETWORK, "InternalServerException", "STOPPED")) == ("failed", "start-failed")
    assert verdict(t.settled(NETWORK, "ReadTimeoutError", None)) == ("skipped", "not-found")
    earlier = t.settled(INSTANCE, "ConflictException", "INITIATING", earlier=True)
    assert isinstance(earlier, Entry)
    assert earlier.detail == "started by an earlier attempt of this event"
    lost = t.unconfirmed(INSTANCE, "ReadTimeoutError")
    assert verdict(lost) == ("attention", "start-unconfirmed")
    assert lost.kind is Kind.INSTANCE
    assert lost.diagnosis
    assert "never asks twice" in lost.diagnosis
    assert lost.outcome is Outcome.ATTENTION
    assert lost.reason is Reason.START_UNCONFIRMED


def entry(target: t.Target, outcome: Outcome, reason: Reason, detail: str | None, code: str | None) -> Entry:
    return Entry(target.act.kind, target.resource_id, target.related, outcome, reason, detail, code)


@pytest.mark.parametrize(
    ("decide", "expected"),
    [
        (
            lambda: t.refused(NETWORK, "ConflictException", "x" * 300),
            entry(NETWORK, Outcome.SKIPPED, Reason.NO_LONGER_STOPPED, "x" * 200, "ConflictException"),
        ),
        (
            lambda: t.refused(INSTANCE, "ResourceNotFoundException", "gone"),
            entry(
                INSTANCE,
                Outcome.SKIPPED,
                Reason.NOT_FOUND,
                "deleted while the run was going",
                "ResourceNotFoundException",
            ),
        ),
        (
            lambda: t.refused(INSTANCE, "TooManyRequestsException", "slow down"),
            entry(
                INSTANCE,
                Outcome.DEFERRED,
                Reason.THROTTLED,
                "still throttled after retries",
                "TooManyRequestsException",
            ),
        ),
        (
            lambda: t.refused(NETWORK, "AccessDeniedException", "y" * 300),
            entry(NETWORK, Outcome.FAILED, Reason.START_FAILED, "y" * 200, "AccessDeniedException"),
        ),
        (
            lambda: t.settled(NETWORK, "ReadTimeoutError", None),
            entry(
                NETWORK,
                Outcome.SKIPPED,
                Reason.NOT_FOUND,
                "deleted while the run was going",
                "ReadTimeoutError",
            ),
        ),
        (
            lambda: t.settled(INSTANCE, "ReadTimeoutError", "NOT_STARTED"),
            entry(
                INSTANCE,
                Outcome.FAILED,
                Reason.START_FAILED,
                "ReverseReplication answered ReadTimeoutError; DRS still shows NOT_STARTED",
                "ReadTimeoutError",
            ),
        ),
        (
            # A 409 with no earlier attempt of this event: someone else reversed it, not an earlier try.
            lambda: t.settled(INSTANCE, "ConflictException", "INITIATING"),
            entry(
                INSTANCE,
                Outcome.STARTED,
                Reason.REVERSE_REPLICATION,
                "ReverseReplication answered ConflictException, but DRS shows INITIATING",
                None,
            ),
        ),
        (
            lambda: t.settled(NETWORK, "InternalServerException", "STARTED", earlier=True),
            entry(
                NETWORK,
                Outcome.STARTED,
                Reason.REPLICATION_STOPPED,
                "StartSourceNetworkReplication answered InternalServerException, but DRS shows STARTED",
                None,
            ),
        ),
        (
            lambda: admit(hold=Cooling("2026-11-27T07:00:00Z", confirmed=False)),
            entry(
                NETWORK,
                Outcome.SKIPPED,
                Reason.COOLDOWN,
                "being acted on by another run (its claim lasts until 2026-11-27T07:00:00Z)",
                None,
            ),
        ),
        (
            lambda: admit(hold=Cooling(None, problem="unreadable cooldown item")),
            entry(
                NETWORK,
                Outcome.FAILED,
                Reason.COOLDOWN_UNAVAILABLE,
                "unreadable cooldown item",
                "UnreadableCooldownItem",
            ),
        ),
        (
            lambda: admit(admitted=7, cap=7),
            entry(NETWORK, Outcome.DEFERRED, Reason.MAX_STARTS, "MAX_STARTS_PER_RUN=7 reached", None),
        ),
        (
            lambda: admit(deadline_reached=True),
            entry(
                NETWORK,
                Outcome.DEFERRED,
                Reason.DEADLINE,
                "not reached before the invocation's deadline",
                None,
            ),
        ),
    ],
)
def test_each_decision_gives_the_whole_entry_a_person_reads(decide: Any, expected: Entry) -> None:
    assert decide() == expected


def test_an_unsettled_answer_names_the_call_and_keeps_drs_error_code() -> None:
    lost = t.unconfirmed(NETWORK, "ReadTimeoutError")

    assert (lost.outcome, lost.reason, lost.error_code) == (
        Outcome.ATTENTION,
        Reason.START_UNCONFIRMED,
        "ReadTimeoutError",
    )
    assert lost.detail == (
        "StartSourceNetworkReplication answered ReadTimeoutError and DRS could not be asked again in time"
    )


def test_a_reason_with_no_diagnosis_of_its_own_points_at_the_console_for_its_kind() -> None:
    assert diagnose_kind(Kind.NETWORK, Reason.LAGGING) == "Check the source network in the DRS console."
    assert diagnose_kind(Kind.INSTANCE, Reason.LAGGING) == "Check the recovery instance in the DRS console."


# ---- what each entry says, word for word (the report's detail) ----------------------------------

INCLUDE_DR = Config(None, None, include_tag=TagSpec("DR", "auto"))


def said(entry: t.Target | Entry) -> tuple[str, str, str | None]:
    assert isinstance(entry, Entry), f"expected an outcome, got {entry}"
    return entry.outcome.value, entry.reason.value, entry.detail


@pytest.mark.parametrize(
    ("config", "tags", "expected"),
    [
        (CONFIG, {"AutoReprotect": "FALSE"}, ("skipped", "excluded-by-tag", "tagged AutoReprotect=false")),
        (INCLUDE_DR, {}, ("skipped", "not-opted-in", "not tagged DR=auto")),
    ],
)
def test_a_network_or_instance_the_tags_rule_out_says_which_tag(
    config: Config, tags: dict[str, str], expected: tuple[str, str, str]
) -> None:
    assert said(networks.classify(make_source_network("STOPPED", tags=tags), config)) == expected
    assert said(reversal.classify(ec2_recovery(tags=tags), config)) == expected


def test_an_instance_carrying_the_include_tag_is_reversed() -> None:
    instance = ec2_recovery(tags={"DR": "auto"})
    on = Config(None, None, include_tag=TagSpec("DR", "auto"), reverse_replication="on")

    assert reversal.classify(instance, on) == reversal.target_of(instance)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"is_drill": True}, ("skipped", "drill", "a drill: never reversed")),
        ({"ec2_state": "TERMINATED"}, ("skipped", "instance-gone", "EC2 TERMINATED: nothing to protect")),
    ],
)
def test_an_instance_left_alone_says_why(options: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert said(reversal.classify(ec2_recovery(**options), ON)) == expected


def test_an_instance_of_no_stated_origin_or_reverse_state_says_so() -> None:
    item = make_recovery_instance(make_server(ec2_origin=True))
    unknown_origin = {**item, "originEnvironment": None}
    no_state = {**item, "dataReplicationInfo": {}}

    assert said(reversal.classify(RecoveryInstance.from_api(unknown_origin), ON)) == (
        "skipped",
        "not-from-aws",
        "origin unknown, not EC2: fail back with the DRS Failback Client",
    )
    assert said(reversal.classify(RecoveryInstance.from_api(no_state), ON)) == (
        "attention",
        "unknown-state",
        "DRS gives no reverse replication state",
    )


def test_an_erroring_network_without_drs_words_says_only_its_status() -> None:
    network = make_source_network("ERROR")
    network.pop("replicationStatusDetails", None)

    assert said(networks.classify(network, CONFIG))[2] == "replication is ERROR"


def test_a_network_without_a_vpc_id_is_still_a_target() -> None:
    network = {**make_source_network("STOPPED", tags={}), "sourceVpcID": 7}

    assert networks.classify(network, CONFIG) == t.Target(t.NETWORK_START, network["sourceNetworkID"], None)


def test_a_recovery_instance_is_read_from_drs_with_its_failback_state_and_id() -> None:
    item = make_recovery_instance(make_server(ec2_origin=True), recovery_instance_id="i-0123456789abcdef0")
    item["failback"] = {"state": "FAILBACK_COMPLETED"}
    without_id = {key: value for key, value in item.items() if key != "recoveryInstanceID"}
    nameless = {key: value for key, value in without_id.items() if key != "ec2InstanceID"}

    instance = RecoveryInstance.from_api(item)

    assert instance.failback_state == "FAILBACK_COMPLETED"
    assert instance.recovery_instance_id == "i-0123456789abcdef0"
    assert RecoveryInstance.from_api(without_id).recovery_instance_id == "i-0123456789abcdef0"
    assert RecoveryInstance.from_api(nameless).recovery_instance_id == "unknown"
    assert RecoveryInstance.from_api({**item, "failback": {"state": 3}}).failback_state is None


def test_a_recovery_instance_is_known_by_its_recovery_instance_id_when_drs_gives_no_ec2_instance_id() -> None:
    item = make_recovery_instance(make_server(ec2_origin=True), recovery_instance_id="i-0123456789abcdef0")
    del item["ec2InstanceID"]  # optional in the DRS model

    assert RecoveryInstance.from_api(item).recovery_instance_id == "i-0123456789abcdef0"
