"""Dynamic mode runs the code it lints, so it must run only when a person asks
on the command line. None of these tests imports TensorFlow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scopelint.dynamic.options import DynamicOptions
from scopelint.dynamic.runner import child_environment

# Executing this file leaves a marker: its existence proves the file ran.
RUNS_IF_EXECUTED = """import tensorflow as tf
import pathlib
pathlib.Path(__file__).with_name("EXECUTED").write_text("ran")
with tf.variable_scope("d"):
    w = tf.get_variable("w", [1])
"""


def _scopelint(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scopelint", *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("key", ["dynamic = true", 'dynamic-timeout = 10'])
def test_pyproject_cannot_turn_dynamic_mode_on(tmp_path: Path, key: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.scopelint]\n{key}\n")
    (tmp_path / "train.py").write_text(RUNS_IF_EXECUTED)
    done = _scopelint("--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "only the command line or your editor settings can turn it on" in done.stderr
    assert not (tmp_path / "EXECUTED").exists()


def test_plain_check_never_executes_the_file(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(RUNS_IF_EXECUTED)
    done = _scopelint("--no-cache", "--isolated", ".", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert not (tmp_path / "EXECUTED").exists()


def test_static_path_imports_neither_tensorflow_nor_the_tracer(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(RUNS_IF_EXECUTED)
    probe = (
        "import sys, scopelint.cli\n"
        "code = scopelint.cli.main(['--no-cache', '--isolated', sys.argv[1]])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('tensorflow', 'tf_slim', 'scopelint.dynamic')))\n"
        "print(loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "train.py")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # argparse needs the option declarations; nothing else of dynamic mode loads
    assert done.stdout.strip().splitlines()[-1] == "['scopelint.dynamic', 'scopelint.dynamic.options']"
    assert not (tmp_path / "EXECUTED").exists()


def test_pre_commit_hook_never_passes_dynamic() -> None:
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "--dynamic" not in hooks
    [entry] = [line.split(":", 1)[1].split() for line in hooks.splitlines() if line.strip().startswith("entry:")]
    assert entry[0] == "scopelint" and not any(word.startswith("--dyn") for word in entry)


def test_worker_failure_still_prints_static_results(tmp_path: Path) -> None:
    """TensorFlow missing (here: an import that fails) -> every file 'not run', static output intact."""
    fake = tmp_path / "fake"
    (fake / "tensorflow").mkdir(parents=True)
    (fake / "tensorflow" / "__init__.py").write_text("raise ImportError('No module named tensorflow (test stand-in)')\n")
    (tmp_path / "train.py").write_text(RUNS_IF_EXECUTED)
    env = {**os.environ, "PYTHONPATH": str(fake)}
    done = _scopelint("--dynamic", "--no-cache", "--isolated", "train.py", cwd=tmp_path, env=env)
    assert done.returncode in (0, 1), done.stderr
    assert "file checked." in done.stdout.splitlines()[-1]
    assert "train.py: not run: the tracing worker exited with code 1" in done.stderr
    assert "test stand-in" in done.stderr
    assert not (tmp_path / "EXECUTED").exists()


def test_dynamic_refuses_stdin(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "--dynamic", "-"], input=RUNS_IF_EXECUTED, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 2
    assert "cannot trace stdin" in done.stderr


def test_gpu_hidden_unless_asked() -> None:
    assert child_environment(DynamicOptions())["CUDA_VISIBLE_DEVICES"] == "-1"
    saved = os.environ.pop("CUDA_VISIBLE_DEVICES", None)
    try:
        assert "CUDA_VISIBLE_DEVICES" not in child_environment(DynamicOptions(device="gpu"))
        os.environ["CUDA_VISIBLE_DEVICES"] = "1"
        assert child_environment(DynamicOptions(device="gpu"))["CUDA_VISIBLE_DEVICES"] == "1"
    finally:
        os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        if saved is not None:
            os.environ["CUDA_VISIBLE_DEVICES"] = saved
    assert child_environment(DynamicOptions())["TF_USE_LEGACY_KERAS"] == "1"


def test_bad_dynamic_options_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("x = 1\n")
    done = _scopelint("--dynamic", "--dynamic-timeout", "0", "--no-cache", "--isolated", "train.py", cwd=tmp_path)
    assert done.returncode == 2
    assert "--dynamic-timeout must be positive" in done.stderr


def test_directories_trace_only_files_that_mention_tensorflow(tmp_path: Path) -> None:
    from scopelint.dynamic.cli import files_to_trace

    (tmp_path / "model.py").write_text("import tensorflow as tf\n")
    (tmp_path / "slimmy.py").write_text("import tf_slim as slim\n")
    (tmp_path / "utils.py").write_text("import os\n")
    (tmp_path / "setup.py").write_text("import tensorflow\nfrom setuptools import setup\nsetup()\n")
    named_plain = tmp_path / "named.py"
    named_plain.write_text("print('no tf here, but the user named me')\n")
    discovered = [str(tmp_path / n) for n in ("model.py", "slimmy.py", "utils.py", "setup.py", "named.py")]
    assert files_to_trace([str(tmp_path)], discovered) == [str(tmp_path / "model.py"), str(tmp_path / "slimmy.py")]
    assert files_to_trace([str(tmp_path), str(named_plain)], discovered) == [
        str(tmp_path / "model.py"), str(tmp_path / "slimmy.py"), str(named_plain)
    ]
