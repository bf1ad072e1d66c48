"""Output formats. Each module renders a list of diagnostics to one string.

A format is looked up by name and imported only when chosen, so adding one
costs nothing to a run that does not use it.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Protocol, Sequence

from scopelint.diagnostic import Diagnostic

FORMATS: dict[str, str] = {
    "text": "scopelint.report.text",
    "json": "scopelint.report.json_format",
    "sarif": "scopelint.report.sarif",
    "github": "scopelint.report.github",
    "gitlab": "scopelint.report.gitlab",
    "junit": "scopelint.report.junit",
    "pylint": "scopelint.report.pylint",
    "grouped": "scopelint.report.grouped",
}


@dataclass(frozen=True)
class TraceOutcome:
    """How one file's ``--dynamic`` run ended, for the JSON and SARIF reports."""

    path: str  # spelled as the findings spell it
    kind: str  # ok, stopped, raised, exited, exited early, crashed, timed out, out of memory, too many processes, unsupported, not run
    description: str  # "stopped at line 16 at Session.run: ...", as printed on stderr
    line: int | None = None  # the traced file's line it stopped, raised or exited at
    seconds: float = 0.0
    cell: int | None = None  # in a notebook: the cell of ``line`` (then a line inside that cell)


@dataclass(frozen=True)
class ReportContext:
    files_checked: int = 0
    color: bool = False
    statistics: bool = False
    show_fixes: bool = False
    # One entry per traced file when --dynamic ran (empty otherwise).
    traces: tuple[TraceOutcome, ...] = ()
    quiet: bool = False  # --quiet: findings only, no summary line


class Renderer(Protocol):
    def __call__(self, diagnostics: Sequence[Diagnostic], context: ReportContext) -> str: ...


def available_formats() -> list[str]:
    found = []
    for name, module in FORMATS.items():
        if importlib.util.find_spec(module) is not None:
            found.append(name)
    return found


def renderer(name: str) -> Renderer:
    module = importlib.import_module(FORMATS[name])
    render: Renderer = module.render
    return render
