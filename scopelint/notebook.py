"""Jupyter notebooks (nbformat 4) as one Python program, and back to cells.

A notebook is read with the standard library's ``json`` -- never executed,
never with ``nbformat`` (a test-only dependency). Its code cells, in order,
become one *virtual source*: the program a kernel runs top to bottom. IPython
syntax that is not Python is blanked line for line, so every line of the
virtual source is exactly one line of one cell:

* a line magic or shell escape (``%time f()``, ``!pip install x``, ``x = !ls``,
  ``%matplotlib inline``) and a help query (``tf.layers?``) become ``pass`` at
  the same indentation (so a magic inside a ``for`` body keeps the block valid);
* a cell magic (``%%time`` on the first line) is blanked; its body stays Python
  for the magics that run their body as Python (``%%time``, ``%%timeit``,
  ``%%capture``, ``%%prun``, ``%%debug``), and the whole cell is blanked for any
  other (``%%bash``, ``%%writefile``, ``%%html``, ...).

Findings are computed on the virtual source and mapped back with
:class:`NotebookIndex`: cell ``N`` (1-based, counting every cell of the
notebook -- markdown cells too -- so it is ``cells[N-1]`` in the file) and the
line inside that cell (1-based). That is the position the text report prints
(``model.ipynb:cell 3:2:9:``) and the JSON/SARIF reports carry (``cell`` plus
``line``/``column`` inside the cell), as ruff does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

from scopelint.diagnostic import Diagnostic

NOTEBOOK_SUFFIX = ".ipynb"
# Cell magics whose body is Python that IPython runs as such.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_LINE_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:[%!]|[\w.]+\s*=\s*[%!](?!=))")
_HELP = re.compile(r"^(?P<indent>[ \t]*)[\w.]+\?\??\s*$|^(?P<indent2>[ \t]*)\?\??[\w.]+\s*$")


class NotebookError(ValueError):
    """The bytes are not an nbformat-4 notebook; reported as one SL900."""


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


@dataclass(frozen=True)
class CellSpan:
    """One code cell in the virtual source."""

    number: int  # 1-based among all cells of the notebook
    first_line: int  # 1-based line of the virtual source where the cell starts
    line_count: int

    def holds(self, line: int) -> bool:
        return self.first_line <= line < self.first_line + self.line_count


@dataclass(frozen=True)
class NotebookIndex:
    cells: tuple[CellSpan, ...]

    def locate(self, line: int) -> tuple[int, int] | None:
        """Virtual line -> (cell number, line in the cell); None outside every cell."""
        for cell in self.cells:
            if cell.holds(line):
                return cell.number, line - cell.first_line + 1
        return None

    def virtual_line(self, cell_number: int, line: int) -> int | None:
        for cell in self.cells:
            if cell.number == cell_number:
                return cell.first_line + line - 1
        return None

    @property
    def first_lines(self) -> tuple[int, ...]:
        return tuple(cell.first_line for cell in self.cells)


@dataclass(frozen=True)
class Notebook:
    source: str  # the virtual source: the code cells in order, IPython syntax blanked
    index: NotebookIndex


def _blank_ipython(lines: list[str]) -> list[str]:
    if lines and lines[0].startswith("%%"):
        magic = lines[0][2:].split(None, 1)[0] if lines[0][2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        lines = ["", *lines[1:]]
    out: list[str] = []
    continued = False  # inside a backslash-continued or bracketed logical line: not a magic
    depth = 0
    for line in lines:
        match = None if continued or depth else (_LINE_MAGIC.match(line) or _HELP.match(line))
        if match is not None:
            indent = match.group("indent") or (match.groupdict().get("indent2") or "")
            out.append(f"{indent}pass" if line.strip() else "")
            continue
        out.append(line)
        depth = max(0, depth + _bracket_balance(line))
        continued = line.rstrip().endswith("\\")
    return out


def _bracket_balance(line: str) -> int:
    """Rough bracket depth change of a line (strings and comments ignored), so a
    ``%`` that starts a continuation line of a call is not taken for a magic."""
    text = re.sub(r"(['\"]).*?\1", "", line.split("#", 1)[0])
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def _cell_lines(cell: Mapping[str, Any]) -> list[str]:
    source = cell.get("source", "")
    if isinstance(source, list):
        if not all(isinstance(part, str) for part in source):
            raise NotebookError("a cell's source is not a list of strings")
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError("a cell's source is not text")
    return source.splitlines()


def from_cells(cells: Iterable[tuple[int, str]]) -> Notebook:
    """A notebook from its code cells as (cell number, source) pairs, in order
    (the LSP server gets cells as separate documents)."""
    lines: list[str] = []
    spans: list[CellSpan] = []
    for number, text in cells:
        cell_lines = _blank_ipython(text.splitlines())
        # An empty cell still occupies one line, so every cell can be located.
        cell_lines = cell_lines or [""]
        spans.append(CellSpan(number, len(lines) + 1, len(cell_lines)))
        lines.extend(cell_lines)
    return Notebook("".join(line + "\n" for line in lines), NotebookIndex(tuple(spans)))


def parse_notebook(data: bytes | str) -> Notebook:
    """An ``.ipynb`` file's bytes (or text) as a :class:`Notebook`.

    Raises :class:`NotebookError` with a one-line reason for anything that is
    not nbformat 4 JSON. Only code cells count; markdown and raw cells are
    skipped but keep their numbers; a notebook of another language has no code."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not a notebook: not UTF-8 JSON ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not a notebook: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("not a notebook: no 'cells' list")
    if document.get("nbformat") != 4:
        raise NotebookError(f"nbformat {document.get('nbformat')!r} is not supported (nbformat 4 only)")
    language = _language(document)
    if language is not None and language != "python":
        return from_cells(())  # an R or Julia notebook: nothing here is Python
    code: list[tuple[int, str]] = []
    for number, cell in enumerate(document["cells"], start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {number} is not an object")
        if cell.get("cell_type") == "code":
            code.append((number, "\n".join(_cell_lines(cell))))
    return from_cells(code)


def _language(document: Mapping[str, Any]) -> str | None:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    info = metadata.get("language_info")
    name = info.get("name") if isinstance(info, dict) else None
    return name.lower() if isinstance(name, str) else None


# ------------------------------------------------------ findings -> cells --

_LINE_REF = re.compile(r"\b(lines? )(\d+)(?:-(\d+))?\b")


def to_cells(diagnostics: Sequence[Diagnostic], index: NotebookIndex) -> list[Diagnostic]:
    """Findings on a notebook's virtual source, positioned in its cells.

    ``line``/``end_line`` become lines inside the cell and ``cell`` says which;
    related locations in the notebook get a ``cell`` too; a message's own
    ``line N`` references (``created at line 12``) become ``cell 2, line 3``.
    Fix edits are dropped: they are positions in the virtual source, and
    scopelint does not rewrite notebooks."""
    return [_to_cell(d, index) for d in diagnostics]


def _to_cell(d: Diagnostic, index: NotebookIndex) -> Diagnostic:
    where = index.locate(d.line)
    if where is None:
        return d
    cell, line = where
    end_line = d.end_line
    if end_line is not None:
        end = index.locate(end_line)
        end_line = end[1] if end is not None and end[0] == cell else line
    data = {key: value for key, value in d.data.items() if key != "fix"}
    related = data.get("related")
    if isinstance(related, (list, tuple)):
        data["related"] = [_related_to_cell(entry, d.path, index) for entry in related]
    return replace(d, line=line, end_line=end_line, cell=cell, message=relabel_lines(d.message, index), data=data)


def _related_to_cell(entry: Any, path: str, index: NotebookIndex) -> Any:
    if not isinstance(entry, Mapping) or entry.get("path") != path or not isinstance(entry.get("line"), int):
        return entry
    where = index.locate(entry["line"])
    if where is None:
        return entry
    return {**entry, "line": where[1], "cell": where[0], "message": relabel_lines(str(entry.get("message", "")), index)}


def relabel_lines(message: str, index: NotebookIndex) -> str:
    """``line 12`` / ``lines 12-14`` in a message -> ``cell 2, line 3`` / ``cell 2, lines 3-5``
    (scopelint's messages cite positions in the analysed file in exactly these words)."""

    def one(match: re.Match[str]) -> str:
        where = index.locate(int(match.group(2)))
        if where is None:
            return match.group(0)
        cell, line = where
        if match.group(3) is None:
            return f"cell {cell}, {match.group(1)}{line}"
        end = index.locate(int(match.group(3)))
        if end is None or end[0] != cell:
            return match.group(0)
        return f"cell {cell}, {match.group(1)}{line}-{end[1]}"

    return _LINE_REF.sub(one, message)


# ------------------------------------------------------ cells -> findings --

_CELL_REF = re.compile(r"\bcell (\d+), (lines? )(\d+)(?:-(\d+))?\b")


def to_virtual(diagnostics: Sequence[Diagnostic], index: NotebookIndex) -> list[Diagnostic]:
    """The inverse of :func:`to_cells`: findings in a notebook's cells back on its
    virtual source (where ``--dynamic`` matches them with the trace's lines).
    ``to_cells(to_virtual(found, index), index) == found``."""
    return [_to_virtual(d, index) for d in diagnostics]


def _to_virtual(d: Diagnostic, index: NotebookIndex) -> Diagnostic:
    if d.cell is None:
        return d
    line = index.virtual_line(d.cell, d.line)
    if line is None:
        return d
    end_line = None if d.end_line is None else index.virtual_line(d.cell, d.end_line)
    data = dict(d.data)
    related = data.get("related")
    if isinstance(related, (list, tuple)):
        data["related"] = [_related_to_virtual(entry, index) for entry in related]
    return replace(d, line=line, end_line=end_line, cell=None, message=unlabel_lines(d.message, index), data=data)


def _related_to_virtual(entry: Any, index: NotebookIndex) -> Any:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("cell"), int) or not isinstance(entry.get("line"), int):
        return entry
    line = index.virtual_line(entry["cell"], entry["line"])
    if line is None:
        return entry
    moved = {key: value for key, value in entry.items() if key != "cell"}
    return {**moved, "line": line, "message": unlabel_lines(str(entry.get("message", "")), index)}


def unlabel_lines(message: str, index: NotebookIndex) -> str:
    """``cell 2, line 3`` -> ``line 12``: the inverse of :func:`relabel_lines`."""

    def one(match: re.Match[str]) -> str:
        cell = int(match.group(1))
        start = index.virtual_line(cell, int(match.group(3)))
        if start is None:
            return match.group(0)
        end = "" if match.group(4) is None else f"-{index.virtual_line(cell, int(match.group(4)))}"
        return f"{match.group(2)}{start}{end}"

    return _CELL_REF.sub(one, message)
