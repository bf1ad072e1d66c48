"""``scopelint --fix --unsafe-fixes`` on a copy of a real TF1 tree (tf-slim 1.1.0's
``layers`` package, from PyPI; the whole of tf-slim and tensornets 0.4.6 were
checked the same way by hand, see the issue notes): it changes only lines it
reported, every file still parses, and a second run finds nothing left to fix.
Skipped when PyPI cannot be reached."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.network, pytest.mark.slow]


def scopelint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scopelint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def tf_slim_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    downloads = tmp_path_factory.mktemp("dl")
    fetched = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "tf-slim==1.1.0", "-d", str(downloads), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    wheels = list(downloads.glob("tf_slim-1.1.0-*.whl"))
    if fetched.returncode != 0 or not wheels:
        pytest.skip(f"PyPI not reachable: {fetched.stderr.strip()[-200:]}")
    tree = tmp_path_factory.mktemp("tree")
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(tree)
    return tree


def test_fix_changes_only_reported_lines_and_converges(tf_slim_tree: Path, tmp_path: Path) -> None:
    import libcst

    work = tmp_path / "work"
    shutil.copytree(tf_slim_tree / "tf_slim" / "layers", work / "tf_slim" / "layers")
    tree = tf_slim_tree / "tf_slim" / "layers"
    cache = ("--cache-dir", str(tmp_path / "cache"))
    report = scopelint(*cache, "--format", "json", "tf_slim", cwd=work)
    reported = {(d["path"], d["line"]) for d in json.loads(report.stdout) if d["data"].get("fix")}

    scopelint(*cache, "--fix", "--unsafe-fixes", "tf_slim", cwd=work)
    changed: set[tuple[str, int]] = set()
    for original in sorted(tree.rglob("*.py")):
        relative = original.relative_to(tf_slim_tree)
        before = original.read_text(encoding="utf-8").splitlines()
        after = (work / relative).read_text(encoding="utf-8").splitlines()
        libcst.parse_module((work / relative).read_text(encoding="utf-8"))  # still parses
        if before != after:
            assert len(before) == len(after), relative  # tf-slim's fixes (SL401) never add lines
            changed |= {(str(relative), n) for n, (a, b) in enumerate(zip(before, after), start=1) if a != b}
    assert changed == reported
    assert changed  # tf-slim 1.1.0 still calls tf.all_variables() in layers_test.py

    again = scopelint(*cache, "--diff", "--unsafe-fixes", "tf_slim", cwd=work)
    assert again.stdout == "" and again.stderr.strip().endswith("Would fix 0 problems in 0 files.")
