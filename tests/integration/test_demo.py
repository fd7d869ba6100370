"""`make demo` tells its story in an operator's words; the raw JSON and logs only with --raw."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from harness.function import new_execution_environment
from scripts import demo


@pytest.fixture
def run_demo(capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """The demo sets up its own fake AWS in this process's environment: put everything back after."""
    saved = dict(os.environ)
    new_execution_environment()

    def run(*args: str) -> str:
        assert demo.main(list(args)) == 0
        return capsys.readouterr().out

    yield run
    os.environ.clear()
    os.environ.update(saved)
    new_execution_environment()


def test_the_demo_tells_what_it_found_did_left_alone_and_emailed(run_demo) -> None:
    out = run_demo()

    for fragment in (
        "It looked at 16 source servers: 6 replicate normally, 10 did not.",
        "What it did: restarted replication\n  - db-01: its replication had stopped",
        "What needs a person",
        "  - legacy-01: tagged AutoReprotect=false, so it is never restarted",
        "Subject: [drs-reprotect] ATTENTION 123456789012/us-east-1: 4 started, 4 attention",
        "  - sn-5thqz5gkewi146p6i (vpc-0a9b8c7d6e5f40312): started, its replication had stopped; restarted",
        "  - i-0a1b2c3d4e5f60718 (s-2pxaom79fc2z2k7ot): attention, recovered for real and not protected back",
        "reverse replication started: new source server arn:aws:drs:us-east-1:123456789012:source-server/",
        "ReverseReplication was called 1 time(s) in all",
        "  - erp-02: failed over to recovery instance i-0d3e5f7a9b1c2d4e6 (not a drill, EC2 RUNNING)",
        "  - batch-07: its replication keeps stopping: started 3 times in 24 hours",
        "  - reports-01: it replicates, but its recovery point is behind: replication is 3h20m00s behind",
        "Nothing new happened: no server was restarted twice, no second email went out",
        "  - web-01: this tool restarted it recently, so it waits",
    ):
        assert fragment in out
    assert "moto" not in out.lower()
    assert '"schemaVersion"' not in out
    assert '"level"' not in out


def test_raw_adds_the_json_report_the_logs_and_the_metrics(run_demo) -> None:
    out = run_demo("--raw")

    assert '"schemaVersion": 3' in out
    assert '"message":"Run finished"' in out
    assert '"CloudWatchMetrics"' in out
    assert "It looked at 16 source servers" in out
