"""SL301 update-ops-not-run: batch-norm moving statistics that no train op updates,
and tower loops whose ``get_collection(UPDATE_OPS)`` takes every tower's updates."""

from __future__ import annotations

from typing import Iterator

from scopelint.diagnostic import Diagnostic, Severity, related
from scopelint.model import ModelResult
from scopelint.model.collections import TowerUpdateOpsRead, UpdateOpsNotRun

CODE = "SL301"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    for finding in result.of_type(UpdateOpsNotRun):
        line, column, end_line, end_column = finding.train_op
        bn_line, bn_column = finding.batch_norm[0], finding.batch_norm[1]
        yield Diagnostic(
            path=result.path,
            line=line,
            column=column,
            code=CODE,
            message=(
                f"`{finding.train_api}()` does not run the UPDATE_OPS that `{finding.batch_norm_api}` (line {bn_line}) "
                "adds, so its moving mean and variance never change from 0 and 1; build the train op under "
                "`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):`"
            ),
            severity=Severity.WARNING,
            end_line=end_line,
            end_column=end_column,
            data={"related": [related(result.path, bn_line, bn_column, "batch norm whose updates go to UPDATE_OPS")]},
        )
    for read in result.of_type(TowerUpdateOpsRead):
        line, column, end_line, end_column = read.pos
        yield Diagnostic(
            path=result.path,
            line=line,
            column=column,
            code=CODE,
            message=(
                "`get_collection(UPDATE_OPS)` without `scope` inside a tower loop returns the update ops of every "
                "tower built so far, not only this tower's; pass this tower's name scope as `scope=`"
            ),
            severity=Severity.WARNING,
            end_line=end_line,
            end_column=end_column,
        )
