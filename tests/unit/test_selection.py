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
        ({"state": "RESCAN", "lag_seconds": 60}, "healthy", "replicating"),
        ({"state": "BACKLOG", "lag_seconds": 7200}, "attention", "lagging"),
        ({"state": "INITIAL_SYNC", "lag_seconds": 86_400}, "healthy", "replicating"),
        (
            {"state": "INITIATING", "initiation_failed_step": "BOOT_REPLICATION_SERVER"},
            "attention",
            "initiation-failed",
        ),
        ({"state": "STOPPED", "initiation_failed_step": "WAIT"}, "candidate", None),
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


# ---- lag, failed initiation steps, and what a person reads ---------------------------------------


@pytest.mark.parametrize(
    ("lag", "judged_as"),
    [
        (3599, ("healthy", "replicating")),
        (3600, ("healthy", "replicating")),
        (3601, ("attention", "lagging")),
    ],
)
def test_lag_is_judged_only_beyond_max_lag_seconds(lag: int, judged_as: tuple[str, str]) -> None:
    # Given the default MAX_LAG_SECONDS of 3600, one second under, at, and one second over
    server = make_server("CONTINUOUS", lag_seconds=lag)

    verdict = classify(server, CONFIG)

    assert judged(verdict) == judged_as


def test_a_lagging_server_says_how_far_behind_it_is_and_why_it_matters() -> None:
    verdict = classify(make_server("BACKLOG", lag_seconds=3 * 3600 + 5), CONFIG)

    assert isinstance(verdict, ServerOutcome)
    assert verdict.detail == "replication is 3h00m05s behind (PT3H5S; MAX_LAG_SECONDS=3600)"
    assert verdict.diagnosis is not None
    assert "recovery point" in verdict.diagnosis


@pytest.mark.parametrize("state", ["INITIATING", "INITIAL_SYNC"])
def test_servers_in_their_initial_sync_are_not_judged_by_lag(state: str) -> None:
    server = make_server(state)
    server["dataReplicationInfo"]["lagDuration"] = "P3D"

    assert judged(classify(server, CONFIG)) == ("healthy", "replicating")


def test_lag_zero_turns_the_rule_off() -> None:
    config = Config(topic_arn=None, table_name=None, max_lag_seconds=0)

    assert judged(classify(make_server("CONTINUOUS", lag_seconds=30 * 86400), config)) == (
        "healthy",
        "replicating",
    )


def test_a_failed_initiation_step_names_the_step_the_retry_and_what_to_check() -> None:
    server = make_server("INITIATING", initiation_failed_step="DOWNLOAD_REPLICATION_SOFTWARE")

    verdict = classify(server, CONFIG)

    assert isinstance(verdict, ServerOutcome)
    assert verdict.detail is not None
    assert verdict.detail.startswith(
        "replication setup failed at DOWNLOAD_REPLICATION_SOFTWARE; DRS retries at "
    )
    assert verdict.error_code == "FAILED_TO_DOWNLOAD_REPLICATION_SOFTWARE"
    assert verdict.diagnosis is not None
    assert "S3" in verdict.diagnosis


@pytest.mark.parametrize(
    "spec",
    [
        {"state": "STALLED"},
        {"state": "STALLED", "error": "NOT_CONVERGING"},
        {"state": "DISCONNECTED"},
        {"state": "PAUSED"},
        {"state": "CONTINUOUS", "error": "SNAPSHOTS_FAILURE"},
        {"state": "CONTINUOUS", "lag_seconds": 99_999},
        {"state": "INITIATING", "initiation_failed_step": "WAIT"},
    ],
)
def test_every_attention_entry_carries_a_diagnosis(spec: dict) -> None:
    verdict = classify(make_server(**spec), CONFIG)

    assert isinstance(verdict, ServerOutcome)
    assert verdict.outcome == "attention"
    assert verdict.diagnosis
    assert "diagnosis" in verdict.to_dict()


def test_an_error_code_drs_adds_later_gets_a_generic_line_with_its_raw_text() -> None:
    server = make_server("STALLED")
    server["dataReplicationInfo"]["dataReplicationError"] = {
        "error": "FAILED_TO_REACH_THE_MOON",
        "rawError": "moon unreachable\nsecond line",
    }

    verdict = classify(server, CONFIG)

    assert isinstance(verdict, ServerOutcome)
    assert verdict.error_code == "FAILED_TO_REACH_THE_MOON"
    assert verdict.diagnosis == (
        "DRS reports FAILED_TO_REACH_THE_MOON: moon unreachable\nsecond line."
        " Check the server in the DRS console."
    )


def said(verdict: Verdict) -> tuple[str, str, str | None, str | None]:
    assert isinstance(verdict, ServerOutcome), f"expected an outcome, got {verdict}"
    return verdict.outcome, verdict.reason, verdict.detail, verdict.error_code


def test_what_a_skipped_or_erroring_server_says_word_for_word() -> None:
    include = Config(topic_arn=None, table_name=None, include_tag=TagSpec("DR", "auto"))
    failback = make_server("STOPPED", direction="FAILBACK")
    extended = make_server("STOPPED", extended=True)
    del extended["stagingArea"]["stagingAccountID"]
    erroring = make_server("BACKLOG", error="UNSTABLE_NETWORK")

    assert said(classify(make_server("STOPPED"), include))[:3] == (
        "skipped",
        "not-opted-in",
        "not tagged DR=auto",
    )
    assert said(classify(failback, CONFIG))[:3] == (
        "skipped",
        "failback-direction",
        "re-protected by reverse replication, not StartReplication",
    )
    assert "unknown" in str(said(classify(extended, CONFIG))[2])
    assert said(classify(erroring, CONFIG)) == (
        "attention",
        "replication-error",
        "replication is BACKLOG",
        "UNSTABLE_NETWORK",
    )


def test_a_failed_initiation_without_a_retry_time_says_only_its_step() -> None:
    server = make_server("INITIATING", initiation_failed_step="WAIT")
    del server["dataReplicationInfo"]["dataReplicationInitiation"]["nextAttemptDateTime"]

    verdict = classify(server, CONFIG)

    assert said(verdict)[:3] == ("attention", "initiation-failed", "replication setup failed at WAIT")
    assert verdict.diagnosis is not None
    assert verdict.diagnosis.startswith("Initiation is waiting to begin and failed there.")


@pytest.mark.parametrize(
    ("hints", "name"),
    [
        ({"hostname": "db-1", "fqdn": "db-1.corp", "awsInstanceID": "i-1"}, "db-1"),
        ({"fqdn": "db-1.corp"}, "db-1.corp"),
        ({"awsInstanceID": "i-0123456789abcdef0"}, "i-0123456789abcdef0"),
        ({}, None),
    ],
)
def test_the_name_is_the_hostname_else_the_fqdn_else_the_instance_id(hints: dict, name: str | None) -> None:
    server = make_server("STOPPED")
    server["sourceProperties"]["identificationHints"] = hints

    assert classify(server, CONFIG).hostname == name


SID = "s-1234567890abcdef0"


def entry(server: dict, config: Config = CONFIG) -> dict:
    """The server's entry in the report, as the JSON report lists it."""
    verdict = classify(server, config)
    assert isinstance(verdict, ServerOutcome), f"expected an outcome, got {verdict}"
    return verdict.to_dict()


def skipped(reason: str, detail: str) -> dict:
    return {
        "sourceServerID": SID,
        "hostname": "db-1",
        "outcome": "skipped",
        "reason": reason,
        "detail": detail,
    }


def test_each_policy_skip_says_why_word_for_word() -> None:
    def stopped(**spec: object) -> dict:
        return make_server("STOPPED", server_id=SID, hostname="db-1", **spec)  # type: ignore[arg-type]

    any_dr = Config(topic_arn=None, table_name=None, include_tag=TagSpec("DR"))
    dr_auto = Config(topic_arn=None, table_name=None, include_tag=TagSpec("DR", "auto"))
    team = Config(topic_arn=None, table_name=None, exclude_tags=(TagSpec("Team"),))
    no_account = stopped(extended=True)
    del no_account["stagingArea"]["stagingAccountID"]

    assert entry(stopped(), any_dr) == skipped("not-opted-in", "not tagged DR")
    assert entry(stopped(tags={"DR": "manual"}), dr_auto) == skipped("not-opted-in", "not tagged DR=auto")
    assert entry(stopped(tags={"Team": "x"}), team) == skipped("excluded-by-tag", "tagged Team")
    assert entry(stopped(direction="FAILBACK")) == skipped(
        "failback-direction", "re-protected by reverse replication, not StartReplication"
    )
    assert entry(stopped(extended=True, staging_account_id="210987654321")) == skipped(
        "extended-from-staging-account", "replication is driven in staging account 210987654321"
    )
    assert entry(no_account) == skipped(
        "extended-from-staging-account", "replication is driven in staging account unknown"
    )


MOON = {"error": "FAILED_TO_REACH_THE_MOON", "rawError": "moon unreachable"}


def with_error(state: object, problem: dict) -> dict:
    server = make_server("CONTINUOUS", server_id=SID, hostname="db-1")
    server["dataReplicationInfo"]["dataReplicationState"] = state
    server["dataReplicationInfo"]["dataReplicationError"] = problem
    return server


def attention(reason: str, detail: str, diagnosis: str, code: str | None = None) -> dict:
    out = {
        "sourceServerID": SID,
        "hostname": "db-1",
        "outcome": "attention",
        "reason": reason,
        "detail": detail,
    }
    return {**out, "errorCode": code, "diagnosis": diagnosis} if code else {**out, "diagnosis": diagnosis}


def test_an_unknown_state_is_quoted_to_60_characters_with_drs_error_and_its_text() -> None:
    assert entry(with_error("PENDING_" + "X" * 100, MOON)) == attention(
        "unknown-state",
        "replication state is 'PENDING_" + "X" * 51,
        "DRS reports FAILED_TO_REACH_THE_MOON: moon unreachable. Check the server in the DRS console.",
        "FAILED_TO_REACH_THE_MOON",
    )
    assert entry(with_error(None, {"error": "UNSTABLE_NETWORK"})) == attention(
        "unknown-state",
        "replication state is None",
        "The connection between the agent and its replication server keeps dropping. Check packet loss"
        " and firewalls or proxies on the path; TCP 1500 is open from the source server to the staging"
        " area subnet.",
        "UNSTABLE_NETWORK",
    )


def test_a_replicating_server_with_an_error_drs_added_later_quotes_its_text() -> None:
    assert entry(with_error("CONTINUOUS", MOON)) == attention(
        "replication-error",
        "replication is CONTINUOUS",
        "DRS reports FAILED_TO_REACH_THE_MOON: moon unreachable. Check the server in the DRS console.",
        "FAILED_TO_REACH_THE_MOON",
    )


def test_an_error_without_a_code_or_without_text_says_only_what_drs_gave() -> None:
    long_code = "FAILED_" + "Z" * 70

    assert entry(with_error("STALLED", {"rawError": "socket closed"})) == attention(
        "stalled",
        "replication is STALLED",
        "Data is not moving between the agent and its replication server. Check the error DRS shows for"
        " the server, that TCP 1500 is open from the source server to the staging area subnet, and the"
        " replication server's health.",
    )
    assert entry(with_error("STALLED", {"error": "FAILED_TO_REACH_THE_MOON"})) == attention(
        "stalled",
        "replication is STALLED",
        "DRS reports FAILED_TO_REACH_THE_MOON. Check the server in the DRS console.",
        "FAILED_TO_REACH_THE_MOON",
    )
    # A code DRS adds later is quoted to 60 characters in the diagnosis, and whole as the error code
    assert entry(with_error("STALLED", {"error": long_code})) == attention(
        "stalled",
        "replication is STALLED",
        f"DRS reports {long_code[:60]}. Check the server in the DRS console.",
        long_code,
    )


def failed_at(name: object, problem: dict | None = None) -> dict:
    server = make_server("INITIATING", server_id=SID, hostname="db-1", initiation_failed_step="WAIT")
    initiation = server["dataReplicationInfo"]["dataReplicationInitiation"]
    del initiation["nextAttemptDateTime"]
    initiation["steps"][0]["name"] = name
    if problem:
        server["dataReplicationInfo"]["dataReplicationError"] = problem
    return server


def test_a_failed_step_drs_does_not_name_reads_as_unknown() -> None:
    assert entry(failed_at(None)) == attention(
        "initiation-failed",
        "replication setup failed at UNKNOWN",
        "Setting up replication failed at a step DRS did not name. Check the server's initiation steps"
        " in the DRS console; DRS retries at the next attempt time.",
    )


def test_a_failed_step_and_error_drs_added_later_quote_drs_text() -> None:
    assert entry(failed_at("WARM_UP_THE_MOON", MOON)) == attention(
        "initiation-failed",
        "replication setup failed at WARM_UP_THE_MOON",
        "DRS reports FAILED_TO_REACH_THE_MOON: moon unreachable. Check the server in the DRS console.",
        "FAILED_TO_REACH_THE_MOON",
    )


@pytest.mark.parametrize(
    "hints",
    [{"hostname": 42}, {"hostname": ["db-1"]}, {"fqdn": {"name": "db-1"}}, {"awsInstanceID": 7}],
)
def test_a_name_drs_sent_as_something_other_than_text_is_no_name(hints: dict) -> None:
    server = make_server("STOPPED")
    server["sourceProperties"]["identificationHints"] = hints

    assert classify(server, CONFIG).hostname is None
