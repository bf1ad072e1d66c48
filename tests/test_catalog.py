"""The rule catalog (rules/SLxxx.md): well formed, complete, and its examples are tests.

Every example block becomes one generated test (ids like ``SL201-bad-1``):
an "Example" block, linted with only its rule selected, must be flagged exactly
on its ``# expect:`` lines; a "Use instead" block must be clean under every rule.

Only the examples of rules that have a check run. The checks arrive with later
issues, so a catalog code may lack a check only while it is listed in
``PENDING_CHECKS``; its examples are collected and skipped with a reason that
names it. SL900 (parse-error) has no check: the engine produces it, so its
examples always run. A check without a catalog entry fails, and so does a code
left in ``PENDING_CHECKS`` after its check has landed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

import pytest

from scopelint.api import lint_source
from scopelint.catalog import SECTIONS, Example, Rule, load_catalog
from scopelint.checks import ALL_CHECKS
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.fixes.edits import SAFE, fix_from_data
from scopelint.fixes.loop import FixOutcome, fix_text

# Produced by the engine, not by a check of the scope model: SL900 (files it cannot
# parse, decode or read) and SL901 (suppressions that silence nothing).
ENGINE_CODES = frozenset({"SL900", "SL901"})

# SL901 audits the other rules' suppressions: with it alone selected no other rule
# runs, so only a code that matches no rule could be known unused. Its examples run
# with every rule selected (so a bad one may hold no unsilenced finding of another rule).
SELECT_FOR: dict[str, tuple[str, ...]] = {"SL901": ("SL",)}


def selection(code: str) -> Config:
    return Config(select=SELECT_FOR.get(code, (code,)))

# Catalog codes whose check has not landed yet. Remove a code when its check
# is added to scopelint.checks.ALL_CHECKS (test_pending_checks_do_not_rot enforces it).
PENDING_CHECKS: frozenset[str] = frozenset()

# The initial code table of DESIGN.md: codes are forever, so these must stay listed.
DESIGN_CODES = {
    "SL101": "get-variable-ignores-name-scope",
    "SL102": "name-reference-mismatch",
    "SL103": "name-scope-reopened",
    "SL104": "scope-filter-too-broad",
    "SL201": "variable-already-exists",
    "SL202": "variable-does-not-exist",
    "SL203": "reuse-leaks",
    "SL204": "variable-not-shared",
    "SL205": "shared-shape-mismatch",
    "SL301": "update-ops-not-run",
    "SL302": "saver-before-variables",
    "SL401": "deprecated-scope-api",
    "SL900": "parse-error",
}

PROGRAM_HEADER = "import tensorflow.compat.v1 as tf"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CODE = re.compile(r"^SL\d{3}$")

CATALOG = load_catalog()
ACTIVE = {code: rule for code, rule in CATALOG.items() if rule.status == "active"}


@dataclass(frozen=True)
class Case:
    rule: Rule
    example: Example
    index: int  # 1-based among the rule's blocks of the same kind

    @property
    def id(self) -> str:
        return f"{self.rule.code}-{'bad' if self.example.bad else 'good'}-{self.index}"

    @property
    def runnable(self) -> bool:
        return self.rule.code in ALL_CHECKS or self.rule.code in ENGINE_CODES


def _cases() -> list[Case]:
    cases: list[Case] = []
    for rule in ACTIVE.values():
        counts = {True: 0, False: 0}
        for example in rule.examples:
            counts[example.bad] += 1
            cases.append(Case(rule, example, counts[example.bad]))
    return cases


CASES = _cases()


def _params(bad: bool) -> list[object]:
    params: list[object] = []
    for case in CASES:
        if case.example.bad != bad:
            continue
        marks = [] if case.runnable else [pytest.mark.skip(reason=f"{case.rule.code} has no check yet (arrives with a later issue)")]
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


# ---------------------------------------------------------------- the files --


def test_catalog_loads_and_is_not_empty() -> None:
    assert CATALOG, "rules/ holds no SLxxx.md"
    assert list(CATALOG) == sorted(CATALOG)


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_rule_file_is_well_formed(code: str) -> None:
    rule = CATALOG[code]
    assert CODE.match(rule.code), f"{rule.path}: code {rule.code!r} is not SLddd"
    assert rule.path.endswith(f"{rule.code}.md")
    assert KEBAB.match(rule.name), f"{rule.path}: name {rule.name!r} is not kebab-case"
    assert rule.status in ("active", "removed"), f"{rule.path}: status {rule.status!r}"
    assert rule.summary.strip() and "\n" not in rule.summary
    titles = [title for title, _ in rule.sections]
    assert titles == list(SECTIONS), f"{rule.path}: sections {titles}, expected {list(SECTIONS)} in that order"
    for title, text in rule.sections:
        assert text.strip(), f"{rule.path}: section {title!r} is empty"


def test_names_are_unique() -> None:
    names = [rule.name for rule in CATALOG.values()]
    assert sorted(n for n in names if names.count(n) > 1) == []


def test_design_table_codes_are_all_listed() -> None:
    assert {code: CATALOG[code].name for code in DESIGN_CODES if code in CATALOG} == DESIGN_CODES


@pytest.mark.parametrize("code", sorted(ACTIVE))
def test_active_rule_has_both_kinds_of_example(code: str) -> None:
    rule = ACTIVE[code]
    bad = [e for e in rule.examples if e.bad]
    good = [e for e in rule.examples if not e.bad]
    assert bad, f"{code}: no python block under 'Example'"
    assert good, f"{code}: no python block under 'Use instead'"
    for number, example in enumerate(bad, start=1):
        assert example.expected, f"{code}-bad-{number}: no line ends in '# expect: {code}'"
        assert {c for _, c in example.expected} == {code}, f"{code}-bad-{number}: expects other codes {example.expected}"
    for number, example in enumerate(good, start=1):
        assert example.expected == (), f"{code}-good-{number}: a 'Use instead' block carries '# expect:'"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_example_is_a_complete_tf1_program(case: Case) -> None:
    """The TF runner executes blocks as they are; SL900's bad blocks are Python 2 on purpose."""
    if case.rule.code in ENGINE_CODES and case.example.bad:
        assert "import tensorflow" in case.example.code  # or the prefilter would skip it
        return
    assert case.example.code.startswith(PROGRAM_HEADER + "\n"), f"{case.id} must start with {PROGRAM_HEADER!r}"
    compile(case.example.code, case.id, "exec")


# --------------------------------------------------- checks <-> catalog sync --


def test_every_check_has_an_active_catalog_entry() -> None:
    assert sorted(code for code in ALL_CHECKS if code not in ACTIVE) == []


def test_every_active_code_has_a_check_or_is_pending() -> None:
    missing = sorted(set(ACTIVE) - set(ALL_CHECKS) - ENGINE_CODES - PENDING_CHECKS)
    assert missing == [], f"catalog codes without a check and not in PENDING_CHECKS: {missing}"


def test_pending_checks_do_not_rot() -> None:
    assert sorted(PENDING_CHECKS & set(ALL_CHECKS)) == [], "these have checks now: drop them from PENDING_CHECKS"
    assert sorted(PENDING_CHECKS - set(ACTIVE)) == [], "PENDING_CHECKS names codes the catalog lacks"
    assert not PENDING_CHECKS & ENGINE_CODES


def test_pending_checks_are_reported() -> None:
    """Visible in `pytest -ra`: which rules' examples were not run, and why."""
    if PENDING_CHECKS:
        pytest.skip(f"examples not run for rules without a check yet (later issues): {', '.join(sorted(PENDING_CHECKS))}")


# -------------------------------------------------------- generated examples --


def notebook_json(example: Example) -> str:
    """A notebook example (``# %%`` cells) as a real nbformat-4 notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    notebook = new_notebook(cells=[new_code_cell(source) for _, source in example.cells])
    notebook.metadata["language_info"] = {"name": "python"}
    return str(nbformat.writes(notebook))


def lint_example(example: Example, name: str, config: Config) -> list[Diagnostic]:
    """Lint a block as the catalog means it: a .py file, or a notebook whose findings
    are moved back to block lines (each cell's findings carry its cell number)."""
    if not example.cells:
        return lint_source(example.code, path=f"{name}.py", config=config)
    found = lint_source(notebook_json(example), path=f"{name}.ipynb", config=config)
    starts = [start for start, _ in example.cells]
    moved = []
    for d in found:
        assert d.cell is not None, f"{name}: a notebook finding without a cell: {d}"
        offset = starts[d.cell - 1] - 1
        related = [{**r, "line": r["line"] + offset} for r in d.data.get("related", ())]
        data = {**d.data, "related": related} if related else d.data
        moved.append(replace(d, line=d.line + offset, path=f"{name}.py", cell=None, data=data))
    return moved


@pytest.mark.parametrize("case", _params(bad=True))
def test_bad_example_is_flagged_exactly_on_its_expect_lines(case: Case) -> None:
    code = case.rule.code
    found = lint_example(case.example, case.id, selection(code))
    assert sorted((d.line, d.code) for d in found) == sorted(case.example.expected)
    lines = len(case.example.code.splitlines())
    for diagnostic in found:
        assert diagnostic.message.strip(), f"{case.id}: empty message"
        assert diagnostic.severity.value == case.rule.severity, f"{case.id}: severity differs from the catalog"
        json.dumps(diagnostic.to_json(case.rule.name))  # data must serialise (JSON, SARIF, LSP)
        for related in diagnostic.data.get("related", ()):
            assert related["path"] == f"{case.id}.py" and 1 <= related["line"] <= lines, f"{case.id}: related {related}"


def fix_example(source: str, code: str) -> tuple[list[Diagnostic], FixOutcome]:
    """Lint with only ``code`` selected and apply every fix it offers (safe and unsafe), as `--fix --unsafe-fixes` would."""
    config = selection(code)
    found = lint_source(source, path="example.py", config=config)
    outcome = fix_text(source, found, lambda text: lint_source(text, path="example.py", config=config), unsafe=True)
    return found, outcome


@pytest.mark.parametrize("case", _params(bad=True))
def test_fixes_are_as_the_catalog_says_and_remove_their_findings(case: Case) -> None:
    code = case.rule.code
    if case.example.cells:  # notebooks are not rewritten: no finding in one carries a fix
        assert case.rule.fix == "none", f"{case.id}: a notebook example's rule cannot offer fixes"
        assert [d.data.get("fix") for d in lint_example(case.example, case.id, selection(code))] == [None] * len(case.example.expected)
        return
    found, outcome = fix_example(case.example.code, code)
    offered = [fix for fix in (fix_from_data(d.data.get("fix")) for d in found) if fix is not None]
    if case.rule.fix == "none":
        assert offered == [], f"{case.id}: the catalog says 'fix: none' but the check offers fixes"
    if case.rule.fix == "safe":
        assert {fix.safety for fix in offered} <= {SAFE}, f"{case.id}: the catalog says 'fix: safe'"
    assert outcome.dropped == ()
    assert len([d for d in outcome.remaining if d.code == code]) == len(found) - len(offered)
    assert len(outcome.fixed) == len(offered)


@pytest.mark.parametrize("case", _params(bad=False))
def test_good_example_is_clean_under_every_rule(case: Case) -> None:
    found = lint_example(case.example, case.id, Config())
    assert [(d.line, d.code, d.message) for d in found] == []
