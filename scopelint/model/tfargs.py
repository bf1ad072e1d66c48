"""Reading the arguments of TF calls: positional-or-keyword lookup, reuse modes (shapes: scopelint.model.shapes)."""

from __future__ import annotations

from typing import Any

from scopelint.model import events as ev
from scopelint.model import values as v


def join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def reuse_mode(value: Any) -> str | None:
    """None: inherit (TF treats reuse=None and reuse=False alike)."""
    if value is None:
        return None
    if isinstance(value, v.Lit):
        if value.value is True:
            return ev.REUSE_ON
        if value.value in (False, None, 0):
            return None
        return ev.REUSE_ON if value.value else None
    if isinstance(value, v.Api) and value.name.endswith("AUTO_REUSE"):
        return ev.REUSE_AUTO
    return ev.REUSE_UNKNOWN


def arg(args: list[Any], kwargs: dict[str, Any], index: int | None, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    if index is not None and index < len(args):
        return args[index]
    if "**" in kwargs:
        return v.Unknown(f"argument {name}")
    return default

