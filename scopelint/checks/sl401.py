"""SL401 deprecated-scope-api: pre-1.0 scope and collection APIs, each with
what TF 2.21's ``compat.v1`` does with it and a safe fix to its replacement."""

from __future__ import annotations

from typing import Iterator, Mapping

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.fixes.edits import SAFE, make_fix
from scopelint.model import ModelResult
from scopelint.model.legacy import DeprecatedUse

CODE = "SL401"

# What TF 2.21 does with each (tests/test_sl401.py runs them under TF).
_TODAY: Mapping[str, str] = {
    "op_scope": "compat.v1 still runs it as name_scope(name, default_name, values) and logs a deprecation warning",
    "variable_op_scope": "compat.v1 still runs it as variable_scope(name_or_scope, default_name, values) and logs a deprecation warning",
    "initialize_all_variables": "compat.v1 still returns global_variables_initializer() and logs that it was due for removal after 2017-03-02",
    "initialize_local_variables": "compat.v1 still returns local_variables_initializer() and logs that it was due for removal after 2017-03-02",
    "initialize_variables": "compat.v1 still returns variables_initializer(var_list) and logs that it was due for removal after 2017-03-02",
    "all_variables": "compat.v1 still returns global_variables() and logs that it was due for removal after 2017-03-02",
    "initialize_all_tables": "compat.v1 still returns tables_initializer() and logs a deprecation warning",
    "GraphKeys.VARIABLES": "it is the same key ('variables') as GraphKeys.GLOBAL_VARIABLES; compat.v1 logs a deprecation warning (once per process)",
}


def _message(use: DeprecatedUse) -> str:
    text = f"`{use.spelled}` is deprecated: {_TODAY[use.api]}, and TF 2 removed it; use `{use.replacement}`"
    if use.api in ("op_scope", "variable_op_scope"):
        text += " (`values` moves from first to third argument)"
    if use.no_fix:
        text += f"; no automatic fix: {use.no_fix}"
    return text


def check(result: ModelResult) -> Iterator[Diagnostic]:
    for use in result.of_type(DeprecatedUse):
        data = {"fix": make_fix(SAFE, f"Replace with `{use.replacement}`", use.edits)} if use.edits else {}
        yield Diagnostic(
            path=result.path,
            line=use.line,
            column=use.column,
            code=CODE,
            message=_message(use),
            severity=Severity.INFO,
            end_line=use.end_line,
            end_column=use.end_column,
            data=data,
        )
