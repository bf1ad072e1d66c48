"""Issue 13's rough edges, through the installed console script: unknown codes,
warnings about the user's code, `rule`, exit codes by severity, quiet modes,
--show-settings / --show-files, -v timing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"

COLLISION = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("d"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("d"):
    w2 = tf.get_variable("w", [3])
"""
INFO_ONLY = "import tensorflow.compat.v1 as tf\n\ninit = tf.initialize_all_variables()\n"


def run(*args: str, cwd: Path | None = None, python_flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, *python_flags, "-m", "scopelint", *args] if python_flags else [SCOPELINT, *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(COLLISION)
    (tmp_path / "legacy.py").write_text(INFO_ONLY)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "SL999"], "--select: 'SL999' matches no rule (did you mean 'SL900'?)"),
        (["--select", ""], "--select: selects no rule at all"),
        (["--extend-select", "SL209"], "--extend-select: 'SL209' matches no rule (did you mean 'SL20"),
        (["--ignore", "SL7"], "--ignore: 'SL7' matches no rule"),
    ],
)
def test_a_code_that_selects_nothing_is_a_usage_error(project: Path, args: list[str], message: str) -> None:
    result = run(*args, "train.py", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("scopelint: error: " + message), result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("select", ['["SL999"]', "[]"])
def test_pyproject_select_that_selects_nothing_is_a_config_error(project: Path, select: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.scopelint]\nselect = {select}\n")
    result = run("train.py", cwd=project)
    assert result.returncode == 2
    assert "config error:" in result.stderr and "pyproject.toml: select: " in result.stderr
    assert ("did you mean 'SL900'" in result.stderr) == (select != "[]")


def test_a_prefix_that_selects_rules_is_accepted(project: Path) -> None:
    result = run("--select", "SL2", "train.py", cwd=project)
    assert result.returncode == 1
    assert "train.py:6:10: SL201 " in result.stdout


def test_invalid_escapes_in_user_code_do_not_leak_warnings(tmp_path: Path) -> None:
    source = COLLISION + 'pattern = "\\d+"\nregex = tf.constant("\\w")\n'
    (tmp_path / "esc.py").write_text(source)
    (tmp_path / "broken.py").write_text('import tensorflow as tf\nx = "\\d"\ndef f(:\n')
    # -W always shows what a 3.12+ interpreter prints by default (SyntaxWarning).
    result = run("--no-cache", "esc.py", "broken.py", cwd=tmp_path, python_flags=("-W", "always"))
    assert result.returncode == 1
    assert "Warning" not in result.stderr, result.stderr
    assert "broken.py:3:7: SL900" in result.stdout
    assert "esc.py:6:10: SL201" in result.stdout
