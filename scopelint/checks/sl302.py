"""SL302 saver-before-variables: ``tf.train.Saver()`` built before variables it should save."""

from __future__ import annotations

from typing import Iterator

from scopelint.diagnostic import Diagnostic, Severity, related
from scopelint.model import ModelResult
from scopelint.model.collections import SaverTooEarly

CODE = "SL302"


def _what(finding: SaverTooEarly) -> str:
    if finding.via:
        return f"`{finding.via.rpartition('.')[2]}()`, which creates variables, is called"
    if finding.creation_api == "Optimizer.minimize" or finding.creation_api == "Optimizer.apply_gradients":
        return f"the optimizer creates its slot variables in `{finding.creation_api.rpartition('.')[2]}()`"
    if finding.creation_api == "ExponentialMovingAverage.apply":
        return "`ExponentialMovingAverage.apply()` creates its shadow variables"
    if finding.predicted_name and finding.creation_api in ("tf.get_variable", "tf.Variable"):
        return f"variable '{finding.predicted_name}' is created by `{finding.creation_api}`"
    if finding.predicted_name:
        return f"`{finding.creation_api}` creates variables ('{finding.predicted_name}', ...)"
    if finding.creation_name:
        return f"variable '{finding.creation_name}' is created by `{finding.creation_api}`"
    return f"`{finding.creation_api}` creates variables"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    for finding in result.of_type(SaverTooEarly):
        line, column, end_line, end_column = finding.saver
        where = finding.creation[0]
        yield Diagnostic(
            path=result.path,
            line=line,
            column=column,
            code=CODE,
            message=(
                f"`tf.train.Saver()` without var_list is built before {_what(finding)} on line {where}: "
                "the Saver takes only the variables that exist when it is built, so those are never saved. "
                "Build it after the model and the optimizer"
            ),
            severity=Severity.WARNING,
            end_line=end_line,
            end_column=end_column,
            data={
                "related": [related(result.path, where, finding.creation[1], "first variable created after the Saver")],
                **({"predicted_name": finding.predicted_name} if finding.predicted_name else {}),
            },
        )
