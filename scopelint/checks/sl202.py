"""SL202 variable-does-not-exist: reuse=True asks for a variable nothing created."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_many, via, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL202"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        _diagnostic(result, e) for e in result.of_type(ev.VariableCreated)
        if e.outcome == ev.MISSING and not e.expects_error and e.leaked_from is None and e.slot_of is None
    )


def _diagnostic(result: ModelResult, e: ev.VariableCreated) -> Diagnostic:
    """At the reuse=True request (the scope, or the call that passed it), the failing creation related."""
    request = e.reuse_requested_at or e.site
    here = e.local and e.node[0] == request[0]
    who = f"`{e.api}`{via(e.via)}" if here else f"`{e.api}` at {where(result, e.node, e.path)}{via(e.via)}"
    return at(
        result, request, CODE,
        f"{who} asks for variable '{e.predicted_name}' under {'reuse=True' if here else 'the reuse=True requested here'}, "
        "but nothing created it before: TF raises 'does not exist'; create it first (the first call without reuse) "
        "or use reuse=tf.AUTO_REUSE",
        Severity.ERROR, predicted_name=e.predicted_name,
        related=related_many(
            result, (e.node, f"`{e.api}` fails here: '{e.predicted_name}' does not exist", e.path),
            (e.site, f"the call that leads to `{e.api}`", None), skip=request,
        ),
    )
