"""SL901 unused-suppression through the CLI: which comments it reports (and
which it must not), its fix, and that ``--fix`` twice changes nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scopelint.cli import main
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.dynamic.cli import keep_for

HEAD = 'import tensorflow.compat.v1 as tf\n\nwith tf.variable_scope("a"):\n    w = tf.get_variable("w", [3])\n'
COLLIDE = 'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [3])'  # SL201 on its second line

SOURCE = HEAD + (
    f"{COLLIDE}  # noqa: SL201\n"                       # 6: used
    f"{COLLIDE}  # noqa: SL201, SL204  # why\n"         # 8: SL204 unused
    "x = tf.constant(1)  # noqa: SL201  # why\n"        # 9: unused, the comment's text stays
    "y = tf.constant(1)  # noqa: E501, SL2\n"           # 10: SL2 unused, E501 is flake8's
    "z = tf.constant(1)  # noqa\n"                      # 11: bare noqa: never reported
    "u = tf.constant(1)  # scopelint: ignore\n"         # 12: bare, nothing fired
    "v = tf.constant(1)  # scopelint: ignore[SL209]\n"  # 13: matches no rule
    "s = tf.constant(1)  # noqa: SL201, SL901\n"        # 14: kept on purpose
    "    # noqa: SL101\n"                               # 15: a comment-only line
    "init = tf.initialize_all_variables()  # noqa: SL401\n"  # 16: used
)
FIXED = HEAD + (
    f"{COLLIDE}  # noqa: SL201\n"
    f"{COLLIDE}  # noqa: SL201  # why\n"
    "x = tf.constant(1)  # why\n"
    "y = tf.constant(1)  # noqa: E501\n"
    "z = tf.constant(1)  # noqa\n"
    "u = tf.constant(1)\n"
    "v = tf.constant(1)\n"
    "s = tf.constant(1)  # noqa: SL201, SL901\n"
    "\n"
    "init = tf.initialize_all_variables()  # noqa: SL401\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "m.py").write_text(SOURCE)
    return tmp_path


def test_reports_exactly_the_unused_ones(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", "m.py"]) == 0  # info: reported, does not fail by default
    assert capsys.readouterr().out.splitlines() == [
        "m.py:8:36: SL901 unused suppression `# noqa: SL201, SL204`: no SL204 finding on this line; remove the unused codes",
        "m.py:9:21: SL901 unused suppression `# noqa: SL201`: no SL201 finding on this line; remove it",
        "m.py:10:21: SL901 unused suppression `# noqa: E501, SL2`: no SL2 finding on this line; remove the unused codes",
        "m.py:12:21: SL901 unused suppression `# scopelint: ignore`: no finding on this line; remove it",
        "m.py:13:21: SL901 unused suppression `# scopelint: ignore[SL209]`: SL209 matches no rule; remove it",
        "m.py:15:5: SL901 unused suppression `# noqa: SL101`: no SL101 finding on this line; remove it",
        "Found 6 problems (0 errors, 0 warnings, 6 info) in 1 of 1 file checked.",
    ]
    assert main(["--no-cache", "--fail-on", "info", "--quiet", "m.py"]) == 1


def test_codes_not_selected_are_not_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ruff's RUF100: only what this run could have produced. With SL2 and SL901 selected,
    `# noqa: SL101` and the bare `# scopelint: ignore` cannot be judged."""
    assert main(["--no-cache", "--select", "SL2,SL901", "--quiet", "m.py"]) == 0
    assert [line.split(": SL901")[0] for line in capsys.readouterr().out.splitlines()] == ["m.py:8:36", "m.py:9:21", "m.py:10:21", "m.py:13:21"]
    assert main(["--no-cache", "--ignore", "SL901", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\n"


def test_fix_removes_them_and_a_second_fix_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\nFixed 6 problems in 1 file.\n"
    assert (project / "m.py").read_text() == FIXED
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\nFixed 0 problems in 0 files.\n"
    assert (project / "m.py").read_text() == FIXED


def test_a_file_not_analysed_gets_none(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text("import tensorflow as tf\nx = 1  # noqa: SL201\nprint 'py2'\n")
    main(["--no-cache", "--quiet", "m.py"])
    assert [line.split(" ")[1] for line in capsys.readouterr().out.splitlines()] == ["SL900"]


def test_in_a_notebook_it_names_the_cell_and_offers_no_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_code_cell("import tensorflow.compat.v1 as tf"), new_markdown_cell("# text"), new_code_cell("x = 1\ny = tf.constant(1)  # noqa: SL201")]
    nbformat.write(new_notebook(cells=cells), str(project / "nb.ipynb"))
    main(["--no-cache", "--format", "json", "nb.ipynb"])
    [finding] = json.loads(capsys.readouterr().out)
    assert (finding["code"], finding["cell"], finding["line"], finding["column"]) == ("SL901", 3, 2, 21)
    assert "fix" not in finding["data"]


def test_a_comment_silencing_a_trace_only_finding_is_used(project: Path) -> None:
    """--dynamic: a finding only the trace made, silenced by the comment, withdraws the static SL901."""
    (project / "t.py").write_text("import tensorflow.compat.v1 as tf\nv = tf.Variable(1.0)  # noqa: SL204\n")
    keep = keep_for(Config())
    trace_only = Diagnostic("t.py", 2, 5, "SL204", "copy", data={"dynamic": "trace-only"})
    assert keep(trace_only) is False
    stale = Diagnostic("t.py", 2, 24, "SL901", "unused", data={"unused": ["SL204"]})
    other = Diagnostic("t.py", 2, 24, "SL901", "unused", data={"unused": ["SL201"]})
    assert keep.withdraw_answered([stale, other]) == [other]
