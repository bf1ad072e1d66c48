"""Entry points: the module body, then each function or method no one in the module called."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterator

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.context import BudgetExceeded, Ctx, Frame
from scopelint.model.interpret.calls import decorator_names
from scopelint.model.interpret.classes import is_tf_test_case
from scopelint.model.interpret.core import ENTRY_BUDGET, Core
from scopelint.model.state import Graph


class EntryPoints(Core):
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
        """Functions and methods never called from the module body, each in an unknown context."""
        for definition, cls in _functions(self.modules[self.main].body):
            if id(definition) in self.executed:
                continue
            self._run_entry(functools.partial(self._run_standalone, definition, cls))

    def _run_standalone(self, definition: ir.FunctionDef, cls: ir.ClassDef | None) -> None:
        # tf.test.TestCase.setUp resets the default graph: a test method starts from a known, empty one.
        klass = self.lookup_global(self.main, cls.name) if cls is not None else None
        known = isinstance(klass, v.Class) and is_tf_test_case(klass)
        graph = Graph.fresh(known=known)
        assert graph.root is not None
        self.ctx = Ctx(graph=graph, ns="" if known else "{scope}", vs=graph.root)
        env = v.Env(self.modules[self.main].globals)
        for param in definition.params:
            env.names[param.name] = v.Unknown(f"parameter {param.name}")
        self_value = None
        if cls is not None and definition.params and "staticmethod" not in decorator_names(definition):
            klass = self.lookup_global(self.main, cls.name)
            if isinstance(klass, v.Class):
                self_value = v.Instance(klass, partial_knowledge=True)
                env.names[definition.params[0].name] = self_value
        frame = Frame(env=env, module=self.main, fid=next(self._fids), self_value=self_value)
        self._with_frame(frame, lambda: self.exec_block(definition.body))

    def _run_entry(self, run: Callable[[], None]) -> None:
        self.budget = ENTRY_BUDGET
        self.call_sites, self.call_modules = [], []
        saved = self.ctx
        try:
            run()
        except BudgetExceeded:
            self.events.append(ev.Unresolved(ir.NO_POS, "analysis budget exhausted; the rest of this body is not modelled"))
        except RecursionError:
            self.events.append(ev.Unresolved(ir.NO_POS, "nesting too deep to model"))
        finally:
            self.ctx = saved if saved.graph.root is not None else self.ctx


def _functions(body: tuple[ir.Stmt, ...], cls: ir.ClassDef | None = None) -> Iterator[tuple[ir.FunctionDef, ir.ClassDef | None]]:
    for statement in body:
        if isinstance(statement, ir.FunctionDef):
            yield statement, cls
        elif isinstance(statement, ir.ClassDef):
            yield from _functions(statement.body, statement)
        elif isinstance(statement, ir.If):
            yield from _functions(statement.body, cls)
            yield from _functions(statement.orelse, cls)

