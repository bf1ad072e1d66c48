"""SL302 saver-before-variables: ``tf.train.Saver()`` built before variables it should save."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL302"


def _what(e: ev.SaverMisses) -> str:
    if e.api.startswith("Optimizer."):
        return f"the optimizer creates its slot variables in `{e.api.rpartition('.')[2]}()`"
    if e.api == "ExponentialMovingAverage.apply":
        return "`ExponentialMovingAverage.apply()` creates its shadow variables"
    if e.predicted_name and (e.api in ("tf.get_variable", "tf.Variable") or e.api.endswith("global_step")):
        return f"variable '{e.predicted_name}' is created by `{e.api}`"
    if e.predicted_name:
        return f"`{e.api}` creates variables ('{e.predicted_name}', ...)"
    return f"`{e.api}` creates variables"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    uses: dict[tuple[int, int, int, int], set[str]] = {}
    for use in result.of_type(ev.SaverUsed):
        uses.setdefault(use.saver, set()).add(use.method)
    return once(_found(result, uses))


def _found(result: ModelResult, uses: dict[tuple[int, int, int, int], set[str]]) -> Iterator[Diagnostic]:
    for e in result.of_type(ev.SaverMisses):
        if uses.get(e.saver, set()) == {"restore"}:
            continue  # only ever restores: a deliberate partial restore
        path = None if e.local else e.path or None
        # Created inside a builder: also say which call of the Saver's body led there.
        through = f" (through the call on line {e.site[0]})" if e.local and e.site[0] not in (e.node[0], e.saver_site[0]) else ""
        yield at(
            result, e.saver if e.saver_local else e.saver_site, CODE,
            f"`tf.train.Saver()` without var_list is built before {_what(e)} on {where(result, e.node, path)}{through}: "
            "the Saver takes only the variables that exist when it is built, so those are never saved. "
            "Build it after the model and the optimizer",
            Severity.WARNING,
            related=(related_at(result, e.node, "first variable created after the Saver", path) or [])
            + ([] if e.saver_local else related_at(result, e.saver, "the Saver is built here", e.saver_path or None) or []) or None,
            predicted_name=e.predicted_name,
        )
