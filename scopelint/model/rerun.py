"""Notebook cells run twice: what a kernel does when a cell is run again.

A notebook's default graph outlives its cells: running a cell a second time
asks TF for the variables its first run created, in the same graph. For each
code cell that creates variables, the model runs the cells above it and the
cell itself, then the cell once more, and reports each creation of the second
run that TF refuses ("already exists") although the first run did not.
Whatever makes a re-run safe -- ``tf.reset_default_graph()`` at the top of the
cell, ``with tf.Graph().as_default():``, ``reuse=tf.AUTO_REUSE``, layers with
default names (``dense_1``) -- is simply what the model already knows of TF.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from scopelint.model import events as ev
from scopelint.model.ir import Pos

if TYPE_CHECKING:
    from scopelint.model import CellFacts, ModuleFacts


@dataclass(frozen=True)
class RerunCollision:
    """A creation that raises "already exists" when its cell is run a second time."""

    api: str
    predicted_name: str
    node: Pos  # the creating call (may be in a builder defined in another cell)
    site: Pos  # the statement of the re-run cell that leads there
    cell_first_line: int  # the cell's first line in the virtual source


def _cell_of(line: int, cells: tuple["CellFacts", ...]) -> int | None:
    found = None
    for index, cell in enumerate(cells):
        if cell.first_line <= line:
            found = index
    return found


def _creating_cells(facts: "ModuleFacts", events: tuple[Any, ...]) -> list["CellFacts"]:
    """Cells whose own statements create variables through variable scopes."""
    wanted: set[int] = set()
    for event in events:
        if isinstance(event, ev.VariableCreated) and event.honours_reuse and event.outcome == ev.CREATED:
            index = _cell_of(event.site[0], facts.cells)
            if index is not None:
                wanted.add(index)
    return [facts.cells[i] for i in sorted(wanted) if facts.cells[i].end > facts.cells[i].start]


def _exists(events: list[Any]) -> Iterator[ev.VariableCreated]:
    for event in events:
        if isinstance(event, ev.VariableCreated) and event.outcome == ev.EXISTS and not event.expects_error:
            yield event


def _rerun(facts: "ModuleFacts", project: Mapping[str, "ModuleFacts"], cell: "CellFacts") -> Iterator[RerunCollision]:
    from scopelint.model.interpret import Interpreter
    from scopelint.model.project import LazyModules

    key = facts.module_name or facts.path
    upto = replace(facts, body=facts.body[: cell.end], cells=())
    interpreter = Interpreter(LazyModules(key, upto, project), key, facts.tf_modules)
    interpreter.run_module()
    already = {(e.node, e.predicted_name) for e in _exists(interpreter.events)}
    mark = len(interpreter.events)
    interpreter.run_more(facts.body[cell.start : cell.end])
    for event in _exists(interpreter.events[mark:]):
        if (event.node, event.predicted_name) not in already and ev.is_concrete(event.predicted_name):
            yield RerunCollision(event.api, event.predicted_name, event.node, event.site, cell.first_line)


def analyze(facts: "ModuleFacts", project: Mapping[str, "ModuleFacts"], events: tuple[Any, ...]) -> list[RerunCollision]:
    if not facts.cells or facts.error is not None:
        return []
    found: list[RerunCollision] = []
    for cell in _creating_cells(facts, events):
        found.extend(_rerun(facts, project, cell))
    return found


def _register() -> None:
    from scopelint.model import register_extractor

    register_extractor("rerun", lambda tree, source, path: None, analyze)


_register()
