"""The interpreter's run state, and the interfaces TF's half is handed.

:mod:`scopelint.model.tfcalls`, :mod:`~scopelint.model.tflayers` and
:mod:`~scopelint.model.tfnames` are given a :class:`Host` (the interpreter) and a
:class:`Creator` (TF's variable creation) when they are built; they never import
the interpreter back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.state import Graph


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
    plain_ns_at: ir.Pos | None = None  # the name_scope statement that opened ``ns`` (SL101 relates it)
    arg_scopes: tuple[tuple[frozenset[str], dict[str, Any]], ...] = ()
    expect_error: bool = False
    certain: bool = True
    # Train ops built here depend on this graph's UPDATE_OPS: True; on something the
    # model cannot see into: None; on nothing: False (tf.control_dependencies).
    update_deps: bool | None = False

    def changed(self, **changes: Any) -> "Ctx":
        """A copy with ``changes`` (``dataclasses.replace``, without its look at every field on
        each call: a context is copied at every scope a run opens, 60k times on the corpus)."""
        # Field by field, not through __dict__: a compiled Ctx (mypyc) has none.
        copy = Ctx(self.graph, self.ns, self.vs, self.plain_ns, self.plain_ns_frame, self.plain_ns_at, self.arg_scopes,
                   self.expect_error, self.certain, self.update_deps)
        for name, value in changes.items():
            if name not in _CTX_FIELDS:
                raise TypeError(f"Ctx has no field {name!r}")
            setattr(copy, name, value)
        return copy


_CTX_FIELDS = frozenset(Ctx.__dataclass_fields__)


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
    # The function whose body this frame runs (``super()`` starts its lookup after its class).
    definition: Any = None
    # The iteration each loop running in this body is in, outermost first (SL201 tells a
    # tower loop's second pass from its first by it).
    iterations: tuple[int, ...] = ()
    # A @contextmanager generator entered by a ``with``: runs the with body at ``yield``.
    on_yield: Callable[[Any], None] | None = None

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



Chain = tuple[tuple[str, ir.Pos, tuple[int, ...]], ...]  # (module, position, loop iterations) per step


def leaves(chain: Chain, other: Chain, main: str) -> ir.Pos | None:
    """Where ``chain`` (calls, then a creation) leaves ``other``: the innermost call of
    ``main`` up to the first step they differ in; None when they do not differ (the same
    entry run again) or no step of ``main`` is there."""
    apart = next((k for k, (a, b) in enumerate(zip(chain, other)) if a != b), None)
    if apart is None:
        return None
    return next((step[1] for step in reversed(chain[: apart + 1]) if step[0] == main), None)


class Host(Protocol):
    """What TF's half of the interpreter reads and does on the Python half."""

    ctx: Ctx
    frame: Frame
    main: str
    events: list[Any]
    run_id: int

    @property
    def certain(self) -> bool: ...

    def path_of(self, module: str) -> str: ...

    def site(self, node: ir.Pos) -> ir.Pos: ...

    def chain(self, node: ir.Pos) -> tuple[tuple[str, ir.Pos, tuple[int, ...]], ...]: ...

    def site_apart(self, first: tuple[tuple[str, ir.Pos, tuple[int, ...]], ...], node: ir.Pos) -> ir.Pos: ...

    def via(self) -> tuple[str, ...]: ...

    def in_main(self, module: str, node: ir.Pos) -> ir.Pos: ...

    def emit(self, event: Any) -> None: ...

    def opaque(self, node: ir.Pos, reason: str) -> None: ...

    def set_reuse(self, scope: v.ScopeObject, reuse: str, leaked_from: ir.Pos | None) -> None: ...

    def apply(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any: ...


class Creator(Protocol):
    """Variable creation through variable scopes, as layers, cells and templates use it."""

    def scoped(self, name: Any, default: Any, reuse: Any, node: ir.Pos, body: Callable[[v.ScopeObject], Any]) -> Any: ...

    def create(self, api: str, requested: Any, shape: tuple[int | None, ...] | None, node: ir.Pos, trainable: bool | None = None,
               slot_of: str | None = None, dtype: str | None = None, created_dtype: str | None | bool = True,
               copy: tuple[ir.Pos, str, str | None] | None = None) -> v.Variable: ...

    def create_plain(self, api: str, full: str, node: ir.Pos, slot: str) -> v.Variable: ...

    def batch_norm(self, api: str, options: dict[str, Any], training_key: str, default_training: bool, node: ir.Pos) -> None:
        """A batch-norm layer built with ``options`` (SL301 reads it)."""
        ...
