"""`scopelint --dynamic` on real notebooks (written with nbformat), run under TF:
the code cells run in order, magics left out, and the findings are judged by
what TF did, in cells. One scopelint run traces both notebooks (one TF import)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from test_notebook import write_notebook

pytestmark = pytest.mark.tf

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"

# Two cells build the same model in the default graph: TF refuses the second.
TWO_BUILDS = [
    new_markdown_cell("# Two builds"),
    new_code_cell("%matplotlib inline\nimport tensorflow.compat.v1 as tf\n!echo setup\nx = tf.placeholder(tf.float32, [None, 4])"),
    new_code_cell("def model(x):\n    with tf.variable_scope('m'):\n        return tf.layers.dense(x, 2, name='fc')\ny = model(x)"),
    new_code_cell("%time z = 1\ny2 = model(x)"),
]

# Clean, and full of IPython syntax a plain `python` run would choke on; the last
# cell reads what every earlier cell made, so reaching its end shows they all ran.
CLEAN = [
    new_code_cell("%load_ext autoreload\n%autoreload 2\nimport tensorflow.compat.v1 as tf\nfiles = !ls\ntf.layers?"),
    new_code_cell("%%bash\necho 'not python: (((('"),
    new_code_cell("%%time\ntf.reset_default_graph()\nx = tf.placeholder(tf.float32, [None, 4])\n"
                  "for _ in range(2):\n    %time pass\nh = tf.layers.dense(x, 8, name='fc')"),
    new_markdown_cell("Now look at it."),
    new_code_cell("names = [v.name for v in tf.global_variables()]\ndisplay(names)\nassert names == ['fc/kernel:0', 'fc/bias:0'], names\nopen('ran.txt', 'w').write(repr(names))"),
]



@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    root = tmp_path_factory.mktemp("notebooks")
    write_notebook(root / "two.ipynb", TWO_BUILDS)
    write_notebook(root / "clean.ipynb", CLEAN)
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run([SCOPELINT, "--no-cache", "--dynamic", "--format", "json", "."], cwd=root,
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    return json.loads(result.stdout), root


def test_second_build_in_a_later_cell_is_confirmed(report: tuple[dict[str, Any], Path]) -> None:
    found = [f for f in report[0]["findings"] if f["path"] == "two.ipynb"]
    assert [(f["code"], f["cell"], f["line"], f["data"].get("dynamic")) for f in found] == [
        ("SL206", 3, 4, None),
        ("SL201", 4, 2, "confirmed"),
    ]
    assert [(r["cell"], r["line"]) for r in found[1]["data"]["related"]] == [(3, 3), (3, 4)]
    assert found[0]["data"]["dynamic_note"].startswith("not checked by the trace")


def test_each_notebook_outcome_is_in_the_traces_list(report: tuple[dict[str, Any], Path]) -> None:
    traces = {t["path"]: t for t in report[0]["traces"]}
    assert set(traces) == {"two.ipynb", "clean.ipynb"}
    two = traces["two.ipynb"]
    assert (two["outcome"], two["cell"], two["line"]) == ("raised", 3, 3)
    assert two["description"].startswith("raised at cell 3, line 3: ValueError: Variable m/fc/kernel already exists")
    clean = traces["clean.ipynb"]
    assert (clean["outcome"], clean["description"], clean["line"]) == ("ok", "ran to the end", None)
    assert "cell" not in clean


def test_clean_notebook_with_magics_runs_to_the_end_and_nothing_is_confirmed(report: tuple[dict[str, Any], Path]) -> None:
    findings, root = report
    assert [f for f in findings["findings"] if f["path"] == "clean.ipynb"] == []
    # Its last cell ran, in the notebook's folder, after every earlier one.
    assert (root / "ran.txt").read_text() == "['fc/kernel:0', 'fc/bias:0']"
