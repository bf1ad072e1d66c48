"""``--format github``: GitHub Actions workflow commands, one per finding.

``::error file=m.py,line=4,col=9,endLine=4,endColumn=33,title=SL201 variable-already-exists::message``
makes an annotation on the pull request's diff. Paths are relative to the
working directory (the checkout root in a workflow). Suppressed findings are
not annotated.
"""

from __future__ import annotations

from typing import Sequence

from scopelint.catalog import CatalogError, rule_name
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext
from scopelint.report.locations import relative_message, relative_path

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part (after ``::``), as the Actions runner decodes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: also ``:`` and ``,``, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def rule_title(code: str) -> str:
    """``SL201 variable-already-exists`` (the code alone when the catalog lacks it)."""
    try:
        name = rule_name(code)
    except CatalogError:
        name = ""
    return f"{code} {name}" if name else code


def format_command(d: Diagnostic) -> str:
    properties = [("file", relative_path(d.path) or d.path), ("line", str(d.line)), ("col", str(d.column))]
    if d.end_line is not None and d.end_column is not None:
        properties += [("endLine", str(d.end_line)), ("endColumn", str(d.end_column))]
    properties.append(("title", rule_title(d.code)))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    # A notebook's line counts from the top of its cell, which the annotation cannot say.
    text = relative_message(d.message, d.data)
    message = f"cell {d.cell}, line {d.line}: {text}" if d.cell is not None else text
    return f"::{_COMMAND.get(d.severity, 'warning')} {joined}::{escape_data(message)}"


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    lines = [format_command(d) for d in diagnostics if not d.data.get("suppressed")]
    return "".join(line + "\n" for line in lines)
