"""Notebooks under ``--dynamic``, on the parent side (no TensorFlow here).

The worker runs a notebook's *virtual source* (:mod:`scopelint.notebook`: the
code cells in order, IPython syntax blanked line for line) compiled under the
notebook's own path, so every frame the trace records is ``(notebook, virtual
line)``. Static findings arrive already moved into their cells; they are moved
back onto the virtual source for :func:`scopelint.dynamic.reconcile.reconcile`,
and everything -- annotated, trace-only -- is moved into cells again after it.
"""

from __future__ import annotations

from typing import Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.dynamic import records
from scopelint.files import FileProblem, read_bytes
from scopelint.notebook import Notebook, NotebookError, is_notebook, parse_notebook, to_cells, to_virtual


class Notebooks:
    """The notebooks of one dynamic run, each read once (as the static pass read it)."""

    def __init__(self) -> None:
        self._read: dict[str, Notebook | None] = {}

    def get(self, path: str) -> Notebook | None:
        """The notebook at ``path`` (any spelling of it); None for a .py file or a broken notebook."""
        if not is_notebook(path):
            return None
        key = records.real(path)
        if key not in self._read:
            try:
                self._read[key] = parse_notebook(read_bytes(path))
            except (FileProblem, NotebookError):
                self._read[key] = None
        return self._read[key]

    def to_virtual(self, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """Findings in cells back on their notebook's virtual source (others unchanged)."""
        out = []
        for d in diagnostics:
            notebook = self.get(d.path) if d.cell is not None else None
            out.append(to_virtual([d], notebook.index)[0] if notebook is not None else d)
        return out

    def to_cells(self, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """Findings on a notebook's virtual source (static ones moved back, trace-only ones) in its cells."""
        out = []
        for d in diagnostics:
            notebook = self.get(d.path) if d.cell is None else None
            out.append(to_cells([d], notebook.index)[0] if notebook is not None else d)
        return sorted(out, key=lambda d: d.sort_key)

    def line_text(self, path: str, line: int) -> str | None:
        """A line of the virtual source (None when ``path`` is no notebook)."""
        notebook = self.get(path)
        if notebook is None:
            return None
        lines = notebook.source.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def locate(self, path: str, line: int) -> tuple[int, int] | None:
        """(cell, line in the cell) of a virtual line of a notebook; None for a .py file."""
        notebook = self.get(path)
        return notebook.index.locate(line) if notebook is not None else None


def outcome_in_cells(trace: records.FileTrace, notebooks: Notebooks) -> tuple[str, int | None, int | None]:
    """(description, cell, line) of how a trace ended: for a notebook, ``raised at cell 3,
    line 2`` and the line inside that cell; for a .py file, its line and no cell."""
    outcome = trace.outcome
    description = outcome.describe()
    where = outcome.where
    if where is None or where[0] != records.real(trace.path):
        return description, None, None
    cell = notebooks.locate(trace.path, where[1])
    if cell is None:
        return description, None, where[1]
    return description.replace(f" at line {where[1]}", f" at cell {cell[0]}, line {cell[1]}", 1), cell[0], cell[1]

