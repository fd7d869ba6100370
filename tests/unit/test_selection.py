from __future__ import annotations

import pytest

from drs_emulator.fleet import make_server
from reprotect.config import Config
from reprotect.outcomes import ServerOutcome
from reprotect.selection import Candidate, Verdict, classify
from reprotect.tags import TagSpec

CONFIG = Config(topic_arn=None, table_name=None)


def judged(verdict: Verdict) -> tuple[str, str | None]:
    """("candidate", None) for a server to start, else its outcome and reason."""
    if isinstance(verdict, Candidate):
        return "candidate", None
    return verdict.outcome, verdict.reason


@pytest.mark.parametrize(
    ("spec", "outcome", "reason"),
    [
        ({"state": "STOPPED"}, "candidate", None),
        ({"state": "STOPPED", "tags": {"AutoReprotect": "false"}}, "skipped", "excluded-by-tag"),
        ({"state": "STOPPED", "tags": {"AutoReprotect": "true"}}, "candidate", None),
        ({"state": "STOPPED", "direction": "FAILBACK"}, "skipped", "failback-direction"),
        ({"state": "STOPPED", "extended": True}, "skipped", "extended-from-staging-account"),
        ({"state": "STALLED"}, "attention", "stalled"),
        ({"state": "DISCONNECTED"}, "attention", "disconnected"),
        ({"state": "PAUSED"}, "attention", "paused"),
        ({"state": "BACKLOG", "error": "UNSTABLE_NETWORK"}, "attention", "replication-error"),
        ({"state": "CONTINUOUS"}, "healthy", "replicating"),
        ({"state": "INITIATING"}, "healthy", "replicating"),
        ({"state": "RESCAN"}, "healthy", "replicating"),
    ],
)
def test_state_and_policy(spec: dict, outcome: str, reason: str | None) -> None:
    assert judged(classify(make_server(**spec), CONFIG)) == (outcome, reason)


def test_exclusion_wins_over_opt_in() -> None:
    config = Config(topic_arn=None, table_name=None, include_tag=TagSpec("DR"))
    server = make_server("STOPPED", tags={"DR": "yes", "AutoReprotect": "false"})

    assert judged(classify(server, config)) == ("skipped", "excluded-by-tag")


def test_extended_server_names_its_staging_account() -> None:
    server = make_server("STOPPED", extended=True, staging_account_id="210987654321")

    verdict = classify(server, CONFIG)

    assert isinstance(verdict, ServerOutcome)
    assert "210987654321" in str(verdict.detail)


def test_hostname_comes_from_identification_hints() -> None:
    assert classify(make_server("STOPPED", hostname="db-1"), CONFIG).hostname == "db-1"


def test_tag_keys_compare_ignoring_case_like_the_iam_deny() -> None:
    # IAM's aws:ResourceTag/AutoReprotect matches a tag key written in any case, so the Deny would
    # refuse this server: the engine must skip it, not attempt and fail it every run.
    server = make_server("STOPPED", tags={"autoreprotect": "FALSE"})

    assert judged(classify(server, CONFIG)) == ("skipped", "excluded-by-tag")


def test_opt_in_tag_key_ignores_case_too() -> None:
    config = Config(topic_arn=None, table_name=None, include_tag=TagSpec("DR", "auto"))

    assert judged(classify(make_server("STOPPED", tags={"dr": "Auto"}), config)) == ("candidate", None)


@pytest.mark.parametrize("state", ["PENDING_SNAPSHOT_SHIPPING", None, "", 7, ["STOPPED"]])
def test_an_unknown_or_missing_state_needs_attention_not_healthy(state: object) -> None:
    server = make_server("CONTINUOUS")
    server["dataReplicationInfo"]["dataReplicationState"] = state

    assert judged(classify(server, CONFIG)) == ("attention", "unknown-state")


def test_no_replication_info_at_all_needs_attention() -> None:
    server = make_server("CONTINUOUS")
    del server["dataReplicationInfo"]

    assert judged(classify(server, CONFIG)) == ("attention", "unknown-state")
