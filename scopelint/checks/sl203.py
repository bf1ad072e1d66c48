"""SL203 reuse-leaks: reuse_variables() on a scope the block did not open, then a new creation there."""

from __future__ import annotations

from typing import Any, Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev
from scopelint.model.ir import Pos

CODE = "SL203"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_found(result))


def _found(result: ModelResult) -> Iterator[Diagnostic]:
    # The reuse_variables() calls by where they leak from: their own line in this file, or
    # the call in this file that led to one in another module.
    leaks: dict[Pos, ev.ReuseSwitched] = {}
    for e in result.events:
        if isinstance(e, ev.ReuseSwitched) and not e.own:
            leaks[e.node if e.path is None else e.site] = e
        elif isinstance(e, ev.SlotsCreated) and e.creates_slots and e.reuse == ev.REUSE_ON and e.leaked_from and not e.expects_error:
            victim = f"`{e.optimizer.rsplit('.', 1)[-1]}.minimize()/apply_gradients()` at {_at(result, e)} cannot create its slot variables"
            yield _diagnostic(result, e.leaked_from, leaks.get(e.leaked_from), victim, e, None)
        elif isinstance(e, ev.VariableCreated) and e.outcome == ev.MISSING and e.leaked_from and not e.expects_error and e.slot_of is None:
            victim = f"`{e.api}` at {_at(result, e)} cannot create '{e.predicted_name}'"
            yield _diagnostic(result, e.leaked_from, leaks.get(e.leaked_from), victim, e, e.predicted_name)


def _at(result: ModelResult, e: ev.SlotsCreated | ev.VariableCreated) -> str:
    """The failing call: its line here, or where it lies in another module."""
    return where(result, e.node, e.path) if e.path is not None else f"line {e.site[0]}"


def _diagnostic(
    result: ModelResult, leak: Pos, switch: ev.ReuseSwitched | None, victim: str, e: ev.SlotsCreated | ev.VariableCreated,
    name: str | None,
) -> Diagnostic:
    scope = switch.scope_name if switch is not None else ""
    which = "the root variable scope" if scope in ("", "{scope}") else f"the enclosing variable scope '{scope}'"
    failing = (e.node, e.path) if e.path is not None else (e.site, None)
    related: list[dict[str, Any]] = related_at(result, failing[0], "fails under the leaked reuse", failing[1]) or []
    if e.path is None and e.node != e.site:
        # The failing statement runs a builder of this file: the creation there too.
        related += related_at(result, e.node, _inside(e)) or []
    if switch is not None and switch.path is not None:
        # The reuse_variables() call lies in another module: show the way there.
        related += related_at(result, switch.node, "`reuse_variables()` called here", switch.path) or []
    return at(
        result, leak, CODE,
        f"`reuse_variables()` switches {which} to reuse for everything built after it, so {victim} "
        "(TF raises 'does not exist'); open a scope of your own (`with tf.variable_scope(...) as scope:`) and reuse that",
        Severity.ERROR, predicted_name=name, related=related or None,
    )


def _inside(e: ev.SlotsCreated | ev.VariableCreated) -> str:
    return "the optimizer's slot variables are created here" if isinstance(e, ev.SlotsCreated) else f"`{e.api}` fails here"
