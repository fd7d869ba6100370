"""`make mutation`'s page counts mutmut's results as docs/mutation.md says: a failing test, a timeout
or mypy kills; an equivalent mutant is left out; a mutant no test covers counts as a survivor; one not
yet checked is counted apart."""

from __future__ import annotations

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
    assert render.score == pytest.approx(2 / 3)
    assert render.target == 0.90  # rendering is a decision module
    assert (digest.killed, digest.survivors) == (1, ["d.b__mutmut_2"])  # no test covers it: a survivor
    assert digest.target == 0.80

    page = mutation_report.render(list(modules.values()), {"r.a__mutmut_5": "same output"}, unchecked=1)
    assert "**Overall: 60.0%** (3 killed of 5, 1 of them by mypy before any test ran; target 85%)." in page
    assert "1 mutants were not checked." in page
    assert "| render | 2 | 1 | 1 | 1 | 66.7% | 90% **missed** |" in page
    assert "- `r.a__mutmut_5`: same output" in page
