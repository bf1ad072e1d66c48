"""``--format pylint``: ``path:line: [CODE] message``, one line per finding, as
pylint's parseable output (and ruff's ``pylint`` format) prints it, for tools
that read that shape. Suppressed findings are left out."""

from __future__ import annotations

from typing import Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.report import ReportContext


def format_line(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}: [{d.code}] {d.message}"


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    return "".join(format_line(d) + "\n" for d in diagnostics if not d.data.get("suppressed"))
