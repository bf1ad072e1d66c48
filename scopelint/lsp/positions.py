"""scopelint counts columns in code points (as libcst and the CLI print them);
an LSP client counts in the position encoding it negotiated (UTF-16 unless
it asked for something else). This module converts between the two."""

from __future__ import annotations

import re
from dataclasses import dataclass

# LSP line breaks: \n, \r\n and \r -- not str.splitlines(), which also splits
# on form feeds and other separators that editors keep inside a line.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class PositionMapper:
    """Maps 1-based (line, code-point column) to 0-based client positions and back."""

    lines: tuple[str, ...]
    encoding: str = "utf-16"  # "utf-8" | "utf-16" | "utf-32"

    @classmethod
    def for_text(cls, text: str, encoding: str = "utf-16") -> "PositionMapper":
        return cls(tuple(split_lines(text)), encoding)

    def line_text(self, line: int) -> str:
        """Text of 1-based ``line``; empty past the end of the document."""
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else ""

    def to_client(self, line: int, column: int) -> tuple[int, int]:
        """1-based code points -> 0-based (line, character) in client units, clamped to the text."""
        line = max(1, min(line, len(self.lines)))
        text = self.line_text(line)
        index = max(0, min(column - 1, len(text)))
        return line - 1, _units(text[:index], self.encoding)

    def from_client(self, line: int, character: int) -> tuple[int, int]:
        """0-based client position -> 1-based (line, code-point column)."""
        text = self.line_text(line + 1)
        if self.encoding == "utf-32":
            return line + 1, min(character, len(text)) + 1
        used = 0
        for index, char in enumerate(text):
            if used >= character:
                return line + 1, index + 1
            used += _units(char, self.encoding)
        return line + 1, len(text) + 1
