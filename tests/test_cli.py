"""End to end: the installed console script on a tree of mixed files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"

CLEAN_TF = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
"""


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [SCOPELINT, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def mixed_tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "model.py").write_text(CLEAN_TF)
    (root / "utils.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "legacy.py").write_text("import tensorflow as tf\n\nprint 'building graph'\n")
    (root / "blob.py").write_bytes(b"\x00\x01\x02binary\x00")
    (root / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nimport tensorflow as tf\nNAME = 'caf\xe9'\n".encode("latin-1"))
    (root / "broken_enc.py").write_bytes(b"import tensorflow as tf\nNAME = 'caf\xe9'\n")
    os.symlink(root / "nowhere.py", root / "dangling.py")
    (root / ".venv").mkdir()
    (root / ".venv" / "site.py").write_text("import tensorflow\nprint 'never linted'\n")
    # Python 2 without any TF in it is none of scopelint's business: the prefilter skips it.
    (root / "py2_tool.py").write_text("print 'not TF code'\n")
    return root


def test_mixed_tree_reports_each_bad_file_once_and_goes_on(mixed_tree: Path) -> None:
    result = run(str(mixed_tree), "--no-cache")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    findings = [line for line in lines if ": SL" in line]
    by_file = {Path(line.split(":", 1)[0]).name: line for line in findings}
    assert sorted(by_file) == ["blob.py", "broken_enc.py", "dangling.py", "legacy.py"]
    assert len(findings) == 4
    assert by_file["legacy.py"].endswith(
        "legacy.py:3:1: SL900 file not analysed: Python 2 syntax (`print` statement); "
        "scopelint reads Python 3 only. Port the file (e.g. with `2to3`) or exclude it"
    )
    assert "binary file" in by_file["blob.py"]
    assert "not valid UTF-8 (byte 0xe9" in by_file["broken_enc.py"]
    assert "broken symlink" in by_file["dangling.py"]
    assert lines[-1] == "Found 4 problems (4 errors, 0 warnings) in 4 of 8 files checked."
    assert result.stderr == ""


def test_clean_tree_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(CLEAN_TF)
    result = run(str(tmp_path), "--no-cache")
    assert result.returncode == 0
    assert result.stdout == "All clear: 1 file checked.\n"


def test_json_format_schema(mixed_tree: Path) -> None:
    result = run(str(mixed_tree / "legacy.py"), "--format", "json", "--no-cache")
    assert result.returncode == 1
    (entry,) = json.loads(result.stdout)
    assert list(entry) == ["code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "data"]
    assert entry["code"] == "SL900" and entry["name"] == "parse-error" and entry["severity"] == "error"
    assert (entry["line"], entry["column"]) == (3, 1)
    assert entry["data"] == {"python2": True}


def test_stdin_with_filename(tmp_path: Path) -> None:
    result = run("-", "--stdin-filename", "pkg/legacy.py", "--no-cache", stdin="import tensorflow as tf\nprint 'x'\n")
    assert result.returncode == 1
    assert result.stdout.startswith("pkg/legacy.py:2:1: SL900 file not analysed: Python 2 syntax")


def test_noqa_suppresses_and_show_suppressed_lists(tmp_path: Path) -> None:
    (tmp_path / "legacy.py").write_text("import tensorflow as tf\nprint 'x'  # noqa: SL900\n")
    quiet = run(str(tmp_path), "--no-cache")
    assert quiet.returncode == 0, quiet.stdout
    shown = run(str(tmp_path), "--no-cache", "--show-suppressed")
    assert shown.returncode == 0
    assert "SL900" in shown.stdout and "[suppressed]" in shown.stdout


def test_select_and_ignore_from_the_command_line(mixed_tree: Path) -> None:
    result = run(str(mixed_tree / "utils.py"), "--select", "SL2", "--ignore", "SL203", "--no-cache")
    assert result.returncode == 0
    bad = run(str(mixed_tree), "--select", "SL2,bogus")
    assert bad.returncode == 2
    assert "'bogus' is not a rule code" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_config_error_is_exit_2_with_the_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.scopelint]\nselct = ['SL2']\n")
    (tmp_path / "m.py").write_text(CLEAN_TF)
    result = run(str(tmp_path))
    assert result.returncode == 2
    assert "config error" in result.stderr and "unknown key 'selct'" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_excludes_and_per_file_ignores(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopelint]\nextend-exclude = ["third_party"]\nper-file-ignores = {"old/*" = ["SL900"]}\n'
    )
    for rel in ["third_party/a.py", "old/b.py", "new/c.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("import tensorflow as tf\nprint 'x'\n")
    result = run(".", "--no-cache", cwd=tmp_path)
    findings = [line for line in result.stdout.splitlines() if "SL900" in line]
    assert [line.split(":")[0] for line in findings] == ["new/c.py"]


def test_statistics(mixed_tree: Path) -> None:
    result = run(str(mixed_tree), "--statistics", "--no-cache")
    assert "4  SL900  parse-error" in result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run().returncode == 2
    assert run("--format", "xml", str(tmp_path)).returncode == 2
    assert run("--jobs", "0", str(tmp_path)).returncode == 2


def test_python_dash_m_is_the_same_command(mixed_tree: Path) -> None:
    via_module = subprocess.run(
        [sys.executable, "-m", "scopelint", str(mixed_tree / "legacy.py"), "--no-cache"],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    assert via_module.returncode == 1
    assert via_module.stdout == run(str(mixed_tree / "legacy.py"), "--no-cache").stdout


def test_colour_only_when_asked_or_on_a_tty(mixed_tree: Path) -> None:
    plain = run(str(mixed_tree / "legacy.py"), "--no-cache")
    assert "\033[" not in plain.stdout
    forced = run(str(mixed_tree / "legacy.py"), "--no-cache", "--color", "always")
    assert "\033[31mSL900\033[0m" in forced.stdout
