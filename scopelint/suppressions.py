"""Inline suppressions: ``# scopelint: ignore[SL201]`` and flake8's ``# noqa``.

Comments are found with :mod:`tokenize`, so a ``"# noqa"`` inside a string
does not suppress anything.
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Mapping

# line -> codes suppressed on it; None means every code (bare ``# noqa`` / ``ignore``).
Suppressions = Mapping[int, "frozenset[str] | None"]

_SCOPELINT = re.compile(r"#\s*scopelint:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def _codes(raw: str | None) -> frozenset[str] | None:
    if raw is None:
        return None
    codes = frozenset(c.upper() for c in re.split(r"[,\s]+", raw) if c)
    return codes or None


def find_suppressions(text: str) -> dict[int, frozenset[str] | None]:
    if "noqa" not in text and "scopelint" not in text:
        return {}
    found: dict[int, frozenset[str] | None] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _SCOPELINT.search(token.string) or _NOQA.search(token.string)
        if match is None:
            continue
        codes = _codes(match.group("codes"))
        line = token.start[0]
        previous = found.get(line, frozenset())
        if codes is None or previous is None:
            found[line] = None
        else:
            found[line] = previous | codes
    return found


def is_suppressed(code: str, line: int, suppressions: Suppressions) -> bool:
    if line not in suppressions:
        return False
    codes = suppressions[line]
    return codes is None or any(code.startswith(c) for c in codes)
