"""`python -m reprotect` against the emulator: dry run by default, --apply, --ids, --table."""

from __future__ import annotations

import json

import pytest

from reprotect.cli import main
from tests.integration.conftest import Stack


def started_ids(stack: Stack) -> list[str]:
    return [c.params["sourceServerID"] for c in stack.backend.calls_of("StartReplication")]


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


def test_apply_with_ids_and_table_starts_and_writes_the_cooldown(stack: Stack, fleet, capsys) -> None:
    a, b = fleet({"state": "STOPPED"}, {"state": "STOPPED"})

    code = main(["--apply", "--ids", a, "--table", stack.table_name, "--json"])

    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert started_ids(stack) == [a]
    assert report["counts"]["started"] == 1
    assert set(stack.cooldown_items()) == {a}
    assert b not in {s["sourceServerID"] for s in report["servers"]}


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
        (["--max-starts", "lots"], "MAX_STARTS_PER_RUN"),
        (["--exclude-tag", "=x"], "EXCLUDE_TAG"),
    ],
)
def test_bad_options_exit_2_before_any_call(stack: Stack, args: list[str], named: str, capsys) -> None:
    assert main(args) == 2
    assert named in capsys.readouterr().err
    assert stack.backend.calls == []


def test_failed_run_exits_1(stack: Stack, capsys) -> None:
    stack.faults.uninitialized = True

    assert main(["--apply"]) == 1
    assert "UninitializedAccountException" in capsys.readouterr().out
