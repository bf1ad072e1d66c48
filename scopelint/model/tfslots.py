"""Variables TF creates for you: optimizer slots, EMA shadows, the global step.

One place for their names (TF 2.21 ``tf.compat.v1``; proven in
tests/test_slots_tf.py):

* ``opt.minimize()`` / ``apply_gradients()`` make each slot through
  ``slot_creator.create_slot``: ``variable_scope(None, default_name=<var>/<opt name>)``
  then ``get_variable("")``. So slots live under the *current variable scope*, honour
  its reuse (a leaked ``reuse=True`` makes them fail: SL203) and uniquify:
  Adam's two slots are ``w/Adam`` and ``w/Adam_1``; a second Adam on the same
  variables makes ``w/Adam_2``, ``w/Adam_3``.
* Adam's ``beta1_power`` / ``beta2_power`` are plain ``tf.Variable`` objects
  under the current name scope, once per optimizer object (``beta1_power_1``
  for a second Adam).
* Slots go to trainable variables only (the default ``var_list``); slots
  themselves, batch-norm moving statistics and the global step are not trainable.
* ``ExponentialMovingAverage(...).apply(var_list)`` shadows each variable the
  same way: ``w/ExponentialMovingAverage`` (its ``name=``).
* ``get_or_create_global_step()``: ``get_variable("global_step")`` with name
  scopes reset, once per graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.tfargs import arg, join

if TYPE_CHECKING:
    from scopelint.model.tfcalls import TfCalls


@dataclass(frozen=True)
class SlotSpec:
    default_name: str  # the optimizer's name= default: slots are "<var>/<name>", "<var>/<name>_1", ...
    slots: int  # slot variables per trained variable
    non_slots: tuple[str, ...] = ()  # tf.Variable objects made once per optimizer
    name_index: int | None = None  # positional index of name=


SLOTS: dict[str, SlotSpec] = {
    "tf.train.GradientDescentOptimizer": SlotSpec("GradientDescent", 0, (), 2),
    "tf.train.ProximalGradientDescentOptimizer": SlotSpec("ProximalGradientDescent", 0),
    "tf.train.AdamOptimizer": SlotSpec("Adam", 2, ("beta1_power", "beta2_power"), 5),
    "tf.train.MomentumOptimizer": SlotSpec("Momentum", 1, (), 3),
    "tf.train.RMSPropOptimizer": SlotSpec("RMSProp", 2, (), 6),  # centered=True: 3 (see slot_count)
    "tf.train.AdagradOptimizer": SlotSpec("Adagrad", 1, (), 3),
    "tf.train.AdagradDAOptimizer": SlotSpec("AdagradDA", 2, (), 6),
    "tf.train.AdadeltaOptimizer": SlotSpec("Adadelta", 2, (), 4),
    "tf.train.FtrlOptimizer": SlotSpec("Ftrl", 2, (), 6),
    "tf.train.ProximalAdagradOptimizer": SlotSpec("ProximalAdagrad", 1, (), 5),
}
EMA = "tf.train.ExponentialMovingAverage"
EMA_DEFAULT_NAME = "ExponentialMovingAverage"
GLOBAL_STEP_APIS = frozenset(
    {"tf.train.get_or_create_global_step", "tf.train.create_global_step", "slim.get_or_create_global_step",
     "slim.create_global_step"}
)
# Variables a layer creates that are not trainable (so get no optimizer slots).
NON_TRAINABLE_LAYER_VARIABLES = frozenset({"moving_mean", "moving_variance"})


def optimizer(api: str, args: list[Any], kwargs: dict[str, Any]) -> v.Optimizer:
    spec = SLOTS.get(api)
    if spec is None:
        return v.Optimizer(api, True)
    name = v.as_str(arg(args, kwargs, spec.name_index, "name", v.Lit(spec.default_name)))
    slots: int | None = spec.slots
    if api == "tf.train.RMSPropOptimizer":
        centered = v.truth(arg(args, kwargs, 5, "centered", v.Lit(False)))
        slots = None if centered is None else spec.slots + int(centered)
    return v.Optimizer(api, spec.slots > 0, name, slots, spec.non_slots)


def minimize(tf: "TfCalls", opt: v.Optimizer, method: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> None:
    """The slot variables of ``opt.minimize(loss, global_step, var_list)`` / ``apply_gradients``."""
    if opt.slots == 0:
        return
    primaries = _trained(tf, method, args, kwargs)
    if opt.name is None or opt.slots is None or primaries is None:
        tf.i.opaque(node.pos, f"{opt.api.rsplit('.', 1)[-1]}.{method}() creates slot variables the model cannot name")
        return
    if not opt.made_non_slots:
        opt.made_non_slots = True
        for name in opt.non_slots:
            full = tf.i.ctx.graph.unique_name(join(tf.i.ctx.ns, name))
            tf.create_plain(f"{opt.api}.{method}", full, node.pos, name, trainable=False)
    for primary in primaries:
        for _ in range(opt.slots):
            shadow(tf, f"{opt.api}.{method}", primary, opt.name, node.pos)


def shadow(tf: "TfCalls", api: str, primary: str, name: str, node: ir.Pos) -> None:
    """``slot_creator.create_slot(primary, ..., name)``: get_variable('') in scope '<primary>/<name>'."""
    tf.scoped(None, v.Lit(f"{primary}/{name}"), None, node,
              lambda _scope: tf.create(api, v.Lit(""), None, node, trainable=False, slot_of=primary))


def ema(api: str, args: list[Any], kwargs: dict[str, Any]) -> v.Optimizer:
    name = v.as_str(arg(args, kwargs, 3, "name", v.Lit(EMA_DEFAULT_NAME)))
    return v.Optimizer(api, True, name, 1, ())


def ema_apply(tf: "TfCalls", averager: v.Optimizer, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> None:
    primaries = _variables(arg(args, kwargs, 0, "var_list"), tf)
    if averager.name is None or primaries is None:
        tf.i.opaque(node.pos, "ExponentialMovingAverage.apply() of variables the model cannot name")
        return
    for primary in primaries:
        shadow(tf, f"{EMA}.apply", primary, averager.name, node.pos)


def global_step(tf: "TfCalls", node: ir.Call) -> Any:
    graph = tf.i.ctx.graph
    if graph.global_step is not None:
        return graph.global_step
    saved = tf.i.ctx.ns
    tf.i.ctx.ns = ""  # `with g.name_scope(None)`; the variable scope stays
    try:
        made = tf.create("tf.train.get_or_create_global_step", v.Lit("global_step"), (), node.pos, trainable=False)
    finally:
        tf.i.ctx.ns = saved
    graph.global_step = made
    return made


def _trained(tf: "TfCalls", method: str, args: list[Any], kwargs: dict[str, Any]) -> list[str] | None:
    if method == "minimize":
        return _variables(arg(args, kwargs, 2, "var_list"), tf)
    pairs = arg(args, kwargs, 0, "grads_and_vars")
    if isinstance(pairs, v.SeqValue) and all(isinstance(p, v.SeqValue) and len(p.items) == 2 for p in pairs.items):
        return _variables(v.SeqValue([p.items[1] for p in pairs.items]), tf)
    if isinstance(pairs, v.GradsAndVars):
        return _variables(pairs.var_list, tf)
    return None


def _variables(value: Any, tf: "TfCalls") -> list[str] | None:
    """Names of the variables in a var_list; None (absent): every trainable variable."""
    if value is None or (isinstance(value, v.Lit) and value.value is None):
        graph = tf.i.ctx.graph
        return [name for name, record in graph.variables.items() if record.trainable]
    if isinstance(value, v.SeqValue) and all(isinstance(item, v.Variable) for item in value.items):
        return [item.name for item in value.items]
    return None
