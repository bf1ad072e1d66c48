"""``path:line:col: CODE message``, colour on a terminal, then a summary line."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from scopelint.catalog import rule_name
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{colour}{text}{_RESET}" if enabled else text


def format_line(d: Diagnostic, color: bool = False) -> str:
    code_colour = _RED if d.severity is Severity.ERROR else _YELLOW
    where = _paint(f"{d.path}:{d.line}:{d.column}:", _BOLD, color)
    marks = ""
    status = d.data.get("dynamic")
    if status:
        marks += f" [{status}]"
    if d.data.get("suppressed"):
        marks += " [suppressed]"
    return f"{where} {_paint(d.code, code_colour, color)} {d.message}{_paint(marks, _DIM, color)}"


def statistics(diagnostics: Sequence[Diagnostic]) -> str:
    counts = Counter(d.code for d in diagnostics)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "\n".join(f"{counts[code]:>{width}}  {code}  {rule_name(code)}" for code in sorted(counts))


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    lines = [format_line(d, context.color) for d in diagnostics]
    if context.statistics and diagnostics:
        lines += ["", statistics(diagnostics)]
    active = [d for d in diagnostics if not d.data.get("suppressed")]
    files = len({d.path for d in active})
    noun = "file" if context.files_checked == 1 else "files"
    if active:
        errors = sum(1 for d in active if d.severity is Severity.ERROR)
        summary = (
            f"Found {len(active)} problem{'s' if len(active) != 1 else ''} "
            f"({errors} error{'s' if errors != 1 else ''}, {len(active) - errors} warning{'s' if len(active) - errors != 1 else ''}) "
            f"in {files} of {context.files_checked} {noun} checked."
        )
    else:
        summary = f"All clear: {context.files_checked} {noun} checked."
    lines.append(_paint(summary, _BOLD, context.color))
    return "\n".join(lines) + "\n"
