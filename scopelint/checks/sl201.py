"""SL201 variable-already-exists: a creation through a variable scope, without reuse, of an existing name."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_many, via, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev
from scopelint.model.shapes import text

CODE = "SL201"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_diagnostic(result, e) for e in result.of_type(ev.VariableCreated) if e.outcome == ev.EXISTS and not e.expects_error)


def _diagnostic(result: ModelResult, e: ev.VariableCreated) -> Diagnostic:
    name = e.predicted_name
    return at(
        result, e.site, CODE, _message(result, e), Severity.ERROR, predicted_name=name,
        # The first creation first (the fix reads it), then the way to it (not this statement
        # again: a loop's earlier turn) and the creation inside the builder.
        related=related_many(
            result, (e.first, f"'{name}' first created here", e.first_path),
            (None if e.first_site == e.site else e.first_site, f"the call that first created '{name}'", None),
            (None if e.local and e.node == e.site else e.node, f"`{e.api}` creates '{name}' again here", e.path),
        ),
    )



def _message(result: ModelResult, e: ev.VariableCreated) -> str:
    first = where(result, e.first, e.first_path)
    if e.any_reuse:
        # A function nobody in the linted tree calls: whatever its caller's scope and reuse.
        return (
            f"`{e.api}`{via(e.via)} asks for variable '{e.predicted_name}' with shape {text(e.shape)}, which {first} already "
            f"asked for with shape {text(e.first_shape)} ({{scope}}: the caller's variable scope): whatever scope and "
            "reuse it is called with, TF raises ('already exists, disallowed' without reuse, 'Trying to share variable' "
            "under reuse); give one of them another name or scope"
        )
    return (
        f"`{e.api}`{via(e.via)} creates variable '{e.predicted_name}', which already exists (created at {first}): "
        "TF raises 'already exists, disallowed'; pass reuse=True or reuse=tf.AUTO_REUSE to share it, or use another scope"
    )
