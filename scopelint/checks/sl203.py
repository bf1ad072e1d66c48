"""SL203 reuse-leaks: reuse_variables() on a scope the block did not open, then a new creation there."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev
from scopelint.model.ir import Pos

CODE = "SL203"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    scopes = {e.node: e.scope_name for e in result.of_type(ev.ReuseSwitched)}
    return once(_found(result, scopes))


def _found(result: ModelResult, scopes: dict[Pos, str]) -> Iterator[Diagnostic]:
    for e in result.events:
        if isinstance(e, ev.SlotsCreated) and e.creates_slots and e.reuse == ev.REUSE_ON and e.leaked_from and not e.expects_error:
            victim = f"`{e.optimizer.rsplit('.', 1)[-1]}.minimize()/apply_gradients()` at line {e.site[0]} cannot create its slot variables"
            yield _diagnostic(result, e.leaked_from, scopes, victim, e.site, None)
        elif isinstance(e, ev.VariableCreated) and e.outcome == ev.MISSING and e.leaked_from and not e.expects_error and e.slot_of is None:
            victim = f"`{e.api}` at line {e.site[0]} cannot create '{e.predicted_name}'"
            yield _diagnostic(result, e.leaked_from, scopes, victim, e.site, e.predicted_name)


def _diagnostic(result: ModelResult, leak: Pos, scopes: dict[Pos, str], victim: str, site: Pos, name: str | None) -> Diagnostic:
    scope = scopes.get(leak, "")
    which = "the root variable scope" if scope in ("", "{scope}") else f"the enclosing variable scope '{scope}'"
    return at(
        result, leak, CODE,
        f"`reuse_variables()` switches {which} to reuse for everything built after it, so {victim} "
        "(TF raises 'does not exist'); open a scope of your own (`with tf.variable_scope(...) as scope:`) and reuse that",
        Severity.ERROR, predicted_name=name, related=related_at(result, site, "fails under the leaked reuse"),
    )
