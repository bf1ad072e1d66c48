"""SL101 get-variable-ignores-name-scope: tf.get_variable inside a plain name_scope."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL101"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    # A later reference to the variable -- right (the author knows) or wrong (SL102) -- settles it.
    referenced = {e.variable for e in result.of_type(ev.NameReferenced) if e.variable is not None}
    found = (
        at(
            # The name_scope and the creation share one body of this file: point there,
            # where the fix goes, not at the call that ran the builder.
            result, e.node if e.local else e.site, CODE,
            f"`{e.api}('{e.requested}')` ignores the enclosing `name_scope('{e.ignored_name_scope}')`: the variable is "
            f"named '{e.predicted_name}', not '{e.ignored_name_scope}/{e.requested}'; use `tf.variable_scope` to prefix it",
            Severity.WARNING, predicted_name=e.predicted_name,
            related=related_at(result, e.ignored_name_scope_at, f"opens the name scope '{e.ignored_name_scope}', which `{e.api}` ignores"),
        )
        for e in result.of_type(ev.VariableCreated)
        if e.ignored_name_scope and e.outcome == ev.CREATED and e.certain and not e.expects_error
        and ev.is_concrete(e.ignored_name_scope) and e.predicted_name not in referenced
    )
    return once(found)
