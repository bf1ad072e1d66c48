"""Entry points: the module body, then each function or method no one in the module called
(a method on an object its ``__init__`` built), callers before what they mention."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.context import BudgetExceeded, Ctx, Frame
from scopelint.model.interpret.calls import Calls, decorator_names
from scopelint.model.interpret.classes import find_method, is_tf_test_case
from scopelint.model.interpret.core import ENTRY_BUDGET
from scopelint.model.interpret.memo import ENTRY_MEMO
from scopelint.model.state import Graph


class EntryPoints(Calls):
    def run_module(self) -> None:
        self._run_entry(lambda: self.exec_block(self.modules[self.main].body))

    def run_main(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """``tf.app.run(main)`` / ``absl.app.run(main)``: parse the flags, then call ``main(argv)``;
        without ``main``, TF calls the ``main`` of the program's own module."""
        main = args[0] if args else kwargs.get("main")
        if main is None or (isinstance(main, v.Lit) and main.value is None):
            main = self.lookup_global(self.main, "main")
        return self.apply(main, [v.Unknown("argv")], {}, node)

    def run_more(self, body: tuple[ir.Stmt, ...]) -> None:
        """Go on running statements in the module's state (a notebook cell run again)."""
        self._run_entry(lambda: self.exec_block(body))

    def run_uncalled_functions(self) -> None:
        """Functions and methods never called from the module body, each in an unknown context
        (in the editor, a run the last edit cannot have changed is re-used: see memo.py)."""
        memo = ENTRY_MEMO.get()
        session = memo.session(self, _functions) if memo is not None else None
        for definition, cls in _callers_first(list(_functions(self.modules[self.main].body))):
            if id(definition) in self.executed:
                continue
            run = functools.partial(self._run_entry, functools.partial(self._run_standalone, definition, cls))
            if session is None:
                run()
            else:
                session.entry(definition, run)
        if session is not None:
            session.finish()

    def _run_standalone(self, definition: ir.FunctionDef, cls: ir.ClassDef | None) -> None:
        """One function no visible caller runs, its parameters unknown. A method runs on an
        object whose ``__init__`` has finished (and, for Keras' ``call``, whose ``build`` ran):
        in the graph state they leave -- variables created, reuse leaked onto the scope it was
        built in, Savers built, ``self``'s attributes set."""
        klass = self.lookup_global(self.main, cls.name) if cls is not None else None
        klass = klass if isinstance(klass, v.Class) and cls is not None and klass.definition is cls else None
        # tf.test.TestCase.setUp resets the default graph: a test method starts from a known, empty one.
        known = klass is not None and is_tf_test_case(klass)
        reason = (_STANDALONE_TEST if known else _STANDALONE_METHOD if klass is not None and definition.params else _STANDALONE
                  ).format(where=self._callers_elsewhere(cls.name if cls is not None else definition.name))
        self.emit(ev.AnalysedStandalone(definition.qualname, definition.pos, reason))
        graph = Graph.fresh(known=known)
        assert graph.root is not None
        self.ctx = Ctx(graph=graph, ns="" if known else "{scope}", vs=graph.root)
        self_value = None
        if klass is not None and definition.params and not decorator_names(definition) & _NO_SELF:
            self_value = v.Instance(klass, partial_knowledge=True)
            # A test method runs after setUp() (which may build what it reuses); other
            # methods after __init__ -- which only matters when the method calls something.
            if known or _calls(definition.body):
                self._construct(klass, definition, self_value, known)
        self._run_body(definition, self.main, self_value, None)

    def _callers_elsewhere(self, name: str) -> str:
        """Why no caller is known: none in the linted tree, or only in other modules of it
        (whose own runs follow it from their calls)."""
        importers = getattr(self.modules, "importers", None)  # project.LazyModules; a plain mapping has none
        others = importers(self.main, name) if importers is not None else []
        if not others:
            return "no caller in the linted tree"
        path_of = getattr(self.modules, "path_unrecorded", self.path_of)  # wording: no dependency on the importers
        shown = ", ".join(path_of(other) for other in others[:3]) + (", ..." if len(others) > 3 else "")
        return f"no caller in this module (it is imported by {shown}, whose runs follow it from their calls)"

    def _construct(self, klass: v.Class, method: ir.FunctionDef, instance: v.Instance, test_case: bool) -> None:
        try:
            for step in _construction(klass, method, test_case):
                self._run_body(*step, instance, klass.definition.pos)
        except BudgetExceeded:
            # The method still runs, on an object built as far as the model followed it.
            reason = f"{klass.definition.name}.__init__ is too long to model before {method.name}()"
            self.events.append(ev.Unresolved(klass.definition.pos, reason))
            self.ctx.graph.complete = False
            self.budget = ENTRY_BUDGET

    def _run_body(self, definition: ir.FunctionDef, module: str, self_value: v.Instance | None, site: ir.Pos | None) -> None:
        """``definition``'s body with unknown arguments; ``site``: the position in this file
        its events are reported at when it lies in another module (an inherited ``__init__``)."""
        env = v.Env(self.modules[module].globals)
        for param in definition.params:
            env.names[param.name] = v.Unknown(f"parameter {param.name}")
        if self_value is not None:
            env.names[definition.params[0].name] = self_value
        if module == self.main:
            self.executed.add(id(definition))
        frame = Frame(env=env, module=module, fid=next(self._fids), self_value=self_value, definition=definition)
        self.stack.append((id(definition), id(None)))  # as call_function keys a module function
        pushed = False
        if module != self.main and site is not None:
            self.push_call(site)
            pushed = True
        try:
            self._with_frame(frame, lambda: self.exec_block(definition.body))
        finally:
            self.stack.pop()
            if pushed:
                self.pop_call()

    def _run_entry(self, run: Callable[[], None]) -> None:
        self.budget = ENTRY_BUDGET
        self.call_sites, self.call_modules, self.call_loops, self.call_names = [], [], [], []
        saved = self.ctx
        try:
            run()
        except BudgetExceeded:
            self.events.append(ev.Unresolved(ir.NO_POS, "analysis budget exhausted; the rest of this body is not modelled"))
        except RecursionError:
            self.events.append(ev.Unresolved(ir.NO_POS, "nesting too deep to model"))
        finally:
            self.ctx = saved if saved.graph.root is not None else self.ctx


_NO_SELF = frozenset({"staticmethod", "classmethod"})
_STANDALONE = "{where}, so the scopes and reuse its callers give it are unknown here"
_STANDALONE_METHOD = ("{where}: run on an object whose __init__ has finished, "
                      "with the scopes, reuse and arguments its callers give it unknown here")
_STANDALONE_TEST = "a tf.test.TestCase method nothing here calls: run as the test runner does, in a fresh graph at the root scope"


def _construction(klass: v.Class, method: ir.FunctionDef, test_case: bool) -> Iterator[tuple[ir.FunctionDef, str]]:
    """What ran on an object before ``method`` could be called: ``__init__``, then for
    Keras' ``call`` the ``build`` its first ``__call__`` runs; for a test method of a
    ``tf.test.TestCase``, the ``setUp`` the runner calls first (a TestCase's own
    ``__init__`` only stores the method name)."""
    steps = ["setUp"] if test_case else ["__init__", "build"] if method.name == "call" else ["__init__"]
    for name in steps:
        found = find_method(klass, name)
        if found is not None and found[0] is not method and not decorator_names(found[0]) & _NO_SELF and found[0].params:
            yield found[0], found[1].module


def _calls(node: Any) -> bool:
    """``node`` calls something: a method that calls nothing (a getter) needs no object built."""
    if isinstance(node, ir.Call):
        return True
    if isinstance(node, tuple):
        return any(_calls(item) for item in node)
    return any(_calls(child) for child in ir.children(node))


Found = tuple[ir.FunctionDef, ir.ClassDef | None]


def _callers_first(found: list[Found]) -> list[Found]:
    """The order the functions run on their own in: each before the functions it mentions
    (by name: ``helper(x)``, ``self.body``, ``map_fn(step, ...)``), so that a caller's run
    reaches them first and they need no run of their own -- one that would tell a context
    they never have, and repeat the caller's work (a fifth of a cold run of the speed corpus).
    Of the functions nothing here mentions, the last defined runs first: code calls what is
    defined above it, and a base class in another module may call a method through ``self``
    (tensor2tensor's ``T2TModel.infer`` runs a subclass's ``body``). A function mentioned
    only by one that never reaches it still runs on its own, after."""
    by_name: dict[str, list[int]] = {}
    for index, (definition, _) in enumerate(found):
        by_name.setdefault(definition.name, []).append(index)
    mentions = [[other for name in sorted(by_name.keys() & definition.spelled) for other in by_name[name]
                 if other != index] for index, (definition, _) in enumerate(found)]
    mentioned = {other for listed in mentions for other in listed}
    unmentioned = [index for index in range(len(found)) if index not in mentioned]
    # Reverse postorder of a depth-first walk (iterative: a long chain of helpers must not
    # reach Python's recursion limit); the walk starts from the first-defined, so it comes last.
    finished: list[int] = []
    seen: set[int] = set()
    for start in unmentioned + list(range(len(found))):
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(mentions[start]))]
        while stack:
            index, pending = stack[-1]
            following = next((other for other in pending if other not in seen), None)
            if following is None:
                stack.pop()
                finished.append(index)
            else:
                seen.add(following)
                stack.append((following, iter(mentions[following])))
    return [found[index] for index in reversed(finished)]


def _functions(body: tuple[ir.Stmt, ...], cls: ir.ClassDef | None = None) -> Iterator[Found]:
    for statement in body:
        if isinstance(statement, ir.FunctionDef):
            yield statement, cls
        elif isinstance(statement, ir.ClassDef):
            yield from _functions(statement.body, statement)
        elif isinstance(statement, ir.If):
            yield from _functions(statement.body, cls)
            yield from _functions(statement.orelse, cls)

