"""``--format gitlab``: a GitLab Code Quality report (a JSON list of issues),
for ``artifacts: reports: codequality:`` in ``.gitlab-ci.yml``.

Each issue has the fields GitLab requires: ``description``, ``check_name``,
``fingerprint`` (stable when lines move, see :mod:`scopelint.report.fingerprints`),
``severity`` (``info``/``minor``/``major``/``critical``/``blocker``) and
``location.path`` (relative to the working directory, the checkout root in a job)
with ``location.lines.begin``. Suppressed findings are left out."""

from __future__ import annotations

import json
from typing import Any, Sequence

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext
from scopelint.report.fingerprints import fingerprints
from scopelint.report.github import rule_title
from scopelint.report.locations import relative_message, relative_path

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def issue(d: Diagnostic, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "description": f"{d.code} {relative_message(d.message, d.data)}",
        "check_name": rule_title(d.code),
        "categories": ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITY.get(d.severity, "minor"),
        "location": {
            "path": relative_path(d.path) or d.path,
            "lines": {"begin": d.line, "end": d.end_line if d.end_line is not None else d.line},
        },
    }


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    active = [d for d in diagnostics if not d.data.get("suppressed")]
    return json.dumps([issue(d, f) for d, f in zip(active, fingerprints(active))], indent=2, ensure_ascii=False) + "\n"
