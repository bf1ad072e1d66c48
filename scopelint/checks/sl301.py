"""SL301 update-ops-not-run: batch-norm moving statistics that no train op updates,
and tower loops whose ``get_collection(UPDATE_OPS)`` takes every tower's updates."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev
from scopelint.model.ir import Pos

CODE = "SL301"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once([*_not_run(result), *_tower_reads(result)])


def _not_run(result: ModelResult) -> Iterator[Diagnostic]:
    used = {e.graph for e in result.of_type(ev.UpdateOpsUsed)}
    # A graph whose batch norms all train with a literal True never reads the moving
    # statistics, so not updating them is harmless.
    reads_statistics = {e.graph for e in result.of_type(ev.BatchNormBuilt) if e.training != ev.TRAINING_TRUE}
    adding: dict[int, ev.BatchNormBuilt] = {}
    for e in result.events:
        if isinstance(e, ev.BatchNormBuilt) and e.adds_update_ops:
            adding.setdefault(e.graph, e)
        elif isinstance(e, ev.TrainOpBuilt) and e.runs_update_ops is False and e.graph in adding:
            if e.graph in used or e.graph not in reads_statistics:
                continue
            bn = adding[e.graph]
            bn_pos, bn_path = bn.node, None if bn.local else bn.path or None
            yield at(
                result, e.node if e.local else e.site, CODE,
                f"`{e.api}()` does not run the UPDATE_OPS that `{bn.api}` ({where(result, bn_pos, bn_path)}) "
                "adds, so its moving mean and variance never change from 0 and 1; build the train op under "
                "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`",
                Severity.WARNING,
                related=related_at(result, bn_pos, "batch norm whose updates go to UPDATE_OPS", bn_path),
            )


def _tower_reads(result: ModelResult) -> Iterator[Diagnostic]:
    """The same unscoped read run under name scopes asked for by different names
    (``tower_0``, ``tower_1``; not ``train`` uniquified to ``train_1``): a tower loop."""
    requested: dict[str, str] = {}
    scopes: dict[tuple[int, Pos], set[str]] = {}
    for e in result.events:
        if isinstance(e, ev.ScopeEntered):
            requested[e.actual] = e.requested
        if not isinstance(e, ev.UpdateOpsRead) or e.scoped:
            continue
        seen = scopes.setdefault((e.graph, e.site), set())
        seen.add(requested.get(e.name_scope, e.name_scope))
        if len(seen) == 2:
            yield at(
                result, e.site, CODE,
                "`get_collection(UPDATE_OPS)` without `scope` inside a tower loop returns the update ops of every "
                "tower built so far, not only this tower's; pass this tower's name scope as `scope=`",
                Severity.WARNING,
            )
