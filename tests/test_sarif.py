"""``--format sarif``: valid SARIF 2.1.0 (the official OASIS schema, vendored in
tests/data with its licence), rule metadata from the catalog, and fingerprints
that survive a finding moving to another line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scopelint.catalog import load_catalog, parse_rule
from scopelint.diagnostic import Diagnostic, Severity, related
from scopelint.report import ReportContext, sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"

RULE_MD = """\
---
code: SL201
name: variable-already-exists
severity: error
fix: unsafe
summary: tf.get_variable creates a name that already exists without reuse.
---
## What it does

Flags a second creation of the same variable name.

## Why is this bad

TF raises `ValueError: Variable w already exists, disallowed`.

## Example

```python
import tensorflow.compat.v1 as tf
```

## Use instead

```python
import tensorflow.compat.v1 as tf
```

## Fix

Unsafe.
"""


def validate(log: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(log)


@pytest.fixture
def catalog_with_sl201(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_file = tmp_path / "SL201.md"
    rule_file.write_text(RULE_MD)
    rule = parse_rule(rule_file)
    monkeypatch.setattr(sarif, "load_catalog", lambda: {"SL201": rule})


def collision(path: str, line: int) -> Diagnostic:
    return Diagnostic(
        path=path,
        line=line,
        column=9,
        code="SL201",
        message="variable 'model/w' already exists: tf.get_variable without reuse",
        severity=Severity.ERROR,
        end_line=line,
        end_column=33,
        data={
            "predicted_name": "model/w",
            "related": [related(path, 4, 9, "first created here")],
            "fix": {
                "safety": "unsafe",
                "message": "Add reuse=tf.AUTO_REUSE",
                "edits": [{"line": 3, "column": 31, "end_line": 3, "end_column": 31, "content": ", reuse=tf.AUTO_REUSE"}],
            },
        },
    )


def test_result_fields_and_rule_metadata(catalog_with_sl201: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    diagnostic = collision(str(tmp_path / "pkg" / "model.py"), 6)
    log = json.loads(sarif.render([diagnostic], ReportContext(files_checked=1)))
    validate(log)

    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "scopelint" and driver["informationUri"].startswith("https://")
    [rule] = driver["rules"]
    assert rule["id"] == "SL201" and rule["name"] == "variable-already-exists"
    assert rule["shortDescription"]["text"] == "tf.get_variable creates a name that already exists without reuse."
    assert rule["fullDescription"]["text"] == "Flags a second creation of the same variable name."
    assert "already exists, disallowed" in rule["help"]["markdown"]
    assert rule["helpUri"].endswith("/rules/SL201.md")
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert "tensorflow" in rule["properties"]["tags"]

    [result] = run["results"]
    assert result["ruleId"] == "SL201" and result["ruleIndex"] == 0 and result["level"] == "error"
    assert result["message"]["text"] == diagnostic.message
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/model.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 6, "startColumn": 9, "endLine": 6, "endColumn": 33}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    [first] = result["relatedLocations"]
    assert first["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 9}
    assert first["message"]["text"] == "first created here"
    assert result["properties"] == {"predictedName": "model/w"}
    [replacement] = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["insertedContent"]["text"] == ", reuse=tf.AUTO_REUSE"


def test_fingerprint_ignores_line_moves_but_not_identity(catalog_with_sl201: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    def fingerprints(*diagnostics: Diagnostic) -> list[str]:
        log = sarif.build_log(list(diagnostics))
        validate(log)
        return [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in log["runs"][0]["results"]]

    [at_6] = fingerprints(collision(str(tmp_path / "m.py"), 6))
    [at_40] = fingerprints(collision(str(tmp_path / "m.py"), 40))
    [other_file] = fingerprints(collision(str(tmp_path / "n.py"), 6))
    assert at_6 == at_40
    assert other_file != at_6
    twice = fingerprints(collision(str(tmp_path / "m.py"), 6), collision(str(tmp_path / "m.py"), 9))
    assert len(set(twice)) == 2 and twice[0] == at_6


def test_levels_suppressions_and_unknown_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sarif, "load_catalog", lambda: {})
    diagnostics = [
        Diagnostic(str(tmp_path / "a.py"), 1, 1, "SL999", "a warning", Severity.WARNING),
        Diagnostic(str(tmp_path / "a.py"), 2, 1, "SL998", "an info", Severity.INFO, data={"suppressed": True}),
        Diagnostic("<stdin>", 3, 1, "SL999", "from stdin", Severity.WARNING),
    ]
    log = sarif.build_log(diagnostics)
    validate(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["SL999", "SL998"]
    assert [(r["ruleIndex"], r["level"]) for r in run["results"]] == [(0, "warning"), (1, "note"), (0, "warning")]
    assert run["results"][1]["suppressions"] == [{"kind": "inSource"}]
    assert "suppressions" not in run["results"][0]
    assert run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "stdin"}


def test_real_catalog_feeds_the_driver() -> None:
    log = sarif.build_log([])
    validate(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    active = [r for r in load_catalog().values() if r.status != "removed"]
    assert [r["id"] for r in rules] == [r.code for r in active]
    for descriptor, rule in zip(rules, active):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["markdown"] == rule.text
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[rule.severity]


PY2_TF = "import tensorflow as tf\n\nprint 'building graph'\n"


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCOPELINT, "--no-cache", "--format", "sarif", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def test_cli_sarif_end_to_end_and_stable_across_commits(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    target = tmp_path / "src" / "legacy.py"
    target.write_text(PY2_TF)
    first = run_cli(tmp_path, "src")
    assert first.returncode == 1, first.stderr
    log = json.loads(first.stdout)
    validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "SL900"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 1)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/legacy.py"
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "SL900"

    # A later commit adds lines above the finding: same fingerprint, new line.
    target.write_text("# header\n\n\n" + PY2_TF)
    [moved] = json.loads(run_cli(tmp_path, "src").stdout)["runs"][0]["results"]
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert moved["partialFingerprints"] == result["partialFingerprints"]


def test_cli_sarif_carries_the_rule_fix(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import tensorflow.compat.v1 as tf\n\nw = tf.get_variable('w', [3])\ninit = tf.initialize_all_variables()\n"
    )
    proc = run_cli(tmp_path, "train.py")
    log = json.loads(proc.stdout)
    validate(log)
    [result] = log["runs"][0]["results"]
    assert (result["ruleId"], result["level"]) == ("SL401", "note")
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "SL401"
    [fix] = result["fixes"]
    assert fix["description"]["text"] == "Replace with `tf.global_variables_initializer` (safe)"
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "train.py", "uriBaseId": "%SRCROOT%"}
    [replacement] = change["replacements"]
    assert replacement == {
        "deletedRegion": {"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 35},
        "insertedContent": {"text": "global_variables_initializer"},
    }


def test_dynamic_outcomes_become_invocation_notifications(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--dynamic`: how each traced file's run ended is in the run's invocation, one notification per file."""
    from scopelint.report import TraceOutcome

    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text("import tensorflow as tf\n")
    traces = (
        TraceOutcome("train.py", "stopped", "stopped at line 16 at Session.run: graph construction is done, training does not run", 16, 0.42),
        TraceOutcome("hang.py", "timed out", "timed out after 3 s (--dynamic-timeout); the rest of the file was not reached", None, 3.0),
    )
    log = json.loads(sarif.render([], ReportContext(files_checked=2, traces=traces)))
    validate(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    first, second = invocation["toolExecutionNotifications"]
    assert first["message"]["text"] == "dynamic: stopped at line 16 at Session.run: graph construction is done, training does not run"
    assert (first["level"], first["descriptor"]["id"], first["properties"]) == ("note", "dynamic/stopped", {"outcome": "stopped", "seconds": 0.42})
    assert first["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "train.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 16, "startColumn": 1}}
    assert (second["level"], second["descriptor"]["id"]) == ("warning", "dynamic/timed-out")
    assert "region" not in second["locations"][0]["physicalLocation"]
    assert "invocations" not in json.loads(sarif.render([], ReportContext(files_checked=1)))["runs"][0]
