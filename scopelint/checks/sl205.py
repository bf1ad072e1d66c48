"""SL205 shared-shape-mismatch: a variable fetched under reuse with another literal shape."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL205"


def _shape(shape: tuple[int, ...] | None) -> str:
    return "(" + ", ".join(str(d) for d in shape or ()) + ("," if shape and len(shape) == 1 else "") + ")"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.site, CODE,
            f"`{e.api}` shares '{e.predicted_name}' with shape {_shape(e.shape)}, but it was created with shape "
            f"{_shape(e.first_shape)} at {where(result, e.first, e.first_path)}: TF raises 'Trying to share variable'",
            Severity.ERROR, predicted_name=e.predicted_name,
            related=related_at(result, e.first, f"'{e.predicted_name}' created here with shape {_shape(e.first_shape)}", e.first_path),
        )
        for e in result.of_type(ev.VariableCreated)
        if e.outcome == ev.SHAPE_MISMATCH and not e.expects_error
    )
