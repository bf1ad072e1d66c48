"""The pre-commit hook: its manifest, the README snippet, and the real
``pre-commit try-repo`` against a throwaway git repository."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.clientlib import load_manifest

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def test_manifest_is_valid_and_static() -> None:
    [hook] = load_manifest(str(MANIFEST))
    assert hook["id"] == "scopelint"
    assert hook["entry"] == "scopelint --context ."  # the check command: no --dynamic, nothing executed
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "jupyter"]
    assert hook["require_serial"] is True
    assert hook["pass_filenames"] is True


def readme_snippet() -> dict[str, Any]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## pre-commit", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None, "README's pre-commit section has no ```yaml block"
    loaded: dict[str, Any] = yaml.safe_load(block.group(1))
    return loaded


def test_readme_snippet_matches_the_manifest() -> None:
    [repo] = readme_snippet()["repos"]
    assert repo["repo"] == "https://github.com/scopelint/scopelint"
    assert repo["rev"] == "main"  # released from main: no version tags exist
    hook_ids = {hook["id"] for hook in load_manifest(str(MANIFEST))}
    assert [hook["id"] for hook in repo["hooks"]] == ["scopelint"]
    assert set(h["id"] for h in repo["hooks"]) <= hook_ids


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
    except OSError:
        return False
    return True


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def _snapshot_of_this_repo(target: Path) -> Path:
    """This checkout as it is on disk (committed or not) in a new one-commit repo,
    so try-repo sees the working tree without touching this repository's git state."""
    files = _git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot")
    return target


# A model builder in one module, called twice from another: the collision is
# only visible when both files reach the same scopelint process (require_serial).
MODELS = """\
import tensorflow.compat.v1 as tf


def discriminator(x):
    with tf.variable_scope("discriminator"):
        w = tf.get_variable("w", [3, 1])
        return tf.matmul(x, w)
"""
MODELS_FIXED = MODELS.replace('variable_scope("discriminator")', 'variable_scope("discriminator", reuse=tf.AUTO_REUSE)')
TRAIN = """\
import tensorflow.compat.v1 as tf

from models import discriminator

real = discriminator(tf.placeholder(tf.float32, [None, 3]))
fake = discriminator(tf.placeholder(tf.float32, [None, 3]))
"""
CLEAN = "import tensorflow.compat.v1 as tf\n\nwith tf.variable_scope('m'):\n    v = tf.get_variable('v', [2])\n"


@pytest.mark.network
@pytest.mark.slow
def test_try_repo_fails_on_the_bug_and_passes_after_the_fix(tmp_path: Path) -> None:
    if not _pypi_reachable():
        pytest.skip("PyPI not reachable: pre-commit cannot build the hook's environment")
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    _snapshot_of_this_repo(hook_repo)
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / "models.py").write_text(MODELS)
    (project / "train.py").write_text(TRAIN)
    (project / "clean.py").write_text(CLEAN)
    (project / "notes.txt").write_text("print 'not python'\n")
    _git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*PRE_COMMIT, "try-repo", str(hook_repo), "scopelint", "--all-files", "--color", "never"],
            cwd=project, capture_output=True, text=True, env=env, timeout=540,
        )

    failing = try_repo()
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert re.search(r"scopelint\.+Failed", output), output
    assert "train.py:6:8: SL201 `tf.get_variable` via discriminator() creates variable 'discriminator/w', which already exists" in output
    assert "clean.py:" not in output and "notes.txt" not in output

    (project / "models.py").write_text(MODELS_FIXED)
    _git(project, "add", "-A")
    passing = try_repo()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"scopelint\.+Passed", passing.stdout), passing.stdout


def test_readme_snippet_rev_is_what_pre_commit_can_check_out(tmp_path: Path) -> None:
    """The snippet as written, repo pointed at a local clone: pre-commit validates
    it and its own store checks out ``rev`` (the step where ``v0.1.0`` failed)."""
    from pre_commit.clientlib import load_config
    from pre_commit.store import Store

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "main", str(ROOT), str(clone)], check=True, capture_output=True)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", readme.split("## pre-commit", 1)[1], re.S)
    assert block is not None
    config_text = block.group(1).replace("https://github.com/scopelint/scopelint", str(clone))
    (tmp_path / ".pre-commit-config.yaml").write_text(config_text)
    [repo] = load_config(str(tmp_path / ".pre-commit-config.yaml"))["repos"]
    checkout = Path(Store(str(tmp_path / "home")).clone(repo["repo"], repo["rev"]))
    [hook] = load_manifest(str(checkout / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "scopelint"
    head = _git(clone, "rev-parse", "HEAD").strip()
    assert _git(checkout, "rev-parse", "HEAD").strip() == head
    # The Actions snippet installs from the same ref.
    assert "git+https://github.com/scopelint/scopelint@main" in readme
