"""A notebook open in the editor: its cells arrive as separate text documents
(notebook document sync); scopelint lints and describes them as one program
(:mod:`scopelint.notebook`) and hands each cell what lies in it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from lsprotocol import types
from pygls import uris
from pygls.workspace import TextDocument, Workspace

from scopelint.diagnostic import Diagnostic
from scopelint.lsp.documents import Snapshot
from scopelint.model import VariableInfo
from scopelint.notebook import Notebook, from_cells


@dataclass(frozen=True)
class NotebookView:
    """One version of an open notebook, as scopelint reads it."""

    uri: str
    version: int
    path: str  # the .ipynb path on disk, or a placeholder
    on_disk: bool
    program: Notebook  # the code cells in order, as one program
    cell_uris: Mapping[int, str]  # cell number (1-based, every cell counted) -> its document's URI
    texts: Mapping[str, str]  # cell URI -> its text

    @property
    def snapshot(self) -> Snapshot:
        """The notebook as one document (its config; dynamic mode runs its file)."""
        return Snapshot(self.uri, self.path, self.program.source, self.version, self.on_disk)

    def number_of(self, cell_uri: str) -> int | None:
        return next((number for number, uri in self.cell_uris.items() if uri == cell_uri), None)


def view(workspace: Workspace, notebook_uri: str) -> NotebookView | None:
    notebook = workspace.get_notebook_document(notebook_uri=notebook_uri)
    if notebook is None:
        return None
    code: list[tuple[int, str]] = []
    cell_uris: dict[int, str] = {}
    texts: dict[str, str] = {}
    for number, cell in enumerate(notebook.cells, start=1):
        cell_uris[number] = cell.document
        document = workspace.text_documents.get(cell.document)
        text = document.source if isinstance(document, TextDocument) else ""
        texts[cell.document] = text
        if cell.kind == types.NotebookCellKind.Code and isinstance(document, TextDocument):
            code.append((number, text))
    on_disk = notebook_uri.startswith("file:")
    path = (uris.to_fs_path(notebook_uri) or notebook_uri) if on_disk else f"<{notebook_uri}>"
    return NotebookView(notebook_uri, notebook.version, path, on_disk, from_cells(code), cell_uris, texts)


def view_of_cell(workspace: Workspace, cell_uri: str) -> NotebookView | None:
    """The notebook a cell document belongs to; None for a plain text document."""
    notebook = workspace.get_notebook_document(cell_uri=cell_uri)
    return view(workspace, notebook.uri) if notebook is not None else None


def findings_by_cell(found: Iterable[Diagnostic], notebook: NotebookView) -> dict[str, list[Diagnostic]]:
    """Each cell's findings (every cell present, so a cleared cell is published empty)."""
    by_cell: dict[str, list[Diagnostic]] = {uri: [] for uri in notebook.cell_uris.values()}
    for diagnostic in found:
        uri = notebook.cell_uris.get(diagnostic.cell or 0)
        if uri is not None:
            by_cell[uri].append(diagnostic)
    return by_cell


def variables_in_cell(infos: Iterable[VariableInfo], notebook: NotebookView, cell_uri: str) -> list[VariableInfo]:
    """The program's variable creations written in one cell, at lines of that cell."""
    number = notebook.number_of(cell_uri)
    span = next((cell for cell in notebook.program.index.cells if cell.number == number), None)
    if span is None:
        return []
    shift = span.first_line - 1
    return [
        replace(info, line=info.line - shift, end_line=info.end_line - shift,
                site_line=info.site_line - shift if span.holds(info.site_line) else 0)  # 0: the call is in another cell
        for info in infos
        if info.path == notebook.path and span.holds(info.line)
    ]
