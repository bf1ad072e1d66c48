"""A warm run -- nothing changed since the last one -- prints the findings that run
computed, from one cache entry, without importing libcst or the model (issue 12).
Behaviour, not timing: what is imported is read from ``python -X importtime``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GAN = 'import tensorflow as tf\n\n\ndef discriminator(x):\n    with tf.variable_scope("discriminator"):\n        w = tf.get_variable("w", [3])\n    return x * w\n'
TRAIN = "import tensorflow as tf\nfrom models.gan import discriminator\n\nreal = discriminator(tf.zeros([3]))\nfake = discriminator(tf.ones([3]))\n"
COMMENTED = TRAIN.replace("fake =", "#ake =")  # same size, no second call
FIXED = TRAIN.replace("fake = discriminator(tf.ones([3]))\n", "")


def make_project(tmp_path: Path) -> Path:
    """A package with a builder, a script calling it twice, and a file without TF."""
    proj = tmp_path / "proj"
    (proj / "models").mkdir(parents=True)
    (proj / "models" / "__init__.py").write_text("")
    (proj / "models" / "gan.py").write_text(GAN)
    (proj / "train.py").write_text(TRAIN)
    (proj / "notes.py").write_text("print('no TF here')\n")
    return proj


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def scopelint(project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """One CLI run with its cache under the test's directory; the modules it imported."""
    env = {**os.environ, "XDG_CACHE_HOME": str(project.parent / "xdg"), "NO_COLOR": "1"}
    env.pop("SCOPELINT_CACHE_DIR", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scopelint", "proj", "--cache-dir", str(project.parent / "cache"), *args],
        cwd=project.parent, capture_output=True, text=True, env=env, timeout=300,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, imported


def test_warm_run_prints_the_cached_findings_without_libcst_or_the_model(project: Path) -> None:
    cold, cold_imports = scopelint(project)
    assert "proj/train.py:5:8: SL201" in cold.stdout, cold.stdout + cold.stderr
    # The cold run needed them (so this test can tell): libcst reads every file with a finding.
    assert {"libcst", "scopelint.model", "scopelint.model.interpret"} <= cold_imports
    warm, warm_imports = scopelint(project)
    assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout) == (1, cold.stdout)
    assert not {m for m in warm_imports if m == "libcst" or m.startswith(("libcst.", "scopelint.model"))}


def test_a_changed_file_is_linted_again(project: Path) -> None:
    first, _ = scopelint(project)
    assert "SL201" in first.stdout
    (project / "train.py").write_text(FIXED)
    fixed, imports = scopelint(project)
    assert (fixed.returncode, fixed.stdout) == (0, "All clear: 4 files checked.\n"), fixed.stdout
    assert "scopelint.model.interpret" in imports


def test_same_size_and_mtime_but_new_content_is_a_change(project: Path) -> None:
    """The content hash decides, not just size and mtime (a rewrite within one mtime tick)."""
    train = project / "train.py"
    first, _ = scopelint(project)
    assert "proj/train.py:5:8: SL201" in first.stdout
    before = train.stat()
    train.write_text(COMMENTED)
    os.utime(train, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (train.stat().st_size, train.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    again, _ = scopelint(project)
    assert (again.returncode, again.stdout) == (0, "All clear: 4 files checked.\n"), again.stdout


def test_touching_a_file_keeps_the_findings(project: Path) -> None:
    first, _ = scopelint(project)
    os.utime(project / "train.py")
    touched, _ = scopelint(project)
    assert touched.stdout == first.stdout and "SL201" in touched.stdout
