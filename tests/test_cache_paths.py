"""Issue 13 item 2: what a run from another working directory cached never changes
the paths printed now (entries store file identities; paths are rendered per run)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = str(Path(sys.executable).parent / "scopelint")
GAN = 'import tensorflow as tf\n\n\ndef discriminator(x):\n    with tf.variable_scope("discriminator"):\n        w = tf.get_variable("w", [3])\n    return x * w\n'
TRAIN = "import tensorflow as tf\nfrom models.gan import discriminator\n\nreal = discriminator(tf.zeros([3]))\nfake = discriminator(tf.ones([3]))\n"


def scopelint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    (proj / "models").mkdir(parents=True)
    (proj / "train").mkdir()
    (proj / "pyproject.toml").write_text("")
    (proj / "models" / "__init__.py").write_text("")
    (proj / "models" / "gan.py").write_text(GAN)
    (proj / "train" / "train.py").write_text(TRAIN)
    return proj


def entries(cache: Path) -> set[Path]:
    return {p for p in cache.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_paths_come_from_this_run_not_the_cache(tmp_path: Path, project: Path, fmt: str) -> None:
    cache = str(tmp_path / "cache")
    inside = scopelint(project, ".", "--cache-dir", cache)
    assert "train/train.py:5:8: SL201" in inside.stdout, inside.stdout + inside.stderr
    written = entries(tmp_path / "cache")
    # -v: a run from another directory is another command line, which would remember its own
    # answer (a new entry) once it starts 2 s after the files were written; -v is never remembered.
    cached = scopelint(tmp_path, "proj", "-v", "--format", fmt, "--cache-dir", cache)
    assert entries(tmp_path / "cache") == written  # every entry was served from the cache
    fresh = scopelint(tmp_path, "proj", "--format", fmt, "--no-cache")
    assert cached.stdout == fresh.stdout
    if fmt == "text":
        assert cached.stdout.startswith("proj/train/train.py:5:8: SL201")
    elif fmt == "json":
        [finding] = json.loads(cached.stdout)
        assert finding["path"] == "proj/train/train.py"
        assert finding["data"]["related"][0]["path"] == "proj/models/gan.py"
    elif fmt == "sarif":
        [result] = json.loads(cached.stdout)["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "proj/train/train.py"
    else:
        assert "file=proj/train/train.py,line=5" in cached.stdout


@pytest.mark.tf
@pytest.mark.slow
def test_a_cached_finding_keeps_its_dynamic_mark(tmp_path: Path) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "pyproject.toml").write_text("")
    (proj / "train.py").write_text('import tensorflow as tf\n\nwith tf.name_scope("dec"):\n    v = tf.get_variable("v", [3])\n')
    cache = str(tmp_path / "cache")
    assert "train.py:4:9: SL101" in scopelint(proj, ".", "--cache-dir", cache).stdout
    written = entries(tmp_path / "cache")
    dynamic = scopelint(tmp_path, "--dynamic", "proj", "--cache-dir", cache)
    assert entries(tmp_path / "cache") == written
    assert re.search(r"^proj/train\.py:4:9: SL101 .*\[confirmed\]", dynamic.stdout, re.M), dynamic.stdout + dynamic.stderr
