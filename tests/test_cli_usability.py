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

from scopelint.catalog import load_catalog

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
        (["--select", "SL999"], "--select: 'SL999' matches no rule (did you mean 'SL901' or 'SL900'?)"),
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
    assert ("did you mean 'SL901' or 'SL900'" in result.stderr) == (select != "[]")


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


def test_fail_on_decides_the_exit_code_of_an_info_only_run(project: Path) -> None:
    default = run("legacy.py", cwd=project)
    assert default.returncode == 0, default.stdout  # info is reported, but does not fail
    assert "legacy.py:3:8: SL401 " in default.stdout
    assert "Found 1 problem (0 errors, 0 warnings, 1 info)" in default.stdout
    assert run("--fail-on", "info", "legacy.py", cwd=project).returncode == 1
    assert run("train.py", cwd=project).returncode == 1
    assert run("--fail-on", "error", "train.py", cwd=project).returncode == 1
    assert run("--exit-zero", "--fail-on", "info", "train.py", cwd=project).returncode == 0


def test_quiet_prints_findings_only_and_silent_nothing(project: Path) -> None:
    quiet = run("-q", "train.py", "legacy.py", cwd=project)
    assert quiet.returncode == 1
    assert [line.split(": ")[0] for line in quiet.stdout.splitlines()] == ["legacy.py:3:8", "train.py:6:10"]
    assert run("--quiet", "legacy.py", cwd=project).stdout.startswith("legacy.py:3:8: SL401")
    (project / "clean.py").write_text("x = 1\n")
    assert run("--quiet", "clean.py", cwd=project).stdout == ""
    silent = run("--silent", "train.py", cwd=project)
    assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")


def test_show_settings_and_show_files(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.scopelint]\nignore = ["SL401"]\nextend-exclude = ["legacy.py"]\n')
    (project / "pkg").mkdir()
    (project / "pkg" / "m.py").write_text("x = 1\n")
    settings = run("--show-settings", "--select", "SL2", ".", cwd=project)
    assert settings.returncode == 0
    out = settings.stdout
    assert f"# config file: {project / 'pyproject.toml'}" in out
    assert 'select = ["SL2"]' in out and 'ignore = ["SL401"]' in out and 'extend-exclude = ["legacy.py"]' in out
    sl2 = " ".join(code for code in load_catalog() if code.startswith("SL2"))
    assert f"# rules enabled: {sl2} SL900\n" in out
    files = run("--show-files", ".", cwd=project)
    assert (files.returncode, files.stdout.splitlines()) == (0, ["pkg/m.py", "train.py"])


def test_verbose_prints_timing_per_phase_on_stderr(project: Path) -> None:
    result = run("-v", "--no-cache", ".", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("scopelint: found 2 files to lint: ")
    assert lines[1].startswith("scopelint: phase 1 (read, prefilter, parse): ")
    assert "-- 2 files: 2 parsed or cached, 0 skipped unparsed (no TF), 0 not analysed" in lines[1]
    assert lines[2].startswith("scopelint: phase 2 (model, checks across modules): ")
    assert lines[-1].startswith("scopelint: total: ") and lines[-1].endswith(" s, 2 findings")
    assert all(line.split(": ")[-1].split(" s")[0].replace(".", "").isdigit() for line in lines if ": " in line and " s" in line[-20:])
    assert "scopelint:" not in result.stdout


def test_rule_is_explain(project: Path) -> None:
    rule = run("rule", "SL201", cwd=project)
    explain = run("explain", "SL201", cwd=project)
    assert rule.returncode == 0 and rule.stdout == explain.stdout
    assert rule.stdout.startswith("# SL201 variable-already-exists")


# A module that is not installed: the import system itself says so, as pip uninstall would leave it.
BLOCKER = '''\
import os, sys


class _Missing:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in os.environ["SCOPELINT_TEST_MISSING"].split(","):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Missing())
'''


@pytest.mark.parametrize(
    ("missing", "args", "line"),
    [
        ("pygls", ["lsp"], "scopelint: error: `scopelint lsp` needs pygls, which is not installed: pip install 'scopelint[lsp]'"),
        (
            "tensorflow,tf_slim",
            ["--dynamic", "train.py"],
            "scopelint: error: --dynamic needs tensorflow, tf-slim, which are not installed: pip install 'scopelint[dynamic]'",
        ),
        ("tensorflow", ["trace", "train.py"], "scopelint: error: `scopelint trace` needs tensorflow, which is not installed: pip install 'scopelint[dynamic]'"),
    ],
)
def test_a_missing_extra_is_one_line_saying_what_to_install(project: Path, tmp_path_factory: pytest.TempPathFactory, missing: str, args: list[str], line: str) -> None:
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(BLOCKER)
    env = {**os.environ, "SCOPELINT_TEST_MISSING": missing, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    probe = subprocess.run([sys.executable, "-c", f"import {missing.split(',')[0]}"], env=env, capture_output=True, text=True)
    assert "No module named" in probe.stderr  # the simulation holds
    result = subprocess.run([sys.executable, "-m", "scopelint", *args], cwd=project, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""
