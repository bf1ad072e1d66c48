"""Notebooks under --dynamic, on constructed traces (no TF): the trace speaks of
the notebook's virtual source (its code cells in order); the findings, trace-only
ones included, come back in cells. tests/test_notebook_dynamic_tf.py runs real
notebooks under TF."""

from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell

from scopelint.api import lint_paths
from scopelint.config import Config
from scopelint.dynamic import records
from scopelint.dynamic.cli import files_to_trace, keep_for, report_outcomes
from scopelint.dynamic.reconcile import reconcile
from scopelint.notebook import parse_notebook, to_cells, to_virtual
from test_notebook import write_notebook

CELLS = [
    new_markdown_cell("# Two builds"),
    new_code_cell("%matplotlib inline\nimport tensorflow.compat.v1 as tf\nx = tf.placeholder(tf.float32, [None, 4])"),
    new_code_cell("def model(x):\n    with tf.variable_scope('m'):\n        return tf.layers.dense(x, 2, name='fc')\ny = model(x)"),
    new_code_cell("!echo again\ny2 = model(x)"),
]
# Virtual source: cell 2 is lines 1-3, cell 3 lines 4-7, cell 4 lines 8-9.



def collision_trace(path: str) -> records.FileTrace:
    """What the child reports for CELLS: the dense layer of cell 3 (virtual line 6)
    created, then refused when cell 4 (line 9) calls the builder again."""
    real = records.real(path)
    created = records.VariableEvent("create", "m/fc/kernel", (4, 2), "get_variable", "false", "dense", ((real, 6), (real, 7)), seq=3)
    error = records.ScopeError("SL201", "m/fc/kernel", "Variable m/fc/kernel already exists, disallowed.", ((real, 6), (real, 9)), seq=5)
    return records.FileTrace(
        path, records.Outcome(records.RAISED, "ValueError: Variable m/fc/kernel already exists", (real, 6)),
        variables=(created,), errors=(error,), reached={(real, n): i for i, n in enumerate([1, 2, 3, 4, 7, 5, 6, 8, 9])},
    )


def test_findings_in_cells_round_trip_through_the_virtual_source(tmp_path: Path) -> None:
    path = str(write_notebook(tmp_path / "two.ipynb", CELLS))
    found = lint_paths([path], Config())
    index = parse_notebook(Path(path).read_bytes()).index
    [sl201] = [d for d in found if d.code == "SL201"]
    assert (sl201.cell, sl201.line) == (4, 2) and "(created at cell 3, line 3)" in sl201.message
    virtual = to_virtual(found, index)
    moved = next(d for d in virtual if d.code == "SL201")
    assert (moved.cell, moved.line) == (None, 9) and "(created at line 6)" in moved.message
    assert [(r["line"], "cell" in r) for r in moved.data["related"]] == [(6, False), (7, False)]
    assert to_cells(virtual, index) == found


def test_static_sl201_in_a_later_cell_is_confirmed_and_sl206_is_not_checked(tmp_path: Path) -> None:
    path = str(write_notebook(tmp_path / "two.ipynb", CELLS))
    static = lint_paths([path], Config())
    result = reconcile(static, [collision_trace(path)])
    assert [(d.code, d.cell, d.line, d.data.get("dynamic")) for d in result] == [("SL206", 3, 4, None), ("SL201", 4, 2, "confirmed")]
    sl206 = result[0]
    assert sl206.data["dynamic_note"].startswith("not checked by the trace: it runs each cell once")
    assert [(r["cell"], r["line"]) for r in result[1].data["related"]] == [(3, 3), (3, 4)]


def test_trace_only_finding_is_placed_in_its_cell_with_related_first_creation(tmp_path: Path) -> None:
    path = str(write_notebook(tmp_path / "two.ipynb", CELLS))
    [found] = reconcile([], [collision_trace(path)])
    assert (found.code, found.cell, found.line, found.column, found.data["dynamic"]) == ("SL201", 3, 3, 9, "trace-only")  # where `return` starts in the cell
    assert "(called from cell 4, line 2)" in found.message
    [first] = found.data["related"]
    assert (first["cell"], first["line"], first["column"]) == (3, 3, 9)
    assert first["message"] == "m/fc/kernel first created here (called from cell 3, line 4)"


def test_suppression_in_a_cell_silences_a_trace_only_finding_and_uses_the_comment(tmp_path: Path) -> None:
    cells = [*CELLS[:2], new_code_cell("def model(x):\n    with tf.variable_scope('m'):\n"
                                       "        return tf.layers.dense(x, 2, name='fc')  # noqa: SL201\ny = model(x)"), CELLS[3]]
    path = str(write_notebook(tmp_path / "two.ipynb", cells))
    keep = keep_for(Config())
    assert reconcile([], [collision_trace(path)], keep) == []
    assert keep.silenced == {(path, 3, 3, "SL201")}


def test_notebook_outcome_says_cell_and_line(tmp_path: Path) -> None:
    path = str(write_notebook(tmp_path / "two.ipynb", CELLS))
    [outcome] = report_outcomes([collision_trace(path)])
    assert (outcome.cell, outcome.line, outcome.kind) == (3, 3, "raised")
    assert outcome.description.startswith("raised at cell 3, line 3: ValueError")


def test_directory_walk_traces_notebooks_that_mention_tensorflow(tmp_path: Path) -> None:
    tf_notebook = str(write_notebook(tmp_path / "model.ipynb", CELLS))
    other = str(write_notebook(tmp_path / "plots.ipynb", [new_code_cell("import matplotlib")]))
    assert files_to_trace([str(tmp_path)], [tf_notebook, other]) == [tf_notebook]
