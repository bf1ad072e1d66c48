"""Calls that change nothing, answered from a memo instead of run again.

A run follows every call into its body, so a helper such as tensor2tensor's
``shape_list(x)`` or ``cast_like(x, y)`` runs thousands of times in one module's
analysis -- a sixth of all the statements the model executes on real trees -- and
each time does the same: reads its arguments, computes a value, creates nothing.

A call of a module-level function (no closure, no ``self``) whose arguments are all
immutable values (:data:`_KEYED`) is recorded the first time: if it did nothing a
later statement could see -- no event, no graph, scope, instance or flag touched
(:attr:`PureCalls.impure` unchanged: each interpreter path that reads or writes
such state counts itself there), no global read that holds a mutable object --
the next call with equal arguments is answered from the record:

* its value, rebuilt: a fresh copy of each value the body made (so two calls still
  give two objects, which is what a branch merge compares), the caller's own object
  for an argument passed through, the same object for a global read;
* what the body did that the run still needs: the statements it ran (the entry's
  budget), the depth it reached and the functions it called (the recursion and
  depth guards it passed), the functions of the analysed module it ran (they are
  not run again on their own).

A record is keyed on :attr:`PureCalls.epoch` too, which moves whenever a module's
globals or the command-line flags change, so nothing it read can have changed.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Hashable, Iterable

from scopelint.model import shapes
from scopelint.model import values as v

# Arguments a record is keyed on: immutable, equal by value.
_KEYED = frozenset({v.Unknown, v.Sym, v.Api, v.Inert, v.Tensor, shapes.Initializer, shapes.Shape, shapes.Dim, v.Builtin})
# Values a body may read from a module's globals without its result depending on what
# later statements do (code, and immutable values).
STABLE = _KEYED | {v.Lit, v.Function, v.Class, v.Module, shapes.SliceValue}
_COPIED = _KEYED | {v.Lit, v.Module}
MISS = object()


@dataclasses.dataclass
class _Recording:
    """What a body being recorded has done so far (nested calls fold theirs in)."""

    deepest: int  # the deepest stack a call inside it was made at
    callees: set[tuple[int, int]] = dataclasses.field(default_factory=set)
    executed: list[int] = dataclasses.field(default_factory=list)
    globals_read: dict[int, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class _Record:
    value: Any  # a template: see _template
    statements: int
    depth: int  # how much deeper than its own call the body's calls went
    callees: frozenset[tuple[int, int]]
    executed: tuple[int, ...]
    globals_read: tuple[tuple[int, Any], ...]


class PureCalls:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.impure = 0  # moved by every path that touches state a later statement can see
        self.epoch = 0  # moved whenever a module's globals or the flags change
        self.recordings: list[_Recording] = []
        self._records: dict[Hashable, _Record | None] = {}  # None: that call was not pure
        self._impure_functions: dict[int, int] = {}  # definition -> calls of it found impure

    def key(self, definition: Any, args: list[Any], kwargs: dict[str, Any], in_try: bool) -> Hashable | None:
        """The record's key for this call; None when it cannot have one. ``in_try``: a
        ``raise`` in the body may be caught (a branch that raises is then not dropped)."""
        if self._impure_functions.get(id(definition), 0) >= _GIVE_UP:
            return None
        parts: list[Hashable] = [id(definition), self.epoch, in_try]
        for value in args:
            part = _keyed(value)
            if part is None:
                return None
            parts.append(part)
        for name, value in kwargs.items():
            part = _keyed(value)
            if part is None:
                return None
            parts.append((name, part))
        passed = [*args, *kwargs.values()]
        if len(passed) > 1:
            # f(x, x) and f(x, y) with y equal to x: a body returning its second argument
            # gives the first one's object in one call and not in the other.
            parts.append(tuple(next(j for j, other in enumerate(passed) if other is value) for value in passed))
        return tuple(parts)

    def read(self, value: Any) -> None:
        """A body read ``value`` from a module's globals or an enclosing function (inlined in
        ``Names.lookup``: change both)."""
        if type(value) not in STABLE:
            self.impure += 1
        elif self.recordings:
            self.recordings[-1].globals_read[id(value)] = value

    def entered(self, call: tuple[int, int], depth: int, executed: int | None) -> None:
        """A call passed the guards at stack depth ``depth`` (``executed``: a function of the analysed module)."""
        recording = self.recordings[-1]
        recording.callees.add(call)
        if depth > recording.deepest:
            recording.deepest = depth
        if executed is not None:
            recording.executed.append(executed)

    def replay(self, key: Hashable, args: list[Any], kwargs: dict[str, Any], host: Any) -> Any:
        """The recorded call's value, with what it did applied to ``host``; MISS if there is none or it does not apply."""
        record = self._records.get(key, MISS)
        if record is MISS or record is None:
            return MISS
        assert isinstance(record, _Record)
        depth = len(host.stack)
        if depth + record.depth >= host.max_depth or host.budget < record.statements:
            return MISS  # the guards would stop it this time: run it
        if any(call in host.stack for call in record.callees):
            return MISS
        host.budget -= record.statements
        host.executed.update(record.executed)
        self._fold_into_outer(record.callees, depth + record.depth, record.executed, record.globals_read)
        return _build(record.value, args, kwargs, {})

    def record(self, key: Hashable, definition: Any, args: list[Any], kwargs: dict[str, Any], host: Any,
               run: Callable[[], Any]) -> Any:
        """Run the call, keeping a record of it when it turns out pure."""
        depth = len(host.stack)
        recording = _Recording(deepest=depth)
        impure, events, budget = self.impure, len(host.events), host.budget
        self.recordings.append(recording)
        try:
            value = run()
        finally:
            self.recordings.pop()
            self._fold_into_outer(recording.callees, recording.deepest, recording.executed, recording.globals_read.items())
        template = _template(value, args, kwargs, recording.globals_read) if self.impure == impure and len(host.events) == events else None
        if template is None:
            self._records[key] = None
            self._impure_functions[id(definition)] = self._impure_functions.get(id(definition), 0) + 1
        else:
            self._records[key] = _Record(template, budget - host.budget, recording.deepest - depth, frozenset(recording.callees),
                                         tuple(recording.executed), tuple(recording.globals_read.items()))
        return value


    def _fold_into_outer(self, callees: Iterable[tuple[int, int]], deepest: int, executed: Iterable[int],
                         globals_read: Iterable[tuple[int, Any]]) -> None:
        """A call inside the innermost recording (run, or answered from its record) did this."""
        if self.recordings:
            outer = self.recordings[-1]
            outer.callees.update(callees)
            outer.deepest = max(outer.deepest, deepest)
            outer.executed.extend(executed)
            outer.globals_read.update(globals_read)


# A function found impure this many times (with different arguments) is not recorded
# again: most builders always create variables.
_GIVE_UP = 3


def _keyed(value: Any) -> Hashable | None:
    kind = type(value)
    if kind is v.Lit:
        # 1, 1.0 and True are equal in Python but not to the model; the origin of a
        # ``True`` (where a reuse request came from) is part of what the body sees.
        inner = value.value
        return (kind, type(inner), repr(inner) if type(inner) is float else inner, value.origin)
    if kind in _KEYED:
        return value  # type: ignore[no-any-return]
    if kind is v.Module:
        return (kind, value.name)
    if kind is v.Variable or (kind is v.Function and value.closure is None):
        # By identity (the key holds the object, so its id is not reused): neither changes
        # once made, and what a body does with one is counted where it happens (a variable's
        # name compared, a method called, a function's own body run). A closure is not one:
        # the function that made it may rebind the names it reads between two calls.
        return value  # type: ignore[no-any-return]
    return None


# Templates: ("arg", i) / ("kwarg", name) the caller's own argument; ("same", obj) an
# object read from the globals; ("copy", slot, obj) a value the body made (one copy per
# slot, so an object that appears twice is one object again); ("seq", slot, items).


def _template(value: Any, args: list[Any], kwargs: dict[str, Any], globals_read: dict[int, Any]) -> Any:
    try:
        return _walk(value, args, kwargs, globals_read, {})
    except _NotRecorded:
        return None


def _walk(item: Any, args: list[Any], kwargs: dict[str, Any], globals_read: dict[int, Any], slots: dict[int, int]) -> Any:
    # A module function, not a closure over itself: a recursive inner function is a cycle
    # (function -> cell -> function) that holds the call's values until the cyclic collector runs.
    for index, passed in enumerate(args):
        if item is passed:
            return ("arg", index)
    for name, passed in kwargs.items():
        if item is passed:
            return ("kwarg", name)
    if id(item) in globals_read:
        return ("same", item)
    kind = type(item)
    if kind in _COPIED:
        return ("copy", slots.setdefault(id(item), len(slots)), item)
    if kind is v.SeqValue:
        if id(item) in slots:
            raise _NotRecorded  # a list reachable twice: rebuilt once it would be two
        slot = slots.setdefault(id(item), len(slots))
        return ("seq", slot, tuple(_walk(element, args, kwargs, globals_read, slots) for element in item.items))
    raise _NotRecorded


class _NotRecorded(Exception):
    pass


def _build(template: Any, args: list[Any], kwargs: dict[str, Any], made: dict[int, Any]) -> Any:
    tag = template[0]
    if tag == "arg":
        return args[template[1]]
    if tag == "kwarg":
        return kwargs[template[1]]
    if tag == "same":
        return template[1]
    if tag == "copy":
        slot, original = template[1], template[2]
        if slot not in made:
            made[slot] = dataclasses.replace(original)  # a new object (a compiled value has no __dict__ to copy)
        return made[slot]
    return v.SeqValue([_build(item, args, kwargs, made) for item in template[2]])
