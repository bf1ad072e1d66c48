"""Issue 9 Done-when: ``--verbose`` says which functions the model analysed on its own and
why, and for each creation it stayed silent about, what made it unsure -- on stderr, so
``--format json`` on stdout stays a clean report (STYLE.md habit 8)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

UNSURE = """\
import sys
import mylib
import tensorflow.compat.v1 as tf


def build(x, reuse):
    with tf.variable_scope("m", reuse=reuse):
        return tf.get_variable("w", [1])


if len(sys.argv) > 1:
    a = tf.get_variable("v", [1])
b = tf.get_variable("v", [1])
mylib.make()
with tf.variable_scope("enc", reuse=True):
    c = tf.get_variable("k", [1])
with tf.variable_scope("dec"):
    d = tf.get_variable("k", [1])
    e = tf.get_variable("k", [1])
"""
NOTES = [
    "unsure.py:6:1: note: `build()` analysed on its own: no caller in the linted tree, so the scopes and reuse its callers give it are unknown here",
    "unsure.py:13:5: note: `tf.get_variable` of 'v' not reported: 'v' may not exist yet: its first creation, at line 12, sits on a path "
    "the model cannot decide",
    "unsure.py:16:9: note: `tf.get_variable` of 'enc/k' not reported: nothing the model saw created 'enc/k', but something it could not "
    "follow may have: unresolved call (mylib.make is outside the linted tree) at line 14",
]


def scopelint(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scopelint", "--no-cache", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=env, timeout=300)


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": note: " in line]


def test_verbose_explains_silence_on_stderr_and_json_stays_clean(tmp_path: Path) -> None:
    (tmp_path / "unsure.py").write_text(UNSURE)
    run = scopelint(tmp_path, "-v", "--format", "json", "unsure.py")
    found = json.loads(run.stdout)  # stdout is the report and nothing else
    assert [(f["code"], f["line"]) for f in found] == [("SL201", 19)]  # the certain collision is still reported
    assert notes(run.stderr) == NOTES
    assert "scopelint: 3 notes on what the model analysed on its own or was unsure about:" in run.stderr


def test_without_verbose_no_notes(tmp_path: Path) -> None:
    (tmp_path / "unsure.py").write_text(UNSURE)
    run = scopelint(tmp_path, "unsure.py")
    assert notes(run.stderr) == [] and run.stderr == ""


def test_stdin_gets_the_same_notes(tmp_path: Path) -> None:
    run = scopelint(tmp_path, "-v", "-", "--stdin-filename", "unsure.py", stdin=UNSURE)
    assert notes(run.stderr) == NOTES


def _two_modules(root: Path) -> None:
    (root / "pkg").mkdir()
    (root / "pkg" / "ops.py").write_text(
        "import tensorflow.compat.v1 as tf\n\n\ndef dense(x):\n    return tf.get_variable('w', [1])\n"
    )
    (root / "pkg" / "train.py").write_text(
        "import sys\nimport tensorflow.compat.v1 as tf\nfrom ops import dense\n\n"
        "flag = len(sys.argv) > 2\nwith tf.variable_scope('s'):\n    a = dense(1)\nwith tf.variable_scope('s', reuse=flag):\n    b = dense(2)\n"
    )



def test_reuse_not_known_and_a_builder_of_another_module(tmp_path: Path) -> None:
    """An unknown reuse= where the name exists; a note for a creation in another module's
    builder sits on this file's call and names the builder's file as the run names it."""
    _two_modules(tmp_path)
    run = scopelint(tmp_path, "-v", "pkg", "--format", "json")
    assert json.loads(run.stdout) == []
    assert notes(run.stderr) == [
        "pkg/ops.py:4:1: note: `dense()` analysed on its own: no caller in this module (it is imported by pkg/train.py, "
        "whose runs follow it from their calls), so the scopes and reuse its callers give it are unknown here",
        "pkg/train.py:9:9: note: `tf.get_variable` of 's/w' (at pkg/ops.py:5) not reported: 's/w' already exists (created at "
        "pkg/ops.py:5), and whether reuse is on here is not known",
    ]


def test_one_note_per_place_with_the_count_of_the_rest(tmp_path: Path) -> None:
    """A layer under an unsure reuse=True: one note for its variables, not one each."""
    (tmp_path / "layer.py").write_text(
        "import mylib\nimport tensorflow.compat.v1 as tf\n\nmylib.build()\nx = tf.placeholder(tf.float32, [None, 3])\n"
        "y = tf.layers.dense(x, 2, name='fc', reuse=True)\n"
    )
    run = scopelint(tmp_path, "-v", "layer.py")
    assert notes(run.stderr) == [
        "layer.py:6:5: note: `tf.layers.dense` of 'fc/kernel' not reported: nothing the model saw created 'fc/kernel', but something "
        "it could not follow may have: unresolved call (mylib.build is outside the linted tree) at line 4 (and 1 more here)"
    ]


def test_notebook_notes_sit_in_cells(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# model\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import mylib\n", "import tensorflow.compat.v1 as tf\n", "mylib.build()\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["with tf.variable_scope('enc', reuse=True):\n", "    k = tf.get_variable('k', [1])\n"]},
    ]
    notebook = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "model.ipynb").write_text(json.dumps(notebook))
    run = scopelint(tmp_path, "-v", "model.ipynb")
    assert notes(run.stderr) == [
        "model.ipynb:cell 3:2:9: note: `tf.get_variable` of 'enc/k' not reported: nothing the model saw created 'enc/k', but something "
        "it could not follow may have: unresolved call (mylib.build is outside the linted tree) at cell 2, line 3"
    ]


def test_notes_come_from_the_lint_runs_own_analysis(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    """-v analyses each module once: the notes are the ones the analysis giving the findings
    produced (a second analysis for the notes was half of a -v run's time on the speed corpus)."""
    from scopelint import model
    from scopelint.cli import main

    _two_modules(tmp_path)
    analysed: list[str] = []
    real_analyze = model.analyze

    def counting(facts: Any, project: Any) -> Any:
        analysed.append(Path(facts.path).name)
        return real_analyze(facts, project)

    monkeypatch.setattr(model, "analyze", counting)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "--jobs", "1", "-v", "pkg"]) == 0
    assert sorted(analysed) == ["ops.py", "train.py"]
    assert len(notes(capsys.readouterr().err)) == 2


def test_notes_of_modules_whose_findings_the_cache_gave(tmp_path: Path) -> None:
    """With the cache, the modules not analysed again (all of them, or all but an edited one)
    are analysed for their notes: the notes are those of a cold run each time."""
    _two_modules(tmp_path)
    cold = notes(scopelint(tmp_path, "-v", "pkg").stderr)
    assert len(cold) == 2

    def cached() -> list[str]:
        env = {**os.environ, "NO_COLOR": "1"}
        run = subprocess.run([sys.executable, "-m", "scopelint", "--cache-dir", str(tmp_path / "cache"), "-v", "pkg"],
                             cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
        return notes(run.stderr)

    assert cached() == cold  # fills the cache
    assert cached() == cold  # every finding from the cache
    train = tmp_path / "pkg" / "train.py"
    train.write_text(train.read_text() + "# edited\n")
    assert cached() == cold  # train.py analysed again, ops.py's findings from the cache
