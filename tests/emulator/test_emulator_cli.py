"""The standalone emulator: ``python -m drs_emulator`` serves a generated fleet to any client."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _serve(*flags):
    """Start the CLI; yield its URL and the lines it printed after the first."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "drs_emulator", "--servers", "500", "--port", "0", *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (http://\S+) with 500 servers", line)
        assert match, f"unexpected first line: {line!r}"
        exports = [process.stdout.readline().rstrip("\n") for _ in range(4)]
        yield match.group(1), exports
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def cli_url():
    yield from (url for url, _ in _serve("--page-cap", "100"))


@pytest.fixture
def cli(request):
    yield from _serve(*request.param)


def _client(url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return boto3.client("drs", region_name="us-east-1", endpoint_url=url)


def test_cli_serves_the_whole_fleet(cli_url, monkeypatch):
    client = _client(cli_url, monkeypatch)
    pages = list(client.get_paginator("describe_source_servers").paginate())
    ids = [item["sourceServerID"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 500
    assert max(len(page["items"]) for page in pages) == 100


@pytest.mark.parametrize("cli", [("--region", "eu-west-1")], indirect=True)
def test_cli_prints_what_a_shell_needs_after_the_first_line(cli):
    url, exports = cli
    assert exports == [
        f"export AWS_ENDPOINT_URL_DRS={url}",
        "export AWS_ACCESS_KEY_ID=testing",
        "export AWS_SECRET_ACCESS_KEY=testing",
        "export AWS_DEFAULT_REGION=eu-west-1",
    ]


@pytest.mark.parametrize(
    "cli",
    [
        (
            "--recovery-instances",
            "7",
            "--source-networks",
            "3",
            "--deny",
            "StartReplication",
            "--deny-describe",
        )
    ],
    indirect=True,
)
def test_cli_serves_recovery_instances_networks_and_denials(cli, monkeypatch):
    url, _ = cli
    client = _client(url, monkeypatch)
    assert len(client.describe_recovery_instances()["items"]) == 7
    assert len(client.describe_source_networks()["items"]) == 3
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.describe_source_servers()
    with pytest.raises(client.exceptions.AccessDeniedException):
        client.start_replication(sourceServerID="s-0123456789abcdefg")


def test_cli_refuses_paging_that_never_ends():
    from drs_emulator.__main__ import build_backend, build_parser

    with pytest.raises(SystemExit, match="at least 2"):
        build_backend(build_parser().parse_args(["--empty-pages-every", "1"]))


@pytest.mark.parametrize(("override", "port"), [((), "8123"), (("EMULATOR_PORT=9000",), "9000")])
def test_make_emulator_listens_on_the_documented_port_unless_told(override, port):
    # What `make emulator` would run (-n: print, do not run), with this test's own venv
    venv = f"VENV={Path(sys.executable).parent.parent}"
    shown = subprocess.run(  # noqa: S603
        ["make", "-n", "emulator", venv, *override],  # noqa: S607 - make from PATH, as a user runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    (command,) = [line for line in shown if "-m drs_emulator" in line]
    assert command.endswith(f"-m drs_emulator --servers 500 --port {port}")
