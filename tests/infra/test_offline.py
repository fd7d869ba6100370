"""Nothing leaves the machine but package downloads: the CDK CLI's telemetry and notices are off in the
project's own configuration, not only in the Makefile's environment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.infra.test_make_synth import CDK, REPOSITORY_ROOT

CDK_JSON = json.loads((REPOSITORY_ROOT / "cdk.json").read_text())


def test_cdk_json_turns_the_cli_telemetry_and_notices_off() -> None:
    # The CLI reads telemetry from the context (`cli-telemetry`), notices from the settings (`notices`)
    assert CDK_JSON["context"]["cli-telemetry"] is False
    assert CDK_JSON["notices"] is False


@pytest.mark.synth
@pytest.mark.skipif(not CDK.exists() or shutil.which("node") is None, reason="CDK CLI not installed")
def test_the_pinned_cdk_cli_reads_telemetry_as_disabled_without_any_variable() -> None:
    # Given an environment without the Makefile's CDK_DISABLE_CLI_TELEMETRY
    env = {k: v for k, v in os.environ.items() if k != "CDK_DISABLE_CLI_TELEMETRY"}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    # When the CLI is asked, in the project, whether it would send telemetry
    status = subprocess.run(  # noqa: S603 - the pinned CLI, no shell
        [str(CDK), "cli-telemetry", "--status"],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Then cdk.json alone has turned it off
    assert status.returncode == 0, status.stderr
    assert "CLI Telemetry is disabled" in status.stdout + status.stderr
