"""Standalone runs an edit cannot have changed, re-used instead of run again (the editor).

Per keystroke the model runs the module body, then every function no one calls in the
module (:meth:`EntryPoints.run_uncalled_functions`), although an edit touched one of
them. An :class:`EntryMemo` -- one per open buffer, active while the editor lints it --
keeps each such run's results: its events, which functions it ran (they are not run
on their own after it) and the name-scope spellings it recorded for later lookups.

A run is re-used only when nothing it can read differs, which it is keyed on:

* the IR of every top-level statement it can reach: its own, and transitively those that
  bind a module-level name a reached statement mentions (each statement by a *token* the
  editor gives it: the same token is the same IR, moved by whole lines);
* every top-level statement that does something when the module body runs (anything but
  a plain ``def`` or ``class``), in order, and the module's imports;
* the command-line flags and name-scope spellings earlier runs left.

It is not re-used, and runs afresh, when it could see state a run changes: a name it
reaches holds a mutable object after the module body (an instance, a layer, a scope, a
list, a closure); it read another module of the project (whose lazily built globals
and positions this does not track); it changed the module's globals or the flags. The
project, the path and the settings are checked by the caller (:meth:`EntryMemo.active`).

Positions: a run's events hold the lines of the statements it reached. When those moved
(lines inserted above), the events are moved with them, statement by statement; a run whose
strings spell a line (``at line 12``) is re-used only where nothing it reached moved.
"""

from __future__ import annotations

import contextlib
import dataclasses
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterator, Mapping

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.interpret.calls import _TRANSPARENT_DECORATORS, decorator_names
from scopelint.model.interpret.moves import Mover, inside, placed

if TYPE_CHECKING:
    from scopelint.model.interpret.entries import EntryPoints

Functions = Callable[[tuple[ir.Stmt, ...]], Iterator[tuple[ir.FunctionDef, Any]]]


@dataclasses.dataclass(frozen=True)
class Unit:
    """One top-level statement as the editor knows it."""

    statement: ir.Stmt
    token: Hashable  # equal tokens: equal IR but for a shift of whole lines
    first: int  # the lines its source spans (1-based, inclusive)
    last: int


@dataclasses.dataclass(frozen=True)
class _Static:
    """What a statement's IR says, computed once per token."""

    mentions: frozenset[str]  # every name it reads, binds or defines, at any depth
    binds: frozenset[str]  # the module-level names running it binds
    acts: bool  # running it at module level does more than bind a def or class


@dataclasses.dataclass
class _Cached:
    events: tuple[Any, ...]
    firsts: tuple[int, ...]  # the reached statements' first lines when it ran
    spans: tuple[tuple[int, int], ...]  # and the lines they spanned
    shiftable: bool  # every position lies in a reached statement, no string spells a line
    executed: tuple[tuple[int, int], ...]  # (reached statement, function in it) it ran
    prefixed: tuple[tuple[str, tuple[str, ir.Pos]], ...]  # name-scope spellings it recorded


ENTRY_MEMO: ContextVar["EntryMemo | None"] = ContextVar("scopelint_entry_memo", default=None)


class EntryMemo:
    """One buffer's re-usable standalone runs (see the module docstring)."""

    def __init__(self) -> None:
        self._units: tuple[Unit, ...] | None = None
        self._by_id: dict[int, int] = {}
        self._statics: dict[Hashable, _Static] = {}
        self._store: dict[Hashable, _Cached] = {}
        self._context: Hashable = None
        self._keep: Any = None  # what the context names by id() stays alive while it is current
        self.hits = self.runs = 0  # of the last lint (tests read them)

    def know(self, units: list[Unit] | None) -> None:
        """The buffer's top-level statements as the next lint's facts hold them (None: the
        facts are not built from units; nothing is re-used)."""
        self._units = tuple(units) if units is not None else None
        self._by_id = {id(unit.statement): index for index, unit in enumerate(units or ())}

    @contextlib.contextmanager
    def active(self, context: Hashable, keep: Any = None) -> Iterator[None]:
        """Lints in this block use the memo; ``context``: everything else a run reads that
        the interpreter cannot see is the same (path, settings, the project's facts by
        id(), which ``keep`` holds alive). A different context forgets every run."""
        if context != self._context:
            self._store.clear()
            self._context, self._keep = context, keep
        token = ENTRY_MEMO.set(self)
        try:
            yield
        finally:
            ENTRY_MEMO.reset(token)

    def session(self, interpreter: EntryPoints, functions: Functions) -> "_Session | None":
        """For one run of the module the memo knows the body of; None for any other module."""
        body = interpreter.modules[interpreter.main].body
        units = self._units
        if units is None or len(body) != len(units) or any(
                self._by_id.get(id(statement)) != index for index, statement in enumerate(body)):
            return None
        return _Session(self, units, interpreter, functions)

    def static(self, unit: Unit) -> _Static:
        found = self._statics.get(unit.token)
        if found is None:
            found = self._statics[unit.token] = _static(unit.statement)
        return found

    def finish(self, used: dict[Hashable, _Cached], units: tuple[Unit, ...]) -> None:
        """Keep only what this lint used or made (the buffer's runs now)."""
        self._store = used
        tokens = {unit.token for unit in units}
        self._statics = {token: static for token, static in self._statics.items() if token in tokens}


class _Watched(Mapping[str, Any]):
    """The interpreter's modules, noting whether a module besides ``main`` was read."""

    def __init__(self, inner: Mapping[str, Any], main: str) -> None:
        self.inner, self.main, self.other = inner, main, False

    def __getitem__(self, key: str) -> Any:
        if key != self.main:
            self.other = True
        return self.inner[key]

    def get(self, key: str, default: Any = None) -> Any:
        if key != self.main:
            self.other = True
        return self.inner.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.inner

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)

    def __getattr__(self, name: str) -> Any:  # LazyModules.importers and the like
        return getattr(self.inner, name)


class _Session:
    """One module run's use of the memo."""

    def __init__(self, memo: EntryMemo, units: tuple[Unit, ...], interp: EntryPoints, functions: Functions) -> None:
        self.memo, self.units, self.i = memo, units, interp
        self.globals = interp.modules[interp.main].globals.names
        self.used: dict[Hashable, _Cached] = {}
        self.enabled = interp.ctx.graph.root is not None
        statics = [memo.static(unit) for unit in units]
        self.statics = statics
        self.binders: dict[str, list[int]] = {}
        for index, static in enumerate(statics):
            for name in static.binds:
                self.binders.setdefault(name, []).append(index)
        # Which top-level statement each function that may run on its own lies in, and its
        # place among that statement's functions (a position-free name for it).
        self.functions: list[list[ir.FunctionDef]] = []
        self.owner: dict[int, tuple[int, int]] = {}
        for index, unit in enumerate(units):
            found = [definition for definition, _ in functions((unit.statement,))]
            self.functions.append(found)
            for number, definition in enumerate(found):
                self.owner[id(definition)] = (index, number)
        facts_imports = tuple(interp.modules[interp.main].imports.items())
        self.module_key = (interp.main, interp.path_of(interp.main), interp.tf_modules, facts_imports,
                           tuple(unit.token for unit, static in zip(units, statics) if static.acts))
        self.closures: dict[int, tuple[int, ...]] = {}
        memo.hits = memo.runs = 0

    def entry(self, definition: ir.FunctionDef, run: Callable[[], None]) -> None:
        place = self.owner.get(id(definition))
        if not self.enabled or place is None:
            self._fresh(run, None, ())
            return
        unit, number = place
        closure = self._closure(unit)
        if not self._immutable(closure):
            self._fresh(run, None, closure)
            return
        i = self.i
        key = (self.units[unit].token, number, tuple(self.units[index].token for index in closure), self.module_key,
               tuple((name, value, getattr(value, "origin", None)) for name, value in sorted(i.flag_defaults.items())),
               tuple(sorted(i.tf.names.prefixed.items())))
        cached = self.memo._store.get(key)
        if cached is not None:
            moved = self._moved(cached, closure)
            if moved is not None:
                self._replay(moved, closure)
                self.used[key] = moved
                self.memo.hits += 1
                return
        self._fresh(run, key, closure)

    def finish(self) -> None:
        self.memo.finish(self.used, self.units)

    # -- what a run may read

    def _closure(self, start: int) -> tuple[int, ...]:
        found = self.closures.get(start)
        if found is not None:
            return found
        reached, todo = {start}, [start]
        names: set[str] = set()
        while todo:
            static = self.statics[todo.pop()]
            for name in static.mentions - names:
                names.add(name)
                for binder in self.binders.get(name, ()):
                    if binder not in reached:
                        reached.add(binder)
                        todo.append(binder)
        found = self.closures[start] = tuple(sorted(reached))
        return found

    def _immutable(self, closure: tuple[int, ...]) -> bool:
        """No name the reached statements mention holds, after the module body, an object
        a run can change (and another run then see)."""
        main = self.i.main
        for index in closure:
            for name in self.statics[index].mentions:
                value = self.globals.get(name)
                if value is not None and not _is_immutable(value, main):
                    return False
        return True

    # -- running afresh, and remembering

    def _fresh(self, run: Callable[[], None], key: Hashable, closure: tuple[int, ...]) -> None:
        i = self.i
        self.memo.runs += 1
        events_before, executed_before = len(i.events), set(i.executed)
        prefixed_before, flags_before = dict(i.tf.names.prefixed), dict(i.flag_defaults)
        globals_before = dict(self.globals)
        watched = _Watched(i.modules, i.main)
        i.modules = watched
        try:
            run()
        finally:
            i.modules = watched.inner
        if not _same(globals_before, self.globals):
            self.enabled = False  # later runs may read what this one bound: none is re-used
            return
        if key is None or watched.other or not _same(flags_before, i.flag_defaults):
            return
        prefixed = tuple((name, value) for name, value in i.tf.names.prefixed.items() if prefixed_before.get(name) != value)
        executed = []
        for added in i.executed - executed_before:
            place = self.owner.get(added)
            if place is None:
                continue  # a nested function, a lambda: never an entry point
            if place[0] not in closure:
                return  # it reached a statement the closure does not hold: not keyed soundly
            executed.append((closure.index(place[0]), place[1]))
        events = tuple(i.events[events_before:])
        spans = tuple((self.units[index].first, self.units[index].last) for index in closure)
        shiftable = placed(events, spans)
        if shiftable is None or not all(inside(value[1], spans) for _, value in prefixed):
            return  # an event the memo cannot read, or a position outside what it reached
        firsts = tuple(self.units[index].first for index in closure)
        self.used[key] = _Cached(events, firsts, spans, shiftable, tuple(sorted(executed)), prefixed)

    # -- re-using

    def _moved(self, cached: _Cached, closure: tuple[int, ...]) -> _Cached | None:
        """``cached`` with its positions where the reached statements are now; None when they
        moved and its positions cannot follow them."""
        firsts = tuple(self.units[index].first for index in closure)
        if firsts == cached.firsts:
            return cached
        if not cached.shiftable:
            return None
        deltas = [new - old for new, old in zip(firsts, cached.firsts)]
        move = Mover(cached.spans, deltas)
        spans = tuple((first + delta, last + delta) for (first, last), delta in zip(cached.spans, deltas))
        return _Cached(tuple(move.event(event) for event in cached.events), firsts, spans, True, cached.executed,
                       tuple((name, (value[0], move.pos(value[1]))) for name, value in cached.prefixed))

    def _replay(self, cached: _Cached, closure: tuple[int, ...]) -> None:
        i = self.i
        i.events.extend(cached.events)
        for ordinal, number in cached.executed:
            i.executed.add(id(self.functions[closure[ordinal]][number]))
        i.tf.names.prefixed.update(cached.prefixed)


def _same(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return len(before) == len(after) and all(after.get(name, _same) is value for name, value in before.items())


_FROZEN = (v.Api, v.Inert, v.Sym, v.Unknown, v.Builtin, v.Tensor, v.Module)


def _is_immutable(value: Any, main: str) -> bool:
    """``value`` cannot change while functions run (nothing the model does to it persists)."""
    if isinstance(value, _FROZEN):
        return True
    if isinstance(value, v.Lit):  # its origin: a position of this module, moved with it
        return value.origin is None or value.origin[0] == main
    if isinstance(value, v.Function):  # a module function (a closure may hold objects)
        return value.closure is None and value.bound_self is None and value.module == main
    if isinstance(value, v.Class):
        return value.module == main
    return False


# -- what a statement's IR says


def _static(statement: ir.Stmt) -> _Static:
    mentions: set[str] = set()
    _names(statement, mentions)
    binds: set[str] = set()
    _binds(statement, binds)
    return _Static(frozenset(mentions), frozenset(binds), _acts(statement))


def _names(node: Any, out: set[str]) -> None:
    if isinstance(node, (ir.Name, ir.TargetName)):
        out.add(node.id)
        return
    if isinstance(node, (ir.FunctionDef, ir.ClassDef, ir.Param)):
        out.add(node.name)
    for child in ir.children(node):
        _names(child, out)


def _binds(node: Any, out: set[str]) -> None:
    """Names bound in the namespace ``node`` runs in (not inside the functions and classes it defines)."""
    if isinstance(node, ir.TargetName):
        out.add(node.id)
        return
    if isinstance(node, (ir.FunctionDef, ir.ClassDef)):
        out.add(node.name)
        return
    for child in ir.children(node):
        _binds(child, out)


def _acts(statement: ir.Stmt) -> bool:
    """Running ``statement`` in the module body does more than bind a name to a function
    or class (a decorator the model follows runs; a base class is computed by a call)."""
    if isinstance(statement, ir.FunctionDef):
        return bool(decorator_names(statement) - _TRANSPARENT_DECORATORS)
    if isinstance(statement, ir.ClassDef):
        return not all(_plain(base) for base in statement.bases)
    return True


def _plain(expr: ir.Expr) -> bool:
    while isinstance(expr, ir.Attr):
        expr = expr.value
    return isinstance(expr, ir.Name)


