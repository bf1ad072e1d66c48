"""``--format grouped``: findings under their file's name, as ruff's ``grouped``:

    models/gan.py:
      12:9 SL201 `tf.get_variable` creates variable ...

then the same summary line as the text format."""

from __future__ import annotations

from itertools import groupby
from typing import Sequence

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext
from scopelint.report.text import _BOLD, _DIM, _RED, _YELLOW, _paint, summary_line


def _entry(d: Diagnostic, width: int, color: bool) -> str:
    where = f"{d.line}:{d.column}".ljust(width)
    marks = "".join(f" [{m}]" for m in (d.data.get("dynamic"), "suppressed" if d.data.get("suppressed") else None) if m)
    code = _paint(d.code, _RED if d.severity is Severity.ERROR else _YELLOW, color)
    return f"  {where} {code} {d.message}{_paint(marks, _DIM, color)}"


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    lines: list[str] = []
    for path, group in groupby(diagnostics, key=lambda d: d.path):
        found = list(group)
        width = max(len(f"{d.line}:{d.column}") for d in found)
        lines += [_paint(f"{path}:", _BOLD, context.color), *(_entry(d, width, context.color) for d in found), ""]
    if not context.quiet:
        lines.append(summary_line(diagnostics, context))
    elif lines:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""
