"""The interpreter's structure: TF's half is handed interfaces and never imports the interpreter back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parent.parent / "scopelint" / "model"


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("name", ["tfcalls.py", "tflayers.py", "tfnames.py", "context.py"])
def test_tf_half_does_not_import_the_interpreter(name: str) -> None:
    imported = _imported_modules(MODEL / name)
    assert not {m for m in imported if m.startswith("scopelint.model.interpret")}, imported
    if name != "tfcalls.py":
        assert "scopelint.model.tfcalls" not in imported


def test_interpreter_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (MODEL / "interpret").glob("*.py")}
    assert {"statements.py", "expressions.py", "names.py", "calls.py", "classes.py", "entries.py"} <= sizes.keys()
    assert max(sizes.values()) < 400, sizes
