"""The fix data carried in ``Diagnostic.data["fix"]`` and how edits apply to text.

Positions are 1-based (line, code-point column), end exclusive, and refer to
the text the diagnostic was computed on. Lines break at ``\\r\\n``, ``\\r`` or
``\\n`` (what Python's tokenizer and libcst count), never at the form feeds and
other separators ``str.splitlines`` also honours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

SAFE, UNSAFE = "safe", "unsafe"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class EditError(ValueError):
    """An edit that does not fit the text it is meant for."""


@dataclass(frozen=True)
class Edit:
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_data(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }


@dataclass(frozen=True)
class Fix:
    safety: str  # SAFE | UNSAFE
    message: str
    edits: tuple[Edit, ...]

    def to_data(self) -> dict[str, Any]:
        return {"safety": self.safety, "message": self.message, "edits": [e.to_data() for e in self.edits]}

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity across re-lints: positions shift when other fixes land, content does not."""
        return (self.message, tuple(e.content for e in self.edits))


def make_fix(safety: str, message: str, edits: Iterable[Edit]) -> dict[str, Any]:
    """The ``data["fix"]`` mapping a check attaches to its diagnostic."""
    if safety not in (SAFE, UNSAFE):
        raise ValueError(f"fix safety must be {SAFE!r} or {UNSAFE!r}, not {safety!r}")
    return Fix(safety, message, tuple(edits)).to_data()


def fix_from_data(raw: object) -> Fix | None:
    """``data["fix"]`` as a :class:`Fix`; None when absent or malformed."""
    if not isinstance(raw, Mapping):
        return None
    safety, items = raw.get("safety"), raw.get("edits")
    if safety not in (SAFE, UNSAFE) or not isinstance(items, (list, tuple)) or not items:
        return None
    edits: list[Edit] = []
    for item in items:
        try:
            edits.append(
                Edit(int(item["line"]), int(item["column"]), int(item["end_line"]), int(item["end_column"]), str(item["content"]))
            )
        except (KeyError, TypeError, ValueError):
            return None
    return Fix(str(safety), str(raw.get("message") or "Apply fix"), tuple(edits))


def dominant_newline(text: str) -> str:
    """The line ending most lines of ``text`` use; edits that insert lines use it too."""
    counts = {"\r\n": text.count("\r\n")}
    counts["\n"] = text.count("\n") - counts["\r\n"]
    counts["\r"] = text.count("\r") - counts["\r\n"]
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "\n"


class TextIndex:
    """Converts 1-based (line, column) positions of one text to string offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self._ends = [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]

    def offset(self, line: int, column: int) -> int:
        if not 1 <= line <= len(self._starts):
            raise EditError(f"line {line} outside the text (1..{len(self._starts)})")
        start, end = self._starts[line - 1], self._ends[line - 1]
        if not 1 <= column <= end - start + 1:
            raise EditError(f"column {column} outside line {line} (1..{end - start + 1})")
        return start + column - 1

    def span(self, edit: Edit) -> tuple[int, int]:
        begin, end = self.offset(edit.line, edit.column), self.offset(edit.end_line, edit.end_column)
        if end < begin:
            raise EditError(f"edit ends before it starts ({edit})")
        return begin, end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one point: their order would be a guess
    return a[0] < b[1] and b[0] < a[1]


def fix_spans(index: TextIndex, fix: Fix) -> list[tuple[int, int]]:
    """The offsets a fix touches; EditError if an edit does not fit or its edits overlap each other."""
    spans = sorted(index.span(e) for e in fix.edits)
    for first, second in zip(spans, spans[1:]):
        if _overlap(first, second):
            raise EditError("the fix's own edits overlap")
    return spans


def conflicts(spans: Sequence[tuple[int, int]], taken: Sequence[tuple[int, int]]) -> bool:
    return any(_overlap(a, b) for a in spans for b in taken)


def apply_fixes(text: str, fixes: Sequence[Fix]) -> str:
    """Apply fixes whose edits do not overlap (positions in ``text``).

    A ``\\n`` inside an edit's content becomes the text's own line ending, so a
    fix that inserts a line keeps a CRLF file CRLF.
    """
    index = TextIndex(text)
    newline = dominant_newline(text)
    placed: list[tuple[int, int, str]] = []
    for fix in fixes:
        for edit in fix.edits:
            begin, end = index.span(edit)
            content = edit.content.replace("\n", newline) if newline != "\n" else edit.content
            placed.append((begin, end, content))
    placed.sort(key=lambda p: (p[0], p[1]))
    for first, second in zip(placed, placed[1:]):
        if _overlap(first[:2], second[:2]):
            raise EditError("overlapping edits")
    pieces: list[str] = []
    cursor = 0
    for begin, end, content in placed:
        pieces.append(text[cursor:begin])
        pieces.append(content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
