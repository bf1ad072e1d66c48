"""SL103 name-scope-reopened: a second name_scope("x") statement opens "x_1"."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once, related_at, where
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL103"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(
        at(
            result, e.node, CODE,
            f"`name_scope('{e.requested}')` was already opened at {where(result, e.reopened_from)}: this one is "
            f"'{e.actual}', not '{e.actual.rsplit('/', 1)[0] + '/' if '/' in e.actual else ''}{e.requested}'; "
            f"capture the first (`as scope`) and re-enter it with `name_scope(scope)`",
            Severity.WARNING, scope_name=e.actual,
            related=related_at(result, e.reopened_from, f"first name_scope('{e.requested}')"),
        )
        for e in result.of_type(ev.ScopeEntered)
        if e.kind == "name_scope" and e.reopened_from is not None and ev.is_concrete(e.actual)
    )
