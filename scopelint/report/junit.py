"""``--format junit``: JUnit XML, which Jenkins, GitLab (``reports: junit:``),
Azure Pipelines and CircleCI show as test results.

One ``<testsuite>`` per file with findings, one failing ``<testcase>`` per
finding (``name`` is the rule, ``classname`` the file, ``line`` its line), as
ruff's junit output; a clean run is one passing test case, so the report is
never an empty suite that some readers reject."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.report import ReportContext


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    active = [d for d in diagnostics if not d.data.get("suppressed")]
    root = ET.Element("testsuites", name="scopelint", tests=str(max(1, len(active))), failures=str(len(active)), errors="0")
    if not active:
        suite = ET.SubElement(root, "testsuite", name="scopelint", tests="1", failures="0", errors="0")
        ET.SubElement(suite, "testcase", name="No problems found", classname="scopelint")
    for path, group in groupby(active, key=lambda d: d.path):
        found = list(group)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(found)), failures=str(len(found)), errors="0")
        for d in found:
            case = ET.SubElement(
                suite, "testcase", name=f"scopelint.{d.code}", classname=path, file=path, line=str(d.line)
            )
            failure = ET.SubElement(case, "failure", message=d.message, type=d.severity.value)
            failure.text = f"{path}:{d.line}:{d.column}: {d.code} {d.message}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
