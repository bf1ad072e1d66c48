"""The ``.py`` files of a real tree that mention TF, read as the linter reads them (for the
measurement scripts: name_coverage.py, shape_coverage.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from scopelint.files import FileProblem, decode, read_bytes


def tf_sources(tree: Path) -> Iterator[tuple[Path, str]]:
    """(path, text) of each readable ``.py`` file under ``tree`` that mentions TF, in path order."""
    for path in sorted(tree.rglob("*.py")):
        try:
            text = decode(str(path), read_bytes(str(path)))
        except FileProblem:
            continue
        if "tf" in text or "tensorflow" in text:
            yield path, text
