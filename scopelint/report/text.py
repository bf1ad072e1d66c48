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
    cell = f"cell {d.cell}:" if d.cell is not None else ""  # notebooks, as ruff prints them
    where = _paint(f"{d.path}:{cell}{d.line}:{d.column}:", _BOLD, color)
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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _by_severity(diagnostics: Sequence[Diagnostic]) -> str:
    """"2 errors, 1 warning" -- info-level findings are counted as such, not as warnings."""
    counts = Counter(d.severity for d in diagnostics)
    parts = [_plural(counts[Severity.ERROR], "error"), _plural(counts[Severity.WARNING], "warning")]
    if counts[Severity.INFO]:
        parts.append(f"{counts[Severity.INFO]} info")
    return ", ".join(parts)


def summary_line(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    active = [d for d in diagnostics if not d.data.get("suppressed")]
    files = len({d.path for d in active})
    noun = "file" if context.files_checked == 1 else "files"
    if active:
        summary = (
            f"Found {_plural(len(active), 'problem')} ({_by_severity(active)}) "
            f"in {files} of {context.files_checked} {noun} checked."
        )
    else:
        summary = f"All clear: {context.files_checked} {noun} checked."
    return _paint(summary, _BOLD, context.color)


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    lines = [format_line(d, context.color) for d in diagnostics]
    if context.statistics and diagnostics:
        lines += ["", statistics(diagnostics)]
    if not context.quiet:  # --quiet: the findings, nothing else
        lines.append(summary_line(diagnostics, context))
    return "\n".join(lines) + "\n" if lines else ""
