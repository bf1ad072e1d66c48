"""SL900: turning a parser failure into one helpful diagnostic."""

from __future__ import annotations

import re

from scopelint.diagnostic import Diagnostic, Severity

# Statements that only Python 2 accepts; matched against the failing line.
_PY2_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*print(\s+[^\s(=]|\s*$|\s*>>)"), "`print` statement"),
    (re.compile(r"^\s*exec\s+[\"'\w]"), "`exec` statement"),
    (re.compile(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:"), "`except X, e:`"),
    (re.compile(r"^\s*raise\s+[\w.]+\s*,"), "`raise E, msg`"),
    (re.compile(r"`[^`]+`"), "backtick repr"),
    (re.compile(r"(?<![\w.])0\d+\b"), "old-style octal literal"),
    (re.compile(r"\bur[\"']"), "`ur''` string"),
    (re.compile(r"<>"), "`<>` operator"),
)


def python2_hint(line_text: str) -> str | None:
    for pattern, what in _PY2_PATTERNS:
        if pattern.search(line_text):
            return what
    return None


def parse_error_diagnostic(path: str, text: str, line: int, column: int, detail: str) -> Diagnostic:
    lines = text.splitlines()
    line = max(1, min(line, len(lines) or 1))
    line_text = lines[line - 1] if lines else ""
    hint = python2_hint(line_text)
    if hint is not None:
        message = (
            f"file not analysed: Python 2 syntax ({hint}); scopelint reads Python 3 only. "
            "Port the file (e.g. with `2to3`) or exclude it"
        )
    else:
        message = f"file not analysed: syntax error: {detail}"
    return Diagnostic(
        path=path,
        line=line,
        column=max(1, column),
        code="SL900",
        message=message,
        severity=Severity.ERROR,
        data={"python2": hint is not None},
    )


def file_problem_diagnostic(path: str, message: str) -> Diagnostic:
    return Diagnostic(path=path, line=1, column=1, code="SL900", message=f"file not analysed: {message}")
