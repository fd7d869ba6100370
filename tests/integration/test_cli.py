"""The operator CLI (`drs-reprotect`, `python -m reprotect`) against the emulator: dry run by default,
--apply, --ids, --table, stdout for the report alone, the exclusions, and its refusals and exit codes."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from drs_emulator.fleet import generate_fleet
from harness.env import FAKE_AWS
from harness.resources import Clients, cooldown_items, create_table
from reprotect.cli import build_parser, main
from reprotect.contract import COOLDOWN_PREFIX
from reprotect.observability import logger
from reprotect.report import SCHEMA_VERSION
from tests.integration.conftest import Stack

CONSOLE_SCRIPT = Path(sys.executable).parent / "drs-reprotect"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI points the engine's log handler at its stderr and sets the level: undo it after. The
    stream is assigned, not set: setStream flushes the old one, which may be an earlier test's capture."""
    handler, level = logger.registered_handler, logger.log_level
    assert isinstance(handler, logging.StreamHandler)
    stream, handler.stream = handler.stream, sys.__stdout__
    yield
    handler.stream = stream
    logger.setLevel(level)


def started_ids(stack: Stack) -> list[str]:
    return [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")]


def outcomes(report: dict) -> dict[str, tuple[str, str]]:
    return {s["sourceServerID"]: (s["outcome"], s["reason"]) for s in report["servers"]}


def test_dry_run_by_default_prints_a_table(stack: Stack, fleet, capsys) -> None:
    stopped, _ = fleet({"state": "STOPPED", "hostname": "web-9"}, {"state": "STALLED"})

    code = main(["--region", "us-east-1"])

    out, err = capsys.readouterr()
    assert code == 0
    assert started_ids(stack) == []
    row = next(line for line in out.splitlines() if line.startswith(stopped))
    assert row.split()[:4] == [stopped, "web-9", "would-start", "replication-stopped"]
    assert "ATTENTION 123456789012/us-east-1: 1 would-start, 1 attention" in out
    assert "no --table given, so no cooldown" in err


def test_json_is_the_report_indented_by_two_and_stderr_only_the_note(stack: Stack, fleet, capsys) -> None:
    (sid,) = fleet({"state": "STOPPED", "hostname": "web-9"})

    code = main(["--json"])

    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 0
    assert out == json.dumps(report, indent=2) + "\n"
    # Without --verbose no per-server log line joins the note
    assert err == "note: no --table given, so no cooldown is read or written\n"
    assert report["trigger"] == {"type": "manual", "name": "cli", "eventId": report["runId"]}
    assert report["runId"].startswith("cli-")
    assert (report["status"], report["dryRun"], report["region"]) == ("dry-run", True, "us-east-1")
    assert report["servers"] == [
        {
            "sourceServerID": sid,
            "hostname": "web-9",
            "outcome": "would-start",
            "reason": "replication-stopped",
        }
    ]


def test_region_flag_wins_over_the_configured_region(stack: Stack, fleet, capsys) -> None:
    fleet({"state": "STOPPED"})

    assert main(["--region", "eu-west-1", "--json"]) == 0

    assert json.loads(capsys.readouterr().out)["region"] == "eu-west-1"


def test_main_returns_with_the_report_already_written_to_stdout(
    stack: Stack, fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stdout that holds what is printed until it is flushed (as a pipe's buffer does)
    fleet({"state": "STOPPED"})
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="utf-8"))

    assert main(["--json"]) == 0

    # Then the whole report reached the stream by the time main returned
    assert json.loads(written.getvalue())["counts"]["would-start"] == 1


def test_the_console_script_prints_json_alone_from_any_directory(stack: Stack, tmp_path: Path) -> None:
    # Given 500 servers (about 420 replicating, so the limit is raised above that), and the installed
    # command run from a directory outside the project
    stack.backend.add_servers(generate_fleet(500, seed=3))
    env = {**FAKE_AWS, "PATH": os.environ["PATH"], "AWS_ENDPOINT_URL_DRS": stack.drs.url}
    done = subprocess.run(  # noqa: S603 - the console script make setup installs
        [str(CONSOLE_SCRIPT), "--json", "--replicating-limit", "1000"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then stdout is one JSON document, the report of all 500, and no log line reached either stream
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stderr
    assert report["counts"]["examined"] == 500
    assert report["counts"]["would-start"] > 0
    assert done.stderr.splitlines() == ["note: no --table given, so no cooldown is read or written"]


def test_verbose_logs_each_server_to_stderr_and_keeps_stdout_json(stack: Stack, fleet, capsys) -> None:
    (sid,) = fleet({"state": "STOPPED"})

    assert main(["--json", "--verbose"]) == 0

    out, err = capsys.readouterr()
    assert json.loads(out)["servers"][0]["sourceServerID"] == sid
    assert any(json.loads(line).get("source_server_id") == sid for line in err.splitlines()[1:])


def test_exclude_tag_adds_to_the_default_exclusion(stack: Stack, fleet, capsys) -> None:
    legacy, opted_out, plain = fleet(
        {"state": "STOPPED", "tags": {"Team": "legacy"}},
        {"state": "STOPPED", "tags": {"AutoReprotect": "false"}},
        {"state": "STOPPED"},
    )

    assert main(["--exclude-tag", "Team=legacy", "--json"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert outcomes(report) == {
        legacy: ("skipped", "excluded-by-tag"),
        opted_out: ("skipped", "excluded-by-tag"),
        plain: ("would-start", "replication-stopped"),
    }
    details = {s["sourceServerID"]: s["detail"] for s in report["servers"] if s["outcome"] == "skipped"}
    assert details == {
        legacy: "tagged Team=legacy",
        opted_out: "tagged AutoReprotect=false",
    }  # the one matched


def test_no_default_exclude_drops_the_default_on_purpose(stack: Stack, fleet, capsys) -> None:
    legacy, opted_out = fleet(
        {"state": "STOPPED", "tags": {"Team": "legacy"}},
        {"state": "STOPPED", "tags": {"AutoReprotect": "false"}},
    )

    assert main(["--no-default-exclude", "--exclude-tag", "Team", "--json"]) == 0

    assert outcomes(json.loads(capsys.readouterr().out)) == {
        legacy: ("skipped", "excluded-by-tag"),
        opted_out: ("would-start", "replication-stopped"),
    }


def test_help_shows_the_defaults_in_force_and_the_exit_codes(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # argparse wraps at hyphens too ("us-\neast-1")

    assert main(["--help"]) == 0

    text = " ".join(capsys.readouterr().out.split())
    for fragment in (
        "usage: drs-reprotect",
        "(always excluded: AutoReprotect=false)",
        "at most N starts in this run (default: 100)",
        "calls in flight (default: 10)",
        "(default: 3600)",
        "AWS region (default: your AWS configuration's, now us-east-1)",
        "--profile PROFILE AWS profile (default: AWS_PROFILE, else your default profile)",
        "--table NAME the Lambda's idempotency table: honour and write its cooldowns (default: none)",
        "Exit codes: 0 finished",
    ):
        assert fragment in text


def test_help_without_a_configured_region_says_to_give_one(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)

    assert main(["--help"]) == 0

    text = " ".join(capsys.readouterr().out.split())
    assert "--region REGION AWS region (default: none configured: give --region)" in text


def test_help_and_the_readme_name_the_same_flags_and_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    assert main(["--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme[readme.index("### The operator CLI") :]
    section = section[: section.index("\n## ")]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ")]
    flags = {flag for row in rows for flag in re.findall(r"`(--[a-z-]+)", row[0])}
    exit_codes = {row[0].strip(): row[1] for row in rows if row[0].strip().isdigit()}

    assert flags == set(re.findall(r"\[(--[a-z-]+)", text)) - {"--help"}
    assert set(exit_codes) == {"0", "1", "2", "3"}
    statuses = set(re.findall(r"`([a-z-]+)`", exit_codes["0"]))
    assert statuses == {"ok", "attention", "dry-run", "idle"}
    assert (
        "Exit codes: 0 finished (ok, attention, dry-run, idle); 1 the run failed or partly failed;"
        " 2 a bad option; 3 no region, profile or credentials. 2 and 3 come before any AWS call." in text
    )
    assert (
        "Find stopped DRS source servers and restart their replication, as the Lambda does."
        " A dry run unless --apply." in text
    )
    assert f"print the JSON report (schemaVersion {SCHEMA_VERSION}) instead of a table" in text
    # Each flag's help begins with the README's meaning (to its first parenthesis or full stop), and
    # takes the value the README names
    actions = {flag: action for action in build_parser()._actions for flag in action.option_strings}
    for cells in rows:
        named = re.findall(r"`(--[a-z-]+)(?: ([A-Z\[\]=]+))?", cells[0])
        for flag, metavar in named:
            assert (actions[flag].metavar or "") == metavar, flag
        if len(named) == 1:
            meaning = re.split(r" \(|\. ", cells[2].strip().replace("`", ""))[0]
            assert str(actions[named[0][0]].help).startswith(meaning), (named[0][0], meaning)


def test_apply_with_ids_and_table_starts_and_writes_the_cooldown(stack: Stack, fleet, capsys) -> None:
    a, b = fleet({"state": "STOPPED"}, {"state": "STOPPED"})

    code = main(["--apply", "--ids", a, "--table", stack.table_name, "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert started_ids(stack) == [a]
    assert report["counts"]["started"] == 1
    assert set(stack.cooldown_items()) == {a}
    assert b not in {s["sourceServerID"] for s in report["servers"]}
    # The run is its own manual event: the run id names it in the report and keys its journal item
    assert re.fullmatch(r"cli-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", report["runId"])
    assert report["trigger"] == {"type": "manual", "name": "cli", "eventId": report["runId"]}
    assert list(stack.cooldown_items("run#")) == [report["runId"]]
    assert stack.cooldown_items("run#")[report["runId"]]["intents"] == {"SS": [a]}


def test_the_table_is_read_and_written_in_the_region_given(stack: Stack, fleet, capsys) -> None:
    # A table of that name only in eu-west-1: the default region (us-east-1) has none
    name = f"{stack.table_name}-eu"
    europe = Clients(*(boto3.client(kind, region_name="eu-west-1") for kind in ("sns", "sqs", "dynamodb")))
    create_table(europe, name)
    (sid,) = fleet({"state": "STOPPED"})

    code = main(["--region", "eu-west-1", "--apply", "--table", name, "--json"])

    assert code == 0
    assert started_ids(stack) == [sid]
    assert set(cooldown_items(europe.dynamodb, name, COOLDOWN_PREFIX)) == {sid}


def test_cli_honours_the_lambdas_cooldown(stack: Stack, fleet, capsys) -> None:
    (sid,) = fleet({"state": "STOPPED"})
    main(["--apply", "--table", stack.table_name])
    stack.backend.set_state(sid, "STOPPED")
    capsys.readouterr()

    main(["--apply", "--table", stack.table_name, "--json"])

    report = json.loads(capsys.readouterr().out)
    assert report["servers"][0]["reason"] == "cooldown"
    assert started_ids(stack) == [sid]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ids", "s-bad"], "'s-bad'"),
        (["--max-starts", "lots"], "argument --max-starts: 'lots' is not a whole number"),
        (["--concurrency", "0"], "argument --concurrency: '0' is out of range: it must be from 1 to 50"),
        (["--exclude-tag", "=x"], "argument --exclude-tag: '=x' is not a tag spec"),
        (
            ["--exclude-tag", "aws:foo"],
            "argument --exclude-tag: 'aws:foo' uses the reserved 'aws:' key prefix",
        ),
        (
            ["--include-tag", "AWS:x=1"],
            "argument --include-tag: 'AWS:x=1' uses the reserved 'aws:' key prefix",
        ),
        (["--max-start", "5"], "unrecognized arguments: --max-start"),  # no abbreviations
    ],
)
def test_bad_options_exit_2_before_any_call(stack: Stack, args: list[str], named: str, capsys) -> None:
    assert main(args) == 2
    assert named in capsys.readouterr().err
    assert stack.backend.calls == []


@pytest.mark.parametrize(
    ("unset", "extra", "message"),
    [
        (
            ("AWS_DEFAULT_REGION", "AWS_REGION"),
            [],
            "error: no AWS region: give --region, set AWS_REGION, or set one in your profile\n",
        ),
        (
            ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            [],
            "error: no AWS credentials: run `aws configure` or `aws sso login`, or give --profile\n",
        ),
        ((), ["--profile", "nosuch"], "The config profile (nosuch) could not be found"),
    ],
)
def test_no_region_or_credentials_is_one_line_naming_the_fix_and_exit_3(
    stack: Stack,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
    unset: tuple[str, ...],
    extra: list[str],
    message: str,
) -> None:
    for name in unset:
        monkeypatch.delenv(name, raising=False)

    assert main(["--json", *extra]) == 3

    out, err = capsys.readouterr()
    assert (out, err.count("\n")) == ("", 1)
    assert message in err
    assert stack.backend.calls == []


def test_apply_without_a_table_paces_a_throttled_start_and_says_how(stack: Stack, capsys) -> None:
    stack.backend.add_servers(generate_fleet(12, seed=3, stopped=1.0, failback=0, extended=0, opted_out=0))
    stack.faults.rate_limit("StartReplication", rate=20, burst=4)

    assert main(["--apply", "--json", "--verbose"]) == 0

    out, err = capsys.readouterr()
    assert json.loads(out)["counts"]["started"] == 12
    assert any(c.status == 429 for c in stack.backend.calls_of("StartReplication"))
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    (paced,) = [line for line in lines if line["message"] == "DRS pacing"]
    assert paced["operation"] == "StartReplication"
    assert paced["throttled"] >= 1


def test_failed_run_exits_1(stack: Stack, capsys) -> None:
    stack.faults.uninitialized = True

    assert main(["--apply"]) == 1
    assert "UninitializedAccountException" in capsys.readouterr().out
