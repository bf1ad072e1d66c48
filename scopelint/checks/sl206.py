"""SL206 cell-not-rerunnable: a notebook cell that raises "already exists" when it is run again."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model.rerun import RerunCollision

CODE = "SL206"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.site, CODE,
            f"running this cell again raises 'Variable {e.predicted_name} already exists' (`{e.api}`): the notebook's "
            "default graph keeps the first run's variables; start the cell with tf.reset_default_graph(), build inside "
            "`with tf.Graph().as_default():`, or create with reuse=tf.AUTO_REUSE",
            Severity.INFO, predicted_name=e.predicted_name,
        )
        for e in result.of_type(RerunCollision)
    )
