"""SL102 name-reference-mismatch: a string names a variable or scope that will not exist."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL102"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_found(result))


def _found(result: ModelResult) -> Iterator[Diagnostic]:
    for e in result.of_type(ev.NameReferenced):
        if e.kind in ("compare", "tensor-lookup", "checkpoint-map") and e.agrees is False and e.variable is not None:
            yield at(
                result, e.site, CODE,
                f"'{e.text}' names no variable: the variable created at {where(result, e.variable_node, e.variable_path)} is "
                f"'{e.variable}:0'" + _hint(e.text, e.variable),
                Severity.ERROR, predicted_name=e.variable,
                related=related_at(result, e.variable_node, f"creates '{e.variable}'", e.variable_path),
            )
        elif e.kind == "collection-filter" and e.complete and not e.matches and not e.asserted:
            extra = " (a name_scope of that name exists, but name scopes do not prefix `tf.get_variable`)" if e.name_scope_exists else ""
            yield at(
                result, e.site, CODE,
                f"scope filter '{e.text}' matches no variable in the graph at this point, so it returns []{extra}",
                Severity.ERROR,
            )
        elif e.kind == "checkpoint-map" and e.complete and e.agrees is None and not e.matches:
            what = (f"no variable is under scope '{e.text}', so `init_from_checkpoint` silently restores nothing there"
                    if e.text.endswith("/") else f"no variable is named '{e.text}': TF raises ValueError")
            yield at(result, e.site, CODE, f"checkpoint assignment map: {what}", Severity.ERROR)


def _hint(text: str, real: str) -> str:
    base = text.split(":")[0]
    if base.endswith("/" + real) or (real.count("/") < base.count("/") and base.endswith(real)):
        return " (tf.get_variable ignores name_scope; use tf.variable_scope)"
    return ""
