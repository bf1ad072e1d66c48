"""SL202 variable-does-not-exist: reuse=True asks for a variable nothing created."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL202"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.site, CODE,
            f"`{e.api}` asks for variable '{e.predicted_name}' under reuse=True, but nothing created it before: "
            "TF raises 'does not exist'; create it first (the first call without reuse) or use reuse=tf.AUTO_REUSE",
            Severity.ERROR, predicted_name=e.predicted_name,
        )
        for e in result.of_type(ev.VariableCreated)
        if e.outcome == ev.MISSING and not e.expects_error and e.leaked_from is None and e.slot_of is None
    )
