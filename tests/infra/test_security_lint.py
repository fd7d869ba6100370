"""cdk-nag runs on every synth: findings fail it, and every acknowledgement is needed and narrow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks

import infra.permissions
import infra.triggers
from tests.infra.conftest import synthesize


def violations(outdir: Path) -> dict[str, list[str]]:
    report = json.loads((outdir / "validation-report.json").read_text())
    return {
        violation["ruleName"]: [construct["constructPath"] for construct in violation["violatingConstructs"]]
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
    }


def test_an_unacknowledged_finding_fails_synth(tmp_path: Path) -> None:
    # Given a stack with a queue that accepts plain HTTP, and no acknowledgement
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Offending")
    sqs.Queue(stack, "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    # When it is synthesized, Then synth fails and names the rule and the resource
    with pytest.raises(RuntimeError, match="ValidationFailed") as error:
        app.synth()
    assert "Acknowledge with 'AwsSolutions::AwsSolutions-SQS4'" in str(error.value)
    assert violations(tmp_path) == {
        "AwsSolutions-SQS3": ["Offending/Queue/Resource"],
        "AwsSolutions-SQS4": ["Offending/Queue/Resource"],
    }


def test_default_app_has_no_unacknowledged_findings(default_assembly: Any) -> None:
    # The session fixture synthesized with cdk-nag: reaching here means synth passed.
    assert violations(Path(default_assembly.directory)) == {}


def test_every_acknowledgement_is_needed_and_nothing_else_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the real app with its acknowledgements recorded instead of applied
    acknowledged: dict[str, str] = {}

    def record(scope: Any, finding: str, reason: str) -> None:
        assert len(reason) > 40, f"{finding} needs a real reason"
        acknowledged[finding] = reason

    monkeypatch.setattr(infra.permissions, "acknowledge", record)
    monkeypatch.setattr(infra.triggers, "acknowledge", record)
    # When it is synthesized (opt-in mode too, so the conditional Allows are checked, and reverse
    # replication on, so every statement is there)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize({"include_tag": "DR=auto", "reverse_replication": "on"}, tmp_path)
    # Then the findings are exactly the acknowledged ones, each on the resource it names
    found = violations(tmp_path)
    drs = "arn:<AWS::Partition>:drs:<AWS::Region>:<AWS::AccountId>"
    policy = ["DrsReprotect/Reprotect/Permissions/Policy/Resource"]
    assert sorted(found) == sorted(acknowledged)
    assert found == {
        "AwsSolutions-IAM5[Resource::*]": policy,
        f"AwsSolutions-IAM5[Resource::{drs}:source-server/*]": policy,
        f"AwsSolutions-IAM5[Resource::{drs}:source-network/*]": policy,
        f"AwsSolutions-IAM5[Resource::{drs}:recovery-instance/*]": policy,
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]": [
            "DrsReprotect/Reprotect/Permissions/Policy/Resource"
        ],
        "AwsSolutions-IAM5[Resource::<ReprotectEngineFunction72EA3966.Arn>:*]": [
            "DrsReprotect/Reprotect/Triggers/ScheduleRole/DefaultPolicy/Resource"
        ],
        "AwsSolutions-SQS3": [
            "DrsReprotect/Reprotect/Triggers/ScheduleDeadLetterQueue/Resource",
            "DrsReprotect/Reprotect/Triggers/RuleDeadLetterQueue/Resource",
        ],
    }
