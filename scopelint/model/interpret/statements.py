"""Statements: blocks, ``with``, loops, branches (forked and merged), ``try``, assignment."""

from __future__ import annotations

import functools
from typing import Any, Callable

from scopelint.model import events as ev
from scopelint.model import ir, shapes
from scopelint.model import values as v
from scopelint.model.context import BREAK, CONTINUE, NO_EXIT, RETURN, BudgetExceeded
from scopelint.model.interpret.core import MAX_UNROLL, Core
from scopelint.model.pyops import join_values, loop_symbol, unpack
from scopelint.model.state import Graph

_EXPECTED_ERRORS = frozenset({"ValueError", "Exception", "BaseException", "StandardError"})
_ABSENT = object()


def _joined(env_a: dict[str, Any], env_b: dict[str, Any]) -> dict[str, Any]:
    """The names after both branches of an ``if``: a value both left is kept, others joined
    (a name one branch bound keeps its value there: ``join_values(x, None)`` is ``x``).
    Most names neither branch rebound: one copy of ``env_a`` and a pass over ``env_b``."""
    joined = dict(env_a)
    for name, value in env_b.items():
        if joined.get(name, _ABSENT) is not value:
            joined[name] = join_values(env_a.get(name), value)
    return joined


class Statements(Core):
    def exec_block(self, body: tuple[ir.Stmt, ...]) -> None:
        for statement in body:
            if self.frame.returned or self.frame.loop_exit:
                return
            self.budget -= 1
            if self.budget < 0:
                raise BudgetExceeded()
            self.exec_stmt(statement)

    def exec_stmt(self, node: ir.Stmt) -> None:  # noqa: C901 - one dispatch table
        # By exact type (IR classes have no subclasses), commonest first: on tensor2tensor,
        # assignments 404k, ifs 143k, returns 102k, expressions 72k, withs 29k, raises 21k.
        kind = type(node)
        known: Any = node  # an exact type test does not narrow for mypy; isinstance would cost
        if kind is ir.Assign:
            value = self.eval(known.value)
            for target in known.targets:
                self.bind(target, value)
        elif kind is ir.If:
            self.exec_if(known)
        elif kind is ir.Return:
            value = self.eval(known.value) if known.value is not None else v.Lit(None)
            self.frame.retval = value if self.frame.retval is None else join_values(self.frame.retval, value)
            self.frame.returned = True
        elif kind is ir.ExprStmt:
            self.eval(known.value)
        elif kind is ir.With:
            self.pure.impure += 1  # a scope, a graph, a generator: state the rest of the run sees
            self.exec_with(known, 0)
        elif kind is ir.For:
            self.exec_for(known)
        elif kind is ir.Raise:
            self.frame.returned = True
            self.frame.raised = self.try_depth == 0
        elif kind is ir.FunctionDef:
            self.frame.env.names[known.name] = self.decorate(self.make_function(known))
            self._bound_in(self.frame.env)
        elif kind is ir.Assert:
            self.eval(known.test)
        elif kind is ir.Try:
            self.exec_try(known)
        elif kind is ir.Break:
            self.frame.loop_exit = BREAK
        elif kind is ir.ClassDef:
            self.frame.env.names[known.name] = self.make_class(known, self.frame.module)
            self._bound_in(self.frame.env)
        elif kind is ir.While:
            self.eval(known.test)
            self._uncounted(lambda: self.exec_loop([None], lambda _: None, known.body, ()))
        elif kind is ir.Continue:
            self.frame.loop_exit = CONTINUE

    def exec_with(self, node: ir.With, index: int) -> None:
        if index == len(node.items):
            self.exec_block(node.body)
            return
        item = node.items[index]
        context = self.eval(item.context)
        saved = self.ctx
        if isinstance(context, v.Context) and context.kind == "generator":
            try:
                self.enter_generator(context, functools.partial(self._with_body, node, index, item))
            finally:
                self.tf.exit(context, saved)
            return
        bound = self.tf.enter(context, item.context)
        if item.target is not None:
            self.bind(item.target, bound)
        try:
            self.exec_with(node, index + 1)
        finally:
            self.tf.exit(context, saved)

    def _with_body(self, node: ir.With, index: int, item: ir.WithItem, bound: Any) -> None:
        if item.target is not None:
            self.bind(item.target, bound)
        self.exec_with(node, index + 1)

    def exec_for(self, node: ir.For) -> None:
        items = self.iterate(self.eval(node.iter))
        if items is None:
            symbol = [loop_symbol(node.target)]  # one symbolic pass
            self._uncounted(lambda: self.exec_loop(symbol, functools.partial(self.bind, node.target), node.body, node.orelse))
            return
        self.exec_loop(items, functools.partial(self.bind, node.target), node.body, node.orelse)

    def _uncounted(self, run: Callable[[], None]) -> None:
        """A loop run once for any number of iterations: a tensor it reassigns may have the shape
        from before it or from any pass, so only what those agree on stays known."""
        env = self.frame.env.names
        before = dict(env)
        self._bound_in(self.frame.env)
        run()
        env = self.frame.env.names
        for name, value in list(env.items()):
            if value is not before.get(name) and isinstance(value, (v.Tensor, shapes.Dim)) and name in before:
                env[name] = shapes.join(before[name], value) or v.Tensor()

    def exec_loop(self, items: list[Any], bind: Callable[[Any], None], body: tuple[ir.Stmt, ...], orelse: tuple[ir.Stmt, ...]) -> None:
        """Unrolled iterations; ``break`` and ``continue`` end what they end, for certain or maybe."""
        frame = self.frame
        outer_maybe = frame.maybe_loop_exit
        frame.maybe_loop_exit = NO_EXIT
        completed, maybe_broke = True, False
        outer_iterations = frame.iterations
        try:
            for index, item in enumerate(items):
                frame.iterations = (*outer_iterations, index)
                bind(item)
                self.exec_block(body)
                if frame.returned or frame.loop_exit == BREAK:
                    completed = False
                    break
                frame.loop_exit = NO_EXIT
                if frame.maybe_loop_exit == CONTINUE:
                    frame.maybe_loop_exit = NO_EXIT  # the next iteration starts for certain
            maybe_broke = frame.maybe_loop_exit == BREAK
        finally:
            frame.loop_exit, frame.maybe_loop_exit = NO_EXIT, outer_maybe
            frame.iterations = outer_iterations
        if completed and orelse:
            # `else` runs when no break happened: perhaps, if one may have.
            if maybe_broke:
                self.fork(orelse, ())
            else:
                self.exec_block(orelse)

    def exec_if(self, node: ir.If) -> None:
        test = v.truth(self.eval(node.test))
        if test is True:
            self.exec_block(node.body)
        elif test is False:
            self.exec_block(node.orelse)
        else:
            self.fork(node.body, node.orelse)

    def fork(self, left: tuple[ir.Stmt, ...], right: tuple[ir.Stmt, ...]) -> None:
        """Both branches from the same state; what differs afterwards becomes uncertain."""
        graph, frame = self.ctx.graph, self.frame
        # The branches run on the state before the ``if`` (``start`` keeps its dicts), each
        # copying it on its first write (Graph.borrow); each leaves its dicts behind as they are.
        start, env_start = graph.detach(), frame.env.names
        self._bound_in(frame.env)
        outer_journal, outer_certain = self.journal, self.ctx.certain
        outer_maybe = (frame.maybe_returned, frame.maybe_loop_exit)
        # Per branch: the graph, the names and the scopes' reuse it left, its exit and its maybes.
        results: list[tuple[Graph, dict[str, Any], dict[int, Any], int, tuple[bool, int]]] = []
        raised: list[bool] = []
        for branch in (left, right):
            if not branch:
                # An ``if`` without ``else`` (most of them): the branch that does nothing
                # leaves the state before the ``if`` as it was, which nothing else holds.
                results.append((start, env_start, {}, NO_EXIT, outer_maybe))
                raised.append(False)
                continue
            graph.borrow(start)
            frame.env.names = dict(env_start)
            self.journal = []
            frame.returned, frame.loop_exit, frame.raised = False, NO_EXIT, False
            frame.maybe_returned, frame.maybe_loop_exit = outer_maybe
            self.ctx.certain = False
            self.exec_block(branch)
            ends = {id(scope): (scope, scope.reuse, scope.leaked_from) for scope, _, _ in self.journal}
            results.append((graph.detach(), frame.env.names, ends, frame.exit, (frame.maybe_returned, frame.maybe_loop_exit)))
            raised.append(frame.raised)
            for scope, reuse, leaked in reversed(self.journal):
                scope.reuse, scope.leaked_from = reuse, leaked
        self.journal, self.ctx.certain = outer_journal, outer_certain
        if raised[0] != raised[1]:
            # One branch raises: the program only goes on along the other one.
            self._continue_along(start, outer_certain, *results[1 if raised[0] else 0])
            return
        frame.raised = raised[0] and raised[1]
        (graph_a, env_a, ends_a, exit_a, maybe_a), (graph_b, env_b, ends_b, exit_b, maybe_b) = results
        graph.merge(graph_a, graph_b)
        if (exit_a == RETURN) != (exit_b == RETURN):
            # A Saver built on the branch that returned is not there when the rest runs.
            graph.savers = (graph_b if exit_a == RETURN else graph_a).savers
            # Only the branch that did not leave the function goes on in it.
            frame.env.names = env_b if exit_a == RETURN else env_a
        else:
            frame.env.names = _joined(env_a, env_b)
        for key in ends_a.keys() | ends_b.keys():
            scope = (ends_a.get(key) or ends_b[key])[0]
            _, reuse_a, leak_a = ends_a.get(key, (scope, scope.reuse, scope.leaked_from))
            _, reuse_b, leak_b = ends_b.get(key, (scope, scope.reuse, scope.leaked_from))
            self.set_reuse(scope, reuse_a if reuse_a == reuse_b else ev.REUSE_UNKNOWN, leak_a or leak_b)
        self._merge_exits(exit_a, exit_b, maybe_a, maybe_b)

    def _continue_along(
        self, before: Any, certain: bool, graph_after: Any, env: dict[str, Any], ends: dict[int, Any], exit: int,
        maybe: tuple[bool, int],
    ) -> None:
        """After an `if` whose other branch raised: this branch's state, as it left it."""
        frame = self.frame
        self.ctx.graph.adopt(before, graph_after, certain and not frame.uncertain)
        frame.env.names = env
        for scope, reuse, leaked in ends.values():
            self.set_reuse(scope, reuse, leaked)
        frame.raised = False
        frame.returned = exit == RETURN
        frame.loop_exit = exit if exit in (CONTINUE, BREAK) else NO_EXIT
        frame.maybe_returned, frame.maybe_loop_exit = maybe

    def _merge_exits(self, exit_a: int, exit_b: int, maybe_a: tuple[bool, int], maybe_b: tuple[bool, int]) -> None:
        """Both branches leave: the shorter exit is certain. One leaves further: that is only maybe."""
        frame = self.frame
        certain, further = min(exit_a, exit_b), max(exit_a, exit_b)
        frame.returned = certain == RETURN
        frame.loop_exit = certain if certain in (CONTINUE, BREAK) else NO_EXIT
        frame.maybe_returned = maybe_a[0] or maybe_b[0] or (further == RETURN and certain != RETURN)
        maybe_loop = further if further in (CONTINUE, BREAK) and certain != further else NO_EXIT
        frame.maybe_loop_exit = max(maybe_a[1], maybe_b[1], maybe_loop)

    def exec_try(self, node: ir.Try) -> None:
        catches = any(not names or _EXPECTED_ERRORS & set(names) for names, _ in node.handlers)
        saved = self.ctx.expect_error
        self.ctx.expect_error = saved or catches
        self.try_depth += bool(node.handlers)
        try:
            self.exec_block(node.body)
        finally:
            self.ctx.expect_error = saved
            self.try_depth -= bool(node.handlers)
        if self.frame.exit:
            # A handler may run instead, and only then does what follows.
            self.frame.maybe_returned = self.frame.maybe_returned or self.frame.returned
            self.frame.maybe_loop_exit = max(self.frame.maybe_loop_exit, self.frame.loop_exit)
            self.frame.returned, self.frame.loop_exit, self.frame.raised = False, NO_EXIT, False
        self.exec_block(node.orelse)
        self.exec_block(node.finalbody)

    def _bound_in(self, env: v.Env) -> None:
        """A name was bound in ``env``: a module's globals (no parent) change what calls read."""
        if env.parent is None:
            self.pure.impure += 1
            self.pure.epoch += 1

    def bind(self, target: ir.Target, value: Any) -> None:
        if isinstance(target, ir.TargetName):
            env = self.frame.env
            env.names[target.id] = value
            if env.parent is None:
                self._bound_in(env)
        elif isinstance(target, ir.TargetAttr):
            self.pure.impure += 1
            owner = self.eval(target.value)
            if isinstance(owner, v.Instance):
                owner.attrs[target.attr] = value
        elif isinstance(target, ir.TargetSubscript):
            owner, key = self.eval(target.value), self.eval(target.index)
            if isinstance(owner, v.DictValue) and isinstance(key, v.Lit):
                owner.items[key.value] = value
            elif isinstance(owner, v.SeqValue) and v.as_int(key) is not None and -len(owner.items) <= (v.as_int(key) or 0) < len(owner.items):
                owner.items[v.as_int(key) or 0] = value
        elif isinstance(target, ir.TargetSeq):
            value = shapes.as_sequence(value)
            items = value.items if isinstance(value, v.SeqValue) and len(value.items) == len(target.items) else None
            for index, sub in enumerate(target.items):
                self.bind(sub, items[index] if items is not None else unpack(value))

    def iterate(self, value: Any) -> list[Any] | None:
        value = shapes.as_sequence(value)
        if isinstance(value, v.SeqValue) and len(value.items) <= MAX_UNROLL:
            return list(value.items)
        return None

