"""Inline suppressions: ``# scopelint: ignore[SL201]`` and flake8's ``# noqa``.

Comments are found with :mod:`tokenize`, so a ``"# noqa"`` inside a string
does not suppress anything. One comment holds at most one directive: a
``scopelint: ignore`` one if present, else the first ``noqa``.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Mapping

# line -> codes suppressed on it; None means every code (bare ``# noqa`` / ``ignore``).
Suppressions = Mapping[int, "frozenset[str] | None"]

NOQA, SCOPELINT = "noqa", "scopelint"
_SCOPELINT = re.compile(r"#\s*scopelint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Directive:
    """One suppression comment. Columns are 0-based code-point offsets in its line."""

    line: int
    kind: str  # NOQA | SCOPELINT
    codes: tuple[str, ...] | None  # upper-cased, as written; None: every code (bare)
    comment: str  # the whole comment token, ``#`` to the end of the line
    comment_column: int  # where the comment starts
    start: int  # the directive's span inside ``comment``
    end: int
    code_end: int  # where the code before the comment ends (0: a comment-only line)

    def render(self, codes: tuple[str, ...]) -> str:
        """This directive's text listing ``codes`` instead."""
        if self.kind == SCOPELINT:
            return f"# scopelint: ignore[{', '.join(codes)}]"
        return f"# noqa: {', '.join(codes)}"


def _codes(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    codes = tuple(dict.fromkeys(c.upper() for c in _SPLIT.split(raw) if c))
    return codes or None


def _comments(text: str) -> list[tokenize.TokenInfo]:
    try:
        return [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def find_directives(text: str) -> tuple[Directive, ...]:
    """Every suppression comment in ``text``, in order (none if it does not tokenize)."""
    if "noqa" not in text.lower() and "scopelint" not in text.lower():
        return ()
    found: list[Directive] = []
    for token in _comments(text):
        kind = SCOPELINT
        match = _SCOPELINT.search(token.string)
        if match is None:
            kind, match = NOQA, _NOQA.search(token.string)
        if match is None:
            continue
        column = token.start[1]
        code_end = len(token.line[:column].rstrip())
        found.append(
            Directive(
                line=token.start[0], kind=kind, codes=_codes(match.group("codes")), comment=token.string,
                comment_column=column, start=match.start(), end=match.end(), code_end=code_end,
            )
        )
    return tuple(found)


def find_suppressions(text: str) -> dict[int, frozenset[str] | None]:
    found: dict[int, frozenset[str] | None] = {}
    for directive in find_directives(text):
        previous = found.get(directive.line, frozenset())
        if directive.codes is None or previous is None:
            found[directive.line] = None
        else:
            found[directive.line] = previous | frozenset(directive.codes)
    return found


def covers(code: str, codes: "frozenset[str] | tuple[str, ...] | None") -> bool:
    """Whether a directive listing ``codes`` (None: bare) silences ``code``."""
    return codes is None or any(code.startswith(c) for c in codes)


def is_suppressed(code: str, line: int, suppressions: Suppressions) -> bool:
    if line not in suppressions:
        return False
    return covers(code, suppressions[line])
