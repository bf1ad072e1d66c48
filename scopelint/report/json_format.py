"""``--format json``: a list of objects, one per diagnostic (schema in README).

Keys: code, name, severity, message, path, line, column, end_line, end_column,
data. Lines and columns are 1-based. Adding keys is a compatible change;
renaming or removing one is not.
"""

from __future__ import annotations

import json
from typing import Sequence

from scopelint.catalog import rule_name
from scopelint.diagnostic import Diagnostic
from scopelint.report import ReportContext


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    return json.dumps([d.to_json(rule_name(d.code)) for d in diagnostics], indent=2, sort_keys=False) + "\n"
