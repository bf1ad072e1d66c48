"""SL205 shared-shape-mismatch: a variable fetched under reuse with another literal shape."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_many, via, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL205"


def _shape(shape: tuple[int, ...] | None) -> str:
    return "(" + ", ".join(str(d) for d in shape or ()) + ("," if shape and len(shape) == 1 else "") + ")"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_diagnostic(result, e) for e in result.of_type(ev.VariableCreated) if e.outcome == ev.SHAPE_MISMATCH and not e.expects_error)


def _diagnostic(result: ModelResult, e: ev.VariableCreated) -> Diagnostic:
    name, first_shape = e.predicted_name, _shape(e.first_shape)
    return at(
        result, e.site, CODE,
        f"`{e.api}`{via(e.via)} shares '{name}' with shape {_shape(e.shape)}, but it was created with shape "
        f"{first_shape} at {where(result, e.first, e.first_path)}: TF raises 'Trying to share variable'",
        Severity.ERROR, predicted_name=name,
        related=related_many(
            result, (e.first, f"'{name}' created here with shape {first_shape}", e.first_path),
            (None if e.first_site == e.site else e.first_site, f"the call that created '{name}' with shape {first_shape}", None),
            (None if e.local and e.node == e.site else e.node, f"`{e.api}` asks for shape {_shape(e.shape)} here", e.path),
        ),
    )
