"""Issue 9, "Where a finding goes": across modules, every path a finding names -- in its
message and in ``related`` -- is spelled the way its primary path is (relative to the
working directory when the format says so), never relative to the file's own folder;
in text, JSON, SARIF, GitHub and GitLab output, fresh or from the cache.

The builder lives in ``proj/models/ops.py``; ``proj/train/train.py`` calls it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OPS = """\
import tensorflow.compat.v1 as tf


def linear(x, n):
    w = tf.get_variable("w", [4, n])
    return tf.matmul(x, w)


def decoder(x):
    with tf.variable_scope("decodr", reuse=True):
        return tf.matmul(x, tf.get_variable("w", [4, 4]))
"""
TRAIN = """\
import tensorflow.compat.v1 as tf
from models.ops import linear, decoder


def mlp(x):
    h = linear(x, 32)
    return linear(h, 10)


x = tf.placeholder(tf.float32, [None, 4])
logits = mlp(x)
y = decoder(x)
"""


def scopelint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scopelint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    (proj / "models").mkdir(parents=True)
    (proj / "train").mkdir()
    (proj / "pyproject.toml").write_text("")
    (proj / "models" / "__init__.py").write_text("")
    (proj / "models" / "ops.py").write_text(OPS)
    (proj / "train" / "train.py").write_text(TRAIN)
    return proj


SL201 = (
    "`tf.get_variable` via mlp() -> linear() creates variable 'w', which already exists (created at proj/models/ops.py:5): "
    "TF raises 'already exists, disallowed'; pass reuse=True or reuse=tf.AUTO_REUSE to share it, or use another scope"
)
SL202 = (
    "`tf.get_variable` at proj/models/ops.py:11 via decoder() asks for variable 'decodr/w' under the reuse=True requested here, "
    "but nothing created it before: TF raises 'does not exist'; create it first (the first call without reuse) or use reuse=tf.AUTO_REUSE"
)
RELATED_201 = [
    {"path": "proj/models/ops.py", "line": 5, "column": 9, "message": "'w' first created here"},
    {"path": "proj/train/train.py", "line": 6, "column": 9, "message": "the call that first created 'w'"},
]
RELATED_202 = [{"path": "proj/models/ops.py", "line": 11, "column": 29, "message": "`tf.get_variable` fails here: 'decodr/w' does not exist"}]


@pytest.mark.parametrize("cached", [False, True], ids=["fresh", "cached"])
def test_json_messages_and_related_name_files_as_the_primary_path(tmp_path: Path, project: Path, cached: bool) -> None:
    cache = ["--cache-dir", str(tmp_path / "cache")]
    if cached:  # written by a run from inside the project, which names files differently
        scopelint(project, ".", *cache)
    found = json.loads(scopelint(tmp_path, "proj", "--format", "json", *(cache if cached else ["--no-cache"])).stdout)
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in found] == [
        ("SL201", "proj/train/train.py", 7, 12),  # the second linear(...) inside mlp(), not `logits = mlp(x)`
        ("SL202", "proj/train/train.py", 12, 5),  # the call that leads to the reuse=True scope of another module
    ]
    assert [f["message"] for f in found] == [SL201, SL202]
    assert [f["data"]["related"] for f in found] == [RELATED_201, RELATED_202]


def test_text_from_a_subfolder_names_every_file_from_there(project: Path) -> None:
    out = scopelint(project / "train", "..", "--no-cache").stdout.splitlines()
    assert out[0] == "../train/train.py:7:12: SL201 " + SL201.replace("proj/", "../")
    assert out[1] == "../train/train.py:12:5: SL202 " + SL202.replace("proj/", "../")


@pytest.mark.parametrize("spelled", ["relative", "absolute"])
def test_ci_formats_name_files_relative_to_the_working_directory(tmp_path: Path, project: Path, spelled: str) -> None:
    """GitHub, GitLab and SARIF name the primary file relative to the working directory
    even when the path was given absolute: the files a message names follow."""
    target = "proj" if spelled == "relative" else str(project)
    github = scopelint(tmp_path, target, "--no-cache", "--format", "github").stdout.splitlines()
    assert [line.split("::", 2)[2] for line in github] == [SL201, SL202]
    assert github[0].startswith("::error file=proj/train/train.py,line=7,col=12,")
    gitlab = json.loads(scopelint(tmp_path, target, "--no-cache", "--format", "gitlab").stdout)
    assert [issue["description"] for issue in gitlab] == ["SL201 " + SL201, "SL202 " + SL202]
    sarif = json.loads(scopelint(tmp_path, target, "--no-cache", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [SL201, SL202]
    assert [
        [(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"], loc["message"]["text"])
         for loc in r["relatedLocations"]]
        for r in results
    ] == [[(e["path"], e["line"], e["message"]) for e in entries] for entries in (RELATED_201, RELATED_202)]
