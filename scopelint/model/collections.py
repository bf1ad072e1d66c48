"""Model extension for SL301 and SL302: what a module does with the
``UPDATE_OPS`` collection and when its ``tf.train.Saver()`` is built.

Reads the model's IR (:mod:`scopelint.model.ir`) in statement order and
records, per frame (module, function or class body), the calls that matter:
variable creations, Saver constructions, batch-norm layers, train ops, graph
switches and resets. The analysis at the end joins them into findings. It
stays silent wherever it cannot tell: unknown receivers, arg_scope-controlled
layers, layers in functions it cannot see being called.

TF facts this encodes (proven in tests/test_sl301.py and tests/test_sl302.py,
TF 2.21 compat.v1):

* ``Saver()`` without ``var_list`` takes the global variables existing when it
  is built; with none it raises ``ValueError: No variables to save``.
* ``tf.layers.batch_normalization`` adds two ``AssignMovingAvg`` ops to
  ``UPDATE_OPS`` when ``training`` is not False (default False);
  ``slim.batch_norm`` does when ``is_training`` is not False (default True)
  unless ``updates_collections=None`` (then it updates in place).
* ``minimize`` / ``apply_gradients`` do not depend on ``UPDATE_OPS``;
  ``slim.learning.create_train_op`` does.
* ``get_collection(UPDATE_OPS)`` without ``scope`` inside a tower loop returns
  the updates of every tower built so far.
* Every optimizer but (Proximal)GradientDescent creates slot variables in
  ``minimize``; ``ExponentialMovingAverage.apply`` creates shadow variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from scopelint.model import ir
from scopelint.model.imports import canonical

if TYPE_CHECKING:
    from scopelint.model import ModuleFacts

_CREATORS = frozenset(
    {
        "tf.get_variable", "tf.Variable", "tf.train.get_or_create_global_step", "tf.train.create_global_step",
        "tf.layers.dense", "tf.layers.conv1d", "tf.layers.conv2d", "tf.layers.conv3d", "tf.layers.conv2d_transpose",
        "tf.layers.separable_conv2d", "tf.layers.batch_normalization",
        "slim.variable", "slim.model_variable", "slim.conv2d", "slim.convolution2d", "slim.fully_connected",
        "slim.batch_norm", "slim.conv2d_transpose", "slim.separable_conv2d", "slim.layer_norm",
        "slim.get_or_create_global_step", "slim.create_global_step",
    }
)
_NO_SLOT_OPTIMIZERS = frozenset({"GradientDescentOptimizer", "ProximalGradientDescentOptimizer"})
_HANDLES_UPDATE_OPS = frozenset({"slim.learning.create_train_op", "slim.create_train_op", "slim.optimize_loss"})
_TOWER_SCOPES = frozenset({"tf.name_scope", "tf.variable_scope", "tf.device"})
MODULE = "<module>"


@dataclass(frozen=True)
class SaverTooEarly:
    """SL302: a default-``var_list`` Saver and the first variable creation after it."""

    saver: ir.Pos
    creation: ir.Pos
    creation_api: str  # "tf.get_variable", "Optimizer.minimize", or "build" for a call into a builder
    creation_name: str | None  # literal name argument, when the creation is direct and names it
    via: str | None = None  # the local function called, when the creation happens inside it
    predicted_name: str | None = None  # the scope model's full name for it, when concrete


@dataclass(frozen=True)
class UpdateOpsNotRun:
    """SL301: a train op that nothing makes run the batch-norm updates."""

    train_op: ir.Pos
    train_api: str  # "minimize" | "apply_gradients"
    batch_norm: ir.Pos
    batch_norm_api: str


@dataclass(frozen=True)
class TowerUpdateOpsRead:
    """SL301 (multi-tower): ``get_collection(UPDATE_OPS)`` without scope inside a tower loop."""

    pos: ir.Pos


@dataclass(frozen=True)
class CollectionFacts:
    saver_too_early: tuple[SaverTooEarly, ...] = ()
    update_ops_not_run: tuple[UpdateOpsNotRun, ...] = ()
    tower_reads: tuple[TowerUpdateOpsRead, ...] = ()


# ------------------------------------------------------------------ the walk


@dataclass(frozen=True)
class _Ctx:
    frame: str = MODULE
    klass: str | None = None
    graph: int = 0  # 0: whatever graph the frame starts in; else the `as_default()` block
    branches: tuple[tuple[int, int], ...] = ()
    control_deps: bool = False
    arg_scope: bool = False
    tower: bool = False  # inside a loop and a scope/device named per iteration


@dataclass(frozen=True)
class _Point:
    order: int
    frame: str
    graph: int
    branches: tuple[tuple[int, int], ...]
    resets: int


@dataclass(frozen=True)
class _Creation:
    point: _Point
    pos: ir.Pos
    api: str
    name: str | None


@dataclass(frozen=True)
class _MethodCall:  # receiver.minimize(...) / ema.apply(...): known only once all assignments are seen
    point: _Point
    pos: ir.Pos
    receiver: str  # dotted receiver, or "<call:ClassName>" for `tf.train.AdamOptimizer(...).minimize`
    method: str
    covered: bool


@dataclass
class _Walker:
    imports: dict[str, str]
    tf_modules: tuple[str, ...]
    order: int = 0
    resets: dict[str, int] = field(default_factory=dict)
    creations: list[_Creation] = field(default_factory=list)
    savers: list[tuple[_Point, ir.Pos]] = field(default_factory=list)
    local_calls: list[tuple[_Point, ir.Pos, str]] = field(default_factory=list)
    method_calls: list[_MethodCall] = field(default_factory=list)
    batch_norms: list[tuple[str, ir.Pos, str]] = field(default_factory=list)  # frame, pos, api
    tower_reads: list[ir.Pos] = field(default_factory=list)
    classes_of: dict[str, set[str]] = field(default_factory=dict)  # dotted target -> constructor class names
    functions: dict[str, set[str]] = field(default_factory=dict)  # bare name -> qualnames
    update_ops_handled: bool = False
    any_arg_scope: bool = False

    # -------------------------------------------------------- names

    def spelled(self, expr: ir.Expr) -> str | None:
        if isinstance(expr, ir.Name):
            return expr.id
        if isinstance(expr, ir.Attr):
            base = self.spelled(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    def api(self, expr: ir.Expr) -> str | None:
        spelled = self.spelled(expr)
        if spelled is None:
            return None
        head, _, rest = spelled.partition(".")
        origin = self.imports.get(head)
        if origin is None:
            return None
        name = canonical(f"{origin}.{rest}" if rest else origin, self.tf_modules)
        if name is None:
            return None
        parts = name.split(".")
        # tensorflow.python.training.adam.AdamOptimizer is tf.train.AdamOptimizer.
        if parts[:2] == ["tf", "train"] and len(parts) == 4 and parts[2].islower():
            return f"tf.train.{parts[3]}"
        if parts[0] == "slim" and parts[-1] in ("create_train_op", "optimize_loss"):
            return "slim.learning.create_train_op"
        return name

    def point(self, ctx: _Ctx) -> _Point:
        self.order += 1
        return _Point(self.order, ctx.frame, ctx.graph, ctx.branches, self.resets.get(ctx.frame, 0))

    # -------------------------------------------------------- statements

    def block(self, statements: Iterable[ir.Stmt], ctx: _Ctx) -> None:
        for statement in statements:
            self.stmt(statement, ctx)

    def stmt(self, node: ir.Stmt, ctx: _Ctx) -> None:  # noqa: C901 - one dispatch over statement kinds
        if isinstance(node, ir.Assign):
            self.expr(node.value, ctx)
            self.note_assignment(node)
        elif isinstance(node, (ir.ExprStmt, ir.Assert)):
            self.expr(node.value if isinstance(node, ir.ExprStmt) else node.test, ctx)
        elif isinstance(node, ir.Return):
            if node.value is not None:
                self.expr(node.value, ctx)
        elif isinstance(node, ir.With):
            self.with_block(node, ctx)
        elif isinstance(node, ir.For):
            self.expr(node.iter, ctx)
            self.block(node.body, _loop(ctx))
            self.block(node.orelse, ctx)
        elif isinstance(node, ir.While):
            self.expr(node.test, ctx)
            self.block(node.body, _loop(ctx))
        elif isinstance(node, ir.If):
            self.expr(node.test, ctx)
            key = self.point(ctx).order
            self.block(node.body, _branch(ctx, key, 0))
            self.block(node.orelse, _branch(ctx, key, 1))
        elif isinstance(node, ir.Try):
            key = self.point(ctx).order
            self.block(node.body + node.orelse, _branch(ctx, key, 0))
            for index, (_, handler) in enumerate(node.handlers, start=1):
                self.block(handler, _branch(ctx, key, index))
            self.block(node.finalbody, ctx)
        elif isinstance(node, ir.FunctionDef):
            self.functions.setdefault(node.name, set()).add(node.qualname)
            self.block(node.body, _Ctx(frame=node.qualname, klass=ctx.klass if ctx.frame == ctx.klass else None))
        elif isinstance(node, ir.ClassDef):
            qualname = node.name if ctx.frame == MODULE else f"{ctx.frame}.{node.name}"
            self.block(node.body, _Ctx(frame=qualname, klass=qualname))

    def note_assignment(self, node: ir.Assign) -> None:
        if not isinstance(node.value, ir.Call):
            return
        api = self.api(node.value.func)
        if api is None or not api.startswith("tf.train."):
            return
        for target in node.targets:
            dotted = self.spelled(ir.Attr(target.value, target.attr)) if isinstance(target, ir.TargetAttr) else (
                target.id if isinstance(target, ir.TargetName) else None
            )
            if dotted:
                self.classes_of.setdefault(dotted, set()).add(api.rpartition(".")[2])

    def with_block(self, node: ir.With, ctx: _Ctx) -> None:
        inner = ctx
        for item in node.items:
            self.expr(item.context, ctx)
            context = item.context
            if not isinstance(context, ir.Call):
                continue
            api = self.api(context.func)
            if isinstance(context.func, ir.Attr) and context.func.attr == "as_default":
                inner = _replace(inner, graph=self.point(ctx).order)
            elif api == "tf.control_dependencies":
                inner = _replace(inner, control_deps=True)
            elif isinstance(context.func, ir.Attr) and context.func.attr == "arg_scope" or api == "slim.arg_scope":
                inner = _replace(inner, arg_scope=True)
                self.any_arg_scope = True
            elif api in _TOWER_SCOPES and ctx.tower is False and _in_loop(ctx) and context.args and not isinstance(context.args[0], ir.Const):
                inner = _replace(inner, tower=True)
        self.block(node.body, inner)

    # -------------------------------------------------------- expressions

    def expr(self, node: ir.Expr, ctx: _Ctx) -> None:
        for call in _calls(node):
            self.call(call, ctx)
        if _mentions_update_ops(node):
            self.update_ops_handled = True

    def call(self, node: ir.Call, ctx: _Ctx) -> None:  # noqa: C901 - one dispatch over the APIs that matter
        api = self.api(node.func)
        if api in _CREATORS:
            name = _argument(node, 0, "name")
            literal = name.value if isinstance(name, ir.Const) and isinstance(name.value, str) else None
            if api == "tf.Variable":
                literal = literal if isinstance(_keyword(node, "name"), ir.Const) else None
            self.creations.append(_Creation(self.point(ctx), node.pos, api, literal if api in ("tf.get_variable", "tf.Variable") else None))
        if api == "tf.train.Saver":
            if _argument(node, 0, "var_list") in (None, ir.Const(None)) and _keyword(node, "defer_build") != ir.Const(True) and not node.starred and all(k is not None for k, _ in node.kwargs):
                self.savers.append((self.point(ctx), node.pos))
        elif api == "tf.reset_default_graph":
            self.resets[ctx.frame] = self.resets.get(ctx.frame, 0) + 1
        elif api in _HANDLES_UPDATE_OPS:
            self.update_ops_handled = True
        elif api in ("tf.layers.batch_normalization", "slim.batch_norm") and self.batch_norm_trains(node, api, ctx):
            self.batch_norms.append((ctx.frame, node.pos, api))
        elif api in _CREATORS and self.api(_keyword(node, "normalizer_fn") or ir.Const(None)) == "slim.batch_norm":
            if self.normalizer_trains(node, ctx):
                self.batch_norms.append((ctx.frame, node.pos, f"{api}(normalizer_fn=slim.batch_norm)"))
        elif api in ("tf.get_collection", "tf.get_collection_ref") and ctx.tower and _is_update_ops(_argument(node, 0, "key")):
            if _argument(node, 1, "scope") in (None, ir.Const(None)):
                self.tower_reads.append(node.pos)
        elif api is None and isinstance(node.func, ir.Attr):
            self.method_call(node, node.func, ctx)
        elif api is None and isinstance(node.func, ir.Name):
            self.local_calls.append((self.point(ctx), node.pos, node.func.id))

    def method_call(self, node: ir.Call, func: ir.Attr, ctx: _Ctx) -> None:
        if func.attr in ("minimize", "apply_gradients", "apply"):
            receiver = self.spelled(func.value)
            if isinstance(func.value, ir.Call):
                ctor = self.api(func.value.func)
                receiver = f"<call:{ctor.rpartition('.')[2]}>" if ctor and ctor.startswith("tf.train.") else None
            if receiver:
                self.method_calls.append(_MethodCall(self.point(ctx), node.pos, receiver, func.attr, ctx.control_deps))
        elif isinstance(func.value, ir.Name) and func.value.id == "self" and ctx.klass:
            self.local_calls.append((self.point(ctx), node.pos, f"{ctx.klass}.{func.attr}"))

    def batch_norm_trains(self, node: ir.Call, api: str, ctx: _Ctx) -> bool:
        """True when the layer adds its updates to UPDATE_OPS (or may: a training flag that is a variable)."""
        if node.starred or any(k is None for k, _ in node.kwargs):
            return False
        if api == "tf.layers.batch_normalization":
            return _argument(node, 14, "training") not in (None, ir.Const(False), ir.Const(None))
        if ctx.arg_scope or self.any_arg_scope or "updates_collections" in {k for k, _ in node.kwargs}:
            return False  # an arg_scope or an explicit collection decides, and we cannot see it
        return _argument(node, 8, "is_training") != ir.Const(False) and len(node.args) <= 8

    def normalizer_trains(self, node: ir.Call, ctx: _Ctx) -> bool:
        """``slim.conv2d(..., normalizer_fn=slim.batch_norm, normalizer_params={...})``:
        batch_norm is called with exactly those keyword arguments."""
        if ctx.arg_scope or self.any_arg_scope:
            return False
        params = _keyword(node, "normalizer_params")
        if params is None or params == ir.Const(None):
            return True
        if not isinstance(params, ir.DictE) or any(not isinstance(k, ir.Const) for k in params.keys):
            return False
        given = {k.value: v for k, v in zip(params.keys, params.values) if isinstance(k, ir.Const)}
        return "updates_collections" not in given and given.get("is_training") != ir.Const(False)

    # -------------------------------------------------------- joining

    def classes(self, receiver: str) -> set[str]:
        if receiver.startswith("<call:"):
            return {receiver[6:-1]}
        return self.classes_of.get(receiver, set())

    def slot_creations(self) -> Iterator[_Creation]:
        for call in self.method_calls:
            classes = self.classes(call.receiver)
            if call.method in ("minimize", "apply_gradients") and classes and all(
                c.endswith("Optimizer") and c not in _NO_SLOT_OPTIMIZERS for c in classes
            ):
                yield _Creation(call.point, call.pos, f"Optimizer.{call.method}", None)
            elif call.method == "apply" and classes == {"ExponentialMovingAverage"}:
                yield _Creation(call.point, call.pos, "ExponentialMovingAverage.apply", None)

    def creating_frames(self, creations: list[_Creation]) -> set[str]:
        creating = {c.point.frame for c in creations}
        changed = True
        while changed:
            changed = False
            for point, _, callee in self.local_calls:
                if point.frame not in creating and self.targets(callee) & creating:
                    creating.add(point.frame)
                    changed = True
        return creating

    def targets(self, callee: str) -> set[str]:
        return {callee} if "." in callee else self.functions.get(callee, set())


def _replace(ctx: _Ctx, **changes: object) -> _Ctx:
    return _Ctx(**{**ctx.__dict__, **changes})


def _loop(ctx: _Ctx) -> _Ctx:
    return _replace(ctx, branches=ctx.branches + ((-1, 0),))


def _in_loop(ctx: _Ctx) -> bool:
    return any(key == -1 for key, _ in ctx.branches)


def _branch(ctx: _Ctx, key: int, index: int) -> _Ctx:
    return _replace(ctx, branches=ctx.branches + ((key, index),))


def _exclusive(a: _Point, b: _Point) -> bool:
    mine = dict(a.branches)
    return any(key != -1 and key in mine and mine[key] != index for key, index in b.branches)


def _argument(call: ir.Call, index: int, keyword: str) -> ir.Expr | None:
    found = _keyword(call, keyword)
    if found is not None:
        return found
    return call.args[index] if index < len(call.args) else None


def _keyword(call: ir.Call, keyword: str) -> ir.Expr | None:
    for key, value in call.kwargs:
        if key == keyword:
            return value
    return None


def _is_update_ops(expr: ir.Expr | None) -> bool:
    return (isinstance(expr, ir.Attr) and expr.attr == "UPDATE_OPS") or expr == ir.Const("update_ops")


def _children(node: object) -> Iterator[ir.Expr]:
    if isinstance(node, ir.Call):
        yield node.func
        yield from node.args
        yield from (value for _, value in node.kwargs)
    elif isinstance(node, ir.Attr):
        yield node.value
    elif isinstance(node, (ir.BinOp, ir.Compare)):
        yield node.left
        yield node.right
    elif isinstance(node, (ir.BoolOp, ir.Seq)):
        yield from (node.values if isinstance(node, ir.BoolOp) else node.items)
    elif isinstance(node, ir.Not):
        yield node.value
    elif isinstance(node, ir.FString):
        yield from (p for p in node.parts if not isinstance(p, str))
    elif isinstance(node, ir.DictE):
        yield from (k for k in node.keys if k is not None)
        yield from node.values
    elif isinstance(node, ir.Subscript):
        yield node.value
        yield node.index
    elif isinstance(node, ir.IfExp):
        yield from (node.test, node.body, node.orelse)
    elif isinstance(node, ir.ListComp):
        yield from (node.iter, node.elt)


def _calls(node: ir.Expr) -> Iterator[ir.Call]:
    """Calls in evaluation order: arguments before the call that receives them."""
    for child in _children(node):
        yield from _calls(child)
    if isinstance(node, ir.Call):
        yield node


def _mentions_update_ops(node: ir.Expr) -> bool:
    if _is_update_ops(node):
        return True
    return any(_mentions_update_ops(child) for child in _children(node))


# ------------------------------------------------------------------ the analysis


def analyse(
    statements: tuple[ir.Stmt, ...],
    imports: dict[str, str],
    tf_modules: tuple[str, ...] = (),
    source: str = "",
    only_fetches: Callable[[ir.Pos], bool] = lambda pos: False,
) -> CollectionFacts:
    """``only_fetches(pos)``: the scope model knows that the call at ``pos`` creates
    nothing (every variable it asks for exists and is fetched under reuse)."""
    walker = _Walker(dict(imports), tf_modules)
    walker.block(statements, _Ctx())
    # The IR drops what it does not model (``*args``, comprehensions with
    # conditions): any spelling of the collection in the text means the
    # author handles it somewhere, and silence is the safe answer.
    walker.update_ops_handled |= "UPDATE_OPS" in source or "update_ops" in source
    creations = _first_global_step_only(walker.creations) + list(walker.slot_creations())
    return CollectionFacts(
        saver_too_early=tuple(_savers_too_early(walker, [c for c in creations if not only_fetches(c.pos)], only_fetches)),
        update_ops_not_run=tuple(_update_ops_not_run(walker)),
        tower_reads=tuple(TowerUpdateOpsRead(pos) for pos in walker.tower_reads),
    )


_GLOBAL_STEP = frozenset({"tf.train.get_or_create_global_step", "tf.train.create_global_step", "slim.get_or_create_global_step", "slim.create_global_step"})


def _first_global_step_only(creations: list[_Creation]) -> list[_Creation]:
    """``get_or_create_global_step()`` after an earlier global-step call in the same
    frame fetches the existing variable: it creates nothing."""
    kept: list[_Creation] = []
    seen_frames: set[str] = set()
    for creation in sorted(creations, key=lambda c: c.point.order):
        if creation.api in _GLOBAL_STEP:
            if creation.point.frame in seen_frames and creation.api.endswith("get_or_create_global_step"):
                continue
            seen_frames.add(creation.point.frame)
        kept.append(creation)
    return kept


def _comparable(saver: _Point, later: _Point) -> bool:
    return (
        later.frame == saver.frame
        and later.order > saver.order
        and later.graph == saver.graph
        and later.resets == saver.resets
        and not _exclusive(saver, later)
    )


def _savers_too_early(walker: _Walker, creations: list[_Creation], only_fetches: Callable[[ir.Pos], bool]) -> Iterator[SaverTooEarly]:
    creating = walker.creating_frames(creations)
    for point, pos in walker.savers:
        candidates: list[tuple[int, SaverTooEarly]] = [
            (c.point.order, SaverTooEarly(pos, c.pos, c.api, c.name)) for c in creations if _comparable(point, c.point)
        ]
        for call_point, call_pos, callee in walker.local_calls:
            hits = walker.targets(callee) & creating
            if hits and _comparable(point, call_point) and not only_fetches(call_pos):
                candidates.append((call_point.order, SaverTooEarly(pos, call_pos, "build", None, via=sorted(hits)[0])))
        if candidates:
            yield min(candidates, key=lambda pair: pair[0])[1]


def _update_ops_not_run(walker: _Walker) -> Iterator[UpdateOpsNotRun]:
    if walker.update_ops_handled or not walker.batch_norms:
        return
    train_ops = [c for c in walker.method_calls if c.method in ("minimize", "apply_gradients") and not c.covered]
    for call in train_ops:
        if not any(c.endswith("Optimizer") for c in walker.classes(call.receiver)):
            continue
        reachable = _reachable(walker, call.point.frame)
        for frame, pos, api in walker.batch_norms:
            if frame in reachable:
                yield UpdateOpsNotRun(call.pos, call.method, pos, api)
                break


def _reachable(walker: _Walker, frame: str) -> set[str]:
    seen = {frame}
    pending = [frame]
    while pending:
        current = pending.pop()
        for point, _, callee in walker.local_calls:
            if point.frame == current:
                for target in walker.targets(callee) - seen:
                    seen.add(target)
                    pending.append(target)
    return seen


@dataclass(frozen=True)
class _TextHints:
    """What phase 1 reads off the text: the IR drops ``*update_ops``, and most
    modules build no Saver and no batch norm, so phase 2 can skip them."""

    mentions_update_ops: bool
    worth_analysing: bool


def _hints(source: str) -> _TextHints:
    return _TextHints(
        mentions_update_ops="UPDATE_OPS" in source or "update_ops" in source,
        worth_analysing=any(word in source for word in ("Saver", "batch_norm", "get_collection")),
    )


def _analyze_module(facts: "ModuleFacts", events: tuple[object, ...] = ()) -> list[object]:
    from scopelint.model.events import FETCHED, VariableCreated

    hints = facts.extra_facts("collections")
    if facts.error is not None or not isinstance(hints, _TextHints) or not hints.worth_analysing:
        return []
    outcomes: dict[ir.Pos, set[str]] = {}
    for event in events:
        if isinstance(event, VariableCreated):
            outcomes.setdefault(event.node, set()).add(event.outcome)
            outcomes.setdefault(event.site, set()).add(event.outcome)
    found = analyse(
        facts.body, dict(facts.imports), facts.tf_modules, "UPDATE_OPS" if hints.mentions_update_ops else "",
        only_fetches=lambda pos: outcomes.get(pos, set()) == {FETCHED},
    )
    return [*_with_names(found.saver_too_early, events), *found.update_ops_not_run, *found.tower_reads]


def _with_names(findings: Iterable[SaverTooEarly], events: tuple[object, ...]) -> Iterator[SaverTooEarly]:
    """Name the variable created after the Saver as the scope model predicts it (``net/w``)."""
    from dataclasses import replace

    from scopelint.model.events import VariableCreated, is_concrete

    names: dict[ir.Pos, str] = {}
    for event in events:
        if isinstance(event, VariableCreated) and is_concrete(event.predicted_name):
            names.setdefault(event.node, event.predicted_name)
            names.setdefault(event.site, event.predicted_name)
    for finding in findings:
        name = names.get(finding.creation)
        yield replace(finding, predicted_name=name) if name else finding


def _register() -> None:
    from scopelint.model import register_extractor

    register_extractor(
        "collections",
        lambda module, source, path: _hints(source),
        lambda facts, project, events: _analyze_module(facts, events),
        fact_types=(_TextHints,),
    )


_register()
