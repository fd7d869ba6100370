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


@pytest.fixture
def cli_url():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "drs_emulator", "--servers", "500", "--port", "0", "--page-cap", "100"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)  # noqa: S603
    try:
        line = process.stdout.readline() if process.stdout else ""
        match = re.search(r"listening on (http://\S+) with 500 servers", line)
        assert match, f"unexpected first line: {line!r}"
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_serves_the_whole_fleet(cli_url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("drs", region_name="us-east-1", endpoint_url=cli_url)
    pages = list(client.get_paginator("describe_source_servers").paginate())
    ids = [item["sourceServerID"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 500
    assert max(len(page["items"]) for page in pages) == 100
