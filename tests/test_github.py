"""``--format github``: GitHub Actions workflow commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.report import ReportContext, github

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"


def test_error_command_with_range_and_title(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(github, "rule_name", lambda code: "variable-already-exists")
    d = Diagnostic(str(tmp_path / "pkg" / "model.py"), 7, 9, "SL201", "variable 'model/w' already exists", Severity.ERROR, 7, 33)
    assert github.render([d], ReportContext()) == (
        "::error file=pkg/model.py,line=7,col=9,endLine=7,endColumn=33,"
        "title=SL201 variable-already-exists::variable 'model/w' already exists\n"
    )


def test_severities_escaping_and_suppressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(github, "rule_name", lambda code: "")
    diagnostics = [
        Diagnostic("a,b:c.py", 2, 1, "SL204", "100% copies\nline two\rx", Severity.WARNING),
        Diagnostic("n.py", 3, 4, "SL401", "info", Severity.INFO),
        Diagnostic("s.py", 1, 1, "SL201", "silenced", Severity.ERROR, data={"suppressed": True}),
    ]
    assert github.render(diagnostics, ReportContext()).splitlines() == [
        "::warning file=a%2Cb%3Ac.py,line=2,col=1,title=SL204::100%25 copies%0Aline two%0Dx",
        "::notice file=n.py,line=3,col=4,title=SL401::info",
    ]
    assert github.render([], ReportContext()) == ""


def test_cli_github_format(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text("import tensorflow as tf\n\nprint 'x'\n")
    proc = subprocess.run(
        [SCOPELINT, "--no-cache", "--format", "github", "legacy.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    [line] = proc.stdout.splitlines()
    assert line.startswith("::error file=legacy.py,line=3,col=1,title=SL900 parse-error::file not analysed: Python 2 syntax")


def readme_workflow() -> dict[str, object]:
    import re

    import yaml

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CI: SARIF and GitHub annotations", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    loaded: dict[str, object] = yaml.safe_load(block.group(1))
    return loaded


def test_readme_workflow_runs_as_written(tmp_path: Path) -> None:
    """The README's workflow: its scopelint steps run here as written, the SARIF it
    uploads validates, and the upload step points at the file the lint step writes."""
    import json
    import shlex

    import jsonschema

    workflow = readme_workflow()
    job = workflow["jobs"]["scopelint"]  # type: ignore[index]
    assert workflow["permissions"]["security-events"] == "write"  # type: ignore[index]
    steps = job["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("scopelint")]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert len(commands) == 2

    (tmp_path / "legacy.py").write_text("import tensorflow as tf\n\nprint 'x'\n")
    sarif_cmd, github_cmd = (shlex.split(c.split("#", 1)[0]) for c in commands)
    first = subprocess.run([SCOPELINT, *sarif_cmd[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr  # --exit-zero: the upload step must still run
    log = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text())
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["SL900"]

    second = subprocess.run([SCOPELINT, *github_cmd[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert second.returncode == 1
    assert second.stdout.startswith("::error file=legacy.py,line=3,col=1,")
