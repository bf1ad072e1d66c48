"""Python semantics the naming depends on: string building (``%``, ``+``, f-strings,
``str.format``, ``join``), arithmetic and comparisons on known values, and how two
branches' values combine. Unresolved parts of a string become ``{...}``."""

from __future__ import annotations

import re
from typing import Any, Callable

from scopelint.model import ir, shapes
from scopelint.model import values as v


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "is": lambda a, b: a is b,
    "is not": lambda a, b: a is not b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def join_values(a: Any, b: Any) -> Any:
    if a is b:
        return a
    if isinstance(a, v.Lit) and isinstance(b, v.Lit) and a.value == b.value:
        return a
    if a is None:
        return b
    if b is None:
        return a
    joined = shapes.join(a, b)
    return joined if joined is not None else v.Unknown("differs between branches")


def unpack(value: Any) -> Any:
    if isinstance(value, v.Tensor):
        return v.Tensor()  # an item of a tensor: not its shape
    if isinstance(value, shapes.Shape):
        return shapes.Dim(None)
    if isinstance(value, v.Inert):
        return value
    return v.Unknown("unpacked")


def loop_symbol(target: ir.Target) -> Any:
    if isinstance(target, ir.TargetName):
        return v.Sym("{" + target.id + "}")
    return v.Unknown("loop variable")


def concat(parts: list[Any]) -> Any:
    text: list[str] = []
    symbolic = False
    for part in parts:
        part = shapes.as_python(part)
        if isinstance(part, str):
            text.append(part)
        elif isinstance(part, v.Lit) and part.value is not None and not isinstance(part.value, bool):
            text.append(str(part.value))
        elif isinstance(part, v.Lit) and isinstance(part.value, bool):
            text.append(str(part.value))
        elif isinstance(part, v.Sym):
            text.append(part.text)
            symbolic = True
        elif isinstance(part, v.Unknown) and part.reason.startswith("parameter "):
            text.append("{" + part.reason[len("parameter "):] + "}")
            symbolic = True
        else:
            text.append("{?}")
            symbolic = True
    joined = "".join(text)
    return v.Sym(joined) if symbolic else v.Lit(joined)


def percent(template: str, args: list[Any]) -> Any:
    import re

    pieces = re.split(r"(%[-#0 +]*\d*(?:\.\d+)?[sdrif%])", template)
    out: list[Any] = []
    remaining = list(args)
    for piece in pieces:
        if re.fullmatch(r"%[-#0 +]*\d*(?:\.\d+)?[sdrif%]", piece):
            if piece == "%%":
                out.append("%")
                continue
            value = remaining.pop(0) if remaining else v.Unknown("format")
            if isinstance(value, v.Lit) and piece[-1] in "sdi" and not any(c.isdigit() or c in "-#0 +." for c in piece[1:-1]):
                out.append(str(value.value))
            elif isinstance(value, v.Lit):
                try:
                    out.append(piece % value.value)
                except (TypeError, ValueError):
                    out.append("{?}")
            else:
                out.append(value)
        else:
            out.append(piece)
    return concat(out)


_MAX_REPEATED = 256


def binop(op: str, left: Any, right: Any) -> Any:
    left, right = shapes.as_python(left), shapes.as_python(right)
    if op == "+" and (v.as_str(left) is not None and v.as_str(right) is not None):
        return concat([left, right])
    if op == "%" and v.as_str(left) is not None and not isinstance(left, v.Sym):
        args = right.items if isinstance(right, v.SeqValue) else [right]
        return percent(v.as_str(left) or "", list(args))
    if isinstance(left, v.Lit) and isinstance(right, v.Lit):
        try:
            result = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                      "//": lambda a, b: a // b, "%": lambda a, b: a % b}[op](left.value, right.value)
        except Exception:  # any arithmetic failure is just "unknown"
            return v.Unknown("arithmetic")
        if isinstance(result, (int, float, str)) and not (isinstance(result, str) and len(result) > 200):
            return v.Lit(result)
    if isinstance(left, v.SeqValue) and isinstance(right, v.SeqValue) and op == "+":
        return v.SeqValue(left.items + right.items)
    if op == "*" and isinstance(left, v.SeqValue) and isinstance(right, v.Lit) and type(right.value) is int:
        # [unit] * (num_units - 1): the same items again (tf-slim's resnet blocks)
        if 0 <= right.value * len(left.items) <= _MAX_REPEATED:
            return v.SeqValue(left.items * right.value)
    if isinstance(left, v.Tensor) or isinstance(right, v.Tensor):
        return shapes.elementwise(left, right)
    return v.Unknown("operator")


def string_method(text: str, name: str, args: list[Any]) -> Any:
    if name == "format":
        parts: list[Any] = []
        index = 0
        for piece in re.split(r"(\{[^{}]*\})", text):
            if piece.startswith("{") and piece.endswith("}"):
                key = piece[1:-1]
                if key == "":
                    parts.append(args[index] if index < len(args) else v.Unknown("format"))
                    index += 1
                elif key.isdigit() and int(key) < len(args):
                    parts.append(args[int(key)])
                else:
                    parts.append(v.Unknown("format"))
            else:
                parts.append(piece)
        return concat(parts)
    if name == "join" and args and isinstance(args[0], v.SeqValue):
        parts = []
        for index, item in enumerate(args[0].items):
            if index:
                parts.append(text)
            parts.append(item)
        return concat(parts)
    if name in ("lower", "upper", "strip", "rstrip", "lstrip") and not args:
        return v.Lit(getattr(text, name)())
    return v.Unknown(f"str.{name}")
