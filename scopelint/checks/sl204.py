"""SL204 variable-not-shared: tf.Variable / Keras under reuse makes a copy."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL204"


def _message(result: ModelResult, e: ev.VariableCreated) -> str:
    first = f"'{e.copy_of_name}' (created at {where(result, e.copy_of, e.copy_of_path)})"
    if e.honours_reuse:
        # A tf.layers / slim layer without a name, run again in the same AUTO_REUSE scope.
        return (f"`{e.api}` without a name gets a new default name each time it runs: under reuse=tf.AUTO_REUSE "
                f"it creates '{e.predicted_name}' instead of sharing {first}; give it name= (scope= for slim)")
    return (f"`{e.api}` ignores reuse: under reuse={'tf.AUTO_REUSE' if e.reuse == ev.REUSE_AUTO else 'True'} it creates "
            f"a new variable '{e.predicted_name}' instead of sharing {first}; "
            "use tf.get_variable (or tf.layers / slim), or build the Keras layer once")


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.site, CODE, _message(result, e),
            Severity.WARNING, predicted_name=e.predicted_name,
            related=related_at(result, e.copy_of, f"'{e.copy_of_name}' created here", e.copy_of_path),
        )
        for e in result.of_type(ev.VariableCreated)
        if e.copy_of is not None and e.certain and e.outcome == ev.CREATED
    )
