"""SL201 variable-already-exists: a creation through a variable scope, without reuse, of an existing name."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL201"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.site, CODE,
            f"`{e.api}` creates variable '{e.predicted_name}', which already exists (created at {where(result, e.first, e.first_path)}): "
            "TF raises 'already exists, disallowed'; pass reuse=True or reuse=tf.AUTO_REUSE to share it, or use another scope",
            Severity.ERROR, predicted_name=e.predicted_name,
            related=related_at(result, e.first, f"'{e.predicted_name}' first created here", e.first_path),
        )
        for e in result.of_type(ev.VariableCreated)
        if e.outcome == ev.EXISTS and not e.expects_error
    )
