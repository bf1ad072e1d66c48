"""Training plumbing the SL3xx rules read: batch-norm update ops, train ops, Savers,
the global step.

What TF 2.21 ``tf.compat.v1`` does here (each proven in tests/test_sl301.py,
tests/test_sl302.py):

* ``tf.layers.batch_normalization`` puts two ``AssignMovingAvg`` ops into
  ``UPDATE_OPS`` when ``training`` is not False (default False);
  ``slim.batch_norm`` when ``is_training`` is not False (default True), unless
  ``updates_collections=None`` (then it updates in place). ``arg_scope`` supplies
  the arguments a call does not give.
* ``minimize`` / ``apply_gradients`` do not depend on ``UPDATE_OPS``;
  ``slim.learning.create_train_op`` / ``optimize_loss`` do. A train op built under
  ``tf.control_dependencies(update_ops)`` runs them; so does ``tf.group(train_op,
  *update_ops)`` or ``session.run([train_op, update_ops])``. ``get_collection``
  reads one graph's collection.
* ``Saver()`` without ``var_list`` takes the global variables that exist when it is
  built: variables, slot variables (every optimizer but (Proximal)GradientDescent)
  and EMA shadow variables created later are not saved.
* ``get_or_create_global_step()`` creates ``global_step`` (``trainable=False``)
  through ``get_variable`` in the current variable scope, or returns the existing one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.tfargs import arg

if TYPE_CHECKING:
    from scopelint.model.tfcalls import TfCalls

TRAIN_OP_APIS = frozenset({"slim.learning.create_train_op", "slim.create_train_op", "slim.optimize_loss",
                            "slim.learning.optimize_loss"})
GLOBAL_STEP_APIS = frozenset({"tf.train.get_or_create_global_step", "tf.train.create_global_step",
                               "slim.get_or_create_global_step", "slim.create_global_step"})
# Calls that only look at update ops, never run them.
_INSPECTING = frozenset({"len", "print", "isinstance", "bool", "str", "repr", "type"})


@lru_cache(maxsize=65536)  # asked on every TF call and lookup; the spellings a run sees are few
def train_api(name: str) -> str:
    """``tf.train.saver.Saver`` (TF's internal module spelling) is ``tf.train.Saver``."""
    parts = name.split(".")
    if parts[:2] == ["tf", "train"] and len(parts) == 4 and parts[2].islower():
        return f"tf.train.{parts[3]}"
    if parts[:2] == ["tf", "train"] and len(parts) == 4 and parts[2] == "training_util":
        return f"tf.train.{parts[3]}"
    return name


def is_update_ops_key(value: Any) -> bool:
    return (isinstance(value, v.Api) and value.name.endswith("GraphKeys.UPDATE_OPS")) or (
        isinstance(value, v.Lit) and value.value == "update_ops"
    )


_CARRIERS = (v.UpdateOps, v.SeqValue, v.DictValue)  # what carries_update_ops finds any in


def carries_update_ops(value: Any, depth: int = 0) -> list[v.UpdateOps]:
    if isinstance(value, v.UpdateOps):
        return [value]
    if depth > 4:
        return []
    if isinstance(value, v.SeqValue):
        return [found for item in value.items for found in carries_update_ops(item, depth + 1)]
    if isinstance(value, v.DictValue):
        return [found for item in value.items.values() for found in carries_update_ops(item, depth + 1)]
    return []


class Training:
    def __init__(self, tf: "TfCalls") -> None:
        self.tf = tf
        self.i = tf.i
        # The run has read UPDATE_OPS: until then no value can carry update ops, and no call
        # needs its arguments searched for them (most modules never read the collection).
        self.made_update_ops = False

    def _where(self, node: ir.Pos) -> tuple[ir.Pos, ir.Pos, bool, str]:
        i = self.i
        return node, i.site(node), i.frame.module == i.main, i.path_of(i.frame.module)

    # ------------------------------------------------------------ UPDATE_OPS

    def get_collection(self, graph: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any | None:
        """``get_collection(UPDATE_OPS[, scope])``: the graph's update ops; None for other keys."""
        if not is_update_ops_key(arg(args, kwargs, 0, "key")):
            return None
        scope = arg(args, kwargs, 1, "scope")
        scoped = scope is not None and not (isinstance(scope, v.Lit) and scope.value is None)
        pos, site, _, _ = self._where(node.pos)
        self.i.emit(ev.UpdateOpsRead(scoped, self.i.ctx.ns, graph.serial, pos, site))
        self.made_update_ops = True
        return v.UpdateOps(graph.serial)

    def arguments(self, func: Any, values: list[Any], node: ir.Call) -> None:
        """Update ops handed to a call run (or may run) there: ``tf.group``, ``session.run``, a helper."""
        for value in values:
            if isinstance(value, _CARRIERS):
                break
        else:
            return  # most calls: nothing handed over could hold update ops
        if getattr(func, "name", None) in _INSPECTING or (isinstance(func, v.Api) and func.name == "tf.control_dependencies"):
            return
        graphs = {found.graph for value in values for found in carries_update_ops(value)}
        for graph in sorted(graphs):
            pos, site, _, _ = self._where(node.pos)
            self.i.emit(ev.UpdateOpsUsed(graph, pos, site))

    def control_dependencies(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        deps = arg(args, kwargs, 0, "control_inputs")
        graph = self.i.ctx.graph.serial
        if any(found.graph == graph for found in carries_update_ops(deps)):
            runs: bool | None = True
        elif carries_update_ops(deps):
            runs = False  # another graph's update ops: not this graph's batch norms
        else:
            runs = None  # a dependency the model cannot see into
        return v.Context("control_dependencies", {"runs": runs}, node.pos)

    def batch_norm(self, api: str, options: dict[str, Any], training_key: str, default_training: bool, node: ir.Pos) -> None:
        """A batch-norm layer built with ``options`` (arguments plus arg_scope defaults)."""
        if "**" in options:
            return  # arguments the model cannot read: say nothing about this layer
        training = options.get(training_key, v.Lit(default_training))
        known = v.truth(training) if isinstance(training, v.Lit) else None
        mode = ev.TRAINING_VARIABLE if known is None else ev.TRAINING_TRUE if known else ev.TRAINING_FALSE
        collection = options.get("updates_collections")
        default_collection = collection is None or is_update_ops_key(collection)
        pos, site, local, path = self._where(node)
        self.i.emit(ev.BatchNormBuilt(api, mode, mode != ev.TRAINING_FALSE and default_collection,
                                      self.i.ctx.graph.serial, pos, site, local, path))

    def train_op(self, api: str, node: ir.Pos, runs: bool | None = None) -> None:
        deps = self.i.ctx.update_deps
        pos, site, local, _ = self._where(node)
        self.i.emit(ev.TrainOpBuilt(api, deps if runs is None else runs, self.i.ctx.graph.serial, pos, site, local))

    def create_train_op(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        self.train_op("slim.learning.create_train_op", node.pos, runs=True)
        optimizer = arg(args, kwargs, 1, "optimizer")
        if isinstance(optimizer, v.Optimizer):
            self.slots(optimizer, "minimize", node.pos)
        return v.Tensor()

    # ------------------------------------------------------------ Savers

    def saver(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        var_list = arg(args, kwargs, 0, "var_list")
        defer = kwargs.get("defer_build")
        takes_all = (
            (var_list is None or (isinstance(var_list, v.Lit) and var_list.value is None))
            and (defer is None or v.truth(defer) is False) and not node.starred and "**" not in kwargs
        )
        graph = self.i.ctx.graph
        pos, site, local, path = self._where(node.pos)
        event = ev.SaverBuilt(takes_all, graph.serial, pos, site, local, path)
        self.i.emit(event)
        if takes_all:
            graph.savers = graph.savers + (event,)
        return v.Saver(pos)

    def saver_method(self, saver: v.Saver, name: str) -> Any:
        self.i.emit(ev.SaverUsed(saver.node, name))
        return v.Tensor()

    def created(self, api: str, predicted: str | None, node: ir.Pos) -> None:
        """A global variable was created in the current graph: every pending Saver misses it."""
        graph = self.i.ctx.graph
        if not graph.savers:
            return
        _, site, local, path = self._where(node)
        for saver in graph.savers:
            self.i.emit(ev.SaverMisses(saver.node, saver.site, saver.local, saver.path, api,
                                       predicted if predicted and ev.is_concrete(predicted) else None,
                                       node, site, local, path))
        graph.savers = ()

    def creates(self, outcome: str, reuse: str, first: ir.Pos | None) -> bool:
        """A creation event makes a new variable (not a fetch under reuse, not an error)."""
        if outcome == ev.CREATED:
            return True
        if outcome != ev.UNRESOLVED or first is not None:
            return False
        # Name unresolved without reuse; or reuse unknown only because the function is
        # analysed without its caller (the usual caller builds at the root, without reuse).
        root = self.i.ctx.graph.root
        return reuse == ev.REUSE_OFF or (reuse == ev.REUSE_UNKNOWN and root is not None and root.reuse == ev.REUSE_UNKNOWN
                                         and self.i.ctx.vs.reuse == ev.REUSE_UNKNOWN and self.i.ctx.vs.name.startswith("{scope}"))

    def slots(self, optimizer: v.Optimizer, method: str, node: ir.Pos) -> None:
        if optimizer.creates_slots and self.i.ctx.vs.reuse != ev.REUSE_ON:
            self.created(f"Optimizer.{method}", None, node)


def with_update_deps(ctx: Any, runs: bool | None) -> Any:
    """Entering ``control_dependencies``: what the train ops built inside depend on."""
    current = ctx.update_deps
    if current is True or runs is False:
        return ctx
    return ctx.changed(update_deps=runs)
