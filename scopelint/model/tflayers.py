"""Layers that create variables under scopes of their own: tf.layers, TF-Slim (arg_scope
aware), Keras, RNN cells run by dynamic_rnn & co, make_template, tensornets models.

Default scope names and variable names come from :mod:`scopelint.model.tfapi`;
tests/test_explain_names_tf.py compares the names with what TF creates.
"""

from __future__ import annotations

import functools
from typing import Any

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import tfapi, tfshapes
from scopelint.model.shapes import Dims
from scopelint.model import values as v
from scopelint.model.context import Creator, Host
from scopelint.model.tfargs import arg, join, reuse_mode


_MAX_REPEAT = 64
# tf-slim exports one function under two names (``conv2d = convolution2d``): an arg_scope of
# either name is an arg_scope of the function.
_ONE_FUNCTION = {
    short: long for short, long in (
        ("slim.conv1d", "slim.convolution1d"), ("slim.conv2d", "slim.convolution2d"), ("slim.conv3d", "slim.convolution3d"),
        ("slim.conv2d_transpose", "slim.convolution2d_transpose"), ("slim.separable_conv2d", "slim.separable_convolution2d"),
    )
}
_ONE_FUNCTION.update({long: short for short, long in _ONE_FUNCTION.items()})
# ``layer.__name__`` where tf-slim's alias differs from the function's own name.
_FUNCTION_NAMES = {"slim.conv2d": "convolution2d", "slim.conv1d": "convolution1d", "slim.conv3d": "convolution3d"}


def _function_name(layer: Any, fallback: str) -> str | None:
    """The scope repeat/stack use without ``scope=``: the layer function's ``__name__``."""
    if isinstance(layer, v.Api):
        return _FUNCTION_NAMES.get(layer.name, layer.name.rsplit(".", 1)[-1])
    if isinstance(layer, v.Function):
        return layer.definition.name
    return None if isinstance(layer, v.Unknown) else fallback


class Layers:
    def __init__(self, tf: Creator, host: Host) -> None:
        self.tf = tf
        self.i = host
        # (graph, node, enclosing scope) -> the first default-named build there and its input (see copied)
        self._default_builds: dict[tuple[int, ir.Pos, str], tuple[tuple[ir.Pos, str, str | None], Any]] = {}

    def layer_function(self, api: str, spec: tfapi.LayerSpec, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        self._check_arguments(api, kwargs, node)
        name = arg(args, kwargs, None, "name")
        reuse = arg(args, kwargs, None, "reuse")
        use_bias = v.truth(arg(args, kwargs, None, "use_bias", v.Lit(True))) is not False
        variables = [n for n in spec.variables if use_bias or n != spec.bias_var]
        if api == "tf.layers.batch_normalization":
            options = {**kwargs, **({"training": args[14]} if len(args) > 14 else {})}
            self.tf.batch_norm(api, options, "training", False, node.pos)
        shapes, output = tfshapes.layer(api, args, kwargs)
        self._build_layer(api, spec, name, reuse, variables, node.pos, shapes, inputs=arg(args, kwargs, 0, "inputs"))
        return output

    def _build_layer(self, api: str, spec: tfapi.LayerSpec, name: Any, reuse: Any, variables: list[str], node: ir.Pos,
                     shapes: dict[str, Dims] | None = None, as_object: bool = False, inputs: Any = None) -> str:
        """``as_object``: a layer object's first call. Its ``name=`` is only the base of a default
        name (TF: ``variable_scope(None, default_name=name)``), so a second ``Dense(name='m')``
        builds ``m_1``; with ``_reuse=`` it is the scope itself. The functional form
        (``tf.layers.dense(x, 4, name='m')``) passes ``_scope=name``: always the scope."""
        named = name is not None and not (isinstance(name, v.Lit) and name.value is None)
        if as_object and named and reuse_mode(reuse) is None:
            scope_name, default = None, name
        elif named:
            scope_name, default = name, None
        elif reuse_mode(reuse) == ev.REUSE_ON:
            scope_name, default = v.Lit(spec.default), None
        else:
            scope_name, default = None, v.Lit(spec.default)

        def body(scope: v.ScopeObject) -> str:
            first = self.copied(node, scope, default, inputs)
            for variable in variables:
                self.tf.create(api, v.Lit(variable), (shapes or {}).get(variable), node,
                               copy=first and (first[0], join(first[1], variable), first[2]))
            return scope.name

        built: str = self.tf.scoped(scope_name, default, reuse, node, body)
        return built

    def copied(self, node: ir.Pos, scope: v.ScopeObject, default: Any, inputs: Any) -> tuple[ir.Pos, str, str | None] | None:
        """A layer built under a default name (no ``name=``/``scope=``) by a call that already
        built one in this same enclosing scope, on the same input: TF counts default names on
        while that scope stays open, so under AUTO_REUSE this run makes ``dense_1`` beside
        ``dense`` -- a silent copy (SL204). (node, first scope, its file) of the first build, or
        None. Only the same input tensor counts: a loop that feeds each layer the last one's
        output (``h = tf.layers.dense(h, 4)``) builds a stack of layers on purpose."""
        if default is None:
            return None
        parent = scope.name.rpartition("/")[0]
        graph = self.i.ctx.graph
        key = (graph.serial, node, parent)  # not id(): a freed graph's id comes back for a fresh one
        first, first_inputs = self._default_builds.setdefault(key, ((node, scope.name, self.i.path_of(self.i.frame.module)), inputs))
        if first[1] == scope.name or scope.reuse != ev.REUSE_AUTO or inputs is None or inputs is not first_inputs:
            return None
        return first

    def slim_layer(self, api: str, spec: tfapi.LayerSpec, args: list[Any], kwargs: dict[str, Any], node: ir.Call,
                   readable: bool = True) -> Any:
        """``readable``: False when the arguments came from something the model cannot read
        (``normalizer_params=params``): the layer is built, its training mode is not known."""
        options = self.arg_scope_defaults(api)
        options.update(kwargs)
        self._check_arguments(api, options, node)
        scope = options.get("scope")
        reuse = options.get("reuse")
        normalizer = options.get("normalizer_fn")
        variables = list(spec.variables)
        has_normalizer = normalizer is not None and not (isinstance(normalizer, v.Lit) and normalizer.value is None)
        biases_init = options.get("biases_initializer")
        if spec.bias_var and (has_normalizer or (isinstance(biases_init, v.Lit) and biases_init.value is None)):
            variables.remove(spec.bias_var)
        outputs = arg(args, options, 1, "num_outputs")
        if "pointwise_weights" in variables and isinstance(outputs, v.Lit) and outputs.value is None:
            variables.remove("pointwise_weights")  # separable_conv2d(x, None, ...): depthwise only
        if api == "slim.batch_norm":
            if v.truth(options.get("scale", v.Lit(False))) is True:
                variables.insert(0, "gamma")
            if v.truth(options.get("center", v.Lit(True))) is False:
                variables.remove("beta")
        if "**" in options or isinstance(options.get("scale"), v.Unknown):
            self.i.opaque(node.pos, f"{api}() with arguments the model cannot read")
        if api == "slim.batch_norm" and readable:
            # batch_norm(inputs, decay, center, scale, epsilon, activation_fn, param_initializers,
            #            param_regularizers, updates_collections, is_training, ...)
            positional = dict(zip(("updates_collections", "is_training"), args[8:10]))
            self.tf.batch_norm(api, {**options, **positional}, "is_training", True, node.pos)

        shapes, output = tfshapes.layer(api, args, options)
        has_scope = scope is not None and not (isinstance(scope, v.Lit) and scope.value is None)

        def body(opened: v.ScopeObject) -> Any:
            first = None if has_scope else self.copied(node.pos, opened, v.Lit(spec.default), arg(args, options, 0, "inputs"))
            for variable in variables:
                self.tf.create(api, v.Lit(variable), shapes.get(variable), node.pos,
                               copy=first and (first[0], join(first[1], variable), first[2]))
            if has_normalizer:
                if isinstance(normalizer, v.Api) and normalizer.name == "slim.batch_norm":
                    params = options.get("normalizer_params")
                    readable = isinstance(params, v.DictValue) or params is None or (isinstance(params, v.Lit) and params.value is None)
                    batch_norm_kwargs = {str(k): item for k, item in params.items.items()} if isinstance(params, v.DictValue) else {}
                    self.slim_layer("slim.batch_norm", tfapi.SLIM_LAYERS["slim.batch_norm"], [], batch_norm_kwargs, node,
                                    readable=readable)
                elif not (isinstance(normalizer, v.Api) and normalizer.name.startswith(("tf.nn.", "slim.layer_norm"))):
                    self.i.opaque(node.pos, "normalizer_fn the model does not follow")
            return output

        return self.tf.scoped(scope if has_scope else None, None if has_scope else v.Lit(spec.default), reuse, node.pos, body)

    def repeat(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """``slim.repeat(inputs, n, layer, *args, scope='conv1')``: ``conv1/conv1_1`` ... ``conv1/conv1_n``."""
        count = v.as_int(arg(args, kwargs, 1, "repetitions"))
        if count is None or count > _MAX_REPEAT:
            self.i.opaque(node.pos, "slim.repeat() with an unknown number of repetitions")
            return v.Unknown("repeat output")
        calls = [list(args[3:]) for _ in range(count)]
        return self._sequence("Repeat", arg(args, kwargs, 0, "inputs"), arg(args, kwargs, 2, "layer"), calls,
                              {k: x for k, x in kwargs.items() if k not in ("inputs", "repetitions", "layer")}, node)

    def stack(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """``slim.stack(inputs, layer, [a, (b, c)], scope='fc')``: ``fc/fc_1``, ``fc/fc_2``."""
        items = arg(args, kwargs, 2, "stack_args")
        if not isinstance(items, v.SeqValue) or len(items.items) > _MAX_REPEAT:
            self.i.opaque(node.pos, "slim.stack() of arguments the model cannot list")
            return v.Unknown("stack output")
        calls = [list(item.items) if isinstance(item, v.SeqValue) else [item] for item in items.items]
        return self._sequence("Stack", arg(args, kwargs, 0, "inputs"), arg(args, kwargs, 1, "layer"), calls,
                              {k: x for k, x in kwargs.items() if k not in ("inputs", "layer", "stack_args")}, node)

    def _sequence(self, default: str, inputs: Any, layer: Any, calls: list[list[Any]], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """tf-slim's repeat/stack: ``scope = kwargs.pop('scope')``, a variable scope (scope, default),
        then ``layer(outputs, *args, scope=f'{scope}_{i + 1}', **kwargs)`` for each call."""
        scope = kwargs.pop("scope", None)
        has_scope = scope is not None and not (isinstance(scope, v.Lit) and scope.value is None)
        base = v.as_str(scope) if has_scope else _function_name(layer, default.lower())
        if base is None:
            self.i.opaque(node.pos, f"slim.{default.lower()}() with a scope the model cannot read")
            return v.Unknown("sequence output")

        def body(_: v.ScopeObject) -> Any:
            outputs = inputs
            for index, call_args in enumerate(calls):
                outputs = self.i.apply(layer, [outputs, *call_args], {**kwargs, "scope": v.Lit(f"{base}_{index + 1}")}, node)
            return outputs

        return self.tf.scoped(scope if has_scope else None, None if has_scope else v.Lit(default), None, node.pos, body)

    def _check_arguments(self, api: str, kwargs: dict[str, Any], node: ir.Call) -> None:
        """An argument the table does not know may add variables (zero_debias_moving_mean, renorm, ...)."""
        unknown = sorted(set(kwargs) - tfapi.KNOWN_LAYER_ARGUMENTS)
        if unknown:
            self.i.opaque(node.pos, f"{api}({unknown[0]}=...) may create variables the model does not know")

    def arg_scope_defaults(self, api: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        same = _ONE_FUNCTION.get(api, api)
        for ops, options in self.i.ctx.arg_scopes:
            if api in ops or same in ops or "*" in ops:
                merged.update(options)
        return merged

    def call_object(self, obj: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        if isinstance(obj, v.Layer):
            return self.call_layer(obj, node, args)
        if isinstance(obj, v.Template):
            return self.call_template(obj, args, kwargs, node)
        if isinstance(obj, v.Cell):
            # cell(inputs, state): the first call builds the cell's variables (TF 2.21).
            self.build_cell(obj, node.pos)
        return v.Tensor()

    def call_layer(self, layer: v.Layer, node: ir.Call, inputs: list[Any] | None = None) -> Any:
        spec: tfapi.LayerSpec = layer.spec
        variables = [n for n in spec.variables if layer.use_bias or n != spec.bias_var]
        args, kwargs = layer.arguments
        shapes, output = tfshapes.layer(tfshapes.FUNCTION_OF_CLASS.get(layer.api, ""), [*(inputs or [])[:1], *args], kwargs)
        if layer.scope is not None:
            return output  # built: later calls share its variables
        if layer.fixed_scope is not None:
            self._call_in_fixed_scope(layer, variables, node, shapes)
            return output
        if layer.keras:
            graph = self.i.ctx.graph
            name = layer.name or graph.keras_unique(spec.default)
            scope = graph.unique_name(join(self.i.ctx.ns, name))
            for variable in variables:
                self.tf.create_plain(layer.api, join(scope, variable), node.pos, variable)
            layer.scope = scope
            return output
        layer.scope = self._build_layer(layer.api, spec, v.Lit(layer.name) if layer.name else None, layer.reuse, variables, node.pos,
                                        shapes, as_object=True)
        return output

    def _call_in_fixed_scope(self, layer: v.Layer, variables: list[str], node: ir.Call, shapes: dict[str, Dims]) -> Any:
        """``_scope=`` given: variables right inside that scope, ``_reuse`` deciding sharing."""
        fixed = layer.fixed_scope
        if isinstance(fixed, v.Unknown):
            self.i.opaque(node.pos, "layer built with a _scope the model cannot read")
            return v.Tensor()
        saved = self.i.ctx
        if isinstance(fixed, v.Lit):
            # An absolute name: re-enter it from the root scope, as a captured scope would be.
            root = self.i.ctx.graph.root
            self.i.ctx = saved.changed(vs=root) if root is not None else saved

        def body(scope: v.ScopeObject) -> Any:
            for variable in variables:
                self.tf.create(layer.api, v.Lit(variable), shapes.get(variable), node.pos)
            layer.scope = scope.name
            return v.Tensor()

        try:
            return self.tf.scoped(fixed, None, layer.reuse, node.pos, body)
        finally:
            self.i.ctx = saved

    def call_template(self, template: v.Template, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        merged = {**template.kwargs, **kwargs}
        if template.scope is None:
            def first(scope: v.ScopeObject) -> Any:
                template.scope = scope
                return self.i.apply(template.func, list(args), merged, node)

            return self.tf.scoped(None, v.Lit(template.name), None, node.pos, first)
        return self.tf.scoped(template.scope, None, v.Lit(True), node.pos, lambda _: self.i.apply(template.func, list(args), merged, node))

    def rnn(self, api: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        default, bidirectional = tfapi.RNN_RUNNERS[api]
        cells = [arg(args, kwargs, 0, "cell_fw" if bidirectional else "cell")]
        if bidirectional:
            cells.append(arg(args, kwargs, 1, "cell_bw"))
        if not all(isinstance(c, v.Cell) for c in cells):
            self.i.opaque(node.pos, f"{api}() of a cell the model does not know")
            return v.Unknown("rnn output")
        scope = kwargs.get("scope")
        has_scope = scope is not None and not (isinstance(scope, v.Lit) and scope.value is None)

        def body(_: v.ScopeObject) -> Any:
            if bidirectional:
                for direction, cell in zip(("fw", "bw"), cells):
                    self.tf.scoped(v.Lit(direction), None, None, node.pos, functools.partial(self._build_in, cell, node.pos))
            else:
                self.build_cell(cells[0], node.pos)
            return v.Unknown("rnn output")

        return self.tf.scoped(scope if has_scope else v.Lit(default), None, None, node.pos, body)

    def build_cell(self, cell: v.Cell, node: ir.Pos) -> None:
        if cell.built_scope is not None:
            return  # TF 2.x: a cell object used again shares its variables silently
        if cell.spec is None:  # MultiRNNCell
            def members(scope: v.ScopeObject) -> None:
                for index, member in enumerate(cell.cells):
                    self.tf.scoped(v.Lit(f"cell_{index}"), None, None, node, functools.partial(self._build_in, member, node))
                cell.built_scope = scope.name

            self.tf.scoped(None, v.Lit("multi_rnn_cell"), None, node, members)
            return

        def create(scope: v.ScopeObject) -> None:
            for variable in cell.spec.variables:
                self.tf.create(cell.api, v.Lit(variable), None, node)
            cell.built_scope = scope.name

        name = v.Lit(cell.name) if cell.name else None
        self.tf.scoped(name, None if name else v.Lit(cell.spec.scope), cell.reuse, node, create)

    def _build_in(self, cell: v.Cell, node: ir.Pos, _scope: v.ScopeObject) -> None:
        self.build_cell(cell, node)

    def nets_model(self, api: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        scope = tfapi.NETS_MODELS[api[5:]]

        def body(_: v.ScopeObject) -> Any:
            names = (tfapi.NETS_FIRST_VARIABLE.get(api[5:], tfapi.NETS_VARIABLES[0]), *tfapi.NETS_VARIABLES[1:])
            weights = [self.tf.create(api, v.Lit(variable), None, node.pos) for variable in names]
            return v.NetsModel(weights)

        return self.tf.scoped(v.Lit(scope), None, kwargs.get("reuse"), node.pos, body)

    # ------------------------------------------------------------ reuse, graphs, templates
