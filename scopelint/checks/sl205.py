"""SL205 shared-shape-mismatch: a variable fetched under reuse with another shape or dtype."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_many, via, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev
from scopelint.model.shapes import differ, text

CODE = "SL205"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_diagnostic(result, e) for e in result.of_type(ev.VariableCreated) if e.outcome == ev.SHAPE_MISMATCH and not e.expects_error)


def _what(e: ev.VariableCreated) -> tuple[str, str]:
    """How the request and the existing variable differ: ('shape (?, 16)', 'shape (?, 64)') or their dtypes."""
    if differ(e.shape, e.first_shape):
        return f"shape {text(e.shape)}", f"shape {text(e.first_shape)}"
    return f"dtype {e.dtype}", f"dtype {e.first_dtype}"


def _diagnostic(result: ModelResult, e: ev.VariableCreated) -> Diagnostic:
    name, (asked, found) = e.predicted_name, _what(e)
    return at(
        result, e.site, CODE,
        f"`{e.api}`{via(e.via)} shares '{name}' with {asked}, but it was created with "
        f"{found} at {where(result, e.first, e.first_path)}: TF raises 'Trying to share variable'",
        Severity.ERROR, predicted_name=name,
        related=related_many(
            result, (e.first, f"'{name}' created here with {found}", e.first_path),
            (None if e.first_site == e.site else e.first_site, f"the call that created '{name}' with {found}", None),
            (None if e.local and e.node == e.site else e.node, f"`{e.api}` asks for {asked} here", e.path),
        ),
    )
