"""cdk-nag on the organization's stacks: nothing unacknowledged, and every acknowledgement needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk.cx_api import CloudAssembly

import infra.failures
import infra.org.assets
import infra.org.collector
import infra.org.stacksets
import infra.permissions
import infra.triggers
from tests.infra.conftest import ORGANIZATION_SAMPLE, synthesize
from tests.infra.test_security_lint import violations

MODULES = (
    infra.org.assets,
    infra.org.collector,
    infra.org.stacksets,
    infra.permissions,
    infra.triggers,
    infra.failures,
)


def test_the_organizations_stacks_have_no_unacknowledged_findings(org_assembly: CloudAssembly) -> None:
    # The session fixture synthesized with cdk-nag: reaching here means synth passed.
    assert violations(Path(org_assembly.directory)) == {}


def test_every_acknowledgement_in_the_organizations_stacks_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the organization's app with its acknowledgements recorded instead of applied
    acknowledged: set[tuple[str, str]] = set()

    def record(scope: Any, finding: str, reason: str) -> None:
        assert len(reason) > 40, f"{finding} needs a real reason"
        acknowledged.add((finding, scope.node.path))

    for module in MODULES:
        monkeypatch.setattr(module, "acknowledge", record)
    # When it is synthesized
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synthesize({"organization": ORGANIZATION_SAMPLE.read_text()}, tmp_path)
    # Then every finding is on a construct acknowledged for it, and every acknowledgement meets a finding
    found = {(rule, path) for rule, paths in violations(tmp_path).items() for path in paths}

    def covers(ack: tuple[str, str], finding: tuple[str, str]) -> bool:
        return ack[0] == finding[0] and (finding[1] == ack[1] or finding[1].startswith(ack[1] + "/"))

    assert [f for f in sorted(found) if not any(covers(a, f) for a in acknowledged)] == []
    assert [a for a in sorted(acknowledged) if not any(covers(a, f) for f in found)] == []
    # And the organization's own findings are the ones docs/organization.md lists
    rules = {rule.split("[")[0] for rule, path in found if "/Member/" not in path}
    assert rules == {
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-L1",
        "AwsSolutions-S1",
        "AwsSolutions-SQS3",
    }
