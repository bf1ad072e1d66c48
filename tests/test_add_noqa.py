"""``scopelint --add-noqa`` through the CLI: the file contents it leaves, its
stderr tally, its exit code, and that a second run adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.cli import main
from scopelint.fixes import sourcefile
from scopelint.fixes.noqa import add_noqa

LEGACY = '''import tensorflow.compat.v1 as tf

with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # noqa: E501
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # scopelint: ignore[SL204]
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # legacy, see issue 12   
init = tf.initialize_all_variables()
'''

SILENCED = '''import tensorflow.compat.v1 as tf

with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # noqa: SL201
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # noqa: E501, SL201
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # scopelint: ignore[SL204, SL201]
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])  # legacy, see issue 12  # noqa: SL201
init = tf.initialize_all_variables()  # noqa: SL401
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def test_adds_merges_and_a_second_run_adds_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text(LEGACY)
    assert main(["--no-cache", "--add-noqa", "m.py"]) == 0
    captured = capsys.readouterr()
    assert (project / "m.py").read_text() == SILENCED
    assert captured.out == ""
    assert captured.err == "Added 5 noqa directives in 1 file.\n"

    assert main(["--no-cache", "--add-noqa", "m.py"]) == 0
    assert capsys.readouterr().err == "Added 0 noqa directives in 0 files.\n"
    assert (project / "m.py").read_text() == SILENCED
    # Every finding is silenced; what is left is the stale SL204 of line 10, which
    # --add-noqa never silences (SL901 is removed with --fix instead).
    assert main(["--no-cache", "--fail-on", "info", "m.py"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "m.py:10:36: SL901 unused suppression `# scopelint: ignore[SL204, SL201]`: no SL204 finding on this line; remove the unused codes",
        "Found 1 problem (0 errors, 0 warnings, 1 info) in 1 of 1 file checked.",
    ]
    assert main(["--no-cache", "--ignore", "SL901", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\n"


def test_respects_the_selection(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text(LEGACY)
    assert main(["--no-cache", "--add-noqa", "--select", "SL4", "m.py"]) == 0
    assert (project / "m.py").read_text() == LEGACY.replace("init = tf.initialize_all_variables()", "init = tf.initialize_all_variables()  # noqa: SL401")
    assert capsys.readouterr().err == "Added 1 noqa directive in 1 file.\n"


def test_lines_that_cannot_carry_a_comment_are_named_and_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (
        'import tensorflow.compat.v1 as tf\n\n'
        'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [3])\n'
        'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [3]); doc = """\n    # noqa: not a comment\n    """\n'
        'with tf.variable_scope("a"):\n    w = tf.get_variable("w", \\\n        [3])\n'
        'init = tf.initialize_all_variables()\n'
    )
    (project / "m.py").write_text(source)
    assert main(["--no-cache", "--add-noqa", "m.py"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "m.py:6: SL201 not silenced: the line ends inside a multi-line string, so it cannot carry a comment",
        "m.py:10: SL201 not silenced: the line ends with a backslash continuation, so it cannot carry a comment",
        "Added 1 noqa directive in 1 file.",
    ]
    assert (project / "m.py").read_text() == source.replace("initialize_all_variables()\n", "initialize_all_variables()  # noqa: SL401\n")
    assert main(["--no-cache", "m.py"]) == 1  # the two SL201 are still reported
    assert [line.split(" ")[0] for line in capsys.readouterr().out.splitlines()[:-1]] == ["m.py:6:9:", "m.py:10:9:"]


def test_keeps_crlf_and_encoding(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = "# -*- coding: latin-1 -*-\r\nimport tensorflow.compat.v1 as tf\r\n# caf\xe9\r\ninit = tf.initialize_all_variables()\r\n"
    (project / "m.py").write_bytes(source.encode("latin-1"))
    assert main(["--no-cache", "--add-noqa", "m.py"]) == 0
    expected = source.replace("variables()\r\n", "variables()  # noqa: SL401\r\n")
    assert (project / "m.py").read_bytes() == expected.encode("latin-1")


def test_a_failed_write_leaves_the_file_and_exits_2(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "m.py").write_text(LEGACY)

    def refuse(path: str, data: bytes) -> None:
        raise sourcefile.WriteError(f"{path}: not written: disk full")

    monkeypatch.setattr(sourcefile, "write_atomic", refuse)
    assert main(["--no-cache", "--add-noqa", "m.py"]) == 2
    assert "m.py: not written: disk full" in capsys.readouterr().err
    assert (project / "m.py").read_text() == LEGACY


def test_usage_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text(LEGACY)
    for extra in (["--fix"], ["--diff"], ["--write-baseline", "b.json"]):
        assert main(["--no-cache", "--add-noqa", *extra, "m.py"]) == 2
        assert "--add-noqa edits files on disk" in capsys.readouterr().err
    assert (project / "m.py").read_text() == LEGACY


def test_an_edit_that_would_change_the_program_is_not_made() -> None:
    # Line 2 is inside the string that starts on line 1: nothing may be put there.
    text = 's = """\nx = 1\n"""\ny = 2\n'
    edit = add_noqa(text, {2: {"SL201"}, 4: {"SL401"}})
    assert edit.text == 's = """\nx = 1\n"""\ny = 2  # noqa: SL401\n'
    assert edit.skipped == ((2, "the line ends inside a multi-line string, so it cannot carry a comment"),)
