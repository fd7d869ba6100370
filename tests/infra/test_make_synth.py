"""What `make synth` does: the CDK CLI synthesizes app.py offline, then cfn-lint checks every template."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
CDK = REPOSITORY_ROOT / "node_modules" / ".bin" / "cdk"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
# The app runs on this interpreter (cdk.json names .venv's, which another Python's run must not use).
APP = ("--app", f"{sys.executable} app.py")

pytestmark = [
    pytest.mark.synth,
    pytest.mark.skipif(
        not CDK.exists() or shutil.which("node") is None, reason="CDK CLI not installed (npm ci)"
    ),
]


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_VERSION_CHECK": "1",
    }
    # No credentials are needed: drop any so that nothing could reach an account by accident.
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    return subprocess.run(  # noqa: S603 - fixed local tools, no shell
        [str(part) for part in command],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cdk_synth_with_environments_and_cfn_lint(tmp_path: Path) -> None:
    environments = (
        '[{"account":"111111111111","region":"eu-west-1"},{"account":"222222222222","region":"us-east-1"}]'
    )
    synth = run(CDK, "synth", *APP, "--quiet", "--output", tmp_path, "-c", f"environments={environments}")
    assert synth.returncode == 0, synth.stderr
    templates = sorted(tmp_path.glob("*.template.json"))
    assert [t.name for t in templates] == [
        "DrsReprotect-111111111111-eu-west-1.template.json",
        "DrsReprotect-222222222222-us-east-1.template.json",
    ]
    lint = run(CFN_LINT, "--ignore-checks", "W3005", "--", *templates)
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize(
    ("context", "fragments"),
    [
        ("max_concurrency=lots", ["setting 'max_concurrency': 'lots' is not a whole number"]),
        # A mistyped setting among the CLI's own context keys (aws:cdk:..., feature flags): refused
        (
            "max_start=5",
            ["context: unknown setting 'max_start'; known: schedule_expression,", "max_starts_per_run"],
        ),
    ],
)
def test_cdk_synth_fails_on_bad_configuration(tmp_path: Path, context: str, fragments: list[str]) -> None:
    synth = run(CDK, "synth", *APP, "--quiet", "--output", tmp_path, "-c", context)
    assert synth.returncode != 0
    for fragment in fragments:
        assert fragment in synth.stderr


def test_cdk_synth_of_the_sample_organization_and_cfn_lint(tmp_path: Path) -> None:
    # Given the sample organization, passed on the command line as `make synth-org` does
    sample = (REPOSITORY_ROOT / "examples" / "organization.json").read_text().replace("\n", "")
    # When the CDK CLI synthesizes it (cdk-nag included)
    synth = run(CDK, "synth", "--quiet", "--output", tmp_path, "-c", f"organization={sample}")
    # Then the hub, the sinks, the buckets, both StackSets and both member templates come out, lint-clean
    assert synth.returncode == 0, synth.stderr
    templates = sorted(tmp_path.glob("*.template.json"))
    names = [t.name.rsplit("Member", 1)[0] if ".stackset." in t.name else t.name for t in templates]
    assert names == [
        "DrsReprotectAssets-eu-west-1.template.json",
        "DrsReprotectAssets-us-east-1.template.json",
        "DrsReprotectCanary.template.json",
        "DrsReprotectCanary",
        "DrsReprotectHub.template.json",
        "DrsReprotectMembers.template.json",
        "DrsReprotectMembers",
        "DrsReprotectSink-eu-west-1.template.json",
        "DrsReprotectSink-us-east-1.template.json",
    ]
    lint = run(CFN_LINT, "--ignore-checks", "W3005", "--", *templates)
    assert lint.returncode == 0, lint.stdout + lint.stderr
