"""Command-line flags: an integer flag is read as its default.

``tf.app.flags.DEFINE_integer("num_gpus", 2, ...)`` then ``range(FLAGS.num_gpus)``:
the tower loop runs twice when the program runs with its defaults, which is how the
model unrolls it. Only integer flags with a literal default are read (their usual
job is a count); any other flag stays unknown, so no branch is decided by a default.
"""

from __future__ import annotations

from typing import Any

from scopelint.model import values as v
from scopelint.model.tfargs import arg

_MODULES = ("tf.app.flags", "tf.flags", "absl.flags", "tf.python.platform.flags", "gflags")
_DEFINE_INTEGER = frozenset(f"{module}.DEFINE_integer" for module in _MODULES)
_FLAGS_OBJECTS = frozenset(f"{module}.FLAGS" for module in _MODULES)


def defined(func: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[str, v.Lit] | None:
    """``DEFINE_integer(name, default, ...)`` with a literal name and default: (name, default)."""
    if not isinstance(func, (v.Api, v.Inert)) or func.name not in _DEFINE_INTEGER:
        return None
    name, default = v.as_str(arg(args, kwargs, 0, "name")), arg(args, kwargs, 1, "default")
    if name is None or v.as_int(default) is None:
        return None
    return name, default


def is_flags_object(owner: Any) -> bool:
    """``tf.app.flags.FLAGS`` / ``absl.flags.FLAGS``."""
    return isinstance(owner, (v.Api, v.Inert)) and owner.name in _FLAGS_OBJECTS
