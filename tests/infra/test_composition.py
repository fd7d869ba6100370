"""DrsReprotect in someone else's app: imported from the installed package, composed into their own stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import resources

# A user's app, run by a fresh interpreter in isolated mode (-I: neither the working directory nor
# PYTHONPATH on sys.path), from a directory outside the repository: only the installed package can
# satisfy the import.
USER_APP = """
import json, sys
from pathlib import Path

from aws_cdk import App, CfnOutput, Stack, Validations
from aws_cdk import aws_ssm as ssm
from cdk_nag import AwsSolutionsChecks

import infra
from infra import DrsReprotect, ReprotectSettings

app = App(outdir=sys.argv[1])
stack = Stack(app, "PlatformStack")
ssm.StringParameter(stack, "TeamSetting", string_value="platform-owned")
dr = DrsReprotect(stack, "DisasterRecovery", settings=ReprotectSettings(include_tag="DR=auto", dry_run=True))
CfnOutput(stack, "OutcomeTopic", value=dr.notifications.topic.topic_arn)
Validations.of(app).add_plugins(AwsSolutionsChecks(app))
app.synth()
print(json.dumps({"package": str(Path(infra.__file__).parent), "cwd_on_path": "" in sys.path}))
"""


def test_drs_reprotect_composes_into_a_foreign_stack(tmp_path: Path) -> None:
    # Given a user's own app with its own resources, using DrsReprotect under another construct id
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    outdir = tmp_path / "cdk.out"
    # When it is synthesized, cdk-nag included, from outside the repository
    run = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-I", "-c", USER_APP, str(outdir)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it synthesizes with no unacknowledged finding: acknowledgements follow the construct
    assert run.returncode == 0, run.stderr
    report: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["cwd_on_path"] is False
    assert Path(report["package"]).name == "infra"
    template = Template.from_json(json.loads((outdir / "PlatformStack.template.json").read_text()))
    # And the user's resources stand beside the tool's, whose ids all carry the user's construct id
    template.has_resource_properties("AWS::SSM::Parameter", {"Value": "platform-owned"})
    logical_ids = list(template.to_json()["Resources"])
    users = [key for key in logical_ids if key.startswith("TeamSetting")]
    assert len(users) == 1
    assert all(key.startswith("DisasterRecovery") for key in logical_ids if key not in users)
    assert len(resources(template, "AWS::Lambda::Function")) == 1
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {"Environment": {"Variables": Match.object_like({"DRY_RUN": "true", "INCLUDE_TAG": "DR=auto"})}},
    )
    # And the exposed attributes are usable: the user's output points at the tool's topic
    topic = next(iter(template.find_resources("AWS::SNS::Topic")))
    assert template.to_json()["Outputs"]["OutcomeTopic"]["Value"] == {"Ref": topic}
