"""`--dynamic` against the catalog: every rule's bad examples are confirmed by
what TF really built, and no good example has anything confirmed or found by
the trace alone. All blocks are traced in one worker (one TF import, one fork
per block), as ``scopelint --dynamic`` traces a directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from scopelint.api import lint_source
from scopelint.catalog import load_catalog
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.dynamic.options import DynamicOptions
from scopelint.dynamic.reconcile import reconcile
from scopelint.dynamic.runner import trace_files

pytestmark = pytest.mark.tf

# SL900: Python 2 on purpose, nothing to run; SL901: about comments, nothing TF could confirm.
NOT_TRACED = frozenset({"SL900", "SL901"})


@dataclass(frozen=True)
class Block:
    id: str
    code: str
    source: str
    bad: bool
    expected: tuple[tuple[int, str], ...]
    notebook: bool  # `# %%` cells: its finding is about re-running a cell


def _blocks() -> list[Block]:
    blocks = []
    for rule in load_catalog().values():
        if rule.status != "active" or rule.code in NOT_TRACED:
            continue
        counts = {True: 0, False: 0}
        for example in rule.examples:
            counts[example.bad] += 1
            kind = "bad" if example.bad else "good"
            blocks.append(Block(f"{rule.code}-{kind}-{counts[example.bad]}", rule.code, example.code, example.bad, example.expected, bool(example.cells)))
    return blocks


BLOCKS = _blocks()
# A notebook's bad example (SL206) is a cell that fails when run a second time: the trace
# runs a file once, top to bottom, so it cannot show that until dynamic mode re-runs cells.
RERUN_ONLY = pytest.mark.skip(reason="a cell re-run: dynamic mode does not re-run notebook cells yet")


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Diagnostic]]:
    """block id -> its findings after `--dynamic` (bad blocks: only their rule selected, as the catalog tests do)."""
    folder = tmp_path_factory.mktemp("catalog")
    paths = {}
    for block in BLOCKS:
        path = folder / f"{block.id.replace('-', '_')}.py"
        path.write_text(block.source, encoding="utf-8")
        paths[block.id] = str(path)
    traces, stats = trace_files(list(paths.values()), DynamicOptions(timeout_s=60))
    assert stats.import_seconds is not None
    by_path = {t.path: t for t in traces}
    result = {}
    for block in BLOCKS:
        config = Config(select=(block.code,)) if block.bad else Config()
        static = lint_source(block.source, paths[block.id], config)
        result[block.id] = reconcile(static, [by_path[paths[block.id]]], keep=lambda d: config.is_selected(d.code))
    return result


def test_every_active_rule_has_bad_and_good_blocks_traced() -> None:
    codes = {r.code for r in load_catalog().values() if r.status == "active"} - NOT_TRACED
    assert {b.code for b in BLOCKS if b.bad and not b.notebook} == codes - {"SL206"}
    assert {b.code for b in BLOCKS if not b.bad} == codes


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id, marks=[RERUN_ONLY] if b.notebook else []) for b in BLOCKS if b.bad])
def test_bad_example_is_confirmed(block: Block, reconciled: dict[str, list[Diagnostic]]) -> None:
    findings = reconciled[block.id]
    verdicts = {(d.line, d.code): d.data.get("dynamic") for d in findings if d.data.get("dynamic") != "trace-only"}
    assert block.expected, f"{block.id} marks no `# expect:` line"
    for line, code in block.expected:
        assert verdicts.get((line, code)) == "confirmed", f"{block.id}:{line} {code}: {verdicts.get((line, code))!r}; all: {[(d.line, d.code, d.data.get('dynamic'), d.message) for d in findings]}"


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS if not b.bad])
def test_good_example_has_nothing_confirmed(block: Block, reconciled: dict[str, list[Diagnostic]]) -> None:
    shown = [(d.line, d.code, d.data.get("dynamic"), d.message) for d in reconciled[block.id] if d.data.get("dynamic") in ("confirmed", "trace-only")]
    assert shown == [], block.id


def test_trace_file_paths_are_the_ones_given(reconciled: dict[str, list[Diagnostic]]) -> None:
    """Static and trace-only findings of one run name their file the same way."""
    for block in BLOCKS:
        assert {Path(d.path).is_absolute() for d in reconciled[block.id]} <= {True}, block.id
