"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other viewers.

One run; ``tool.driver.rules`` comes from the rule catalog (the same text as
``scopelint explain`` and LSP hover). Locations are relative to the working
directory (``uriBaseId: %SRCROOT%``), columns count code points, and each
result carries a ``partialFingerprints`` entry that does not change when the
finding merely moves to another line, so code scanning can follow it across
commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from scopelint import __version__
from scopelint.catalog import CatalogError, Rule, load_catalog
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext, TraceOutcome
from scopelint.report.fingerprints import SourceLines
from scopelint.report.locations import absolute_uri, relative_message, relative_path

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/scopelint/scopelint"
FINGERPRINT_KEY = "scopelint/v1"
SRCROOT = "%SRCROOT%"

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _catalog() -> dict[str, Rule]:
    try:
        return load_catalog()
    except (CatalogError, OSError):
        return {}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    tags = ["tensorflow", "tf1-scoping", *getattr(rule, "families", ())]
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.section("What it does").strip() or rule.summary},
        "help": {"text": rule.text, "markdown": rule.text},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
        "properties": {"tags": tags},
    }
    return descriptor


def _bare_descriptor(code: str, severity: Severity) -> dict[str, Any]:
    """A code the catalog does not (yet) describe still needs a rule entry."""
    return {
        "id": code,
        "shortDescription": {"text": code},
        "defaultConfiguration": {"level": _LEVEL[severity.value]},
    }


def _artifact(path: str) -> dict[str, Any]:
    relative = relative_path(path)
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    if path.startswith("<"):
        return {"uri": quote(path.strip("<>"))}
    return {"uri": absolute_uri(path)}


def _region(line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> dict[str, int]:
    region = {"startLine": max(1, line), "startColumn": max(1, column)}
    if end_line is not None and end_column is not None and (end_line, end_column) > (line, column):
        region["endLine"] = end_line
        region["endColumn"] = end_column
    return region


def _physical(path: str, region: dict[str, int]) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": _artifact(path), "region": region}}


def fingerprint_basis(d: Diagnostic, sources: SourceLines) -> str:
    """What identifies a finding independent of its line number: the rule, the
    file, and the predicted variable name -- or, for findings without one, the
    flagged line's text with whitespace normalised."""
    what = d.data.get("predicted_name")
    if (not isinstance(what, str) or not what) and d.cell is not None:
        what = d.message  # a notebook's lines are cell lines, not lines of the .ipynb file
    if not isinstance(what, str) or not what:
        what = " ".join(sources.line(d.path, d.line).split()) or d.message
    path = relative_path(d.path) or d.path
    return "\0".join((d.code, path, what))


def _fix(fix: Any, path: str) -> dict[str, Any] | None:
    if not isinstance(fix, Mapping) or not isinstance(fix.get("edits"), (list, tuple)):
        return None
    replacements = []
    for edit in fix["edits"]:
        try:
            region = {
                "startLine": int(edit["line"]),
                "startColumn": int(edit["column"]),
                "endLine": int(edit["end_line"]),
                "endColumn": int(edit["end_column"]),
            }
            content = str(edit["content"])
        except (KeyError, TypeError, ValueError):
            return None
        replacements.append({"deletedRegion": region, "insertedContent": {"text": content}})
    if not replacements:
        return None
    return {
        "description": {"text": f"{fix.get('message', 'Apply fix')} ({fix.get('safety', 'unsafe')})"},
        "artifactChanges": [{"artifactLocation": _artifact(path), "replacements": replacements}],
    }


def _related(d: Diagnostic) -> list[dict[str, Any]]:
    found = []
    entries = d.data.get("related")
    for index, entry in enumerate(entries if isinstance(entries, (list, tuple)) else [], start=1):
        if not isinstance(entry, Mapping):
            continue
        try:
            location = _physical(str(entry["path"]), _region(int(entry["line"]), int(entry["column"])))
        except (KeyError, TypeError, ValueError):
            continue
        location["id"] = index
        location["message"] = {"text": str(entry.get("message", ""))}
        if isinstance(entry.get("cell"), int):
            location["properties"] = {"cell": entry["cell"]}
        found.append(location)
    return found


def result(d: Diagnostic, rule_index: int, fingerprint: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL.get(d.severity.value, "warning"),
        "message": {"text": relative_message(d.message, d.data)},
        "locations": [_physical(d.path, _region(d.line, d.column, d.end_line, d.end_column))],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    related = _related(d)
    if related:
        entry["relatedLocations"] = related
    fix = _fix(d.data.get("fix"), d.path)
    if fix is not None:
        entry["fixes"] = [fix]
    if d.data.get("suppressed"):
        entry["suppressions"] = [{"kind": "inSource"}]
    properties = {key: d.data[key] for key in ("predicted_name", "dynamic") if key in d.data}
    if d.cell is not None:
        properties["cell"] = d.cell  # region lines count from the top of this notebook cell
    if properties:
        entry["properties"] = {_camel(key): value for key, value in properties.items()}
    return entry


def _camel(key: str) -> str:
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), key)


# How a traced file's run ended, as a SARIF notification level: "note" when the graph was built.
_OUTCOME_LEVEL = {"ok": "note", "stopped": "note", "exited": "note", "not run": "error"}


def invocation(traces: Sequence[TraceOutcome]) -> dict[str, Any]:
    """``--dynamic``: one notification per traced file, saying how its run ended."""
    notifications = []
    for trace in traces:
        region = {"region": _region(trace.line, 1)} if trace.line else {}
        notifications.append(
            {
                "level": _OUTCOME_LEVEL.get(trace.kind, "warning"),
                "message": {"text": f"dynamic: {trace.description}"},
                "descriptor": {"id": f"dynamic/{trace.kind.replace(' ', '-')}"},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(trace.path), **region}}],
                "properties": {"outcome": trace.kind, "seconds": round(trace.seconds, 3), **({"cell": trace.cell} if trace.cell is not None else {})},
            }
        )
    return {"executionSuccessful": True, "toolExecutionNotifications": notifications}


def build_log(diagnostics: Sequence[Diagnostic], traces: Sequence[TraceOutcome] = ()) -> dict[str, Any]:
    catalog = _catalog()
    rules = [rule_descriptor(r) for r in catalog.values() if r.status != "removed"]
    index = {descriptor["id"]: i for i, descriptor in enumerate(rules)}
    for d in diagnostics:
        if d.code not in index:
            index[d.code] = len(rules)
            rules.append(rule_descriptor(catalog[d.code]) if d.code in catalog else _bare_descriptor(d.code, d.severity))

    sources = SourceLines()
    seen: Counter[str] = Counter()
    results = []
    for d in diagnostics:
        basis = fingerprint_basis(d, sources)
        seen[basis] += 1  # the same thing flagged twice in one file stays two findings
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
        results.append(result(d, index[d.code], f"{digest}:{seen[basis]}"))

    root = Path(os.getcwd()).resolve().as_uri() + "/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "scopelint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": root}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if traces:
        run["invocations"] = [invocation(traces)]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    return json.dumps(build_log(diagnostics, context.traces), indent=2, ensure_ascii=False) + "\n"
