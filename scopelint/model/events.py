"""The model's output: events in program order, plain frozen data.

Checks read these and nothing else. Every event carries two positions:
``node``, the call that did it (``tf.get_variable`` inside a builder), and
``site``, the statement of the analysed body that led there (the builder call
in the caller). Diagnostics about what a *call of a builder* does sit on
``site``; explain-names and TF comparisons use ``node``. ``node`` may lie in
another module of the linted tree (a builder imported from it):
``VariableCreated.local`` says whether it is in the analysed file.

Names are strings; a part the model could not resolve is written in braces
(``tower_{i}/w``, ``{scope}/w``). :func:`is_concrete` tells them apart.

Extending: another extractor adds its own event classes (a frozen dataclass
with ``node``/``site``) in a module of its own and contributes them through
:func:`scopelint.model.register_extractor`; checks filter ``ModelResult.events``
by type, so nothing here needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from scopelint.model.ir import Pos

# Reuse modes as the model sees them.
REUSE_OFF, REUSE_ON, REUSE_AUTO, REUSE_UNKNOWN = "off", "on", "auto", "unknown"

# What a creation did (or would do, had TF not raised first).
CREATED = "created"  # a new variable
FETCHED = "fetched"  # an existing variable, under reuse
EXISTS = "exists"  # TF raises "already exists"
MISSING = "missing"  # TF raises "does not exist"
SHAPE_MISMATCH = "shape-mismatch"  # TF raises "Trying to share variable"
UNRESOLVED = "unresolved"  # name or reuse unknown: checks stay silent


def is_concrete(name: str) -> bool:
    return "{" not in name


@dataclass(frozen=True)
class VariableCreated:
    api: str  # "tf.get_variable", "tf.Variable", "tf.layers.dense", "slim.conv2d", "tf.nn.dynamic_rnn", ...
    requested: str  # the name as asked for, relative to the scope ("w", "kernel")
    predicted_name: str  # full name, without ":0"
    outcome: str  # CREATED | FETCHED | EXISTS | MISSING | SHAPE_MISMATCH | UNRESOLVED
    reuse: str  # REUSE_* in effect
    node: Pos
    site: Pos
    variable_scope: str
    name_scope: str
    honours_reuse: bool  # False for tf.Variable and Keras layers
    # Shapes as far as known: a dimension None is not known; the shape None: not even its rank.
    shape: tuple[int | None, ...] | None = None
    first: Pos | None = None  # node of the existing variable (EXISTS, FETCHED, SHAPE_MISMATCH)
    first_shape: tuple[int | None, ...] | None = None
    dtype: str | None = None  # the dtype requested / created with, where known ("float32")
    first_dtype: str | None = None  # the existing variable's
    # The reuse_variables() call that switched on the reuse in effect here, when it
    # came from a scope the block that called it did not open (SL203).
    leaked_from: Pos | None = None
    # A plain name_scope prefix that tf.get_variable ignores here (SL101), e.g. "encoder".
    ignored_name_scope: str | None = None
    ignored_name_scope_at: Pos | None = None  # that name_scope statement (in the analysed file)
    # tf.Variable / Keras: an earlier variable made by the same call under reuse (SL204).
    copy_of: Pos | None = None
    copy_of_name: str | None = None
    expects_error: bool = False  # inside try/except ValueError or assertRaises
    certain: bool = True  # False: on one branch of an unresolved `if`
    local: bool = True  # ``node`` lies in the analysed file (not in a builder of another module)
    # The files ``first`` / ``copy_of`` lie in, when known (a builder of another module
    # puts them there); None: the analysed file.
    first_path: str | None = None
    copy_of_path: str | None = None
    # An optimizer slot or EMA shadow of this variable (made inside minimize()/apply()):
    # SlotsCreated reports its failure under a leaked reuse, so SL202/SL203 skip it.
    slot_of: str | None = None
    path: str | None = None  # the file ``node`` lies in, when not the analysed one (``local`` False)
    # The functions called from the entry point down to the creation (``("mlp", "linear")``).
    via: tuple[str, ...] = ()
    # EXISTS / SHAPE_MISMATCH: where the first creation's call chain leaves this one's (the
    # first ``linear(...)`` call), in the analysed file; None: the same code ran again.
    first_site: Pos | None = None
    # Under reuse=True: the request that switched it on, in the analysed file (SL202 sits there).
    reuse_requested_at: Pos | None = None
    # UNRESOLVED where a rule would have fired had the model been sure (a collision, a
    # missing variable): what made it unsure, for ``--verbose``.
    uncertain_because: str | None = None
    # EXISTS under a reuse the model cannot tell (a function run without its caller): the
    # shape cannot be shared with the first one's, so TF raises under every reuse too.
    any_reuse: bool = False


@dataclass(frozen=True)
class SlotsCreated:
    """optimizer.minimize() / apply_gradients(): slot variables through variable scopes."""

    optimizer: str  # "tf.train.AdamOptimizer"
    creates_slots: bool
    reuse: str
    node: Pos
    site: Pos
    leaked_from: Pos | None = None
    expects_error: bool = False
    path: str | None = None  # the file ``node`` lies in, when not the analysed one


@dataclass(frozen=True)
class ReuseSwitched:
    """``X.reuse_variables()``; ``own``: X is a scope the same function body opened."""

    node: Pos
    site: Pos
    scope_name: str
    own: bool
    path: str | None = None  # the file ``node`` lies in, when not the analysed one


@dataclass(frozen=True)
class ScopeEntered:
    kind: str  # "name_scope" | "variable_scope"
    requested: str  # as written ("x", "x/", "" for root)
    actual: str  # the name scope TF opens ("x_1")
    node: Pos
    site: Pos
    # SL103: another name_scope statement already opened `requested` under the same parent.
    reopened_from: Pos | None = None


@dataclass(frozen=True)
class NameReferenced:
    """A string that names a variable or a scope."""

    kind: str  # "compare" | "tensor-lookup" | "collection-filter" | "checkpoint-map" (init_from_checkpoint values)
    text: str  # as written ("encoder/w:0", "d")
    node: Pos
    site: Pos
    # compare / tensor-lookup: the variable the model thinks is meant and its real name.
    variable: str | None = None
    variable_node: Pos | None = None
    agrees: bool | None = None  # None: cannot tell
    variable_path: str | None = None  # the file ``variable_node`` lies in; None: the analysed file
    # collection-filter: concrete variable names re.match() takes at that point.
    matches: tuple[str, ...] = ()
    complete: bool = False  # every variable in the graph is known to the model
    name_scope_exists: bool = False  # a name scope of that name was opened (the SL101 trap)
    # The filter's result is checked by an assertion (``assertFalse(...)``,
    # ``assertEqual(len(...), 0)``): an empty result is what the author expects.
    asserted: bool = False


@dataclass(frozen=True)
class AnalysedStandalone:
    """A function or method run on its own, as an entry point (``--verbose`` says so):
    nothing the analysed module runs calls it, so what its callers' scopes add is unknown."""

    function: str  # "build", "Model.call"
    node: Pos  # the ``def``
    reason: str


@dataclass(frozen=True)
class Unresolved:
    """Something the model could not follow; checks stay silent about its effects."""

    node: Pos
    reason: str


# ---------------------------------------------------------------- SL301 / SL302
# What a program does with the UPDATE_OPS collection and with its Savers. ``graph``
# tells graphs apart (a serial number per graph the model followed): TF's collections
# and a default Saver's variable list are per graph.

# The training mode a batch-norm layer was built in (``training=`` / ``is_training=``).
TRAINING_TRUE, TRAINING_FALSE, TRAINING_VARIABLE = "true", "false", "variable"


@dataclass(frozen=True)
class BatchNormBuilt:
    """``tf.layers.batch_normalization`` / ``slim.batch_norm`` (also as a slim layer's
    ``normalizer_fn``), with the arguments an ``arg_scope`` gave it."""

    api: str
    training: str  # TRAINING_*: a literal True, a literal False (or the default False), or a value
    adds_update_ops: bool  # puts AssignMovingAvg ops into UPDATE_OPS (training not False, default collection)
    graph: int
    node: Pos
    site: Pos
    local: bool = True
    path: str = ""  # the file ``node`` lies in


@dataclass(frozen=True)
class TrainOpBuilt:
    """``optimizer.minimize`` / ``apply_gradients`` of a ``tf.train.*Optimizer``, or
    ``create_train_op`` / ``optimize_loss`` (which depend on UPDATE_OPS themselves)."""

    api: str  # "minimize" | "apply_gradients" | "slim.learning.create_train_op"
    # Built under tf.control_dependencies(...) of this graph's UPDATE_OPS, or by an API
    # that runs them: True; under control_dependencies of something the model cannot
    # see into: None; no dependency: False.
    runs_update_ops: bool | None
    graph: int
    node: Pos
    site: Pos
    local: bool = True


@dataclass(frozen=True)
class UpdateOpsUsed:
    """This graph's UPDATE_OPS (as read by ``get_collection``) handed to a call that
    runs them or may (``tf.group``, ``session.run``, a function of the project)."""

    graph: int
    node: Pos
    site: Pos


@dataclass(frozen=True)
class UpdateOpsRead:
    """``get_collection(UPDATE_OPS)``: ``scoped`` when given a scope; ``name_scope`` where it runs."""

    scoped: bool
    name_scope: str
    graph: int
    node: Pos
    site: Pos


@dataclass(frozen=True)
class SaverBuilt:
    """``tf.train.Saver(...)``; ``takes_all``: no var_list (and no defer_build), so it
    takes the global variables existing now."""

    takes_all: bool
    graph: int
    node: Pos
    site: Pos
    local: bool = True
    path: str = ""


@dataclass(frozen=True)
class SaverMisses:
    """A global variable created, for certain, after a ``takes_all`` Saver of the same
    graph: the first one per Saver."""

    saver: Pos  # the Saver's node
    saver_site: Pos
    saver_local: bool
    saver_path: str
    api: str  # "tf.get_variable", "tf.layers.dense", "Optimizer.minimize", "tf.train.get_or_create_global_step", ...
    predicted_name: str | None  # None: slot variables, or an unresolved name
    node: Pos
    site: Pos
    local: bool = True
    path: str = ""


@dataclass(frozen=True)
class SaverUsed:
    """``saver.save(...)`` / ``saver.restore(...)`` / anything else on a Saver."""

    saver: Pos
    method: str


Event = (
    VariableCreated | SlotsCreated | ReuseSwitched | ScopeEntered | NameReferenced | Unresolved | AnalysedStandalone | BatchNormBuilt
    | TrainOpBuilt | UpdateOpsUsed | UpdateOpsRead | SaverBuilt | SaverMisses | SaverUsed
)
