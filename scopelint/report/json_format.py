"""``--format json``: a list of objects, one per diagnostic (schema in README).

Keys: code, name, severity, message, path, line, column, end_line, end_column,
data. Lines and columns are 1-based. Adding keys is a compatible change;
renaming or removing one is not.

With ``--dynamic`` the report is an object instead, ``{"findings": [...],
"traces": [...]}``: the same list, and how each traced file's run ended (a
list cannot carry that, and a traced file may have no finding at all).
"""

from __future__ import annotations

import json
from typing import Sequence

from scopelint.catalog import rule_name
from scopelint.diagnostic import Diagnostic
from scopelint.report import ReportContext


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    findings = [d.to_json(rule_name(d.code)) for d in diagnostics]
    if not context.traces:
        return json.dumps(findings, indent=2, sort_keys=False) + "\n"
    traces = [
        {"path": t.path, **({"cell": t.cell} if t.cell is not None else {}), "outcome": t.kind,
         "description": t.description, "line": t.line, "seconds": round(t.seconds, 3)}
        for t in context.traces
    ]
    return json.dumps({"findings": findings, "traces": traces}, indent=2, sort_keys=False) + "\n"
