"""`make mutation`'s page counts mutmut's results as docs/mutation.md says: a failing test, a timeout
or mypy kills; an equivalent mutant is left out; a mutant no test covers counts as a survivor; one not
yet checked is counted apart."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from scripts import mutation_report


def write_meta(root: Path, module: str, codes: dict[str, int | None]) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py.meta")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exit_code_by_key": codes}))


def test_scores_per_module_including_subpackages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mutation_report, "MUTANTS", tmp_path)
    write_meta(
        tmp_path,
        "render",
        {
            "r.a__mutmut_1": 1,
            "r.a__mutmut_2": 37,
            "r.a__mutmut_3": 0,
            "r.a__mutmut_4": None,
            "r.a__mutmut_5": 0,
        },
    )
    write_meta(tmp_path, "org.digest", {"d.b__mutmut_1": -24, "d.b__mutmut_2": 33})

    modules = {m.name: m for m in mutation_report.read({"r.a__mutmut_5": "same output"})}

    render, digest = modules["render"], modules["org.digest"]
    assert (render.killed, render.typed, render.survivors, render.equivalent) == (2, 1, ["r.a__mutmut_3"], 1)
    assert render.unchecked == 1
    assert render.score == pytest.approx(2 / 3)
    assert render.worst == pytest.approx(2 / 4)  # had the unchecked one survived
    assert render.target == 0.90  # rendering is a decision module
    assert (digest.killed, digest.survivors) == (1, ["d.b__mutmut_2"])  # no test covers it: a survivor
    assert digest.target == 0.80

    page = mutation_report.render(list(modules.values()), {"r.a__mutmut_5": "same output"})
    assert "**Overall: 60.0%** (3 killed of 5, 1 of them by mypy before any test ran; target 85%)." in page
    assert "1 mutants were not checked: the score is over the others, and would be 50.0% if" in page
    assert "| render | 2 | 1 | 1 | 1 | 1 | 66.7% | 90% **missed** |" in page
    assert "| org.digest | 1 | 0 | 1 | 0 | 0 | 50.0% | 80% **missed** |" in page
    assert "- `r.a__mutmut_5`: same output" in page


@pytest.mark.parametrize(
    ("killed", "survived", "unchecked", "verdict"),
    [
        (9, 1, 0, "met"),  # 90% of all: met
        (8, 0, 2, "met"),  # 80% even if both unchecked survive
        (8, 0, 3, "met so far (3 not checked)"),  # 100% of the checked, 72.7% at worst
        (3, 1, 6, "**missed**"),  # 75% of the checked
    ],
)
def test_a_module_meets_its_target_only_when_the_unchecked_mutants_cannot_change_that(
    killed: int, survived: int, unchecked: int, verdict: str
) -> None:
    module = mutation_report.Module(
        "engine", killed=killed, unchecked=unchecked, survivors=[f"e.f__mutmut_{i}" for i in range(survived)]
    )

    assert module.verdict == verdict


def test_no_method_of_the_lambda_package_annotates_an_attribute_of_self() -> None:
    # mutmut copies a method once per mutant; `self.x: T = ...` in every copy is an "already defined"
    # error to mypy, which then counts every mutant of the method killed. Types go at class level.
    package = Path(__file__).parents[2] / "lambdas" / "reprotect"
    found = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Attribute)
        and isinstance(node.target.value, ast.Name)
        and node.target.value.id == "self"
    ]

    assert found == []
