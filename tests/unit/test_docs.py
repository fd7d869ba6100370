"""The documentation names every engine setting with the contract's default, in both tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reprotect import contract
from reprotect.outcomes import Reason

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()


def shown(value: bool | int | str) -> str:
    return contract.Setting("", "", value).to_env(value) if not isinstance(value, str) else value


@pytest.mark.parametrize("setting", contract.SETTINGS, ids=lambda setting: setting.key)
def test_each_setting_is_in_both_tables_with_its_default(setting: contract.Setting) -> None:
    default = shown(setting.default)
    assert re.search(rf"^\| `{setting.env}` \| `{re.escape(default)}` \|", README, re.MULTILINE) or (
        default == "" and f"| `{setting.env}` | empty |" in README
    ), f"README's configuration table lacks {setting.env} with default {default!r}"
    in_deploy = rf"^\| `{setting.key}` \| (`{re.escape(default)}`|`\"\"` \(off\)) \|"
    assert re.search(in_deploy, DEPLOY, re.MULTILINE), f"docs/deploy.md lacks {setting.key}"


@pytest.mark.parametrize("reason", [r for r in Reason if r is not Reason.REPLICATING], ids=str)
def test_each_reason_is_in_the_readmes_outcome_table(reason: Reason) -> None:
    assert f"`{reason}`" in README
