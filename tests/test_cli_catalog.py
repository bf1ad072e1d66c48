"""`scopelint rules` and `scopelint explain` through the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scopelint.catalog import load_catalog

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"
REPO = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()


def run(*args: str, cwd: Path = REPO, module: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scopelint", *args] if module else [SCOPELINT, *args]
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def test_rules_lists_every_code_with_name_severity_and_summary() -> None:
    # Run from the checkout, which has a rules/ directory: the subcommand must still win.
    result = run("rules")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(CATALOG)
    for line, rule in zip(lines, CATALOG.values()):
        assert line.split()[:3] == [rule.code, rule.name, rule.severity]
        assert line.endswith(rule.summary + (" (removed)" if rule.status == "removed" else ""))


def test_rules_json_is_the_catalog() -> None:
    result = run("rules", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["code"], r["name"], r["severity"], r["fix"], r["summary"], r["status"]) for r in rows] == [
        (r.code, r.name, r.severity, r.fix, r.summary, r.status) for r in CATALOG.values()
    ]


def test_explain_prints_the_rule_document(tmp_path: Path) -> None:
    result = run("explain", "SL302", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == CATALOG["SL302"].text
    assert result.stdout.startswith("# SL302 saver-before-variables\n")
    for title in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## Fix"):
        assert title in result.stdout
    assert "saver = tf.train.Saver()  # expect: SL302" in result.stdout


@pytest.mark.parametrize("spelling", ["update-ops-not-run", "sl301", " SL301 "])
def test_explain_finds_a_rule_by_name_or_any_case(spelling: str) -> None:
    result = run("explain", spelling)
    assert result.returncode == 0, result.stderr
    assert result.stdout == CATALOG["SL301"].text


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = run("explain", "SL999")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "scopelint: error: unknown rule 'SL999'; `scopelint rules` lists them\n"


def test_explain_without_a_code_is_a_usage_error() -> None:
    result = run("explain")
    assert result.returncode == 2
    assert "the following arguments are required: code" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_gives_the_same_output() -> None:
    assert run("rules", module=True).stdout == run("rules").stdout
    assert run("explain", "SL900", module=True).stdout == CATALOG["SL900"].text


def test_a_directory_named_like_a_subcommand_is_linted_with_dot_slash(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "legacy.py").write_text("import tensorflow as tf\nprint 'x'\n")
    listed = run("rules", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith(next(iter(CATALOG)))
    linted = run("./rules", "--no-cache", cwd=tmp_path)
    assert linted.returncode == 1
    assert "legacy.py:2:1: SL900 file not analysed: Python 2 syntax" in linted.stdout


@pytest.mark.parametrize("selection", [["--ignore", "SL900"], ["--select", "SL2"]])
def test_sl900_cannot_be_deselected_as_its_rule_text_says(selection: list[str], tmp_path: Path) -> None:
    assert "cannot be deselected with `--select` / `--ignore`" in " ".join(CATALOG["SL900"].section("What it does").split())
    (tmp_path / "legacy.py").write_text("import tensorflow as tf\nprint 'x'\n")
    result = run("--no-cache", *selection, "legacy.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("legacy.py:2:1: SL900 file not analysed: Python 2 syntax (`print` statement)")
