"""A finding's identity that survives lines moving above it, for GitLab Code
Quality and ``--baseline``.

Basis: the rule, the file (relative to the working directory), the predicted
variable name, the message with its numbers blanked (``first created at
line 12`` must not change the identity when line 12 moves), and the flagged
source line's text with whitespace normalised. Two findings with the same
basis in one file are told apart by their order (``:1``, ``:2``), so fixing one
of two identical findings leaves exactly one "new"."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.report.locations import relative_path

_NUMBER = re.compile(r"\d+")


class SourceLines:
    """Line text, each file read once."""

    def __init__(self) -> None:
        self._files: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str:
        if path not in self._files:
            try:
                self._files[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""


def basis(d: Diagnostic, sources: SourceLines) -> str:
    name = d.data.get("predicted_name")
    return "\0".join(
        (
            d.code,
            relative_path(d.path) or d.path,
            name if isinstance(name, str) else "",
            _NUMBER.sub("#", d.message),
            " ".join(sources.line(d.path, d.line).split()),
        )
    )


def fingerprints(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One hex fingerprint per diagnostic, in order."""
    sources = SourceLines()
    seen: Counter[str] = Counter()
    found = []
    for d in diagnostics:
        key = basis(d, sources)
        seen[key] += 1
        found.append(hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8")).hexdigest()[:32])
    return found
