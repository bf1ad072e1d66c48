"""TF's half of the interpreter: what scope, variable and layer APIs do.

Every rule here mirrors TF 2.21 ``tf.compat.v1`` (``variable_scope.py``,
``ops.py``, legacy ``tf.layers``, tf-slim 1.1.0); tests/test_model_tf.py runs
the same programs under TF and compares names.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, ClassVar

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import shapes, tfapi, tfshapes, tfslots
from scopelint.model import values as v
from scopelint.model.context import Host, leaves
from scopelint.model.pyops import string_method
from scopelint.model.silence import why_silent
from scopelint.model.state import Record
from scopelint.model.tfargs import arg, join, reuse_mode
from scopelint.model.tfgraphs import SESSION_APIS, SESSION_METHODS, Graphs
from scopelint.model.tflayers import Layers
from scopelint.model.tfnames import NameRefs, is_trainable_collection
from scopelint.model.tftrain import TRAIN_OP_APIS, Training, train_api, with_update_deps

_VARIABLE_COLLECTION_STRINGS = frozenset({"variables", "trainable_variables", "model_variables", "local_variables"})
_CREATING_NAMESPACES = ("tf.keras.", "tf.estimator.", "tf.contrib.", "tf.layers.", "slim.", "nets.", "tf.nn.rnn_cell.")
_INERT_NAMESPACES = (
    "tf.keras.initializers.", "tf.keras.regularizers.", "tf.keras.backend.", "tf.keras.activations.",
    "tf.keras.losses.", "tf.keras.constraints.",
)
_INERT_CONTEXTS = frozenset(
    {"tf.device", "tf.colocate_with", "tf.GradientTape", "tf.container", "tf.gradient_override_map", "tf.train.MonitoredTrainingSession",
     "tf.train.SingularMonitoredSession", "tf.init_scope"}
)


_INERT_LAYER_PREFIXES = tuple(prefix + "." for prefix in tfapi.INERT_LAYERS)


def _namedtuple_fields(cls: v.Class) -> tuple[str, ...] | None:
    """The fields of ``class C(namedtuple('C', [...]))`` / ``namedtuple('C', 'a b')``, read from its base."""
    if len(cls.definition.bases) != 1 or any(isinstance(s, ir.FunctionDef) for s in cls.definition.body):
        return None
    base = cls.definition.bases[0]
    if not (isinstance(base, ir.Call) and len(base.args) == 2 and not base.kwargs):
        return None
    func = base.func
    if not ((isinstance(func, ir.Attr) and func.attr == "namedtuple") or (isinstance(func, ir.Name) and func.id == "namedtuple")):
        return None
    names = base.args[1]
    if isinstance(names, ir.Const) and isinstance(names.value, str):
        return tuple(names.value.replace(",", " ").split())
    if isinstance(names, ir.Seq) and all(isinstance(i, ir.Const) and isinstance(i.value, str) for i in names.items):
        return tuple(str(i.value) for i in names.items if isinstance(i, ir.Const))
    return None


def _scope_dtype(options: dict[str, Any]) -> str | None | bool:
    """A variable scope's ``dtype=`` (True: none given, inherited); a custom getter makes it unknown."""
    getter, dtype = options.get("custom_getter"), options.get("dtype")
    if getter is not None and not (isinstance(getter, v.Lit) and getter.value is None):
        return None
    if dtype is None or (isinstance(dtype, v.Lit) and dtype.value is None):
        return True
    return shapes.dtype_of(dtype)


def _dict_method(owner: v.DictValue, name: str, args: list[Any]) -> Any:
    """``kwargs.get('scope', None)``, ``kwargs.pop('scope')``, ``setdefault``, ``update``, ``copy``.

    A dict that also holds unknown entries (``**rest`` the model could not read) answers
    a missing key with Unknown, not with the default."""
    items = owner.items
    key = args[0].value if args and isinstance(args[0], v.Lit) else None
    if name in ("get", "pop", "setdefault") and args and isinstance(args[0], v.Lit):
        default = args[1] if len(args) > 1 else v.Lit(None)
        if key not in items and "**" in items:
            return v.Unknown(f"key {key}")
        if name == "pop":
            return items.pop(key, default)
        if name == "setdefault":
            return items.setdefault(key, default)
        return items.get(key, default)
    if name == "copy":
        return v.DictValue(dict(items))
    if name == "update" and args and isinstance(args[0], v.DictValue):
        items.update(args[0].items)
        return v.Lit(None)
    if name == "clear":
        items.clear()
        return v.Lit(None)
    if name in ("pop", "update", "setdefault", "popitem"):
        items["**"] = v.Unknown(f"dict.{name}")
    return v.Unknown(f"method {name}")


class TfCalls:
    def __init__(self, interp: Host) -> None:
        self.i = interp
        # node of a tf.Variable / Keras creation -> name it made, per graph (SL204)
        self.made_by_node: dict[tuple[int, ir.Pos, str], str] = {}
        self._pending_close: Callable[[], None] = lambda: None
        self.layers = Layers(self, interp)
        self.names = NameRefs(interp)
        self.training = Training(self)
        self.graphs = Graphs(interp)

    __deletable__ = ("i", "layers", "names", "training", "graphs", "_pending_close")  # mypyc: release() deletes them

    def release(self) -> None:
        """Let go of the interpreter and the parts that refer back to this object (Core.release)."""
        del self.i, self.layers, self.names, self.training, self.graphs, self._pending_close

    # ------------------------------------------------------------ dispatch

    def modelled(self, name: str) -> bool:
        """The API table says what ``name`` does (so the library's own code need not be followed)."""
        return _modelled(name)

    def plain_op(self, name: str) -> bool:
        """Calling ``name`` is an op the model computes from its arguments alone (it reads and changes no state)."""
        return _plain_op(train_api(name))

    @staticmethod
    def plain_method(owner: Any, name: str) -> bool:
        """``owner.name(...)`` is a tensor's, a string's or a container's own method: :meth:`method`
        computes it from ``owner`` and the arguments alone (a container changes, nothing else)."""
        if isinstance(owner, (v.Tensor, shapes.Shape, shapes.Dim)):
            return True
        plain = isinstance(owner, (v.SeqValue, v.DictValue)) or (isinstance(owner, v.Lit) and isinstance(owner.value, str))
        return plain and not name.startswith("assert") and name not in SESSION_METHODS and not name.endswith("session")

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:  # noqa: C901
        name = train_api(name)
        if _plain_op(name):
            return tfshapes.op(name, args, kwargs)  # most calls; what the chain below ends in for them
        handler = self._HANDLERS.get(name)
        if handler is not None:
            return handler(self, args, kwargs, node)
        if name in tfapi.TF_LAYER_FUNCTIONS:
            return self.layers.layer_function(name, tfapi.TF_LAYER_FUNCTIONS[name], args, kwargs, node)
        if name in tfapi.SLIM_LAYERS:
            return self.layers.slim_layer(name, tfapi.SLIM_LAYERS[name], args, kwargs, node)
        if name in tfapi.TF_LAYER_CLASSES or name in tfapi.KERAS_LAYERS:
            spec = tfapi.TF_LAYER_CLASSES.get(name) or tfapi.KERAS_LAYERS[name]
            use_bias = arg(args, kwargs, None, "use_bias", v.Lit(True))
            layer = v.Layer(name, spec, v.as_str(arg(args, kwargs, None, "name")), kwargs.get("_reuse") or kwargs.get("reuse"),
                            v.truth(use_bias) is not False, keras=name in tfapi.KERAS_LAYERS, arguments=(list(args), dict(kwargs)))
            fixed = kwargs.get("_scope")
            if isinstance(fixed, v.ScopeObject):
                layer.fixed_scope = fixed
            elif v.as_str(fixed):
                layer.fixed_scope = v.Lit(join(self.i.ctx.vs.name, v.as_str(fixed) or ""))
            elif fixed is not None and not (isinstance(fixed, v.Lit) and fixed.value is None):
                layer.fixed_scope = v.Unknown("_scope")
            return layer
        if name in tfapi.RNN_CELLS:
            return v.Cell(name, tfapi.RNN_CELLS[name], v.as_str(arg(args, kwargs, None, "name")),
                          reuse=arg(args, kwargs, None, "reuse"))
        if name == tfapi.MULTI_RNN_CELL:
            cells = arg(args, kwargs, 0, "cells")
            if isinstance(cells, v.SeqValue) and all(isinstance(c, v.Cell) for c in cells.items):
                return v.Cell(name, None, None, cells=list(cells.items))
            return v.Unknown("MultiRNNCell of unknown cells")
        if name in tfapi.CELL_WRAPPERS:
            cell = arg(args, kwargs, 0, "cell")
            return cell if isinstance(cell, v.Cell) else v.Unknown("wrapped cell")
        if name in tfapi.RNN_RUNNERS:
            return self.layers.rnn(name, args, kwargs, node)
        if name in tfapi.OPTIMIZERS:
            return tfslots.optimizer(name, args, kwargs)
        if name == tfslots.EMA:
            return tfslots.ema(name, args, kwargs)
        if name in tfslots.GLOBAL_STEP_APIS:
            return tfslots.global_step(self, node)
        if name.startswith("nets.") and name[5:] in tfapi.NETS_MODELS:
            return self.layers.nets_model(name, args, kwargs, node)
        if name in tfapi.VARIABLE_FILTERS:
            # slim.get_variables(scope, suffix, collection): the collection it filters may be the trainable one.
            trainable = name in tfapi.TRAINABLE_FILTERS or (
                name == "slim.get_variables" and is_trainable_collection(arg(args, kwargs, 2, "collection")))
            return self.names.collection_filter(arg(args, kwargs, tfapi.VARIABLE_FILTERS[name], "scope"), node,
                                                trainable_only=trainable)
        if name in _INERT_CONTEXTS:
            return v.Context("inert", node=node.pos)
        if name in tfapi.INERT_LAYERS or name.startswith(_INERT_LAYER_PREFIXES):
            # slim's pooling and flatten take arg_scope defaults too (padding='SAME' in resnet_arg_scope)
            defaults = self.layers.arg_scope_defaults(name) if name.startswith("slim.") else {}
            return tfshapes.op(name, args, {**defaults, **kwargs})
        if name.startswith(_INERT_NAMESPACES) or name.startswith(tfapi.INERT_PREFIXES):
            return tfshapes.op(name, args, kwargs)
        if name.startswith(_CREATING_NAMESPACES) or name in ("slim", "nets"):
            self.i.opaque(node.pos, f"{name}() is not modelled")
            return v.Unknown(f"result of {name}")
        return tfshapes.op(name, args, kwargs)

    def method(self, owner: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:  # noqa: C901
        if name.startswith("assertRaises"):
            return v.Context("expect_error", node=node.pos)
        if isinstance(owner, (v.Tensor, shapes.Shape, shapes.Dim)):
            return shapes.method(owner, name, args)
        if name in ("assertEqual", "assertEquals") and len(args) >= 2:
            for a, b in ((args[0], args[1]), (args[1], args[0])):
                text = v.as_str(b)
                if isinstance(a, v.VarName) and text is not None:
                    self.names.name_compared(a.variable, text, node.pos, a.op)
            self.names.mark_asserted(args)
            return v.Inert("assert")
        if name.startswith("assert"):
            self.names.mark_asserted(args)
            return v.Inert("assert")
        if name in SESSION_METHODS:
            return self.graphs.session_method(owner, name, args, kwargs, node)
        if name.endswith("session"):
            return v.Context("inert", node=node.pos)
        if isinstance(owner, v.ScopeObject):
            if name == "reuse_variables":
                return self.reuse_variables(owner, node)
            return v.Unknown(f"VariableScope.{name}")
        if isinstance(owner, v.GraphValue):
            if name == "as_default":
                return v.Context("graph", {"graph": owner.graph}, node.pos)
            if name in ("get_tensor_by_name", "get_operation_by_name"):
                self.names.lookup(arg(args, kwargs, 0, "name"), node)
                return v.Tensor()
            if name in ("get_collection", "get_collection_ref"):
                return self.get_collection(owner.graph, args, kwargs, node)
            if name == "name_scope":
                return v.Context("name_scope", {"name": arg(args, kwargs, 0, "name")}, node.pos)
            return v.Tensor()
        if isinstance(owner, v.Saver):
            return self.training.saver_method(owner, name)
        if isinstance(owner, v.Optimizer):
            if owner.api == tfslots.EMA:
                if name == "apply":
                    tfslots.ema_apply(self, owner, args, kwargs, node)
                return v.Tensor()
            if name in ("minimize", "apply_gradients"):
                self.training.train_op(name, node.pos)
                self.training.slots(owner, name, node.pos)
                path = None if self.i.frame.module == self.i.main else self.i.path_of(self.i.frame.module)
                self.i.emit(ev.SlotsCreated(owner.api, owner.creates_slots, self.i.ctx.vs.reuse, node.pos,
                                            self.i.site(node.pos), self.i.ctx.vs.leaked_from, self.i.ctx.expect_error, path))
                tfslots.minimize(self, owner, name, args, kwargs, node)
            if name == "compute_gradients":
                return v.GradsAndVars(arg(args, kwargs, 1, "var_list"))
            return v.Tensor()
        if isinstance(owner, (v.Layer, v.Template)) and name in ("apply", "__call__"):
            return self.layers.call_object(owner, args, kwargs, node)
        if isinstance(owner, v.Lit) and isinstance(owner.value, str):
            return string_method(owner.value, name, args)
        if isinstance(owner, v.SeqValue):
            if name == "append" and args:
                owner.items.append(args[0])
            elif name == "extend" and args and isinstance(args[0], v.SeqValue):
                owner.items.extend(args[0].items)
            return v.Lit(None)
        if isinstance(owner, v.DictValue):
            return _dict_method(owner, name, args)
        if isinstance(owner, v.Context) and name == "__enter__":
            # Entered by hand (tensornets' arg_scopes): in effect until an enclosing `with` ends.
            return self.enter(owner, ir.Unknown("__enter__"))
        if isinstance(owner, v.NetsModel) and name == "get_weights":
            return v.SeqValue(list(owner.weights))
        if isinstance(owner, (v.Variable, v.Cell, v.Layer, v.NetsModel)):
            return v.Tensor()
        return v.Unknown(f"method {name}")

    def call_class_base(self, cls: v.Class, instance: v.Instance, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        fields = _namedtuple_fields(cls)
        if fields is not None and len(args) <= len(fields) and set(kwargs) <= set(fields):
            # class Block(collections.namedtuple('Block', ['scope', 'unit_fn', 'args'])): its
            # constructor only stores the fields (tf-slim's resnet blocks).
            for name, value in zip(fields, args):
                instance.attrs[name] = value
            for name in fields[len(args):]:
                instance.attrs[name] = kwargs.get(name, v.Unknown(f"field {name}"))
            return instance
        self.i.opaque(node.pos, f"{cls.definition.name} extends a class the model does not follow")
        return instance

    # ------------------------------------------------------------ contexts

    def enter(self, context: Any, expr: ir.Expr) -> Any:  # noqa: C901
        i = self.i
        if not isinstance(context, v.Context):
            if isinstance(context, (v.Inert, v.Tensor, v.Lit, v.GraphValue)) or (isinstance(context, v.Unknown) and "open()" in context.reason):
                return v.Unknown("context value")
            # An unknown context manager may open scopes: names under it are not known.
            i.ctx = i.ctx.changed(ns=join(i.ctx.ns, "{ctx}"), vs=v.ScopeObject(join(i.ctx.vs.name, "{ctx}"), ev.REUSE_UNKNOWN,
                                                                               join(i.ctx.ns, "{ctx}") + "/", i.ctx.graph, dtype=None, exact=False))
            return v.Unknown("context value")
        if context.kind == "variable_scope":
            return self.open_variable_scope(context.args.get("name"), context.args.get("default"), context.args.get("reuse"),
                                            context.node, context, dtype=_scope_dtype(context.args))
        if context.kind == "name_scope":
            return self.open_name_scope(context.args.get("name"), context.args.get("default"), context.node)
        if context.kind == "graph":
            return self.graphs.enter(context)
        if context.kind == "arg_scope":
            if "stack" in context.args:
                i.ctx = i.ctx.changed(arg_scopes=context.args["stack"])
            else:
                i.ctx = i.ctx.changed(arg_scopes=i.ctx.arg_scopes + ((context.args["ops"], context.args["kwargs"]),))
            return v.ArgScope(i.ctx.arg_scopes)
        if context.kind == "control_dependencies":
            i.ctx = with_update_deps(i.ctx, context.args["runs"])
            return v.Inert("control dependencies")
        if context.kind == "expect_error":
            i.ctx = i.ctx.changed(expect_error=True)
            return v.Unknown("exception info")
        return v.Inert("session")

    def exit(self, context: Any, saved: Any) -> None:
        closing = context.args.get("_close") if isinstance(context, v.Context) else None
        if closing is not None:
            closing()
        # A graph built inside `with g.as_default()` keeps its state; the ctx comes back.
        self.i.ctx = saved

    def open_variable_scope(self, name: Any, default: Any, reuse_value: Any, node: ir.Pos, context: v.Context | None = None,
                            dtype: str | None | bool = True) -> v.ScopeObject:
        """Enter ``variable_scope(name_or_scope, default_name, reuse=...)``; the caller restores ctx on exit.
        ``dtype``: the scope's own ``dtype=`` (None: not known), True: inherited."""
        i = self.i
        ctx = i.ctx
        graph = ctx.graph
        given = reuse_mode(reuse_value)
        request = self._reuse_request(reuse_value, node) if given == ev.REUSE_ON else None
        if isinstance(name, v.ScopeObject):
            full, exact = name.name, name.exact
            reuse = given if given in (ev.REUSE_ON, ev.REUSE_AUTO, ev.REUSE_UNKNOWN) else name.reuse
            leaked = None if given in (ev.REUSE_ON, ev.REUSE_AUTO) else name.leaked_from
            request = request if given == ev.REUSE_ON else name.reuse_at
            last = full.rsplit("/", 1)[-1]
            ns = graph.unique_name(join(ctx.ns, last)) if last else ctx.ns
            saved_counts = dict(graph.scope_counts)
            graph.open_scope(full)

            def close() -> None:
                graph.scope_counts = saved_counts
        else:
            text = v.as_str(name)
            if name is None or (isinstance(name, v.Lit) and name.value is None):
                base = v.as_str(default)
                if base is None:
                    base = "{default_name}"
                # Below a scope this run opened under an unknown caller ({scope}/d_net), default
                # names count as TF counts them: entering d_net closed its subscopes. Right under
                # the caller's own scope they depend on what the caller opened before (b or b_3).
                counted = self._relative(ctx.vs.name)
                unique = graph.unique_scope(ctx.vs.name, base, counted)
                full = join(ctx.vs.name, unique)
                exact = ctx.vs.exact and (ev.is_concrete(ctx.vs.name) or counted)
                ns = graph.unique_name(join(ctx.ns, base))
            else:
                if text is None:
                    text = "{name}"
                full = join(ctx.vs.name, text) if text else ctx.vs.name
                ns = graph.unique_name(join(ctx.ns, text)) if text else ctx.ns
                exact = ctx.vs.exact
            inherited = ctx.vs.reuse
            if given in (ev.REUSE_ON, ev.REUSE_AUTO):
                reuse, leaked = given, None
            elif given == ev.REUSE_UNKNOWN:
                reuse, leaked = ev.REUSE_UNKNOWN, None
            else:
                reuse, leaked, request = inherited, ctx.vs.leaked_from, ctx.vs.reuse_at
            graph.open_scope(full)

            def close() -> None:
                graph.close_subscopes(full)

        if dtype is True:
            dtype = name.dtype if isinstance(name, v.ScopeObject) else ctx.vs.dtype
        scope = v.ScopeObject(full, reuse, ns + "/" if ns else "", graph, opened_by_frame=i.frame.fid, leaked_from=leaked,
                              reuse_at=request, dtype=dtype or None, exact=exact)
        i.ctx = ctx.changed(ns=ns, vs=scope, plain_ns=False)
        if context is not None:
            context.args["_close"] = close
        else:
            self._pending_close = close
        i.emit(ev.ScopeEntered("variable_scope", v.as_str(name) or "", ns, node, i.site(node)))
        return scope

    def _reuse_request(self, reuse_value: Any, node: ir.Pos) -> ir.Pos:
        """Where ``reuse=True`` was asked for, in the analysed file: the call that was handed
        the literal (``net(x, reuse=True)``), else this scope."""
        origin = reuse_value.origin if isinstance(reuse_value, v.Lit) else None
        module, pos = origin if origin is not None else (self.i.frame.module, node)
        return self.i.in_main(module, pos)

    def open_name_scope(self, name: Any, default: Any, node: ir.Pos) -> Any:
        i = self.i
        ctx = i.ctx
        if name is None or (isinstance(name, v.Lit) and name.value is None):
            name = default
        text = v.as_str(name)
        if name is None or text == "" or (isinstance(name, v.Lit) and name.value is None):
            i.ctx = ctx.changed(ns="", plain_ns=False)
            return v.Lit("")
        if text is None:
            text = "{name}"
        if text.endswith("/"):
            actual = text[:-1]
            i.ctx = ctx.changed(ns=actual, plain_ns=ctx.plain_ns or actual != ctx.vs.original_name_scope.rstrip("/"), plain_ns_at=node)
            return v.Lit(text)
        actual = ctx.graph.unique_name(join(ctx.ns, text))
        reopened = None
        if ev.is_concrete(text) and ev.is_concrete(ctx.ns) and i.frame.module == i.main:
            key = (ctx.ns, text.lower())
            first = ctx.graph.name_scope_sites.get(key)
            if first is None:
                ctx.graph.note_name_scope(key, (node, i.certain))
            elif first[0] != node and actual != join(ctx.ns, text) and first[1] and i.certain:
                reopened = first[0]
        i.emit(ev.ScopeEntered("name_scope", text, actual, node, i.site(node), reopened))
        i.ctx = ctx.changed(ns=actual, plain_ns=True, plain_ns_frame=i.frame.fid, plain_ns_at=node)
        return v.Lit(actual + "/") if ev.is_concrete(actual) else v.Sym(actual + "/")

    def scoped(self, name: Any, default: Any, reuse: Any, node: ir.Pos, body: Callable[[v.ScopeObject], Any]) -> Any:
        """Run ``body`` inside a variable scope opened programmatically (layers, RNNs, templates)."""
        saved = self.i.ctx
        scope = self.open_variable_scope(name, default, reuse, node)
        close = self._pending_close
        try:
            return body(scope)
        finally:
            close()
            self.i.ctx = saved

    # ------------------------------------------------------------ creations

    def create(self, api: str, requested: Any, shape: shapes.Dims | None, node: ir.Pos, trainable: bool | None = None,
               slot_of: str | None = None, dtype: str | None = None, created_dtype: str | None | bool = True,
               copy: tuple[ir.Pos, str, str | None] | None = None) -> v.Variable:
        """A creation through the current variable scope (get_variable semantics); ``shape`` and
        ``dtype`` as far as known (TF compares both with the variable's under reuse); ``created_dtype``:
        a new variable's dtype where it is not ``dtype`` (True: it is). ``copy``: (node, name, path)
        of the variable this one silently duplicates (a default-named layer run again under
        AUTO_REUSE, see Layers.copied)."""
        i = self.i
        if trainable is None:
            trainable = api.startswith(("tf.get_variable", "slim.variable", "slim.model_variable")) or (
                v.as_str(requested) not in tfslots.NON_TRAINABLE_LAYER_VARIABLES)
        ctx = i.ctx
        graph = ctx.graph
        text = v.as_str(requested)
        rel = text if text is not None else "{name}"
        full = join(ctx.vs.name, rel) if rel else ctx.vs.name
        reuse = ctx.vs.reuse
        relative = self._relative(full)
        existing = graph.store.get(full) if ev.is_concrete(full) or relative else None
        if relative and existing is not None and existing.run != i.run_id:
            existing = None  # asked for in another body, maybe under another caller's scope
        first = first_shape = None
        certain, path = i.certain, i.path_of(i.frame.module)
        any_reuse = False
        if not ev.is_concrete(full) or reuse == ev.REUSE_UNKNOWN:
            outcome = ev.UNRESOLVED
            if not ev.is_concrete(full) and reuse != ev.REUSE_ON:
                # A variable whose name the model cannot spell may be the one asked for later:
                # "does not exist" is no longer certain in this graph.
                graph.lose_track(f"the {api} at {f'line {node[0]}' if i.frame.module == i.main else f'{path}:{node[0]}'}, whose name "
                                 f"'{full}' the model cannot spell")
            if existing is not None:
                first = existing.node
                if relative and existing.certain and certain:
                    outcome, any_reuse = self._again_relative(reuse, shape, existing)
                    first_shape = existing.shape
        elif existing is not None:
            first, first_shape = existing.node, existing.shape
            if reuse == ev.REUSE_OFF:
                outcome = ev.EXISTS if existing.certain and certain else ev.UNRESOLVED
            elif existing.certain and certain and (shapes.differ(shape, existing.shape) or (
                    dtype is not None and existing.dtype is not None and dtype != existing.dtype)):
                outcome = ev.SHAPE_MISMATCH
            else:
                outcome = ev.FETCHED
        elif reuse == ev.REUSE_ON:
            outcome = ev.MISSING if graph.complete and certain else ev.UNRESOLVED
        else:
            outcome = ev.CREATED
        predicted = existing.name if existing is not None and outcome in (ev.FETCHED, ev.SHAPE_MISMATCH) else full
        if existing is None and ev.is_concrete(full) and outcome in (ev.CREATED, ev.UNRESOLVED):
            # The variable op is named at the root of the name scopes (get_variable resets
            # them), so a tf.Variable or an op that already took the name pushes it to "w_1".
            # get_variable('') names the variable after its scope (slots): that name scope is its own.
            predicted = graph.unique_name(full) if outcome == ev.CREATED and rel else full
            record = Record(predicted, shape, node, certain=outcome == ev.CREATED and certain, path=path, chain=i.chain(node),
                            trainable=trainable, dtype=dtype if created_dtype is True else created_dtype or None)
            graph.store_variable(full, record)
        elif existing is None and relative:
            # Asked for in a function run without its caller: if this ran, the caller's store
            # holds the variable now, with a shape compatible with this one (or TF raised here).
            graph.store_variable(full, Record(full, shape, node, certain=certain, path=path, chain=i.chain(node),
                                              trainable=trainable, run=i.run_id), exists=False)
        ignored = None
        local = i.frame.module == i.main
        # Only where the name scope and the creation sit in one body of this file, and that
        # body opened no variable scope around them (then its author knows the difference).
        if (api in ("tf.get_variable", "slim.variable", "slim.model_variable", "tf.get_local_variable") and ctx.plain_ns
                and ctx.ns and ctx.plain_ns_frame == i.frame.fid and local and ctx.vs.opened_by_frame != i.frame.fid):
            ignored = ctx.ns
            self.names.prefixed[join(ctx.ns, rel)] = (predicted, node)
        collides = outcome in (ev.EXISTS, ev.SHAPE_MISMATCH) and existing is not None
        i.emit(ev.VariableCreated(
            api=api, requested=rel, predicted_name=predicted, outcome=outcome, reuse=reuse, node=node,
            site=i.site_apart(existing.chain, node) if collides and existing is not None else i.site(node),
            variable_scope=ctx.vs.name, name_scope=ctx.ns, honours_reuse=True, shape=shape, first=first,
            first_shape=first_shape, dtype=dtype, first_dtype=existing.dtype if existing is not None else None,
            leaked_from=ctx.vs.leaked_from if reuse == ev.REUSE_ON else None,
            ignored_name_scope=ignored, ignored_name_scope_at=ctx.plain_ns_at if ignored else None, expects_error=ctx.expect_error, certain=certain, local=local,
            first_path=existing.path or None if existing is not None and first is not None else None, slot_of=slot_of,
            path=None if local else path, via=i.via(), any_reuse=any_reuse,
            first_site=leaves(existing.chain, i.chain(node), i.main) if collides and existing is not None else None,
            reuse_requested_at=ctx.vs.reuse_at if reuse == ev.REUSE_ON else None,
            uncertain_because=why_silent(i, full, existing, reuse, certain, graph) if outcome == ev.UNRESOLVED else None,
            copy_of=copy[0] if copy else None, copy_of_name=copy[1] if copy else None, copy_of_path=copy[2] if copy else None,
        ))
        if self.training.creates(outcome, reuse, first):
            self.training.created(api, predicted, node)
        return v.Variable(predicted, node, path)

    def _relative(self, full: str) -> bool:
        """``full`` is ``{scope}/...``, exactly that far below the variable scope of an unknown
        caller (a function run without one), with every part below it spelled."""
        root, vs = self.i.ctx.graph.root, self.i.ctx.vs
        if root is None or ev.is_concrete(root.name) or not vs.exact or not full.startswith(root.name + "/"):
            return False
        return ev.is_concrete(full[len(root.name) + 1:])

    def _again_relative(self, reuse: str, shape: shapes.Dims | None, existing: Record) -> tuple[str, bool]:
        """A second request, in one run under an unknown caller, of a name the first certainly asked
        for: raises for every caller when the reuse is off, or when the shapes cannot be shared
        ('already exists' without reuse, 'Trying to share variable' under it). Else unknown."""
        if reuse == ev.REUSE_OFF:
            return ev.EXISTS, False
        if not shapes.differ(shape, existing.shape):
            return ev.UNRESOLVED, False
        if reuse in (ev.REUSE_ON, ev.REUSE_AUTO):
            return ev.SHAPE_MISMATCH, False
        return ev.EXISTS, True

    def create_plain(self, api: str, full: str, node: ir.Pos, slot: str, trainable: bool = True) -> v.Variable:
        """tf.Variable / Keras: never shares, never raises; the name is already unique."""
        i = self.i
        ctx = i.ctx
        key = (id(ctx.graph), node, slot)
        certain, path = i.certain, i.path_of(i.frame.module)
        copy_of = copy_name = copy_path = None
        if ctx.vs.reuse in (ev.REUSE_ON, ev.REUSE_AUTO) and key in self.made_by_node:
            copy_name = self.made_by_node[key]
            record = ctx.graph.variables.get(copy_name)
            copy_of, copy_path = (record.node, record.path or None) if record is not None else (node, path)
        self.made_by_node.setdefault(key, full)
        if ev.is_concrete(full):
            ctx.graph.add_variable(Record(full, None, node, certain, path, trainable=trainable))
        i.emit(ev.VariableCreated(
            api=api, requested=full.rsplit("/", 1)[-1], predicted_name=full, outcome=ev.CREATED, reuse=ctx.vs.reuse,
            node=node, site=i.site(node), variable_scope=ctx.vs.name, name_scope=ctx.ns, honours_reuse=False,
            copy_of=copy_of, copy_of_name=copy_name, expects_error=ctx.expect_error, certain=certain,
            local=i.frame.module == i.main, copy_of_path=copy_path, path=None if i.frame.module == i.main else path,
        ))
        self.training.created(api, full, node)
        return v.Variable(full, node, path)

    def get_variable(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call, api: str = "tf.get_variable") -> Any:
        name = arg(args, kwargs, 0, "name")
        shape = shapes.dims_from(arg(args, kwargs, 1, "shape"))
        trainable = v.truth(arg(args, kwargs, 5, "trainable", v.Lit(True))) is not False
        requested, created = self._dtypes(args, kwargs)
        return self.create(api, name, shape, node.pos, trainable=trainable, dtype=requested, created_dtype=created)

    def _dtypes(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[str | None, str | None]:
        """``get_variable``'s dtype as TF compares it under reuse (``dtype=``, else the scope's, whatever
        the initializer), and the dtype a new variable gets (an initial tensor's own, if no ``dtype=``).
        None where not known, and under a custom getter (here or on a scope), which may pass another on."""
        if "**" in kwargs or kwargs.get("custom_getter") is not None or len(args) > 10 or self.i.ctx.vs.dtype is None:
            return None, None
        given = arg(args, kwargs, 2, "dtype")
        if given is not None and not (isinstance(given, v.Lit) and given.value is None):
            return shapes.dtype_of(given), shapes.dtype_of(given)
        initializer = arg(args, kwargs, 3, "initializer")
        if initializer is None or isinstance(initializer, shapes.Initializer) or (
                isinstance(initializer, v.Lit) and initializer.value is None):
            return self.i.ctx.vs.dtype, self.i.ctx.vs.dtype
        return self.i.ctx.vs.dtype, initializer.dtype if isinstance(initializer, v.Tensor) else None

    def variable(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        name = v.as_str(arg(args, kwargs, 5, "name")) or "Variable"
        full = self.i.ctx.graph.unique_name(join(self.i.ctx.ns, name))
        trainable = v.truth(arg(args, kwargs, 1, "trainable", v.Lit(True))) is not False
        return self.create_plain("tf.Variable", full, node.pos, name, trainable)

    def reuse_variables(self, scope: v.ScopeObject, node: ir.Call) -> Any:
        own = scope.opened_by_frame == self.i.frame.fid and scope.opened_by_frame >= 0
        # Inside a builder of another module, the finding goes on the call in this file.
        leaked = None if own else (node.pos if self.i.frame.module == self.i.main else self.i.site(node.pos))
        if scope.reuse != ev.REUSE_ON:
            scope.reuse_at = self.i.in_main(self.i.frame.module, node.pos)
        self.i.set_reuse(scope, ev.REUSE_ON, leaked)
        path = None if self.i.frame.module == self.i.main else self.i.path_of(self.i.frame.module)
        self.i.emit(ev.ReuseSwitched(node.pos, self.i.site(node.pos), scope.name, own, path))
        return v.Lit(None)

    def get_variable_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return self.i.ctx.vs

    def variable_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return v.Context("variable_scope", {
            "name": arg(args, kwargs, 0, "name_or_scope"), "default": arg(args, kwargs, 1, "default_name"),
            "reuse": arg(args, kwargs, 8, "reuse"), "dtype": arg(args, kwargs, 9, "dtype"),
            "custom_getter": arg(args, kwargs, 7, "custom_getter"),
        }, node.pos)

    def variable_op_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return v.Context("variable_scope", {
            "name": arg(args, kwargs, 1, "name_or_scope"), "default": arg(args, kwargs, 2, "default_name"),
            "reuse": arg(args, kwargs, 7, "reuse"),
        }, node.pos)

    def name_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return v.Context("name_scope", {"name": arg(args, kwargs, 0, "name"), "default": arg(args, kwargs, 1, "default_name")}, node.pos)

    def op_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return v.Context("name_scope", {"name": arg(args, kwargs, 1, "name"), "default": arg(args, kwargs, 2, "default_name")}, node.pos)

    def default_graph(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return v.GraphValue(self.i.ctx.graph)

    def reset_default_graph(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        self.graphs.reset_default_graph()
        return v.Lit(None)

    def make_template(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        name = v.as_str(arg(args, kwargs, 0, "name_"))
        func = arg(args, kwargs, 1, "func_")
        extra = {k: value for k, value in kwargs.items() if not k.endswith("_")}
        if name is None or func is None:
            self.i.opaque(node.pos, "make_template() with an unknown name or function")
            return v.Unknown("template")
        return v.Template(name, func, extra)

    def arg_scope(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        ops = args[0] if args else kwargs.get("list_ops_or_scope")
        if isinstance(ops, v.ArgScope):  # a scope captured by `as sc` (vgg_arg_scope() returns one)
            return v.Context("arg_scope", {"stack": ops.stack}, node.pos)
        if isinstance(ops, v.SeqValue):
            names = frozenset(item.name for item in ops.items if isinstance(item, v.Api))
            return v.Context("arg_scope", {"ops": names, "kwargs": dict(kwargs)}, node.pos)
        # A captured arg scope (a dict): its content is unknown.
        return v.Context("arg_scope", {"ops": frozenset({"*"}), "kwargs": {"**": v.Unknown("arg scope")}}, node.pos)

    def batch_norm(self, api: str, options: dict[str, Any], training_key: str, default_training: bool, node: ir.Pos) -> None:
        self.training.batch_norm(api, options, training_key, default_training, node)

    def get_collection(self, graph: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        update_ops = self.training.get_collection(graph, args, kwargs, node)
        return update_ops if update_ops is not None else self.names.get_collection(args, kwargs, node)

    def get_variable_handler(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return self.get_variable(args, kwargs, node)

    def slim_variable(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return self.get_variable(args, kwargs, node, api="slim.variable")

    # ------------------------------------------------------------ name references

    _HANDLERS: ClassVar[dict[str, Callable[["TfCalls", list[Any], dict[str, Any], ir.Call], Any]]] = {}


TfCalls._HANDLERS = {
    "tf.get_variable": TfCalls.get_variable_handler,
    "tf.get_local_variable": TfCalls.get_variable_handler,
    "slim.variable": TfCalls.slim_variable,
    "slim.model_variable": TfCalls.slim_variable,
    "tf.Variable": TfCalls.variable,
    "tf.VariableV1": TfCalls.variable,
    "tf.variable": TfCalls.variable,
    "slim.local_variable": TfCalls.variable,
    "tf.get_variable_scope": TfCalls.get_variable_scope,
    "tf.variable_scope": TfCalls.variable_scope,
    "tf.variable_op_scope": TfCalls.variable_op_scope,
    "tf.name_scope": TfCalls.name_scope,
    "tf.op_scope": TfCalls.op_scope,
    "tf.Graph": lambda tf, args, kwargs, node: tf.graphs.new_graph(),
    **{api: (lambda tf, args, kwargs, node: tf.graphs.session(args, kwargs, node)) for api in SESSION_APIS},
    "tf.get_default_graph": TfCalls.default_graph,
    "tf.reset_default_graph": TfCalls.reset_default_graph,
    "tf.make_template": TfCalls.make_template,
    "slim.arg_scope": TfCalls.arg_scope,
    "slim.repeat": lambda tf, args, kwargs, node: tf.layers.repeat(args, kwargs, node),
    "slim.stack": lambda tf, args, kwargs, node: tf.layers.stack(args, kwargs, node),
    "tf.get_collection": lambda tf, args, kwargs, node: tf.get_collection(tf.i.ctx.graph, args, kwargs, node),
    "tf.get_collection_ref": lambda tf, args, kwargs, node: tf.get_collection(tf.i.ctx.graph, args, kwargs, node),
    "tf.control_dependencies": lambda tf, args, kwargs, node: tf.training.control_dependencies(args, kwargs, node),
    "tf.train.Saver": lambda tf, args, kwargs, node: tf.training.saver(args, kwargs, node),
    **{api: (lambda tf, args, kwargs, node: tf.training.create_train_op(args, kwargs, node)) for api in TRAIN_OP_APIS},
    "tf.train.init_from_checkpoint": lambda tf, args, kwargs, node: tf.names.init_from_checkpoint(args, kwargs, node),
}


@functools.lru_cache(maxsize=65536)  # the tables are fixed; asked for every name a module resolves
def _modelled(name: str) -> bool:
    name = train_api(name)
    return (
        name in TfCalls._HANDLERS or name in tfapi.TF_LAYER_FUNCTIONS or name in tfapi.SLIM_LAYERS
        or name in tfapi.TF_LAYER_CLASSES or name in tfapi.KERAS_LAYERS or name in tfapi.RNN_CELLS
        or name in tfapi.RNN_RUNNERS or name in tfapi.OPTIMIZERS or name in tfapi.VARIABLE_FILTERS
        or name in tfapi.CELL_WRAPPERS or name == tfapi.MULTI_RNN_CELL or name == tfslots.EMA
        or name in tfslots.GLOBAL_STEP_APIS
        or (name.startswith("nets.") and name[5:] in tfapi.NETS_MODELS)
    )


@functools.lru_cache(maxsize=65536)
def _plain_op(name: str) -> bool:
    """``TfCalls.call`` would hand ``name`` (already through train_api) to ``tfshapes.op`` as it
    is: no table entry, no inert context or layer, and an inert namespace or no creating one."""
    if _modelled(name) or name in _INERT_CONTEXTS or name in tfapi.INERT_LAYERS or name.startswith(_INERT_LAYER_PREFIXES):
        return False
    return name.startswith(_INERT_NAMESPACES) or name.startswith(tfapi.INERT_PREFIXES) or not (
        name.startswith(_CREATING_NAMESPACES) or name in ("slim", "nets"))
