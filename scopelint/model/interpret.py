"""The abstract interpreter: runs a module's IR with TF1 naming semantics.

Python is followed as far as naming depends on it: assignments, calls of
functions and methods of the linted tree (their bodies are interpreted at each
call site with the arguments bound, which is how a builder's behaviour is
applied where it is called), ``functools.partial``, loops over small constant
ranges (unrolled), branches whose test is known. Anything else becomes
:class:`~scopelint.model.values.Unknown`; a call that might create variables
the model cannot see marks the graph incomplete, and checks that need the
whole graph stay silent.

TF's own APIs are handled in :mod:`scopelint.model.tfcalls`; this module is
the Python half.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.imports import INERT_ROOTS, canonical
from scopelint.model.pyops import COMPARE, binop, concat, join_values, loop_symbol, unpack
from scopelint.model.state import Graph

MAX_UNROLL = 32
_OUTSIDE = " is outside the linted tree"
MAX_DEPTH = 12
ENTRY_BUDGET = 20_000  # statements per entry point (module body or one function)
_EXPECTED_ERRORS = frozenset({"ValueError", "Exception", "BaseException", "StandardError"})
_BUILTINS = frozenset(
    "range enumerate zip len list tuple dict set str int float bool print isinstance getattr setattr hasattr "
    "super min max sum sorted reversed abs round any all iter next repr type object open id hash format "
    "ValueError TypeError KeyError Exception RuntimeError NotImplementedError AssertionError map filter "
    "vars dir callable issubclass frozenset bytes slice staticmethod classmethod property".split()
)
# Methods that never create TF variables, whatever their receiver (sessions, tensors, numpy, containers).
_INERT_METHODS = frozenset(
    "run eval get_shape set_shape as_list astype split reshape numpy append extend insert pop items keys values "
    "get update copy format join lower upper strip replace startswith endswith read write close assertAllClose "
    "assertEqual assertTrue assertFalse assertAllEqual assertIn assertIsNone assertIsNotNone assertLen "
    "assertListEqual assertNear assertGreater assertLess assertRaises assertRaisesRegexp assertRaisesRegex "
    "assertItemsEqual assertDictEqual assertShapeEqual assertProtoEquals flatten tolist sum mean max min "
    "add_to_collection get_collection dump load seed".split()
)
_TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod", "property", "add_arg_scope", "wraps"})


class BudgetExceeded(Exception):
    pass


@dataclass
class Ctx:
    """Where the code runs: graph, name scope, variable scope (saved and restored around ``with``)."""

    graph: Graph
    ns: str
    vs: v.ScopeObject
    plain_ns: bool = False  # a plain name_scope was opened inside the innermost variable scope
    # The frame that opened it: a builder called under a caller's name_scope (tower
    # loops) is the normal way to share variables across towers, not SL101.
    plain_ns_frame: int = -1
    arg_scopes: tuple[tuple[frozenset[str], dict[str, Any]], ...] = ()
    expect_error: bool = False
    certain: bool = True


# How far an exit statement leaves: the rest of the iteration, the loop, the function.
NO_EXIT, CONTINUE, BREAK, RETURN = 0, 1, 2, 3


@dataclass
class Frame:
    env: v.Env
    module: str
    fid: int
    returned: bool = False  # return / raise: nothing more of this body runs
    # The exit was a raise. A branch that raises is not a path the program goes on
    # along: what follows an `if bad: raise ...` guard runs for certain in every run
    # that gets there, so it stays certain (a builder's argument checks must not
    # silence the collision after them).
    raised: bool = False
    loop_exit: int = NO_EXIT  # CONTINUE / BREAK: nothing more of this iteration / loop runs
    # An exit on one branch of an unresolved `if`: what runs after it may not run at all, so
    # it is not certain (error rules stay silent), as on a branch. Ends with the function
    # (maybe_returned), the iteration (a continue) or the loop (a break).
    maybe_returned: bool = False
    maybe_loop_exit: int = NO_EXIT
    called_uncertain: bool = False  # the call that runs this body is itself not certain
    retval: Any = None
    self_value: Any = None

    @property
    def exit(self) -> int:
        return RETURN if self.returned else self.loop_exit

    @property
    def uncertain(self) -> bool:
        return self.called_uncertain or self.maybe_returned or self.maybe_loop_exit != NO_EXIT


@dataclass
class ModuleInfo:
    key: str
    body: tuple[ir.Stmt, ...]
    imports: dict[str, str]
    path: str = ""  # the file, as the engine names it (positions in this module are in it)
    defs: dict[str, ir.Stmt] = field(default_factory=dict)
    globals: v.Env = field(default_factory=v.Env)


class Interpreter:
    def __init__(self, modules: dict[str, ModuleInfo], main: str, tf_modules: tuple[str, ...]) -> None:
        self.modules = modules
        self.main = main
        self.tf_modules = tf_modules
        self.events: list[Any] = []
        self.executed: set[int] = set()  # id() of FunctionDefs run from the module body
        self.call_sites: list[ir.Pos] = []
        self.stack: list[int] = []  # ids of FunctionDefs being run (recursion guard)
        self._fids = itertools.count(1)
        self.budget = ENTRY_BUDGET
        self.journal: list[tuple[v.ScopeObject, str, ir.Pos | None]] | None = None
        # try bodies being run (at any call depth): a raise there may be caught and
        # the program go on, so it is an uncertain exit like a return.
        self.try_depth = 0
        self.ctx = Ctx(graph=Graph.fresh(), ns="", vs=v.ScopeObject("", ev.REUSE_OFF, "", None))
        self.ctx.vs = self.ctx.graph.root  # type: ignore[assignment]
        self.frame = Frame(env=modules[main].globals, module=main, fid=0)
        from scopelint.model import tfcalls

        self.tf = tfcalls.TfCalls(self)

    # ------------------------------------------------------------ entry points

    def run_module(self) -> None:
        self._run_entry(lambda: self.exec_block(self.modules[self.main].body))

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
        known = isinstance(klass, v.Class) and _is_tf_test_case(klass)
        graph = Graph.fresh(known=known)
        assert graph.root is not None
        self.ctx = Ctx(graph=graph, ns="" if known else "{scope}", vs=graph.root)
        env = v.Env(self.modules[self.main].globals)
        for param in definition.params:
            env.names[param.name] = v.Unknown(f"parameter {param.name}")
        self_value = None
        if cls is not None and definition.params and "staticmethod" not in _decorator_names(definition):
            klass = self.lookup_global(self.main, cls.name)
            if isinstance(klass, v.Class):
                self_value = v.Instance(klass, partial_knowledge=True)
                env.names[definition.params[0].name] = self_value
        frame = Frame(env=env, module=self.main, fid=next(self._fids), self_value=self_value)
        self._with_frame(frame, lambda: self.exec_block(definition.body))

    def _run_entry(self, run: Callable[[], None]) -> None:
        self.budget = ENTRY_BUDGET
        self.call_sites = []
        saved = self.ctx
        try:
            run()
        except BudgetExceeded:
            self.events.append(ev.Unresolved(ir.NO_POS, "analysis budget exhausted; the rest of this body is not modelled"))
        except RecursionError:
            self.events.append(ev.Unresolved(ir.NO_POS, "nesting too deep to model"))
        finally:
            self.ctx = saved if saved.graph.root is not None else self.ctx

    # ------------------------------------------------------------ helpers for tfcalls

    @property
    def certain(self) -> bool:
        """What runs now runs on every path that reached the current statement."""
        return self.ctx.certain and not self.frame.uncertain

    def path_of(self, module: str) -> str:
        info = self.modules.get(module)
        return info.path if info is not None and info.path else module

    def site(self, node: ir.Pos) -> ir.Pos:
        return self.call_sites[0] if self.call_sites else node

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def opaque(self, node: ir.Pos, reason: str) -> None:
        """Something ran that may create variables the model cannot see."""
        self.ctx.graph.complete = False
        self.events.append(ev.Unresolved(node, reason))

    def set_reuse(self, scope: v.ScopeObject, reuse: str, leaked_from: ir.Pos | None) -> None:
        if self.journal is not None:
            self.journal.append((scope, scope.reuse, scope.leaked_from))
        scope.reuse, scope.leaked_from = reuse, leaked_from

    # ------------------------------------------------------------ statements

    def exec_block(self, body: tuple[ir.Stmt, ...]) -> None:
        for statement in body:
            if self.frame.returned or self.frame.loop_exit:
                return
            self.budget -= 1
            if self.budget < 0:
                raise BudgetExceeded()
            self.exec_stmt(statement)

    def exec_stmt(self, node: ir.Stmt) -> None:  # noqa: C901 - one dispatch table
        if isinstance(node, ir.ExprStmt):
            self.eval(node.value)
        elif isinstance(node, ir.Assign):
            value = self.eval(node.value)
            for target in node.targets:
                self.bind(target, value)
        elif isinstance(node, ir.With):
            self.exec_with(node, 0)
        elif isinstance(node, ir.For):
            self.exec_for(node)
        elif isinstance(node, ir.While):
            self.eval(node.test)
            self.exec_loop([None], lambda _: None, node.body, ())
        elif isinstance(node, ir.If):
            self.exec_if(node)
        elif isinstance(node, ir.Try):
            self.exec_try(node)
        elif isinstance(node, ir.FunctionDef):
            self.frame.env.names[node.name] = self.make_function(node)
        elif isinstance(node, ir.ClassDef):
            self.frame.env.names[node.name] = self.make_class(node, self.frame.module)
        elif isinstance(node, ir.Return):
            value = self.eval(node.value) if node.value is not None else v.Lit(None)
            self.frame.retval = value if self.frame.retval is None else join_values(self.frame.retval, value)
            self.frame.returned = True
        elif isinstance(node, ir.Raise):
            self.frame.returned = True
            self.frame.raised = self.try_depth == 0
        elif isinstance(node, ir.Break):
            self.frame.loop_exit = BREAK
        elif isinstance(node, ir.Continue):
            self.frame.loop_exit = CONTINUE
        elif isinstance(node, ir.Assert):
            self.eval(node.test)

    def exec_with(self, node: ir.With, index: int) -> None:
        if index == len(node.items):
            self.exec_block(node.body)
            return
        item = node.items[index]
        context = self.eval(item.context)
        saved = self.ctx
        bound = self.tf.enter(context, item.context)
        if item.target is not None:
            self.bind(item.target, bound)
        try:
            self.exec_with(node, index + 1)
        finally:
            self.tf.exit(context, saved)

    def exec_for(self, node: ir.For) -> None:
        items = self.iterate(self.eval(node.iter))
        if items is None:
            items = [loop_symbol(node.target)]  # one symbolic pass
        self.exec_loop(items, functools.partial(self.bind, node.target), node.body, node.orelse)

    def exec_loop(self, items: list[Any], bind: Callable[[Any], None], body: tuple[ir.Stmt, ...], orelse: tuple[ir.Stmt, ...]) -> None:
        """Unrolled iterations; ``break`` and ``continue`` end what they end, for certain or maybe."""
        frame = self.frame
        outer_maybe = frame.maybe_loop_exit
        frame.maybe_loop_exit = NO_EXIT
        completed, maybe_broke = True, False
        try:
            for item in items:
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
        start, env_start = graph.snapshot(), frame.env.names
        outer_journal, outer_certain = self.journal, self.ctx.certain
        outer_maybe = (frame.maybe_returned, frame.maybe_loop_exit)
        results = []
        raised: list[bool] = []
        for branch in (left, right):
            graph.restore(start.snapshot())
            frame.env.names = dict(env_start)
            self.journal = []
            frame.returned, frame.loop_exit, frame.raised = False, NO_EXIT, False
            frame.maybe_returned, frame.maybe_loop_exit = outer_maybe
            self.ctx.certain = False
            self.exec_block(branch)
            ends = {id(scope): (scope, scope.reuse, scope.leaked_from) for scope, _, _ in self.journal}
            results.append((graph.snapshot(), frame.env.names, ends, frame.exit, (frame.maybe_returned, frame.maybe_loop_exit)))
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
            # Only the branch that did not leave the function goes on in it.
            frame.env.names = env_b if exit_a == RETURN else env_a
        else:
            frame.env.names = {
                name: env_a[name] if env_a.get(name) is env_b.get(name) else join_values(env_a.get(name), env_b.get(name))
                for name in env_a.keys() | env_b.keys()
            }
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

    def bind(self, target: ir.Target, value: Any) -> None:
        if isinstance(target, ir.TargetName):
            self.frame.env.names[target.id] = value
        elif isinstance(target, ir.TargetAttr):
            owner = self.eval(target.value)
            if isinstance(owner, v.Instance):
                owner.attrs[target.attr] = value
        elif isinstance(target, ir.TargetSeq):
            items = value.items if isinstance(value, v.SeqValue) and len(value.items) == len(target.items) else None
            for index, sub in enumerate(target.items):
                self.bind(sub, items[index] if items is not None else unpack(value))

    def iterate(self, value: Any) -> list[Any] | None:
        if isinstance(value, v.SeqValue) and len(value.items) <= MAX_UNROLL:
            return list(value.items)
        return None

    # ------------------------------------------------------------ expressions

    def eval(self, node: ir.Expr) -> Any:  # noqa: C901 - one dispatch table
        if isinstance(node, ir.Const):
            return v.Lit(node.value)
        if isinstance(node, ir.Name):
            return self.lookup(node.id)
        if isinstance(node, ir.Attr):
            return self.attribute(self.eval(node.value), node.attr)
        if isinstance(node, ir.Call):
            return self.call(node)
        if isinstance(node, ir.BinOp):
            return binop(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, ir.Compare):
            return self.compare(node)
        if isinstance(node, ir.BoolOp):
            return self.boolop(node)
        if isinstance(node, ir.Not):
            operand = self.eval(node.value)
            self.tf.names.mark_asserted([operand])
            known = v.truth(operand)
            return v.Lit(not known) if known is not None else v.Unknown("not")
        if isinstance(node, ir.FString):
            return concat([part if isinstance(part, str) else self.eval(part) for part in node.parts])
        if isinstance(node, ir.Seq):
            return v.SeqValue([self.eval(item) for item in node.items])
        if isinstance(node, ir.DictE):
            items: dict[Any, Any] = {}
            for key, value in zip(node.keys, node.values):
                evaluated = self.eval(value)
                if key is None:
                    return v.Unknown("dict unpacking")
                k = self.eval(key)
                items[k.value if isinstance(k, v.Lit) else id(k)] = evaluated
            return v.DictValue(items)
        if isinstance(node, ir.Subscript):
            return self.subscript(self.eval(node.value), self.eval(node.index))
        if isinstance(node, ir.IfExp):
            test = v.truth(self.eval(node.test))
            if test is None:
                return join_values(self.eval(node.body), self.eval(node.orelse))
            return self.eval(node.body if test else node.orelse)
        if isinstance(node, ir.Lambda):
            definition = ir.FunctionDef("<lambda>", node.params, (ir.Return(node.body),), (), ir.NO_POS, "<lambda>")
            return v.Function(definition, self.frame.module, self.frame.env)
        if isinstance(node, ir.ListComp):
            elements = self.iterate(self.eval(node.iter))
            if elements is None:
                self.bind(node.target, v.Unknown("comprehension"))
                self.eval(node.elt)
                return v.Unknown("comprehension of unknown length")
            out = []
            for item in elements:
                self.bind(node.target, item)
                out.append(self.eval(node.elt))
            return v.SeqValue(out)
        return v.Unknown(node.reason if isinstance(node, ir.Unknown) else "expression")

    def boolop(self, node: ir.BoolOp) -> Any:
        result: Any = v.Lit(node.op == "and")
        for item in node.values:
            value = self.eval(item)
            known = v.truth(value)
            if known is None:
                return v.Unknown("boolean operator")
            result = value
            if (node.op == "and" and not known) or (node.op == "or" and known):
                return value
        return result

    def compare(self, node: ir.Compare) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        self.tf.names.mark_asserted([left, right])
        for a, b in ((left, right), (right, left)):
            if isinstance(a, VarName) and v.as_str(b) is not None and node.op in ("==", "!="):
                self.tf.names.name_compared(a.variable, v.as_str(b) or "", node.pos, a.op)
                return v.Unknown("name comparison")
        if isinstance(left, v.Lit) and isinstance(right, v.Lit):
            try:
                return v.Lit(COMPARE[node.op](left.value, right.value))
            except (TypeError, KeyError):
                return v.Unknown("comparison")
        if node.op in ("is", "is not") and isinstance(right, v.Lit) and right.value is None:
            if isinstance(left, (v.ScopeObject, v.Function, v.Instance, v.Layer, v.Cell, v.Variable)):
                return v.Lit(node.op == "is not")
        if node.op in ("==", "!=") and (_never_equals_str(left, right) or _never_equals_str(right, left)):
            return v.Lit(node.op == "!=")
        return v.Unknown("comparison")

    def subscript(self, value: Any, index: Any) -> Any:
        if isinstance(value, v.SeqValue) and isinstance(index, v.Lit) and isinstance(index.value, int):
            try:
                return value.items[index.value]
            except IndexError:
                return v.Unknown("index")
        if isinstance(value, v.DictValue) and isinstance(index, v.Lit):
            return value.items.get(index.value, v.Unknown("key"))
        if isinstance(value, (v.Tensor, v.Inert)):
            return value
        return v.Unknown("subscript")

    # ------------------------------------------------------------ names

    def lookup(self, name: str) -> Any:
        found = self.frame.env.lookup(name)
        if found is not None:
            return found
        return self.lookup_global(self.frame.module, name)

    def lookup_global(self, module: str, name: str) -> Any:
        info = self.modules.get(module)
        if info is None:
            return v.Unknown(f"name {name}")
        if name in info.globals.names:
            return info.globals.names[name]
        if module != self.main and name in info.defs:
            definition = info.defs[name]
            value: Any
            if isinstance(definition, ir.FunctionDef):
                value = self.make_function(definition, module, None)
            elif isinstance(definition, ir.ClassDef):
                value = self.make_class(definition, module)
            elif isinstance(definition, ir.Assign):
                value = self._with_module(module, lambda: self.eval(definition.value))
            else:
                value = v.Unknown(name)
            info.globals.names[name] = value
            return value
        if name in info.imports:
            return self.resolve_dotted(info.imports[name])
        if name in _BUILTINS:
            return Builtin(name)
        return v.Unknown(f"name {name}")

    def resolve_dotted(self, dotted: str, depth: int = 0) -> Any:
        name = canonical(dotted, self.tf_modules)
        # Linting tf-slim or tensornets itself: their own code is followed where the
        # API table has no entry for the name.
        if name is not None and (self.tf.modelled(name) or not self._in_project(dotted)):
            return v.Api(name)
        root = dotted.split(".")[0]
        if root in INERT_ROOTS:
            return v.Inert(dotted)
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                value: Any = v.Module(module)
                for part in parts[cut:]:
                    value = self.attribute(value, part, depth + 1)
                return value
        return v.Unknown(f"{dotted}{_OUTSIDE}")

    def _in_project(self, dotted: str) -> bool:
        parts = dotted.split(".")
        return any(".".join(parts[:cut]) in self.modules for cut in range(len(parts), 0, -1))

    def attribute(self, owner: Any, attr: str, depth: int = 0) -> Any:  # noqa: C901
        if isinstance(owner, v.Api):
            name = canonical(f"{owner.name}.{attr}", self.tf_modules) or f"{owner.name}.{attr}"
            return v.Api(name)
        if isinstance(owner, v.Module):
            if depth > 8:
                return v.Unknown("import cycle")
            info = self.modules[owner.name]
            known = canonical(f"{owner.name}.{attr}", self.tf_modules)
            if known is not None and self.tf.modelled(known):
                return v.Api(known)
            if f"{owner.name}.{attr}" in self.modules:
                return v.Module(f"{owner.name}.{attr}")
            if attr in info.defs or attr in info.globals.names:
                return self.lookup_global(owner.name, attr)
            if attr in info.imports:
                return self.resolve_dotted(info.imports[attr], depth + 1)
            return v.Unknown(f"{owner.name}.{attr}")
        if isinstance(owner, v.Instance):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = _find_method(owner.cls, attr)
            if method is not None:
                return v.Function(method[0], method[1].module, None, bound_self=owner)
            if attr.startswith("assert") or attr.endswith("session"):
                return Method(owner, attr)
            return v.Unknown(f"attribute {attr}")
        if isinstance(owner, v.Inert):
            return v.Inert(f"{owner.name}.{attr}")
        if isinstance(owner, v.Tensor):
            return v.Tensor()
        if isinstance(owner, v.NetsModel):
            return Method(owner, attr) if attr == "get_weights" else v.Tensor()
        if isinstance(owner, v.Variable) and attr == "name":
            return VarName(owner)
        if isinstance(owner, v.Variable) and attr == "op":
            return VarOp(owner)
        if isinstance(owner, VarOp) and attr == "name":
            return VarName(owner.variable, op=True)
        if isinstance(owner, v.ScopeObject):
            if attr == "name":
                return v.Lit(owner.name) if ev.is_concrete(owner.name) else v.Sym(owner.name)
            if attr == "original_name_scope":
                return v.Lit(owner.original_name_scope)
        if isinstance(owner, v.Lit) and isinstance(owner.value, str):
            return Method(owner, attr)
        if isinstance(owner, (v.ScopeObject, v.GraphValue, v.Optimizer, v.Layer, v.Cell, v.Template, v.Variable, v.SeqValue, v.DictValue)):
            return Method(owner, attr)
        if isinstance(owner, v.Unknown) and owner.reason.endswith(_OUTSIDE) and attr not in _INERT_METHODS:
            return v.Unknown(f"{owner.reason[:-len(_OUTSIDE)]}.{attr}{_OUTSIDE}")
        if isinstance(owner, v.Unknown) and (attr.startswith("assert") or attr.endswith("session")):
            return Method(owner, attr)
        return v.Unknown(f"attribute {attr}")

    # ------------------------------------------------------------ calls

    def call(self, node: ir.Call) -> Any:
        func = self.eval(node.func)
        args = [self.eval(a) for a in node.args]
        kwargs: dict[str, Any] = {}
        for key, expr in node.kwargs:
            value = self.eval(expr)
            if key is None:
                if isinstance(value, v.DictValue):
                    kwargs.update({str(k): item for k, item in value.items.items()})
                else:
                    kwargs["**"] = value
            else:
                kwargs[key] = value
        if node.starred:
            args.append(v.Unknown("*args"))
        return self.apply(func, args, kwargs, node)

    def apply(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:  # noqa: C901
        if isinstance(func, v.Api):
            return self.tf.call(func.name, args, kwargs, node)
        if isinstance(func, v.Function):
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, v.Class):
            instance = v.Instance(func)
            init = _find_method(func, "__init__")
            if init is not None:
                self.call_function(v.Function(init[0], init[1].module, None, bound_self=instance), args, kwargs, node)
            elif any(not isinstance(base, v.Class) for base in func.bases):
                return self.tf.call_class_base(func, instance, args, kwargs, node)
            return instance
        if isinstance(func, v.Instance):
            method = _find_method(func.cls, "__call__")
            if method is not None:
                return self.call_function(v.Function(method[0], method[1].module, None, bound_self=func), args, kwargs, node)
            self.opaque(node.pos, f"call of an instance of {func.cls.definition.name} without __call__")
            return v.Unknown("instance call")
        if isinstance(func, v.Partial):
            return self.apply(func.func, list(func.args) + args, {**func.kwargs, **kwargs}, node)
        if isinstance(func, Method):
            return self.tf.method(func.owner, func.name, args, kwargs, node)
        if isinstance(func, (v.Layer, v.Cell, v.Template)):
            return self.tf.layers.call_object(func, args, kwargs, node)
        if isinstance(func, Builtin):
            return self.builtin(func.name, args, kwargs, node)
        if isinstance(func, v.Inert) and func.name in ("functools.partial", "partial") and args:
            return v.Partial(args[0], tuple(args[1:]), kwargs)
        if isinstance(func, v.Inert) and func.name.endswith(".raises"):
            return v.Context("expect_error", node=node.pos)
        if isinstance(func, (v.Inert, v.Tensor)):
            return v.Inert("result") if isinstance(func, v.Inert) else v.Tensor()
        if isinstance(func, v.Unknown) and func.reason.startswith("attribute ") and func.reason[10:] in _INERT_METHODS:
            return v.Unknown("result of a plain method")
        reason = func.reason if isinstance(func, v.Unknown) else type(func).__name__
        self.opaque(node.pos, f"unresolved call ({reason})")
        return v.Unknown("result of an unresolved call")

    def call_function(self, func: v.Function, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        definition = func.definition
        decorators = _decorator_names(definition)
        if decorators - _TRANSPARENT_DECORATORS:
            self.opaque(node.pos, f"call of {definition.qualname} through a decorator the model does not follow")
            return v.Unknown("decorated function")
        if id(definition) in self.stack or len(self.stack) >= MAX_DEPTH:
            self.opaque(node.pos, f"recursive or too deep call of {definition.qualname}")
            return v.Unknown("recursion")
        if func.module == self.main:
            self.executed.add(id(definition))
        env = v.Env(func.closure if func.closure is not None else self.modules[func.module].globals)
        if func.closure is None and func.module in self.modules:
            env.parent = self.modules[func.module].globals
        params = list(definition.params)
        positional = list(args)
        if func.bound_self is not None and params and "staticmethod" not in decorators:
            env.names[params[0].name] = func.bound_self
            params = params[1:]
        unknown_rest = "**" in kwargs
        for param in params:
            if param.kind == "star":
                env.names[param.name] = v.SeqValue(positional) if not any(isinstance(a, v.Unknown) and a.reason == "*args" for a in positional) else v.Unknown("*args")
                positional = []
            elif param.kind == "starstar":
                env.names[param.name] = v.DictValue(dict(kwargs))
            elif param.kind == "normal" and positional:
                env.names[param.name] = positional.pop(0)
            elif param.name in kwargs:
                env.names[param.name] = kwargs.pop(param.name)
            elif unknown_rest or any(isinstance(a, v.Unknown) and a.reason == "*args" for a in args):
                env.names[param.name] = v.Unknown(f"parameter {param.name}")
            elif param.default is not None:
                env.names[param.name] = self._default(func.module, param.default, node.pos)
            else:
                env.names[param.name] = v.Unknown(f"parameter {param.name}")
        frame = Frame(env=env, module=func.module, fid=next(self._fids), self_value=func.bound_self,
                      called_uncertain=not self.certain)
        self.stack.append(id(definition))
        self.call_sites.append(node.pos)
        try:
            self._with_frame(frame, lambda: self.exec_block(definition.body))
        finally:
            self.stack.pop()
            self.call_sites.pop()
        return frame.retval if frame.retval is not None else v.Lit(None)

    def _default(self, module: str, default: ir.Expr, call: ir.Pos) -> Any:
        """A parameter's default, evaluated in its module; what it does is reported on the call."""
        self.call_sites.append(call)
        try:
            return self._with_module(module, functools.partial(self.eval, default))
        finally:
            self.call_sites.pop()

    def _with_frame(self, frame: Frame, run: Callable[[], None]) -> None:
        saved = self.frame
        self.frame = frame
        try:
            run()
        finally:
            self.frame = saved

    def _with_module(self, module: str, run: Callable[[], Any]) -> Any:
        info = self.modules.get(module)
        if info is None:
            return v.Unknown("module")
        saved = self.frame
        self.frame = Frame(env=info.globals, module=module, fid=saved.fid, called_uncertain=not self.certain)
        try:
            return run()
        finally:
            self.frame = saved

    def make_function(self, definition: ir.FunctionDef, module: str | None = None, closure: v.Env | None = None) -> v.Function:
        if module is None:
            module = self.frame.module
            closure = self.frame.env if self.frame.env is not self.modules[module].globals else None
        return v.Function(definition, module, closure)

    def make_class(self, definition: ir.ClassDef, module: str) -> v.Class:
        methods = {s.name: s for s in definition.body if isinstance(s, ir.FunctionDef)}
        bases = [self._with_module(module, functools.partial(self.eval, base)) for base in definition.bases]
        return v.Class(definition, module, methods, bases)

    def builtin(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        if name == "range":
            bounds = [v.as_int(a) for a in args]
            if args and all(b is not None for b in bounds):
                numbers = range(*[b for b in bounds if b is not None])
                if len(numbers) <= MAX_UNROLL:
                    return v.SeqValue([v.Lit(i) for i in numbers])
            return v.Unknown("range")
        if name == "enumerate" and args and isinstance(args[0], v.SeqValue):
            return v.SeqValue([v.SeqValue([v.Lit(i), item]) for i, item in enumerate(args[0].items)])
        if name == "zip" and args and all(isinstance(a, v.SeqValue) for a in args):
            return v.SeqValue([v.SeqValue(list(group)) for group in zip(*[a.items for a in args])])
        if name in ("list", "tuple") and args and isinstance(args[0], v.SeqValue):
            return v.SeqValue(list(args[0].items))
        if name == "len" and args and isinstance(args[0], v.FilterResult):
            return v.FilterResult(args[0].event, length=True)
        if name == "len" and args and isinstance(args[0], v.SeqValue):
            return v.Lit(len(args[0].items))
        if name == "str" and args and isinstance(args[0], v.Lit):
            return v.Lit(str(args[0].value))
        if name in ("map", "filter") and args and isinstance(args[0], (v.Function, v.Partial, v.Api)):
            self.opaque(node.pos, f"{name}() of a function the model does not follow")
        return v.Unknown(f"{name}()")


@dataclass(eq=False)
class Method:
    owner: Any
    name: str


@dataclass(frozen=True)
class Builtin:
    name: str


@dataclass(eq=False)
class VarName:
    """``variable.name`` (``op=False``, ends in ":0") or ``variable.op.name``: compared against strings (SL102)."""

    variable: v.Variable
    op: bool = False


@dataclass(eq=False)
class VarOp:
    """``variable.op``."""

    variable: v.Variable


# ---------------------------------------------------------------- small helpers

# TF graph objects compare by identity under TF1 semantics (``Tensor.__eq__`` without
# v2 equality), so none of them equals a string; a dtype does (``tf.float32 == 'float32'``).
_TF_OBJECTS = (v.Tensor, v.Variable, v.ScopeObject, v.GraphValue, v.Layer, v.Cell, v.Template, v.Optimizer, v.NetsModel)


def _never_equals_str(value: Any, other: Any) -> bool:
    """``value == other`` is known False: a TF object against a string literal."""
    return isinstance(value, _TF_OBJECTS) and isinstance(other, v.Lit) and isinstance(other.value, str)


def _decorator_names(definition: ir.FunctionDef) -> set[str]:
    names = set()
    for decorator in definition.decorators:
        expr = decorator.func if isinstance(decorator, ir.Call) else decorator
        while isinstance(expr, ir.Attr):
            names.add(expr.attr)
            break
        if isinstance(expr, ir.Name):
            names.add(expr.id)
    return names


def _is_tf_test_case(cls: v.Class, depth: int = 0) -> bool:
    for base in cls.bases:
        if isinstance(base, v.Api) and base.name.endswith("test.TestCase"):
            return True
        if isinstance(base, v.Class) and depth < 8 and _is_tf_test_case(base, depth + 1):
            return True
    return False


def _find_method(cls: v.Class, name: str, depth: int = 0) -> tuple[ir.FunctionDef, v.Class] | None:
    if name in cls.methods:
        return cls.methods[name], cls
    if depth > 8:
        return None
    for base in cls.bases:
        if isinstance(base, v.Class):
            found = _find_method(base, name, depth + 1)
            if found is not None:
                return found
    return None


def _functions(body: tuple[ir.Stmt, ...], cls: ir.ClassDef | None = None) -> Iterator[tuple[ir.FunctionDef, ir.ClassDef | None]]:
    for statement in body:
        if isinstance(statement, ir.FunctionDef):
            yield statement, cls
        elif isinstance(statement, ir.ClassDef):
            yield from _functions(statement.body, statement)
        elif isinstance(statement, ir.If):
            yield from _functions(statement.body, cls)
            yield from _functions(statement.orelse, cls)


__all__ = ["Interpreter", "ModuleInfo", "Ctx", "Frame"]
