"""Which TF ops make which static shapes and dtypes, and the shapes of the variables
layers create from their inputs (a dense kernel is ``[in, units]``, a conv2d kernel
``[kh, kw, in, filters]``).

Only ops whose static shape TF computes from the arguments alone are here; any other
op gives a tensor of unknown shape, and an argument the model cannot read makes the
dimension it decides unknown. tests/test_shapes_tf.py compares with TF's shapes.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

from scopelint.model import values as v
from scopelint.model.shapes import Dims, Initializer, Shape, as_python, dim, dims_from, dtype_of, normalize_axis, tensor_dims
from scopelint.model.tfargs import arg

Args = list[Any]
Kwargs = dict[str, Any]

# Ops whose output has their first input's shape (and dtype).
_SAME_SHAPE = frozenset(
    f"tf.{name}" for name in (
        "identity stop_gradient nn.relu nn.relu6 nn.elu nn.selu nn.crelu nn.softplus nn.softsign nn.leaky_relu "
        "nn.sigmoid nn.tanh sigmoid tanh nn.softmax nn.log_softmax nn.l2_normalize nn.dropout layers.dropout "
        "abs negative square sqrt exp log nn.bias_add math.sigmoid math.tanh clip_by_value"
    ).split()
) | {"slim.dropout", "slim.softmax", "slim.bias_add"}
_RANDOM = frozenset({"tf.random_normal", "tf.random_uniform", "tf.truncated_normal", "tf.random.normal",
                     "tf.random.uniform", "tf.random.truncated_normal"})
_CASTS = {"tf.to_float": "float32", "tf.to_double": "float64", "tf.to_int32": "int32", "tf.to_int64": "int64"}


def tensor(shape: Dims | None = None, dtype: str | None = None) -> v.Tensor:
    return v.Tensor(shape=shape, dtype=dtype)


def _given_dtype(value: Any, default: str | None) -> str | None:
    if value is None or (isinstance(value, v.Lit) and value.value is None):
        return default
    return dtype_of(value)


def _shape_arg(value: Any) -> Dims | None:
    if isinstance(value, v.Lit) and type(value.value) is int:
        return (value.value,)
    return dims_from(value)


def _python_value(value: Any) -> tuple[Dims, str] | None:
    """The shape and dtype TF gives a Python literal (``tf.constant([[1, 2]])``: (1, 2), int32)."""
    if isinstance(value, v.Lit):
        kind = type(value.value)
        dtype = {bool: "bool", int: "int32", float: "float32", str: "string"}.get(kind)
        return ((), dtype) if dtype else None
    if isinstance(value, v.SeqValue) and value.items:
        inner = [_python_value(item) for item in value.items]
        if any(i is None for i in inner) or len({i[0] for i in inner if i}) != 1:
            return None
        dtypes = {i[1] for i in inner if i}
        dtype = dtypes.pop() if len(dtypes) == 1 else ("float32" if dtypes == {"int32", "float32"} else None)
        return ((len(value.items), *inner[0][0]), dtype) if dtype and inner[0] else None
    return None


def _constant(args: Args, kwargs: Kwargs) -> v.Tensor:
    given = _python_value(arg(args, kwargs, 0, "value"))
    dtype = _given_dtype(arg(args, kwargs, 1, "dtype"), given[1] if given else None)
    shape = arg(args, kwargs, 2, "shape")
    if shape is not None and not (isinstance(shape, v.Lit) and shape.value is None):
        return tensor(_shape_arg(shape), dtype)
    return tensor(given[0] if given else None, dtype)


def _reshape(args: Args, kwargs: Kwargs) -> v.Tensor:
    source = tensor_dims(arg(args, kwargs, 0, "tensor"))
    target = dims_from(arg(args, kwargs, 1, "shape"))
    dtype = _dtype(arg(args, kwargs, 0, "tensor"))
    if target is None:
        return tensor(None, dtype)
    if -1 not in target:
        return tensor(tuple(None if d is not None and d < 0 else d for d in target), dtype)
    rest = [d for d in target if d != -1]
    inferred = None
    if source is not None and None not in source and None not in rest and target.count(-1) == 1:
        total, known = math.prod(d for d in source if d is not None), math.prod(d for d in rest if d is not None)
        inferred = total // known if known and total % known == 0 else None
    return tensor(tuple(inferred if d == -1 else d for d in target), dtype)


def _dtype(value: Any) -> str | None:
    return value.dtype if isinstance(value, v.Tensor) else None


def _concat(args: Args, kwargs: Kwargs) -> v.Tensor:
    values = arg(args, kwargs, 0, "values")
    axis = v.as_int(arg(args, kwargs, 1, "axis"))
    if not isinstance(values, v.SeqValue) or not values.items or axis is None:
        return tensor()
    shapes = [tensor_dims(item) for item in values.items]
    dtypes = {_dtype(item) for item in values.items}
    dtype = dtypes.pop() if len(dtypes) == 1 else None
    ranks = {len(s) for s in shapes if s is not None}
    if len(ranks) != 1 or None in shapes:
        return tensor(None, dtype)
    rank = ranks.pop()
    at = normalize_axis(axis, rank)
    if at is None:
        return tensor(None, dtype)
    out: list[int | None] = []
    for index in range(rank):
        column = [s[index] for s in shapes if s is not None]
        if index == at:
            out.append(sum(d for d in column if d is not None) if None not in column else None)
        else:
            known = {d for d in column if d is not None}
            out.append(known.pop() if len(known) == 1 else None)
    return tensor(tuple(out), dtype)


def _matmul(args: Args, kwargs: Kwargs) -> v.Tensor:
    a, b = tensor_dims(arg(args, kwargs, 0, "a")), tensor_dims(arg(args, kwargs, 1, "b"))
    dtype = _dtype(arg(args, kwargs, 0, "a"))
    flags = [v.truth(arg(args, kwargs, index, name, v.Lit(False))) for index, name in ((2, "transpose_a"), (3, "transpose_b"))]
    if a is None or b is None or len(a) != 2 or len(b) != 2 or None in flags:
        return tensor(None, dtype)
    rows = a[1] if flags[0] else a[0]
    cols = b[0] if flags[1] else b[1]
    return tensor((rows, cols), dtype)


def _transpose(args: Args, kwargs: Kwargs) -> v.Tensor:
    source, dtype = tensor_dims(arg(args, kwargs, 0, "a")), _dtype(arg(args, kwargs, 0, "a"))
    perm = arg(args, kwargs, 1, "perm")
    if source is None:
        return tensor(None, dtype)
    if perm is None or (isinstance(perm, v.Lit) and perm.value is None):
        return tensor(tuple(reversed(source)), dtype)
    order = dims_from(perm)
    if order is None or sorted(d for d in order if d is not None) != list(range(len(source))) or None in order:
        return tensor(None, dtype)
    return tensor(tuple(source[d] for d in order if d is not None), dtype)


def _flatten(args: Args, kwargs: Kwargs) -> v.Tensor:
    source = tensor_dims(arg(args, kwargs, 0, "inputs"))
    if source is None or not source:
        return tensor(None, _dtype(arg(args, kwargs, 0, "inputs")))
    rest = source[1:]
    return tensor((source[0], math.prod(d for d in rest if d is not None) if None not in rest else None),
                  _dtype(arg(args, kwargs, 0, "inputs")))


def _pair(value: Any) -> tuple[int | None, int | None] | None:
    """``3`` or ``(3, 3)`` / ``[3, 3]``: a 2-D window, stride or rate."""
    single = dim(value)
    if single is not None:
        return single, single
    dims = dims_from(value)
    if dims is not None and len(dims) == 2:
        return dims[0], dims[1]
    return None


def _spatial(size: int | None, window: int | None, stride: int | None, padding: str | None) -> int | None:
    if size is None or stride is None or stride <= 0 or padding not in ("same", "valid"):
        return None
    if padding == "same":
        return -(-size // stride)
    if window is None:
        return None
    return -(-(size - window + 1) // stride) if size >= window else None


def window_output(source: Dims | None, window: Any, strides: Any, padding: Any, channels_first: bool,
                  channels: int | None, keep_channels: bool) -> Dims | None:
    """A 2-D convolution or pooling over NHWC (or NCHW) ``source``."""
    if source is None or len(source) != 4:
        return None
    kernel, stride = _pair(window), _pair(strides)
    mode = v.as_str(padding)
    mode = mode.lower() if mode is not None else None
    h_at, w_at, c_at = (2, 3, 1) if channels_first else (1, 2, 3)
    out_channels = source[c_at] if keep_channels else channels
    height = _spatial(source[h_at], kernel[0] if kernel else None, stride[0] if stride else None, mode)
    width = _spatial(source[w_at], kernel[1] if kernel else None, stride[1] if stride else None, mode)
    if channels_first:
        return (source[0], out_channels, height, width)
    return (source[0], height, width, out_channels)


def _channels_first(value: Any) -> bool | None:
    text = v.as_str(value)
    if value is None or (isinstance(value, v.Lit) and value.value is None):
        return False
    if text in ("channels_last", "NHWC"):
        return False
    if text in ("channels_first", "NCHW"):
        return True
    return None


def _pool(window_at: tuple[int, str], stride_at: tuple[int, str], padding_default: str, format_at: tuple[int, str],
          stride_default: Any = None, four: bool = False) -> Callable[[Args, Kwargs], v.Tensor]:
    def run(args: Args, kwargs: Kwargs) -> v.Tensor:
        inputs = args[0] if args else kwargs.get("inputs", kwargs.get("value", kwargs.get("input")))
        first = _channels_first(arg(args, kwargs, *format_at))
        window, strides = arg(args, kwargs, *window_at), arg(args, kwargs, *stride_at, stride_default)
        if four:  # tf.nn.max_pool: ksize and strides name all four dimensions
            window, strides = _spatial_of(window, first), _spatial_of(strides, first)
        if first is None:
            return tensor(None, _dtype(inputs))
        padding = arg(args, kwargs, 3, "padding", v.Lit(padding_default))
        return tensor(window_output(tensor_dims(inputs), window, strides, padding, first, None, True), _dtype(inputs))

    return run


def _spatial_of(value: Any, channels_first: bool | None) -> Any:
    """tf.nn.max_pool's ksize / strides (one, two or four numbers) as the 2-D window."""
    dims = dims_from(value)
    if dims is None or len(dims) != 4:
        return value
    if channels_first is None:
        return None
    h, w = (2, 3) if channels_first else (1, 2)
    return v.SeqValue([v.Lit(dims[h]), v.Lit(dims[w])])


def _cast(dtype: str, args: Args, kwargs: Kwargs) -> v.Tensor:
    return tensor(tensor_dims(arg(args, kwargs, 0, "x")), dtype)


def _same(args: Args, kwargs: Kwargs) -> v.Tensor:
    source = args[0] if args else next(iter(kwargs.values()), None)
    return tensor(tensor_dims(source), _dtype(source))


def _pad(args: Args, kwargs: Kwargs) -> v.Tensor:
    """``tf.pad(x, [[0, 0], [1, 2], ...])``: each dimension grows by its two paddings."""
    source, dtype = tensor_dims(arg(args, kwargs, 0, "tensor")), _dtype(arg(args, kwargs, 0, "tensor"))
    paddings = arg(args, kwargs, 1, "paddings")
    if source is None or not isinstance(paddings, v.SeqValue) or len(paddings.items) != len(source):
        return tensor(None, dtype)
    out: list[int | None] = []
    for size, pair in zip(source, paddings.items):
        pads = dims_from(pair)
        out.append(size + pads[0] + pads[1] if size is not None and pads is not None and len(pads) == 2
                   and pads[0] is not None and pads[1] is not None else None)
    return tensor(tuple(out), dtype)


_OPS: dict[str, Callable[[Args, Kwargs], v.Tensor]] = {
    "tf.placeholder": lambda a, k: tensor(_shape_arg(arg(a, k, 1, "shape")), _given_dtype(arg(a, k, 0, "dtype"), None)),
    "tf.zeros": lambda a, k: tensor(_shape_arg(arg(a, k, 0, "shape")), _given_dtype(arg(a, k, 1, "dtype"), "float32")),
    "tf.ones": lambda a, k: tensor(_shape_arg(arg(a, k, 0, "shape")), _given_dtype(arg(a, k, 1, "dtype"), "float32")),
    "tf.zeros_like": lambda a, k: tensor(tensor_dims(arg(a, k, 0, "tensor")),
                                         _given_dtype(arg(a, k, 1, "dtype"), _dtype(arg(a, k, 0, "tensor")))),
    "tf.ones_like": lambda a, k: tensor(tensor_dims(arg(a, k, 0, "tensor")),
                                        _given_dtype(arg(a, k, 1, "dtype"), _dtype(arg(a, k, 0, "tensor")))),
    "tf.constant": _constant,
    "tf.reshape": _reshape,
    "tf.concat": _concat,
    "tf.matmul": _matmul,
    "tf.pad": _pad,
    "tf.transpose": _transpose,
    "tf.cast": lambda a, k: tensor(tensor_dims(arg(a, k, 0, "x")), dtype_of(arg(a, k, 1, "dtype"))),
    "tf.layers.flatten": _flatten,
    "slim.flatten": _flatten,
    "tf.layers.max_pooling2d": _pool((1, "pool_size"), (2, "strides"), "valid", (4, "data_format")),
    "tf.layers.average_pooling2d": _pool((1, "pool_size"), (2, "strides"), "valid", (4, "data_format")),
    "slim.max_pool2d": _pool((1, "kernel_size"), (2, "stride"), "VALID", (4, "data_format"), v.Lit(2)),
    "slim.avg_pool2d": _pool((1, "kernel_size"), (2, "stride"), "VALID", (4, "data_format"), v.Lit(2)),
    "tf.nn.max_pool": _pool((1, "ksize"), (2, "strides"), "", (4, "data_format"), four=True),
    "tf.nn.avg_pool": _pool((1, "ksize"), (2, "strides"), "", (4, "data_format"), four=True),
    **{name: _same for name in _SAME_SHAPE},
    **{name: functools.partial(_cast, dtype) for name, dtype in _CASTS.items()},
    **{name: (lambda a, k: tensor(_shape_arg(arg(a, k, 0, "shape")), _given_dtype(arg(a, k, 3, "dtype"), "float32")))
       for name in _RANDOM},
}


# Layer classes built on their first call, by the function that takes the same arguments after ``inputs``.
FUNCTION_OF_CLASS = {
    "tf.layers.Dense": "tf.layers.dense", "tf.layers.Conv2D": "tf.layers.conv2d",
    "tf.keras.layers.Dense": "tf.layers.dense", "tf.keras.layers.Conv2D": "tf.layers.conv2d",
}
_DENSE = {"tf.layers.dense": ("units", "kernel", "bias"), "slim.fully_connected": ("num_outputs", "weights", "biases")}
# api -> (count argument, kernel, bias, strides (name, default), padding default, rate name)
_CONV = {
    "tf.layers.conv2d": ("filters", "kernel", "bias", ("strides", 1), "valid", "dilation_rate"),
    "slim.conv2d": ("num_outputs", "weights", "biases", ("stride", 1), "SAME", "rate"),
    "slim.convolution2d": ("num_outputs", "weights", "biases", ("stride", 1), "SAME", "rate"),
}


def layer(api: str, args: Args, kwargs: Kwargs) -> tuple[dict[str, Dims], v.Tensor]:
    """The shapes of the variables a layer function creates from ``inputs``, and its output."""
    if "**" in kwargs or any(isinstance(a, v.Unknown) and a.reason == "*args" for a in args):
        return {}, tensor()
    inputs = arg(args, kwargs, 0, "inputs")
    source = tensor_dims(inputs)
    if api in _DENSE:
        count_name, kernel, bias = _DENSE[api]
        units = dim(arg(args, kwargs, 1, count_name))
        width = source[-1] if source else None
        output = (*source[:-1], units) if source else None
        return {kernel: (width, units), bias: (units,)}, tensor(output)
    if api in _CONV:
        count_name, kernel, bias, (stride_name, stride), padding, rate_name = _CONV[api]
        filters = dim(arg(args, kwargs, 1, count_name))
        size = _pair(arg(args, kwargs, 2, "kernel_size"))
        first = _channels_first(arg(args, kwargs, 5, "data_format"))
        rate = _pair(arg(args, kwargs, 6, rate_name, v.Lit(1)))
        channels = None if source is None or len(source) != 4 or first is None else source[1 if first else 3]
        shapes = {kernel: (*(size or (None, None)), channels, filters), bias: (filters,)}
        window = None
        if size is not None and rate is not None and None not in size and None not in rate:
            window = v.SeqValue([v.Lit((k - 1) * r + 1) for k, r in zip(size, rate) if k is not None and r is not None])
        strides = arg(args, kwargs, 3, stride_name, v.Lit(stride))
        output = None if first is None else window_output(source, window, strides, arg(args, kwargs, 4, "padding", v.Lit(padding)),
                                                          first, filters, False)
        return shapes, tensor(output)
    if api in _TRANSPOSED:
        return _transposed(api, args, kwargs, source)
    if api in _NORMALIZERS:
        return _normalizer(api, args, kwargs, source), tensor(source, _dtype(inputs))
    return {}, tensor()


# Layers whose output has their input's shape; their variables have the shape of the channels.
_NORMALIZERS = frozenset({"slim.batch_norm", "tf.layers.batch_normalization", "slim.layer_norm"})
_NORMALIZER_VARIABLES = ("beta", "gamma", "moving_mean", "moving_variance")


def _normalizer(api: str, args: Args, kwargs: Kwargs, source: Dims | None) -> dict[str, Dims]:
    """``[C]`` for batch norm's beta, gamma and moving statistics (C: the channels axis), layer norm's last axis."""
    if source is None or not source:
        return {}
    if api == "slim.batch_norm":
        first = _channels_first(kwargs.get("data_format"))
        at = None if first is None else (1 if first and len(source) > 1 else -1)
    elif api == "tf.layers.batch_normalization":
        axis = arg(args, kwargs, 1, "axis", v.Lit(-1))
        at = normalize_axis(v.as_int(axis), len(source))
    else:
        at = -1 if v.as_int(kwargs.get("begin_params_axis", v.Lit(-1))) == -1 and v.as_int(kwargs.get("begin_norm_axis", v.Lit(1))) is not None else None
    if at is None:
        return {}
    return {name: (source[at],) for name in _NORMALIZER_VARIABLES}


# api -> (count argument, kernel, bias, strides name, padding default): kernel [kh, kw, filters, in]
_TRANSPOSED = {
    "tf.layers.conv2d_transpose": ("filters", "kernel", "bias", "strides", "valid"),
    "slim.conv2d_transpose": ("num_outputs", "weights", "biases", "stride", "SAME"),
    "slim.convolution2d_transpose": ("num_outputs", "weights", "biases", "stride", "SAME"),
}


def _transposed(api: str, args: Args, kwargs: Kwargs, source: Dims | None) -> tuple[dict[str, Dims], v.Tensor]:
    """conv2d_transpose: each spatial size ``n * s`` (same) or ``n * s + max(k - s, 0)`` (valid)."""
    count_name, kernel, bias, stride_name, padding = _TRANSPOSED[api]
    filters = dim(arg(args, kwargs, 1, count_name))
    size = _pair(arg(args, kwargs, 2, "kernel_size")) or (None, None)
    stride = _pair(arg(args, kwargs, 3, stride_name, v.Lit(1))) or (None, None)
    mode = v.as_str(arg(args, kwargs, 4, "padding", v.Lit(padding)))
    first = _channels_first(arg(args, kwargs, 5, "data_format"))
    if source is None or len(source) != 4 or first is None:
        return {kernel: (*size, filters, None), bias: (filters,)}, tensor()
    h_at, w_at, c_at = (2, 3, 1) if first else (1, 2, 3)
    spatial: list[int | None] = []
    for n, k, s in ((source[h_at], size[0], stride[0]), (source[w_at], size[1], stride[1])):
        if n is None or s is None or mode is None or mode.lower() not in ("same", "valid") or (mode.lower() == "valid" and k is None):
            spatial.append(None)
        else:
            spatial.append(n * s if mode.lower() == "same" else n * s + max((k or 0) - s, 0))
    output = (source[0], filters, *spatial) if first else (source[0], *spatial, filters)
    return {kernel: (*size, filters, source[c_at]), bias: (filters,)}, tensor(output)


def _last_dimension(args: Args, kwargs: Kwargs) -> Any:
    """tf-slim's ``utils.last_dimension(shape, min_rank)``: the last dimension as an int."""
    shape = arg(args, kwargs, 0, "shape")
    dims = shape.dims if isinstance(shape, Shape) else None
    last = dims[-1] if dims else None
    return v.Lit(last) if last is not None else v.Unknown("last dimension")


# Calls that hand back a value of their own (not a new tensor).
_VALUES: dict[str, Callable[[Args, Kwargs], Any]] = {
    "slim.utils.last_dimension": _last_dimension,
    # collect_named_outputs(collections, alias, outputs) returns ``outputs``
    "slim.utils.collect_named_outputs": lambda a, k: arg(a, k, 2, "outputs", tensor()),
    "tf.compat.dimension_value": lambda a, k: as_python(arg(a, k, 0, "dimension")),
    "tf.dimension_value": lambda a, k: as_python(arg(a, k, 0, "dimension")),
}


def op(api: str, args: Args, kwargs: Kwargs) -> Any:
    """The tensor a TF op returns, with its static shape and dtype where the model knows them
    (or, for the few in ``_VALUES``, the value it returns)."""
    if api.endswith("_initializer") or ".initializers." in api:
        return Initializer()
    rule = _OPS.get(api) or _VALUES.get(api)
    if rule is None or "**" in kwargs or any(isinstance(a, v.Unknown) and a.reason == "*args" for a in args):
        return tensor()
    return rule(args, kwargs)
