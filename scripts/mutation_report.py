"""`make mutation`'s page: the mutation score per module from mutmut's results, against the targets.

Reads `mutants/**/*.meta` (mutmut 3 keeps each mutant's exit code there), the equivalent mutants
(`docs/mutation-equivalent.toml`: survivors that cannot change behaviour, each with its reason), and
writes docs/mutation.md. A mutant is killed when a test failed (or timed out) with it; equivalent
mutants are left out of the score; every other survivor is listed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants" / "src" / "reprotect"
EQUIVALENT = ROOT / "docs" / "mutation-equivalent.toml"
OUTPUT = ROOT / "docs" / "mutation.md"
KILLED = {1, 3, 24, -24, 36, 37, 152, 255}  # a failing test, pytest's internal error, a timeout, a type check
TYPE_CHECKED = 37  # mypy rejected the mutant before any test ran (make test runs mypy too)
NOT_RUN = {None, 2, 34}  # not checked, interrupted, skipped
OVERALL_TARGET, MODULE_TARGET, DECISION_TARGET = 0.85, 0.80, 0.90
DECISION_MODULES = {"selection", "events", "config", "outcomes", "report", "render", "decisions", "lifecycle"}


@dataclass
class Module:
    name: str
    killed: int = 0
    typed: int = 0  # of the killed, those mypy rejected
    equivalent: int = 0
    unchecked: int = 0  # not run yet: the score is over the others
    survivors: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        counted = self.killed + len(self.survivors)
        return self.killed / counted if counted else 1.0

    @property
    def worst(self) -> float:
        """The score if every mutant not checked yet survived: what the run proves so far."""
        counted = self.killed + len(self.survivors) + self.unchecked
        return self.killed / counted if counted else 1.0

    @property
    def verdict(self) -> str:
        if self.worst >= self.target:
            return "met"
        if self.score >= self.target:
            return f"met so far ({self.unchecked} not checked)"
        return "**missed**"

    @property
    def target(self) -> float:
        return DECISION_TARGET if self.name in DECISION_MODULES else MODULE_TARGET


def read(equivalent: dict[str, str]) -> list[Module]:
    modules = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = Module(meta.relative_to(MUTANTS).as_posix().removesuffix(".py.meta").replace("/", "."))
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for mutant, code in sorted(codes.items()):
            if code in NOT_RUN:
                module.unchecked += 1
                continue
            if code in KILLED:
                module.killed += 1
                module.typed += code == TYPE_CHECKED
            elif mutant in equivalent:
                module.equivalent += 1
            else:
                module.survivors.append(mutant)
        if module.killed or module.survivors or module.equivalent or module.unchecked:
            modules.append(module)
    return modules


def render(modules: list[Module], equivalent: dict[str, str]) -> str:
    killed = sum(m.killed for m in modules)
    survived = sum(len(m.survivors) for m in modules)
    typed = sum(m.typed for m in modules)
    unchecked = sum(m.unchecked for m in modules)
    overall = killed / (killed + survived) if killed + survived else 1.0
    worst = killed / (killed + survived + unchecked) if killed + survived + unchecked else 1.0
    commit = measured_commit()
    lines = [
        "# Mutation score of the Lambda package",
        "",
        f"Measured by `make mutation` (mutmut 3.8.1, tests/unit then tests/integration) on `{commit}`,"
        f" {datetime.now(UTC):%Y-%m-%d}. A mutant is killed when a test fails or times out with it;"
        " equivalent mutants (they cannot change behaviour; listed at the end with the reason) are left out.",
        "",
        f"**Overall: {overall:.1%}** ({killed} killed of {killed + survived}, {typed} of them by mypy before"
        f" any test ran; target {OVERALL_TARGET:.0%})."
        + (
            f" {unchecked} mutants were not checked: the score is over the others, and would be"
            f" {worst:.1%} if every one of them survived."
            if unchecked
            else ""
        ),
        "",
        "| module | killed | of which by mypy | survived | equivalent | not checked | score | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in sorted(modules, key=lambda m: (m.score, m.worst)):
        counts = f"{m.killed} | {m.typed} | {len(m.survivors)} | {m.equivalent} | {m.unchecked}"
        lines.append(f"| {m.name} | {counts} | {m.score:.1%} | {m.target:.0%} {m.verdict} |")
    lines += ["", "## Surviving mutants", ""]
    lines += [f"- `{name}`" for m in modules for name in m.survivors] or ["None."]
    lines += ["", "## Equivalent mutants", ""]
    lines += [f"- `{name}`: {reason}" for name, reason in sorted(equivalent.items())] or ["None."]
    return "\n".join(lines) + "\n"


def measured_commit() -> str:
    """The commit `make mutation` copied when the run began (mutmut tests its copies, not the tree)."""
    recorded = MUTANTS.parent.parent / "commit"
    if recorded.exists():
        return recorded.read_text().strip()
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git on PATH, on this repository)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def main() -> int:
    equivalent = tomllib.loads(EQUIVALENT.read_text()).get("equivalent", {}) if EQUIVALENT.exists() else {}
    OUTPUT.write_text(render(read(equivalent), equivalent))
    print(OUTPUT.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
