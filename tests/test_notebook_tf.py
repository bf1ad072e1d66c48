"""TF is the oracle for SL206: a cell flagged as not re-runnable is exactly a cell
that raises "already exists" when it runs a second time in the same default graph.

Each notebook (the catalog's notebook examples and the cases below, written in
the percent format) is replayed under TF as a kernel would: for every code cell
k, the cells up to k run, then cell k runs again, all in one default graph and
one namespace. The linter must flag cell k (SL206) if and only if that second
run raises "already exists", and where the catalog says ``# tf-rerun-raises:``,
with that error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from scopelint.catalog import Example, load_catalog
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from test_catalog import lint_example
from tf_oracle import run_programs

pytestmark = pytest.mark.tf

_RERUN = re.compile(r"#\s*tf-rerun-raises:\s*(?P<text>.+?)\s*$", re.M)

CASES = {
    # Default layer names are uniquified: the second run makes dense_1, silently.
    "default-layer-names": """\
import tensorflow.compat.v1 as tf
# %%
x = tf.placeholder(tf.float32, [None, 4])
h = tf.layers.dense(x, 8)
""",
    # tf.Variable never raises (it uniquifies: w_1).
    "tf-variable": """\
import tensorflow.compat.v1 as tf
# %%
w = tf.Variable(tf.zeros([3]), name="w")
""",
    # A reset in an earlier cell does not run again with this one.
    "reset-in-earlier-cell": """\
import tensorflow.compat.v1 as tf
tf.reset_default_graph()
# %%
with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
""",
    "auto-reuse": """\
import tensorflow.compat.v1 as tf
# %%
with tf.variable_scope("model", reuse=tf.AUTO_REUSE):
    w = tf.get_variable("w", [3])
""",
    "slim-named-layer": """\
import tensorflow.compat.v1 as tf
import tf_slim as slim
# %%
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
y = slim.conv2d(x, 4, [3, 3], scope="conv1")
""",
    # Only the cell that creates variables is flagged; later cells that use them are not.
    "builder-then-session": """\
import tensorflow.compat.v1 as tf

def tower(x):
    with tf.variable_scope("tower"):
        return tf.layers.dense(x, 2, name="out")
# %%
x = tf.placeholder(tf.float32, [None, 4])
y = tower(x)
# %%
names = [v.name for v in tf.global_variables()]
""",
    "fresh-graph-per-cell": """\
import tensorflow.compat.v1 as tf
# %%
graph = tf.Graph()
with graph.as_default():
    w = tf.get_variable("w", [3])
""",
}


@dataclass(frozen=True)
class Notebook:
    id: str
    example: Example


def _notebooks() -> list[Notebook]:
    found = [Notebook(name, Example(source, bad=False, expected=())) for name, source in CASES.items()]
    for rule in load_catalog().values():
        counts = {True: 0, False: 0}
        for example in rule.examples:
            counts[example.bad] += 1
            if example.cells:
                found.append(Notebook(f"{rule.code}-{'bad' if example.bad else 'good'}-{counts[example.bad]}", example))
    return found


NOTEBOOKS = _notebooks()


def _rerun_program(example: Example, k: int) -> str:
    cells = [source for _, source in example.cells]
    return "\n".join([*cells[: k + 1], cells[k]]) + "\n"


@pytest.fixture(scope="module")
def reruns() -> dict[tuple[str, int], str | None]:
    """(notebook, cell index) -> what TF raised when that cell ran a second time."""
    keys = [(nb.id, k) for nb in NOTEBOOKS for k in range(len(nb.example.cells))]
    by_id = {nb.id: nb for nb in NOTEBOOKS}
    outcomes = run_programs([_rerun_program(by_id[name].example, k) for name, k in keys])
    return {key: outcome.error for key, outcome in zip(keys, outcomes)}


def test_catalog_has_notebook_examples() -> None:
    assert any(nb.id.startswith("SL206-bad") for nb in NOTEBOOKS)
    assert any(nb.id.startswith("SL206-good") for nb in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.id for nb in NOTEBOOKS])
def test_flagged_cells_are_the_cells_tf_refuses_to_rerun(notebook: Notebook, reruns: dict[tuple[str, int], str | None]) -> None:
    cells = notebook.example.cells
    found = lint_example(notebook.example, notebook.id, Config(select=("SL206",)))
    starts = [start for start, _ in cells]
    flagged = {max(i for i, start in enumerate(starts) if start <= d.line) for d in found}
    raised = {k for k in range(len(cells)) if (reruns[(notebook.id, k)] or "").find("already exists") >= 0}
    assert flagged == raised, {k: reruns[(notebook.id, k)] for k in range(len(cells))}
    for k, (_, source) in enumerate(cells):
        claim = _RERUN.search(source)
        if claim is not None:
            assert claim.group("text") in (reruns[(notebook.id, k)] or ""), reruns[(notebook.id, k)]
    first_in_cell: dict[int, Diagnostic] = {}
    for d in sorted(found, key=lambda d: d.line):  # TF stops at the first: its name is in the error
        first_in_cell.setdefault(max(i for i, start in enumerate(starts) if start <= d.line), d)
    for k, d in first_in_cell.items():
        assert f"Variable {d.data['predicted_name']} already exists" in (reruns[(notebook.id, k)] or "")
