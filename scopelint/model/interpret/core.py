"""The interpreter's shared state and the small services every part uses.

Each concern of the interpreter is one class, each built on the one before:
:class:`Core`, then statements, expressions, classes, names, generators, calls and
entry points (a chain, not mixins: mypyc compiles single inheritance only, see the
README's Speed section). :class:`Core` declares the methods they call on each
other, so each module reads on its own.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Callable, Mapping

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.context import Ctx, Frame, ModuleInfo, leaves
from scopelint.model.interpret.pure import PureCalls
from scopelint.model.state import Graph

if TYPE_CHECKING:
    from scopelint.model.tfcalls import TfCalls

MAX_UNROLL = 32
MAX_DEPTH = 12
ENTRY_BUDGET = 20_000  # statements per entry point (module body or one function)


class Core:
    tf: TfCalls
    __deletable__ = ("tf",)  # mypyc: release() deletes it

    def __init__(self, modules: Mapping[str, ModuleInfo], main: str, tf_modules: tuple[str, ...]) -> None:
        self.modules = modules
        self.main = main
        self.tf_modules = tf_modules
        self.events: list[Any] = []
        self.executed: set[int] = set()  # id() of FunctionDefs run from the module body
        self.call_sites: list[ir.Pos] = []
        self.call_modules: list[str] = []  # the module each of call_sites lies in
        # The iteration of each loop running in the caller when it made each of call_sites.
        self.call_loops: list[tuple[int, ...]] = []
        self.call_names: list[str] = []  # the function each of call_sites runs ("" for a parameter default)
        self.stack: list[tuple[int, int]] = []  # FunctionDefs being run, by id and closure (recursion guard)
        self._fids = itertools.count(1)
        self.budget = ENTRY_BUDGET
        self.journal: list[tuple[v.ScopeObject, str, ir.Pos | None]] | None = None
        # try bodies being run (at any call depth): a raise there may be caught and
        # the program go on, so it is an uncertain exit like a return.
        self.try_depth = 0
        self.in_project_memo: dict[str, bool] = {}  # dotted name -> some prefix of it is a module of the run
        # dotted name -> it is a module of the run: asked hundreds of thousands of times a
        # run, and each miss costs the project a KeyError (the first ask is still recorded).
        self.module_memo: dict[str, bool] = {}
        # An imported dotted name that means an API, an inert library or a module of the run
        # (``tf``, ``np``, ``ops``): looked up on nearly every line, the same each time.
        self.dotted_memo: dict[str, Any] = {}
        self.star_memo: dict[str, tuple[str, ...]] = {}  # module -> the run's modules it star-imports
        self.flag_defaults: dict[str, v.Lit] = {}  # integer command-line flags (scopelint.model.flags)
        # The body run first on the current call chain (a function run without its caller, the
        # module body: 0): one caller's variable scope is the ``{scope}`` of everything it runs.
        self.run_id = 0
        self.ctx = Ctx(graph=Graph.fresh(), ns="", vs=v.ScopeObject("", ev.REUSE_OFF, "", None))
        self.ctx.vs = self.ctx.graph.root  # type: ignore[assignment]
        self.frame = Frame(env=modules[main].globals, module=main, fid=0)
        from scopelint.model import tfcalls
        from scopelint.model.interpret.memo import ENTRY_MEMO

        self.tf = tfcalls.TfCalls(self)
        # Pure calls answered from a record (pure.py); not under the editor's entry memo,
        # which watches every module a run reads (a replayed call reads none).
        self.pure = PureCalls(enabled=ENTRY_MEMO.get() is None)
        self.max_depth = MAX_DEPTH

    def release(self) -> None:
        """Let go of the TF half (call it once the events are taken). The interpreter and its
        TF half refer to each other, so without this nothing a module run made is freed before
        the cyclic collector walks it all; with it, reference counting frees the run as soon
        as its last holder lets go."""
        tf = self.tf
        del self.tf
        tf.release()

    # ------------------------------------------------------------ services (also for tfcalls)

    @property
    def certain(self) -> bool:
        """What runs now runs on every path that reached the current statement."""
        return self.ctx.certain and not self.frame.uncertain

    def has_module(self, name: str) -> bool:
        known = self.module_memo.get(name)
        if known is None:
            known = self.module_memo[name] = name in self.modules
        return known

    def path_of(self, module: str) -> str:
        info = self.modules.get(module)
        return info.path if info is not None and info.path else module

    def site(self, node: ir.Pos) -> ir.Pos:
        return self.call_sites[0] if self.call_sites else node

    def chain(self, node: ir.Pos) -> tuple[tuple[str, ir.Pos, tuple[int, ...]], ...]:
        """The calls that lead here from the entry point, then ``node``: (module, position,
        iteration of each loop running around it in its body) each."""
        here = (self.frame.module, node, self.frame.iterations)
        return (*zip(self.call_modules, self.call_sites, self.call_loops), here)

    def push_call(self, node: ir.Pos, function: str = "") -> None:
        """A call of ``function`` made from the current frame at ``node`` (popped by :meth:`pop_call`)."""
        self.call_sites.append(node)
        self.call_modules.append(self.frame.module)
        self.call_loops.append(self.frame.iterations)
        self.call_names.append(function)

    def pop_call(self) -> None:
        self.call_sites.pop()
        self.call_modules.pop()
        self.call_loops.pop()
        self.call_names.pop()

    def via(self) -> tuple[str, ...]:
        """The functions called from the entry point to here (``("mlp", "linear")``)."""
        return tuple(name for name in self.call_names if name)

    def in_main(self, module: str, node: ir.Pos) -> ir.Pos:
        """``node`` of ``module`` as a position of the analysed file: itself there, else the
        innermost call of the analysed file that led to it."""
        if module == self.main:
            return node
        return next((step[1] for step in reversed(self.chain(node)) if step[0] == self.main), self.site(node))

    def site_apart(self, first: tuple[tuple[str, ir.Pos, tuple[int, ...]], ...], node: ir.Pos) -> ir.Pos:
        """Where this creation's call chain leaves ``first``'s: the statement to change
        (for ``mlp()`` calling ``linear()`` twice, the second ``linear(...)``; for a tower
        loop calling ``tower_loss()`` again, that call in the loop), in this file.

        Identical chains (the same entry run again) report at the outermost call."""
        return leaves(self.chain(node), first, self.main) or self.site(node)

    def emit(self, event: Any) -> None:
        self.events.append(event)

    def opaque(self, node: ir.Pos, reason: str) -> None:
        """Something ran that may create variables the model cannot see."""
        where = f"line {node[0]}" if self.frame.module == self.main else f"{self.path_of(self.frame.module)}:{node[0]}"
        self.ctx.graph.lose_track(f"{reason} at {where}")
        self.events.append(ev.Unresolved(node, reason))

    def set_reuse(self, scope: v.ScopeObject, reuse: str, leaked_from: ir.Pos | None) -> None:
        if self.journal is not None:
            self.journal.append((scope, scope.reuse, scope.leaked_from))
        scope.reuse, scope.leaked_from = reuse, leaked_from

    def _with_frame(self, frame: Frame, run: Callable[[], None]) -> None:
        saved, saved_run = self.frame, self.run_id
        self.frame = frame
        if not self.call_sites:
            self.run_id = frame.fid
        try:
            run()
        finally:
            self.frame, self.run_id = saved, saved_run

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


    # ------------------------------------------------------------ implemented by the mixins

    def exec_block(self, body: tuple[ir.Stmt, ...]) -> None:
        raise NotImplementedError

    def fork(self, left: tuple[ir.Stmt, ...], right: tuple[ir.Stmt, ...]) -> None:
        raise NotImplementedError

    def bind(self, target: ir.Target, value: Any) -> None:
        raise NotImplementedError

    def iterate(self, value: Any) -> list[Any] | None:
        raise NotImplementedError

    def eval(self, node: ir.Expr) -> Any:
        raise NotImplementedError

    def lookup(self, name: str) -> Any:
        raise NotImplementedError

    def lookup_global(self, module: str, name: str) -> Any:
        raise NotImplementedError

    def attribute(self, owner: Any, attr: str, depth: int = 0) -> Any:
        raise NotImplementedError

    def call(self, node: ir.Call) -> Any:
        raise NotImplementedError

    def apply(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        raise NotImplementedError

    def call_function(self, func: v.Function, args: list[Any], kwargs: dict[str, Any], node: ir.Call,
                      on_yield: Callable[[Any], None] | None = None) -> Any:
        raise NotImplementedError

    def decorate(self, func: v.Function) -> Any:
        raise NotImplementedError

    def yielded(self, value: Any) -> Any:
        raise NotImplementedError

    def enter_generator(self, context: v.Context, body: Callable[[Any], None]) -> None:
        raise NotImplementedError

    def make_function(self, definition: ir.FunctionDef, module: str | None = None, closure: v.Env | None = None) -> v.Function:
        raise NotImplementedError

    def make_class(self, definition: ir.ClassDef, module: str) -> v.Class:
        raise NotImplementedError

    def run_main(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        raise NotImplementedError

    def instantiate(self, cls: v.Class, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        raise NotImplementedError

    def call_instance(self, instance: v.Instance, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        raise NotImplementedError
