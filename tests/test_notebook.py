"""Notebooks (.ipynb, nbformat 4) through the command line: real notebooks written
with nbformat, linted as their code cells in order, reported per cell."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from scopelint.notebook import from_cells, parse_notebook

SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"
ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    new_markdown_cell("# A model\n\nBuilt cell by cell."),
    new_code_cell("%matplotlib inline\nimport tensorflow.compat.v1 as tf\n!pip list | grep tensorflow"),
    new_code_cell("x = tf.placeholder(tf.float32, [None, 4])\nh = tf.layers.dense(x, 8, name='fc')"),
    new_code_cell("%%bash\necho 'not python: (((('"),
    new_code_cell(
        "%%time\n"
        "with tf.variable_scope('m'):\n"
        "    w = tf.get_variable('w', [3])\n"
        "for _ in range(1):\n"
        "    %time print(1)\n"
        "with tf.variable_scope('m'):\n"
        "    w2 = tf.get_variable('w', [3])"
    ),
    new_code_cell("tf.reset_default_graph()\nv = tf.get_variable('v', [2])"),
]


def write_notebook(path: Path, cells: list[object]) -> Path:
    notebook = new_notebook(cells=cells)
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, str(path))
    return path


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([SCOPELINT, *args], cwd=cwd, input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_text_output_gives_cell_and_line(tmp_path: Path) -> None:
    write_notebook(tmp_path / "model.ipynb", CELLS)
    result = run("--no-cache", "model.ipynb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:-1] == [
        "model.ipynb:cell 3:2:5: SL206 running this cell again raises 'Variable fc/kernel already exists' "
        "(`tf.layers.dense`): the notebook's default graph keeps the first run's variables; start the cell with "
        "tf.reset_default_graph(), build inside `with tf.Graph().as_default():`, or create with reuse=tf.AUTO_REUSE",
        "model.ipynb:cell 5:3:9: SL206 running this cell again raises 'Variable m/w already exists' "
        "(`tf.get_variable`): the notebook's default graph keeps the first run's variables; start the cell with "
        "tf.reset_default_graph(), build inside `with tf.Graph().as_default():`, or create with reuse=tf.AUTO_REUSE",
        "model.ipynb:cell 5:7:10: SL201 `tf.get_variable` creates variable 'm/w', which already exists "
        "(created at cell 5, line 3): TF raises 'already exists, disallowed'; pass reuse=True or "
        "reuse=tf.AUTO_REUSE to share it, or use another scope",
    ]
    assert lines[-1] == "Found 3 problems (1 error, 0 warnings, 2 info) in 1 of 1 file checked."


def test_json_fields_are_cell_and_line_in_cell(tmp_path: Path) -> None:
    write_notebook(tmp_path / "model.ipynb", CELLS)
    rows = json.loads(run("--no-cache", "--format", "json", "model.ipynb", cwd=tmp_path).stdout)
    collision = next(row for row in rows if row["code"] == "SL201")
    assert list(collision)[:6] == ["code", "name", "severity", "message", "path", "cell"]
    assert (collision["cell"], collision["line"], collision["column"], collision["end_line"], collision["end_column"]) == (5, 7, 10, 7, 35)
    assert collision["data"]["related"] == [
        {"path": "model.ipynb", "cell": 5, "line": 3, "column": 9, "message": "'m/w' first created here"}
    ]
    assert "fix" not in collision["data"]  # notebooks are never rewritten
    assert {(row["code"], row["cell"], row["line"]) for row in rows} == {("SL206", 3, 2), ("SL206", 5, 3), ("SL201", 5, 7)}


def test_sarif_regions_are_cell_lines_and_validate(tmp_path: Path) -> None:
    write_notebook(tmp_path / "model.ipynb", CELLS)
    log = json.loads(run("--no-cache", "--format", "sarif", "model.ipynb", cwd=tmp_path).stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.validate(log, schema)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "SL201")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "model.ipynb"
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (7, 10)
    assert result["properties"]["cell"] == 5
    assert result["relatedLocations"][0]["properties"] == {"cell": 5}
    rule_ids = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert "SL206" in rule_ids


def test_directory_walk_finds_notebooks_and_a_broken_one_is_one_sl900(tmp_path: Path) -> None:
    (tmp_path / "nbs").mkdir()
    write_notebook(tmp_path / "nbs" / "model.ipynb", CELLS)
    (tmp_path / "nbs" / "broken.ipynb").write_text('{"cells": [\n  {"cell_type": "code",\n')
    (tmp_path / "nbs" / "old.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": [], "cells": []}))
    (tmp_path / "nbs" / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / "nbs" / ".ipynb_checkpoints" / "model-checkpoint.ipynb", CELLS)  # Jupyter's autosave
    result = run("--no-cache", ".", cwd=tmp_path)
    findings = [line for line in result.stdout.splitlines() if ": SL" in line]
    assert "nbs/broken.ipynb:1:1: SL900 file not analysed: not a notebook: invalid JSON at line 3 column 1: Expecting property name enclosed in double quotes" in [
        f.removeprefix("./") for f in findings
    ]
    assert any(f.endswith("old.ipynb:1:1: SL900 file not analysed: nbformat 3 is not supported (nbformat 4 only)") for f in findings)
    assert len([f for f in findings if "model.ipynb:cell" in f]) == 3
    assert result.stdout.splitlines()[-1].endswith("in 3 of 3 files checked.")


def test_magics_keep_line_numbers_and_blocks_valid() -> None:
    notebook = from_cells([
        (1, "%load_ext autoreload\nimport tensorflow as tf\nfiles = !ls\ntf.layers?"),
        (3, "for i in range(2):\n    %time f(i)\nx = (1 +\n     2)"),
        (4, "%%writefile setup.py\nprint 'python 2 is fine here: never run'"),
        (5, "%%capture out\ny = 1"),
    ])
    assert notebook.source.splitlines() == [
        "pass", "import tensorflow as tf", "pass", "pass",
        "for i in range(2):", "    pass", "x = (1 +", "     2)",
        "", "",
        "", "y = 1",
    ]
    compile(notebook.source, "<nb>", "exec")
    assert [notebook.index.locate(line) for line in (1, 5, 8, 9, 12)] == [(1, 1), (3, 1), (3, 4), (4, 1), (5, 2)]


def test_reading_never_needs_nbformat_and_skips_other_languages() -> None:
    r_notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "R"}},
                             "cells": [{"cell_type": "code", "source": ["library(tensorflow)\n"], "metadata": {}, "outputs": []}]})
    assert parse_notebook(r_notebook).source == ""
    source_as_string = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                   "cells": [{"cell_type": "code", "source": "a = 1\nb = 2", "metadata": {}, "outputs": []}]})
    assert parse_notebook(source_as_string).source == "a = 1\nb = 2\n"


def test_stdin_notebook_and_fix_leaves_notebooks_alone(tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "model.ipynb", CELLS)
    before = path.read_bytes()
    piped = run("--stdin-filename", "model.ipynb", "-", cwd=tmp_path, stdin=path.read_text())
    assert "model.ipynb:cell 5:7:10: SL201" in piped.stdout
    fixed = run("--no-cache", "--fix", "--unsafe-fixes", "model.ipynb", cwd=tmp_path)
    assert "model.ipynb:cell 5:7:10: SL201" in fixed.stdout
    assert path.read_bytes() == before


def test_suppression_comment_in_a_cell(tmp_path: Path) -> None:
    cells = [new_code_cell("import tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [3])  # noqa: SL206")]
    write_notebook(tmp_path / "quiet.ipynb", cells)
    assert run("--no-cache", "quiet.ipynb", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("cell_magic", ["%%timeit", "%%capture"])
def test_python_cell_magics_are_linted(tmp_path: Path, cell_magic: str) -> None:
    cells = [new_code_cell(f"{cell_magic}\nimport tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [3])")]
    write_notebook(tmp_path / "t.ipynb", cells)
    assert "t.ipynb:cell 1:3:5: SL206" in run("--no-cache", "t.ipynb", cwd=tmp_path).stdout
