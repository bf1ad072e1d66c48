"""``--verbose``: why the model was unsure where it stayed silent (STYLE.md habit 8).

Two kinds of note, read from the model's events: a function the model ran on its own
(no caller it could see, so its callers' scopes are unknown), and a creation a rule
would have reported had the model been sure, with what made it unsure. Notes go to
stderr, never into a report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from scopelint.config import Config
from scopelint.model import ModelResult
from scopelint.model import events as ev


@dataclass(frozen=True)
class Note:
    path: str  # as the run names the file (the findings' form)
    line: int
    column: int
    text: str
    cell: int | None = None  # in a notebook: the cell, and ``line`` is a line in it

    def render(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{self.line}:{self.column}: note: {self.text}"


def notes_for(result: ModelResult) -> list[Note]:
    """The notes one module's analysis gives, in line order: one per place and kind (a
    layer's several variables, a builder called in a loop: the first, and how many more)."""
    found: dict[tuple[int, int, str], list[Note]] = {}
    for kind, note in _notes(result):
        same = found.setdefault((note.line, note.column, kind), [])
        if note not in same:
            same.append(note)
    out = []
    for key in sorted(found):
        first, more = found[key][0], len(found[key]) - 1
        out.append(first if not more else Note(first.path, first.line, first.column, f"{first.text} (and {more} more here)"))
    return out


def _notes(result: ModelResult) -> Iterator[tuple[str, Note]]:
    for e in result.events:
        if isinstance(e, ev.AnalysedStandalone):
            yield "standalone", Note(result.path, e.node[0], e.node[1], f"`{e.function}()` analysed on its own: {e.reason}")
        elif isinstance(e, ev.VariableCreated) and e.uncertain_because and not e.expects_error:
            pos = e.node if e.local else e.site
            inside = "" if e.local else f" (at {e.path}:{e.node[0]})"
            text = f"`{e.api}` of '{e.predicted_name}'{inside} not reported: {e.uncertain_because}"
            yield f"unsure {e.api}", Note(result.path, pos[0], pos[1], text)


def notes_for_text(text: str, path: str, config: Config) -> list[Note]:
    """Notes for one document held in memory (stdin); none for a notebook's JSON."""
    from scopelint.engine import model_settings
    from scopelint.model import analyze, facts_from_source
    from scopelint.notebook import is_notebook

    if is_notebook(path):
        return []

    facts = facts_from_source(text, path=path, module_name=None, settings=model_settings(config))
    return notes_for(analyze(facts, {})) if facts.error is None else []


def notes_for_files(files: Sequence[str], config: Config, options: object, context: Iterable[str] = ()) -> list[Note]:
    """Notes for ``files``, each analysed with the modules of ``files`` and ``context``
    at hand, as the lint run analysed them (facts come from the cache when it has them).
    A notebook's notes are placed in its cells, as its findings are.

    The notes the lint run's own analysis gave (``options.notes``) are taken as they are:
    only the files it did not analyse (their findings came from the cache) are analysed here."""
    from scopelint import model
    from scopelint.engine import EngineOptions, load_facts, run_phase1
    from scopelint.files import discover
    from scopelint.notebook import is_notebook

    assert isinstance(options, EngineOptions)
    known = options.notes or {}
    if all(f in known for f in files):
        return [note for f in files for note in _placed(known[f], f, is_notebook(f))]
    named = {os.path.realpath(f) for f in files}
    extra = [f for f in discover([str(p) for p in context], config) if os.path.realpath(f) not in named]
    results = load_facts(run_phase1([*files, *extra], config, options), config, options)
    project = {r.facts.module_name: r.facts for r in results if r.facts is not None and r.facts.module_name}
    notes: list[Note] = []
    for result in results:
        facts = result.facts
        if facts is None or facts.error is not None or os.path.realpath(result.path) not in named:
            continue
        try:
            found = known[result.path] if result.path in known else notes_for(model.analyze(facts, project))
            notes.extend(_placed(found, result.path, bool(facts.cells)))
        except Exception:  # per-file boundary, as in the lint run (which reports it)
            continue
    return notes


def _placed(notes: list[Note], path: str, in_cells: bool) -> list[Note]:
    """``path``'s notes as the run prints them: a notebook's in its cells."""
    return _in_cells(notes, path) if in_cells and notes else notes


def _in_cells(notes: list[Note], path: str) -> list[Note]:
    from scopelint.files import read_bytes
    from scopelint.notebook import parse_notebook, relabel_lines

    index = parse_notebook(read_bytes(path)).index
    placed = []
    for note in notes:
        where = index.locate(note.line)
        if where is not None:
            placed.append(Note(note.path, where[1], note.column, relabel_lines(note.text, index), cell=where[0]))
    return placed
