"""What a keystroke in the editor costs (issue 12), as behaviour: the config is read
again only when a pyproject.toml changed, and libcst -- several times the rest of the
lint for a file with findings -- reads the buffer once typing settles, not per edit;
the answer then is exactly the command line's (parity), published a second time only
when the libcst check changes it."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Any

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from scopelint.engine import lint_text
from scopelint.lsp import documents
from scopelint.lsp.documents import ConfigLoader, LintResult, Scheduler, Snapshot

BUGGY = 'import tensorflow as tf\n\nwith tf.name_scope("enc"):\n    w = tf.get_variable("w", [3])\n'
# Valid Python libcst cannot read (tests/test_parser_disagreement.py): the CLI adds an SL900.
DISAGREES = BUGGY + "try:\n    pass\n\\\nexcept ValueError:\n    pass\n"
# Newer syntax than this Python reads, which libcst reads: not a syntax error on the CLI.
NEWER = "import tensorflow as tf\n\ntype Shape = tuple[int, ...]\n"


def codes(found: tuple[object, ...] | list[object]) -> list[tuple[str, int, str]]:
    return [(d.code, d.line, d.message) for d in found]  # type: ignore[attr-defined]


def test_the_config_is_read_again_only_when_a_pyproject_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.scopelint]\nselect = ["SL2"]\n')
    reads: list[Path | None] = []
    real_load = documents.load_config

    def counting(start: Path | None = None, explicit: Path | None = None) -> Config:
        reads.append(start)
        return real_load(start=start, explicit=explicit)

    monkeypatch.setattr(documents, "load_config", counting)
    loader = ConfigLoader(fallback_root=str(tmp_path), report=lambda m: None)
    snapshot = Snapshot("file:///m.py", str(tmp_path / "m.py"), "", 1, True)
    for _ in range(5):
        assert loader.for_snapshot(snapshot).select == ("SL2",)
    assert len(reads) == 1
    pyproject.write_text('[tool.scopelint]\nselect = ["SL1", "SL3"]\n')
    assert loader.for_snapshot(snapshot).select == ("SL1", "SL3")
    pyproject.unlink()
    assert loader.for_snapshot(snapshot).select == Config().select
    assert len(reads) == 3


def run_edits(text: str, path: str) -> list[LintResult]:
    """One lint through the scheduler, then the settled document's libcst check."""
    published: list[LintResult] = []
    snapshot = Snapshot("u", path, text, 1, False)
    configs = ConfigLoader(fallback_root=str(Path(path).parent), report=lambda m: None)
    scheduler = Scheduler(lambda uri: snapshot, configs, published.append, 0.0)
    scheduler.parser_check_after_s = 0.0

    async def scenario() -> None:
        await scheduler.lint_now("u")
        check = scheduler._checks.get("u")
        if check is not None:
            await check

    asyncio.run(scenario())
    return published


def test_findings_in_a_file_libcst_rejects_get_the_sl900_once_typing_settles(tmp_path: Path) -> None:
    path = str(tmp_path / "model.py")
    first, settled = run_edits(DISAGREES, path)
    assert [d.code for d in first.diagnostics] == ["SL101"]  # the keystroke's answer: no libcst yet
    assert codes(settled.diagnostics) == codes(lint_source(DISAGREES, path))  # then the CLI's, exactly
    assert [d.code for d in settled.diagnostics] == ["SL101", "SL900"]
    assert all("fix" not in d.data for d in settled.diagnostics)


def test_newer_syntax_libcst_reads_is_not_left_a_syntax_error(tmp_path: Path) -> None:
    path = str(tmp_path / "model.py")
    first, settled = run_edits(NEWER, path)
    assert "syntax error" in first.diagnostics[0].message
    assert codes(settled.diagnostics) == codes(lint_source(NEWER, path))
    assert "uses syntax this Python" in settled.diagnostics[0].message


def test_a_file_libcst_reads_is_published_once(tmp_path: Path) -> None:
    path = str(tmp_path / "model.py")
    [only] = run_edits(BUGGY, path)
    assert codes(only.diagnostics) == codes(lint_source(BUGGY, path))
    assert [d.code for d in only.diagnostics] == ["SL101"] and "fix" in only.diagnostics[0].data


def test_an_edit_cancels_the_pending_libcst_check(tmp_path: Path) -> None:
    documents_by_uri = {"u": Snapshot("u", str(tmp_path / "m.py"), DISAGREES, 1, False)}
    published: list[LintResult] = []
    configs = ConfigLoader(fallback_root=str(tmp_path), report=lambda m: None)
    scheduler = Scheduler(documents_by_uri.get, configs, published.append, 0.0)

    async def scenario() -> None:
        await scheduler.lint_now("u")
        check = scheduler._checks["u"]
        documents_by_uri["u"] = Snapshot("u", str(tmp_path / "m.py"), BUGGY, 2, False)
        scheduler.schedule("u", delay=0)
        await asyncio.sleep(0)
        assert check.cancelled() or check.cancelling()
        await scheduler._pending["u"]

    asyncio.run(scenario())
    assert [r.snapshot.version for r in published] == [1, 2]


def test_a_keystroke_parses_the_buffer_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fixes read the tree the lint parsed instead of parsing the text again."""
    parses: list[object] = []
    real = ast.parse

    def counting(*args: Any, **kwargs: Any) -> Any:
        parses.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    [found] = lint_text(BUGGY, str(tmp_path / "m.py"), Config(), parser_check=False)
    assert found.code == "SL101" and "fix" in found.data
    assert len(parses) == 1
