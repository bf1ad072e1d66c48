"""Static shapes and dtypes, as far as the program makes them known.

A shape is a tuple of dimensions, ``None`` where a dimension is not known (to TF,
like a placeholder's batch size, or to the model); a shape of ``None`` has an
unknown rank. Two shapes *differ* only where both are known: different ranks, or
a dimension known on both sides with two values -- TF's
``TensorShape.is_compatible_with``, which ``get_variable`` checks under reuse.

The values here are what ``x.get_shape()`` / ``x.shape`` (:class:`Shape`) and
``x.get_shape()[i]`` (:class:`Dim`, TF1's ``Dimension``) evaluate to; which TF ops
make which shapes is :mod:`scopelint.model.tfshapes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scopelint.model import values as v

Dims = tuple["int | None", ...]

DTYPES = frozenset(
    "float16 float32 float64 bfloat16 int8 int16 int32 int64 uint8 uint16 uint32 uint64 bool string "
    "complex64 complex128 qint8 quint8 qint32".split()
)
_ALIASES = {"half": "float16", "float": "float32", "double": "float64"}


@dataclass(frozen=True)
class Shape:
    """A ``TensorShape``: ``x.get_shape()``, ``x.shape``."""

    dims: Dims | None


@dataclass(frozen=True)
class Dim:
    """A ``Dimension``: ``x.get_shape()[-1]``; ``value`` None where it is not known."""

    value: int | None


@dataclass(frozen=True)
class SliceValue:
    """``a:b:c`` with known (or missing) bounds."""

    bounds: Any  # a slice (mypyc cannot compile a field annotated ``slice``)


@dataclass(frozen=True)
class Initializer(v.Tensor):
    """An initializer object (``tf.zeros_initializer()``): ``get_variable`` takes its dtype from the scope."""


def dtype_of(value: Any) -> str | None:
    """``tf.int64``, ``'int64'``, ``np.int64``: the dtype's name; None when not one the model reads."""
    name = None
    if isinstance(value, v.Api):
        name = value.name.rsplit(".", 1)[-1] if value.name.startswith(("tf.", "tf.dtypes.")) else None
    elif isinstance(value, v.Inert) and value.name.split(".")[0] in ("np", "numpy"):
        name = value.name.rsplit(".", 1)[-1]
    elif isinstance(value, v.Lit) and isinstance(value.value, str):
        name = value.value
    if name is None:
        return None
    name = _ALIASES.get(name, name)
    return name if name in DTYPES else None


def dim(value: Any) -> int | None:
    """A dimension given as an int or a known ``Dimension``."""
    if isinstance(value, Dim):
        return value.value
    return v.as_int(value)


def dims_from(value: Any) -> Dims | None:
    """A shape argument (``[None, 64]``, ``(x.get_shape()[-1], n)``, ``x.get_shape()``) as dims."""
    if isinstance(value, Shape):
        return value.dims
    if isinstance(value, v.SeqValue):
        return tuple(dim(item) for item in value.items)
    return None


def tensor_dims(value: Any) -> Dims | None:
    return value.shape if isinstance(value, v.Tensor) else None


def differ(a: Dims | None, b: Dims | None) -> bool:
    """Known to be incompatible: ranks differ, or a dimension known on both sides differs."""
    if a is None or b is None:
        return False
    return len(a) != len(b) or any(x is not None and y is not None and x != y for x, y in zip(a, b))


def text(dims: Dims | None) -> str:
    """TF's spelling, with ``?`` for a dimension that is not known: ``(?, 64)``, ``(16,)``."""
    if dims is None:
        return "<unknown>"
    inner = ", ".join("?" if d is None else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def join(a: Any, b: Any) -> Any:
    """Two branches' tensors: the dimensions they agree on (a shape that differs becomes unknown)."""
    if isinstance(a, Dim) and isinstance(b, Dim):
        return a if a == b else Dim(None)
    if not (isinstance(a, v.Tensor) and isinstance(b, v.Tensor)) or type(a) is not type(b):
        return None
    shape: Dims | None = None
    if a.shape is not None and b.shape is not None and len(a.shape) == len(b.shape):
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
    return type(a)(shape=shape, dtype=a.dtype if a.dtype == b.dtype else None)


def normalize_axis(axis: int | None, rank: int) -> int | None:
    if axis is None or not -rank <= axis < rank:
        return None
    return axis % rank


# ------------------------------------------------------------ what Python does with them


def attribute(owner: Any, attr: str) -> Any:
    """``x.shape``, ``x.get_shape``, ``x.dtype``; ``shape.as_list``, ``shape.ndims``; ``dim.value``."""
    if isinstance(owner, v.Tensor):
        if attr == "shape":
            return Shape(owner.shape)
        if attr in ("get_shape",):
            return v.Method(owner, attr)
        if attr == "dtype" and owner.dtype is not None:
            return v.Api(f"tf.{owner.dtype}")
        return v.Tensor()
    if isinstance(owner, Shape):
        if attr in ("as_list", "is_fully_defined", "num_elements"):
            return v.Method(owner, attr)
        if attr == "ndims":
            return v.Lit(len(owner.dims)) if owner.dims is not None else v.Unknown("rank")
        if attr == "dims" and owner.dims is not None:
            return v.SeqValue([Dim(d) for d in owner.dims])
        return v.Tensor()
    if isinstance(owner, Dim) and attr == "value":
        return v.Lit(owner.value) if owner.value is not None else v.Unknown("dimension")
    return v.Tensor()


def method(owner: Any, name: str, args: list[Any]) -> Any:
    if isinstance(owner, v.Tensor) and name == "get_shape" and not args:
        return Shape(owner.shape)
    if isinstance(owner, Shape) and owner.dims is not None:
        if name == "as_list":
            return v.SeqValue([v.Lit(d) if d is not None else v.Unknown("dimension") for d in owner.dims])
        if name == "is_fully_defined":
            return v.Lit(None not in owner.dims)
    return v.Tensor()


def subscript(owner: Any, index: Any) -> Any:
    """``shape[-1]`` is a Dimension; anything indexed on a tensor is a tensor of a shape not tracked."""
    position = v.as_int(index)
    if isinstance(owner, Shape):
        if isinstance(index, SliceValue):
            return Shape(owner.dims[index.bounds] if owner.dims is not None else None)
        if position is None:
            return Shape(None)
        if owner.dims is None:
            return Dim(None)
        at = normalize_axis(position, len(owner.dims))
        return Dim(owner.dims[at]) if at is not None else v.Unknown("index")
    return v.Tensor()


def as_sequence(value: Any) -> Any:
    """A shape of known rank, unpacked or iterated (``b, h, w, c = x.get_shape()``): its dimensions."""
    if isinstance(value, Shape) and value.dims is not None:
        return v.SeqValue([Dim(d) for d in value.dims])
    return value


def as_python(value: Any) -> Any:
    """A Dimension in arithmetic or string building: its int, or unknown."""
    if isinstance(value, Dim):
        return v.Lit(value.value) if value.value is not None else v.Unknown("dimension")
    return value


def to_int(value: Any) -> Any:
    """``int(x)``."""
    value = as_python(value)
    if isinstance(value, v.Lit) and isinstance(value.value, (int, float, bool)):
        return v.Lit(int(value.value))
    if isinstance(value, v.Lit) and isinstance(value.value, str) and value.value.strip().lstrip("-").isdigit():
        return v.Lit(int(value.value))
    return v.Unknown("int()")


def length(value: Any) -> Any:
    if isinstance(value, Shape) and value.dims is not None:
        return v.Lit(len(value.dims))
    return None


def elementwise(left: Any, right: Any) -> v.Tensor:
    """``x * 2``, ``x + y``: a tensor of the same shape when both sides have it (a ``?`` against a ``?``
    broadcasts to ``?``); any other broadcast is not tracked."""
    tensors = [side for side in (left, right) if isinstance(side, v.Tensor)]
    numbers = [side for side in (left, right) if isinstance(side, v.Lit) and type(side.value) in (int, float)]
    if len(tensors) == 2 and tensors[0].shape == tensors[1].shape and tensors[0].shape is not None:
        return v.Tensor(tensors[0].shape, tensors[0].dtype if tensors[0].dtype == tensors[1].dtype else None)
    if len(tensors) == 1 and len(numbers) == 1:
        return v.Tensor(tensors[0].shape, tensors[0].dtype)
    return v.Tensor()
