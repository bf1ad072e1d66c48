"""scopelint diagnostics and edits as lsprotocol types."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from lsprotocol import types

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.fixes.edits import Edit
from scopelint.lsp.hover import find_rule
from scopelint.lsp.positions import PositionMapper

SOURCE = "scopelint"
# A notebook's cells: number -> (the cell document's URI, its text's positions).
Cells = Mapping[int, "tuple[str, PositionMapper]"]

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def client_range(mapper: PositionMapper, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    start = mapper.to_client(line, column)
    end = mapper.to_client(end_line, end_column)
    return types.Range(types.Position(*start), types.Position(*end))


def diagnostic_range(d: Diagnostic, mapper: PositionMapper) -> types.Range:
    """The flagged node; without an end, the rest of the line from the column
    (never an empty range: some editors draw nothing for those)."""
    if d.end_line is not None and d.end_column is not None and (d.end_line, d.end_column) > (d.line, d.column):
        return client_range(mapper, d.line, d.column, d.end_line, d.end_column)
    text = mapper.line_text(d.line)
    end_column = max(len(text.rstrip()) + 1, d.column + 1)
    return client_range(mapper, d.line, d.column, d.line, end_column)


def path_to_uri(path: str) -> str:
    return Path(os.path.realpath(path)).as_uri()


def _related(
    d: Diagnostic, mapper: PositionMapper, document_path: str, document_uri: str, cells: Cells | None = None
) -> list[types.DiagnosticRelatedInformation] | None:
    entries = d.data.get("related")
    if not isinstance(entries, (list, tuple)):
        return None
    found: list[types.DiagnosticRelatedInformation] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        try:
            path, line, column = str(entry["path"]), int(entry["line"]), int(entry["column"])
        except (KeyError, TypeError, ValueError):
            continue
        cell = cells.get(entry["cell"]) if cells is not None and isinstance(entry.get("cell"), int) else None
        if cell is not None and path == document_path:
            uri, at = cell[0], cell[1].to_client(line, column)  # another cell of the notebook (or this one)
        elif path == document_path:
            uri, at = document_uri, mapper.to_client(line, column)
        else:
            # Another file's text is not at hand; code points equal UTF-16 units for ASCII.
            uri, at = path_to_uri(path), (max(0, line - 1), max(0, column - 1))
        position = types.Position(*at)
        found.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=types.Range(position, position)),
                message=str(entry.get("message", "")),
            )
        )
    return found or None


def _data(d: Diagnostic, version: int | None) -> dict[str, Any]:
    """What a later code action needs without a second lint: the fix edits (in
    the document's own code-point positions) and the version they apply to."""
    data: dict[str, Any] = {"code": d.code, "line": d.line, "version": version}
    for key in ("fix", "predicted_name", "dynamic"):
        if key in d.data:
            data[key] = d.data[key]
    return data


def to_lsp(
    d: Diagnostic, mapper: PositionMapper, document_path: str, document_uri: str, version: int | None,
    cells: Cells | None = None,
) -> types.Diagnostic:
    """``cells``: in a notebook (``document_path`` the .ipynb), each cell's URI and
    text by cell number, for related locations in other cells."""
    rule = find_rule(d.code)
    return types.Diagnostic(
        range=diagnostic_range(d, mapper),
        message=d.message,
        severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Warning),
        code=d.code,
        code_description=types.CodeDescription(href=rule.help_uri) if rule is not None else None,
        source=SOURCE,
        related_information=_related(d, mapper, document_path, document_uri, cells),
        data=_data(d, version),
    )


def text_edit(edit: Edit, mapper: PositionMapper) -> types.TextEdit:
    return types.TextEdit(
        range=client_range(mapper, edit.line, edit.column, edit.end_line, edit.end_column),
        new_text=edit.content,
    )
