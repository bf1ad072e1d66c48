"""Abstract values the interpreter computes for Python expressions.

Strings are plain ``str`` inside :class:`Lit`; a part that cannot be resolved
is kept as ``{...}`` in a :class:`Sym` (``tower_{i}``). Objects with identity
(scopes, layers, instances) are mutable: TF mutates them too
(``scope.reuse_variables()``, a layer built on its first call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scopelint.model import ir


@dataclass(frozen=True)
class Unknown:
    reason: str = "unknown"


@dataclass(frozen=True)
class Lit:
    value: str | int | float | bool | None
    # A literal ``True`` handed to a call: (module, position) of the call that passed it
    # (``net(x, reuse=True)``), kept as the value flows through parameters, so a
    # ``reuse=True`` request is reported where it was written. Not part of the value.
    origin: tuple[str, ir.Pos] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Sym:
    """A string with unresolved parts in braces."""

    text: str


@dataclass(frozen=True)
class Api:
    """A TF-family module, function or class, by canonical name (``tf.variable_scope``)."""

    name: str


@dataclass(frozen=True)
class Inert:
    """A value from a module that never creates TF variables (numpy, os, ...)."""

    name: str


@dataclass(frozen=True)
class Tensor:
    """The result of a TF op: calling its methods creates no variables. ``shape``: its static
    shape where known (``None`` dims unknown; see scopelint.model.shapes), ``dtype`` its dtype's name."""

    shape: tuple[int | None, ...] | None = None
    dtype: str | None = None


@dataclass(eq=False)
class Module:
    """A module of the linted tree, by name."""

    name: str


@dataclass(eq=False)
class Function:
    definition: ir.FunctionDef
    module: str  # module key in the project
    closure: "Env | None"
    bound_self: Any = None
    # Its decorators were applied where it was defined (what they returned is what the
    # name holds); this is the undecorated function they wrapped, run as it is.
    undecorated: bool = False
    # ``@contextlib.contextmanager``: a call returns a generator context (the ``with`` body
    # runs where the function yields).
    context_manager: bool = False


@dataclass(eq=False)
class Class:
    definition: ir.ClassDef
    module: str
    methods: dict[str, ir.FunctionDef]
    bases: list[Any]


@dataclass(eq=False)
class Instance:
    cls: Class
    attrs: dict[str, Any] = field(default_factory=dict)
    partial_knowledge: bool = False  # an entry-point `self`: unknown attributes are Unknown


@dataclass(eq=False)
class Super:
    """``super()`` in a method of ``after``: attributes are looked up on ``after``'s bases and
    bound to ``instance``."""

    instance: Instance
    after: Class


@dataclass(eq=False)
class Partial:
    func: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(eq=False)
class ScopeObject:
    """A captured ``tf.VariableScope``."""

    name: str  # full variable-scope name ("" for the root)
    reuse: str
    original_name_scope: str
    graph: Any
    opened_by_frame: int = -1  # id of the frame whose `with` opened it; -1: root/unknown
    leaked_from: ir.Pos | None = None  # reuse_variables() call that leaked reuse into it
    # The reuse=True request that switched reuse on (a position of the analysed file):
    # the scope's own reuse=True, the call that passed it, or reuse_variables().
    reuse_at: ir.Pos | None = None
    # Its name is exactly what TF gives, relative to the graph's root; False where a default
    # name was uniquified under a scope the model cannot spell (``{scope}/dense`` may be ``dense_2``).
    exact: bool = True
    # The dtype get_variable defaults to here (the scope's dtype=); None: not known (a custom_getter).
    dtype: str | None = "float32"


@dataclass(eq=False)
class GraphValue:
    graph: Any


@dataclass(eq=False)
class Layer:
    """A tf.layers / Keras layer object; ``scope`` is set when built."""

    api: str
    spec: Any
    name: str | None
    reuse: Any
    use_bias: bool
    scope: str | None = None
    keras: bool = False
    variables: list[str] = field(default_factory=list)
    first_node: ir.Pos | None = None
    # ``_scope=``: the variable scope TF captured when the layer object was built; its
    # variables go straight into it (``<scope>/kernel``).
    fixed_scope: Any = None
    # The constructor's arguments (units, kernel_size, ...): the variables' shapes, with the input's.
    arguments: tuple[list[Any], dict[str, Any]] = (list(), dict())


@dataclass(eq=False)
class Cell:
    api: str
    spec: Any  # CellSpec, or None for MultiRNNCell
    name: str | None
    cells: list[Any] = field(default_factory=list)  # MultiRNNCell members
    built_scope: str | None = None
    reuse: Any = None  # the cell's own reuse= (BasicLSTMCell(..., reuse=tf.AUTO_REUSE)): its scope's reuse


@dataclass(eq=False)
class Template:
    name: str
    func: Any
    kwargs: dict[str, Any]
    scope: ScopeObject | None = None


@dataclass(eq=False)
class Optimizer:
    """An optimizer or an ExponentialMovingAverage (scopelint.model.tfslots names what it creates)."""

    api: str
    creates_slots: bool
    name: str | None = None  # its name= (slots are "<var>/<name>"); None: unknown
    slots: int | None = 0  # slot variables per trained variable; None: unknown
    non_slots: tuple[str, ...] = ()  # tf.Variable objects it makes once (beta1_power)
    made_non_slots: bool = False


@dataclass(eq=False)
class ArgScope:
    """``with slim.arg_scope(...) as sc``: the whole stack of defaults in effect there.
    ``slim.arg_scope(sc)`` later replaces the current stack with it (TF copies the dict)."""

    stack: tuple[tuple[frozenset[str], dict[str, Any]], ...]


@dataclass(eq=False)
class GradsAndVars:
    """``opt.compute_gradients(loss, var_list=...)``: what apply_gradients() will train."""

    var_list: Any


@dataclass(eq=False)
class NetsModel:
    """A tensornets model: a tensor whose ``get_weights()`` are the variables the model knows of."""

    weights: list["Variable"]


@dataclass(eq=False)
class Variable:
    """A variable value (result of get_variable / tf.Variable) and the name the model predicts."""

    name: str
    node: ir.Pos
    path: str | None = None  # the file ``node`` lies in; None: unknown


@dataclass(eq=False)
class Context:
    """A context manager the interpreter knows how to enter (see interpret._enter)."""

    kind: str  # "name_scope" | "variable_scope" | "graph" | "arg_scope" | "expect_error" | "inert"
    args: dict[str, Any] = field(default_factory=dict)
    node: ir.Pos = ir.NO_POS


@dataclass(eq=False)
class UpdateOps:
    """What ``get_collection(UPDATE_OPS)`` returned: the update ops of graph ``graph``."""

    graph: int


@dataclass(eq=False)
class Saver:
    """A ``tf.train.Saver`` object; ``node``: where it was built."""

    node: ir.Pos


@dataclass(eq=False)
class FilterResult:
    """The list a variable filter returns; ``event`` indexes its NameReferenced event."""

    event: int
    length: bool = False  # len() of it


@dataclass(eq=False)
class SeqValue:
    items: list[Any]


@dataclass(eq=False)
class DictValue:
    items: dict[Any, Any]


class Env:
    """A frame's local names, chained to the enclosing function's frame."""

    def __init__(self, parent: "Env | None" = None) -> None:
        self.names: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> Any:
        env: Env | None = self
        while env is not None:
            if name in env.names:
                return env.names[name]
            env = env.parent
        return None

    def copy(self) -> "Env":
        other = Env(self.parent)
        other.names = dict(self.names)
        return other


Value = Any


def as_str(value: Value) -> str | None:
    """A concrete or symbolic string for a value, or None when it is not string-like."""
    if isinstance(value, Lit) and isinstance(value.value, str):
        return value.value
    if isinstance(value, Sym):
        return value.text
    return None


def as_int(value: Value) -> int | None:
    if isinstance(value, Lit) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    return None


def truth(value: Value) -> bool | None:
    """Python truthiness where it is known."""
    if isinstance(value, Lit):
        return bool(value.value)
    if isinstance(value, (SeqValue,)):
        return bool(value.items)
    if isinstance(value, (Function, Class, Instance, ScopeObject, Layer, Cell, Template, Optimizer, Variable, Tensor)):
        return True
    return None


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

    variable: Variable
    op: bool = False


@dataclass(eq=False)
class VarOp:
    """``variable.op``."""

    variable: Variable


