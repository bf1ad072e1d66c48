"""``scopelint --explain-names FILE`` and the predicted names in ``--format json``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from scopelint.api import describe_variables

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"

PROGRAM = """\
import tensorflow.compat.v1 as tf

def block(x, i):
    with tf.variable_scope('tower_%d' % i):
        return tf.layers.dense(x, 2)

x = tf.placeholder(tf.float32, [None, 4])
for i in range(2):
    y = block(x, i)
with tf.name_scope('enc'):
    w = tf.get_variable('w', [1])
w = tf.get_variable('w', [1])
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCOPELINT, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1"})


def test_text_lists_every_creation_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(PROGRAM)
    done = run("--explain-names", "model.py", "--isolated", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split()[:3] for line in done.stdout.splitlines()]
    assert rows == [
        ["model.py:5:16:", "tower_0/dense/kernel", "create"],
        ["model.py:5:16:", "tower_0/dense/bias", "create"],
        ["model.py:5:16:", "tower_1/dense/kernel", "create"],
        ["model.py:5:16:", "tower_1/dense/bias", "create"],
        ["model.py:11:9:", "w", "create"],
        ["model.py:12:5:", "w", "create"],
    ]
    assert "[variable_scope= name_scope=enc]" in done.stdout.splitlines()[4]


def test_json(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(PROGRAM)
    done = run("--explain-names", "model.py", "--format", "json", "--isolated", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert report["version"] == 1
    assert [(v["line"], v["predicted_name"], v["outcome"]) for v in report["variables"]][-2:] == [(11, "w", "created"), (12, "w", "exists")]
    assert report["variables"][0]["scope_stack"] == ["variable_scope=tower_0/dense", "name_scope=tower_0/dense"]


def test_verbose_says_what_was_not_followed(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text("import tensorflow.compat.v1 as tf\nimport mylib\nh = mylib.encoder()\n")
    done = run("--explain-names", "model.py", "-v", "--isolated", cwd=tmp_path)
    assert "model.py: no variable creations found" in done.stdout
    assert "model.py:3:5: not followed: unresolved call (mylib.encoder is outside the linted tree)" in done.stdout


def test_verbose_follows_the_modules_beside_the_file_as_the_listing_does(tmp_path: Path) -> None:
    # Flat layout, no __init__.py: ops.py is part of the program main.py runs, so -v must
    # not call ops.conv "outside the linted tree" while the listing shows its variables.
    (tmp_path / "ops.py").write_text(
        "import tensorflow.compat.v1 as tf\n\ndef conv(name):\n"
        "    with tf.variable_scope(name):\n        return tf.get_variable('w', [1])\n"
    )
    (tmp_path / "main.py").write_text("import tensorflow.compat.v1 as tf\nimport ops\n\nw = ops.conv('c1')\nops.mystery()\n")
    done = run("--explain-names", "main.py", "-v", "--isolated", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "c1/w" in done.stdout
    assert "outside the linted tree" not in done.stdout
    assert "main.py:5:1: not followed:" in done.stdout


def test_json_report_carries_predicted_names(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(PROGRAM)
    done = run("model.py", "--format", "json", "--isolated", "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    rows = report["diagnostics"] if isinstance(report, dict) else report
    found = {(d["code"], d["line"]): d["data"] for d in rows}
    assert found[("SL201", 12)]["predicted_name"] == "w"
    assert found[("SL201", 12)]["related"] == [{"path": "model.py", "line": 11, "column": 9, "message": "'w' first created here"}]
    assert found[("SL101", 11)]["predicted_name"] == "w"


def test_api_symbolic_names_and_actions() -> None:
    infos = describe_variables(
        "import tensorflow.compat.v1 as tf\n"
        "def tower(i, reuse):\n"
        "    with tf.variable_scope('t_%d' % i, reuse=reuse):\n"
        "        return tf.get_variable('w', [1])\n"
        "with tf.variable_scope('s', reuse=tf.AUTO_REUSE):\n"
        "    a = tf.get_variable('v', [1])\n"
        "    b = tf.get_variable('v', [1])\n"
    )
    assert [(i.line, i.predicted_name, i.action) for i in infos] == [
        (6, "s/v", "create"), (7, "s/v", "reuse"), (4, "{scope}/t_{i}/w", "unknown"),
    ]


# A class nothing in its own module builds, and the script beside it that builds it.
QNET = """\
import tensorflow.compat.v1 as tf

class QNet:
    def __init__(self, n):
        self.x = tf.placeholder(tf.float32, [None, 4])
        self._build('eval_net', n)
        self._build('target_net', n)

    def _build(self, name, n):
        with tf.variable_scope(name):
            w = tf.get_variable('w', [4, n])
            return tf.layers.dense(tf.matmul(self.x, w), n, name='out')
"""
QNET_MAIN = """\
import tensorflow.compat.v1 as tf
from qnet import QNet

if __name__ == "__main__":
    net = QNet(2)
"""


def test_a_module_nobody_in_it_calls_is_named_as_the_file_beside_it_runs_it(tmp_path: Path) -> None:
    (tmp_path / "qnet.py").write_text(QNET)
    (tmp_path / "run_this.py").write_text(QNET_MAIN)
    done = run("--explain-names", "qnet.py", "--isolated", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [(line.split()[0], line.split()[1], line.split()[2], line.rpartition("(")[2]) for line in done.stdout.splitlines()]
    assert rows == [
        ("qnet.py:11:17:", "eval_net/w", "create", "as run_this.py:5 runs it)"),
        ("qnet.py:12:20:", "eval_net/out/kernel", "create", "as run_this.py:5 runs it)"),
        ("qnet.py:12:20:", "eval_net/out/bias", "create", "as run_this.py:5 runs it)"),
        ("qnet.py:11:17:", "target_net/w", "create", "as run_this.py:5 runs it)"),
        ("qnet.py:12:20:", "target_net/out/kernel", "create", "as run_this.py:5 runs it)"),
        ("qnet.py:12:20:", "target_net/out/bias", "create", "as run_this.py:5 runs it)"),
    ]
    report = json.loads(run("--explain-names", "qnet.py", "--format", "json", "--isolated", cwd=tmp_path).stdout)
    assert {(v["called_from_path"], v["called_from_line"]) for v in report["variables"]} == {("run_this.py", 5)}
    # Without the caller the scope its caller gives is unknown: {scope}/eval_net/w.
    (tmp_path / "run_this.py").unlink()
    alone = run("--explain-names", "qnet.py", "--isolated", cwd=tmp_path).stdout.splitlines()
    assert alone[0].split()[1] == "{scope}/eval_net/w" and "runs it" not in alone[0]
