"""The text report's lines and summary."""

from __future__ import annotations

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext
from scopelint.report.text import render


def diag(code: str, severity: Severity, line: int = 1) -> Diagnostic:
    return Diagnostic(path="m.py", line=line, column=5, code=code, message="msg", severity=severity)


def test_summary_counts_each_severity() -> None:
    out = render(
        [diag("SL201", Severity.ERROR), diag("SL101", Severity.WARNING, 2), diag("SL401", Severity.INFO, 3)],
        ReportContext(files_checked=2),
    )
    assert out.splitlines() == [
        "m.py:1:5: SL201 msg",
        "m.py:2:5: SL101 msg",
        "m.py:3:5: SL401 msg",
        "Found 3 problems (1 error, 1 warning, 1 info) in 1 of 2 files checked.",
    ]


def test_suppressed_findings_are_listed_but_not_counted() -> None:
    shown = Diagnostic(path="m.py", line=4, column=1, code="SL201", message="msg", data={"suppressed": True})
    out = render([shown], ReportContext(files_checked=1))
    assert out.splitlines() == ["m.py:4:1: SL201 msg [suppressed]", "All clear: 1 file checked."]
