"""An open buffer's model facts, per keystroke, without parsing and lowering all of it.

Parsing (``ast``) and lowering to the model's IR were half of a keystroke's lint on a
1,000-line file, though an edit touches one or two top-level statements. This keeps the
buffer cut into *chunks* -- runs of whole lines, each holding complete top-level statements
-- with each chunk's syntax tree and IR. An edit re-parses and re-lowers only the chunks
whose lines it changed; the chunks below it keep theirs, moved by the number of lines the
edit added or removed.

Why a chunk parses alone exactly as it does in the file: it starts at a line where a
top-level statement starts in column 0, after a statement that ended on an earlier line,
so CPython's tokenizer is in its initial state there (no open bracket or string, indentation
0) and reads the same tokens; ``ast.parse`` checks nothing across statements. The edited
lines are re-parsed from the start of the first chunk they touch to the end of the last,
and accepted only if that region parses alone, starts its code in column 0 and ends in
the initial state again; anything else (a syntax error, an indented first line that would
continue the statement above, ``barry_as_FLUFL``, form feeds and other characters where
``str.splitlines`` and the tokenizer disagree on lines) is parsed and lowered whole, as the
command line does. The result is the command line's facts for the same text
(``tests/test_lsp_incremental.py`` compares them over many edits of real files), and once
the buffer settles the editor lints it from scratch anyway (see
:class:`scopelint.lsp.documents.Scheduler`).
"""

from __future__ import annotations

import ast
import re
import threading
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Callable

from scopelint.engine import FileResult, analyse_parsed
from scopelint.model import ModelSettings, facts_from_source, ir
from scopelint.model.interpret.memo import EntryMemo, Unit
from scopelint.model.lower import lower_module
from scopelint.pyast import parse
from scopelint.suppressions import find_suppressions

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# Characters str.splitlines (the lowering's column table) breaks lines at and the tokenizer
# does not; and the one future import that changes how Python parses.
_ODD_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _odd(text: str) -> bool:
    return "barry_as_FLUFL" in text or any(odd in text for odd in _ODD_BREAKS)


_CONTINUED = re.compile(r"\\(?:\r\n|\r|\n)\Z")

Tree = Callable[[], ast.Module]


def split_lines(text: str) -> list[str]:
    """Lines as CPython numbers them (``\\r\\n``, ``\\r``, ``\\n``), with their endings."""
    return _LINE.findall(text)


@dataclass
class _Chunk:
    lines: int  # how many lines it spans
    start: int  # its first line (0-based) in the buffer
    body: tuple[ir.Stmt, ...]  # its statements lowered, placed at ``start``
    imports: dict[str, str]  # what lowering it put in the imports table, in order
    nodes: list[ast.stmt]  # its statements' trees, numbered as if it began at ``tree_start``
    tree_start: int
    # The source of its statements (without the comments and blank lines after them) and
    # the lines it spans: the same source lowers to the same IR wherever it stands, moved by
    # whole lines (the model's memo of standalone runs keys on it).
    source: str = ""
    first: int = 0
    last: int = 0


class BufferFacts:
    """One open document's facts, updated edit by edit; safe to call from any thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._lines: list[str] = []
        self._chunks: list[_Chunk] | None = None  # None: the next lint parses everything
        self._key: tuple[str, str | None, ModelSettings, str | None] | None = None
        self.memo = EntryMemo()  # standalone runs of the model this buffer's lints may re-use

    def analyse(
        self, path: str, text: str, settings: ModelSettings, module_name: str | None, parser_check: bool = True
    ) -> tuple[FileResult, ast.Module | Tree | None]:
        """:func:`scopelint.engine.analyse_parsed` for ``text``, from the chunks the
        last call left where it can; the tree then comes as a function (building it
        costs a walk over the buffer, and only fixes need it)."""
        with self.lock:
            lines = split_lines(text)
            if self._chunks is not None and self._key is not None and self._key[:3] == (path, module_name, settings):
                if self._update(lines, text, self._key[3]):
                    return self._result(path, text, settings, module_name), self._tree
            result, tree = analyse_parsed(path, text, settings, module_name, parser_check=parser_check)
            self.memo.know(None)  # these facts' IR is not the chunks'
            facts = result.facts
            if tree is not None and facts is not None and facts.error is None and not _odd(text):
                # The last text that parsed stays the base while the buffer does not (typing).
                self._lines, self._key = lines, (path, module_name, settings, facts.package)
                self._chunks = _chunks(tree.body, 0, len(lines), lines, text, facts.package)
            return result, tree

    def _update(self, lines: list[str], text: str, package: str | None) -> bool:
        """Re-parse and re-lower the chunks the edit touched; False: not possible here."""
        chunks, old = self._chunks, self._lines
        assert chunks is not None
        if _odd(text):
            return False
        limit = min(len(old), len(lines))
        prefix = 0
        while prefix < limit and old[prefix] == lines[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[-1 - suffix] == lines[-1 - suffix]:
            suffix += 1
        delta = len(lines) - len(old)
        if prefix == len(old) and delta == 0:
            return True
        first, last = _touched(chunks, prefix, len(old) - suffix)
        start = chunks[first].start if first < len(chunks) else len(old)
        end = (chunks[last - 1].start + chunks[last - 1].lines if last > first else start) + delta
        if end < start or end < prefix:
            return False
        fresh = _region(lines, start, end, text, package)
        if fresh is None:
            return False
        for chunk in chunks[last:]:
            _move(chunk, delta)
        chunks[first:last] = fresh
        self._lines = lines
        return True

    def _result(self, path: str, text: str, settings: ModelSettings, module_name: str | None) -> FileResult:
        assert self._chunks is not None
        imports: dict[str, str] = {}
        body: list[ir.Stmt] = []
        units: list[Unit] = []
        for chunk in self._chunks:
            body.extend(chunk.body)
            imports.update(chunk.imports)  # the same assignments, in the same order, as one walk
            units.extend(Unit(statement, (chunk.source, index), chunk.first, chunk.last) for index, statement in enumerate(chunk.body))
        self.memo.know(units)
        # The package, the extractors' facts (from the chunks' trees, joined only when an
        # extractor reads them) and the rest from the model itself (an empty tree lowers to
        # nothing); the body and imports are the chunks'.
        empty = ast.Module(body=[], type_ignores=[])
        base = facts_from_source(text, path=path, module_name=module_name, settings=settings, tree=empty,
                                 extractor_tree=self._tree)
        facts = replace(base, body=tuple(body), imports=tuple(imports.items()))
        return FileResult(path=path, facts=facts, suppressions=find_suppressions(text))

    def _tree(self) -> ast.Module:
        """What ``ast.parse`` gives for the text of the last :meth:`analyse`, from the chunks'
        trees (numbered again only where an edit above moved them)."""
        with self.lock:
            nodes: list[ast.stmt] = []
            for chunk in self._chunks or ():
                if chunk.tree_start != chunk.start:
                    for node in chunk.nodes:
                        ast.increment_lineno(node, chunk.start - chunk.tree_start)
                    chunk.tree_start = chunk.start
                nodes.extend(chunk.nodes)
            return ast.Module(body=nodes, type_ignores=[])


def _touched(chunks: list[_Chunk], begin: int, end: int) -> tuple[int, int]:
    """The chunks [first, last) that old lines [begin, end) lie in -- for a pure
    insertion (begin == end), the one it lands in -- and the one before them: a line
    edited or added at the top of a chunk may continue the statement above (an
    indented line after a function is its body)."""
    first = last = None
    for index, chunk in enumerate(chunks):
        low, high = chunk.start, chunk.start + chunk.lines
        if low <= max(begin, end - 1) and (begin < high or (begin == high and index == len(chunks) - 1)):
            first = index if first is None else first
            last = index + 1
    if first is None or last is None:  # an empty buffer: everything is new
        return 0, len(chunks)
    return max(0, first - 1), last


def _region(lines: list[str], start: int, end: int, text: str, package: str | None) -> list[_Chunk] | None:
    """Chunks for new lines [start, end), or None when they do not parse alone as the
    start of a module (see the module docstring)."""
    source = "".join(lines[start:end])
    if end < len(lines) and _CONTINUED.search(source):
        return None  # a backslash would join the next chunk's first line to this region
    try:
        tree = parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in tree.body:
        ast.increment_lineno(node, start)
    try:
        return _chunks(tree.body, start, end, lines, text, package)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def _chunks(nodes: list[ast.stmt], start: int, end: int, lines: list[str], text: str, package: str | None) -> list[_Chunk]:
    """Lines [start, end) of ``text`` cut before each top-level statement that begins
    below the end of the one before (``a = 1; b = 2`` stay together), each lowered."""
    groups: list[list[ast.stmt]] = []
    for node in nodes:
        if groups and _first_line(node) <= (groups[-1][-1].end_lineno or groups[-1][-1].lineno):
            groups[-1].append(node)
        else:
            groups.append([node])
    bounds = [start] + [_first_line(group[0]) - 1 for group in groups[1:]] + [end]
    out: list[_Chunk] = []
    for index, group in enumerate(groups or [[]]):
        low, high = bounds[index], bounds[index + 1]
        body, imports = lower_module(text, package, ast.Module(body=group, type_ignores=[]))
        first = _first_line(group[0]) if group else 0
        last = max((node.end_lineno or node.lineno for node in group), default=0)
        out.append(_Chunk(high - low, low, body, imports, group, low, "".join(lines[first - 1:last]) if group else "", first, last))
    return [c for c in out if c.lines or c.body]


def _move(chunk: _Chunk, delta: int) -> None:
    if delta:
        chunk.start += delta
        chunk.first += delta
        chunk.last += delta
        chunk.body = _shifted(chunk.body, delta)


def _plans() -> dict[type, tuple[str, ...]]:
    """For each IR class, the fields that can hold a position (scalars cannot)."""
    plans: dict[type, tuple[str, ...]] = {}
    for kind in vars(ir).values():
        if isinstance(kind, type) and is_dataclass(kind) and kind.__module__ == ir.__name__:
            plans[kind] = tuple(f.name for f in fields(kind) if f.type not in ("str", "int", "bool", "str | None"))
    return plans


_PLANS = _plans()


def _shifted(value: Any, delta: int) -> Any:
    """IR ``value`` with every position ``delta`` lines further down (a position on line
    0 -- none -- stays); what holds no position is returned as it is, not copied."""
    kind = type(value)
    if kind is tuple:
        for index, item in enumerate(value):
            moved = _shifted(item, delta)
            if moved is not item:
                return (*value[:index], moved, *(_shifted(rest, delta) for rest in value[index + 1 :]))
        return value
    plan = _PLANS.get(kind)
    if not plan:
        return value
    changes: dict[str, Any] = {}
    for name in plan:
        item = getattr(value, name)
        if name == "pos":
            line, column, end_line, end_column = item
            if line or end_line:
                changes[name] = (line + delta if line else line, column, end_line + delta if end_line else end_line, end_column)
            continue
        moved = _shifted(item, delta)
        if moved is not item:
            changes[name] = moved
    if not changes:
        return value
    # A copy with the moved fields (frozen IR has no __post_init__ to run again).
    copy = object.__new__(kind)
    copy.__dict__.update(value.__dict__, **changes)
    return copy
