"""The result type every front end (CLI, LSP, pre-commit, SARIF) consumes.

Diagnostics are plain frozen data: no CST nodes, so they pickle across worker
processes, serialise to JSON/SARIF/LSP and compare in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping


class Severity(str, Enum):
    """How bad a finding is. ``error``: TF raises at graph-build time;
    ``warning``: TF silently does something the author did not mean."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One finding.

    Positions are 1-based lines and 1-based columns, as printed in
    ``path:line:col`` (the LSP layer converts to 0-based). ``end_line`` /
    ``end_column`` delimit the flagged node (end column exclusive).

    ``data`` carries structured facts a tool may want, e.g.
    ``{"predicted_name": "discriminator/h0/w", "related": [{"path": ...,
    "line": 3, "column": 5, "message": "first created here"}]}``.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    end_line: int | None = None
    end_column: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # In a notebook: the cell (1-based, every cell counted); line/end_line are then
    # lines inside that cell (see scopelint.notebook).
    cell: int | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_json(self, name: str = "") -> dict[str, Any]:
        """The documented JSON shape (see README "JSON output"); ``cell`` only for notebooks."""
        shape: dict[str, Any] = {
            "code": self.code,
            "name": name,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.path,
            **({"cell": self.cell} if self.cell is not None else {}),
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_column if self.end_column is not None else self.column,
            "data": dict(self.data),
        }
        return shape


def related(path: str, line: int, column: int, message: str) -> dict[str, Any]:
    """A related-location entry for ``Diagnostic.data["related"]``."""
    return {"path": path, "line": line, "column": column, "message": message}
