"""A finding's identity that survives lines moving above it, for GitLab Code
Quality and ``--baseline``.

Basis: the rule, the file (relative to the working directory, or to the
baseline file's folder), the predicted variable name, the message with its
numbers blanked (``first created at line 12`` must not change the identity when
line 12 moves) and the paths in it spelled from that same folder, and the
flagged source line's text with whitespace normalised (a notebook's cell lines
are not lines of the ``.ipynb`` file: its message stands for them). Two findings with the same
basis in one file are told apart by their order (``:1``, ``:2``), so fixing one
of two identical findings leaves exactly one "new"."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.report.locations import relative_message, relative_path

_NUMBER = re.compile(r"\d+")


class SourceLines:
    """Line text, each file read once; ``texts`` stands in for files (stdin)."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._files: dict[str, list[str]] = {path: text.splitlines() for path, text in (texts or {}).items()}

    def line(self, path: str, number: int) -> str:
        if path not in self._files:
            try:
                self._files[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""


def _message(d: Diagnostic, root: str | None) -> str:
    """The message with other files' paths spelled from ``root`` and numbers blanked."""
    return _NUMBER.sub("#", relative_message(d.message, d.data, root))


def basis(d: Diagnostic, sources: SourceLines, root: str | None = None) -> str:
    name = d.data.get("predicted_name")
    line = "" if d.cell is not None else " ".join(sources.line(d.path, d.line).split())
    return "\0".join(
        (
            d.code,
            relative_path(d.path, root) or d.path,
            name if isinstance(name, str) else "",
            _message(d, root),
            line,
        )
    )


def fingerprints(
    diagnostics: Sequence[Diagnostic], root: str | None = None, texts: Mapping[str, str] | None = None
) -> list[str]:
    """One hex fingerprint per diagnostic, in order. ``root``: the folder paths
    are taken from (default: the working directory)."""
    sources = SourceLines(texts)
    seen: Counter[str] = Counter()
    found = []
    for d in diagnostics:
        key = basis(d, sources, root)
        seen[key] += 1
        found.append(hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8")).hexdigest()[:32])
    return found
