"""``scopelint --fix`` / ``--diff`` / ``--unsafe-fixes`` in-process, with a stand-in
rule where a property needs a fix no real rule produces (unsafe, unparsable)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from scopelint import checks
from scopelint.cli import main
from scopelint.diagnostic import Diagnostic
from scopelint.fixes import SAFE, UNSAFE, Edit, make_fix
from scopelint.fixes import sourcefile
from scopelint.model import ModelResult
from scopelint.model.legacy import DeprecatedUse

OLD = "import tensorflow as tf\ninit = tf.initialize_all_variables()\n"
NEW = "import tensorflow as tf\ninit = tf.global_variables_initializer()\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "m.py").write_text(OLD)
    return tmp_path


def stand_in(safety: str, content: str) -> None:
    """Replace SL302's check (for this test only) by one that flags line 2 while
    ``initialize_all_variables`` is there, with a fix that replaces that name by ``content``."""

    def check(result: ModelResult) -> Iterator[Diagnostic]:
        if result.of_type(DeprecatedUse):
            fix = make_fix(safety, "stand-in", [Edit(2, 11, 2, 35, content)])
            yield Diagnostic(result.path, 2, 8, "SL302", "stand-in finding", data={"fix": fix})

    checks.ALL_CHECKS["SL302"] = check


@pytest.fixture
def restore_checks() -> Iterator[None]:
    saved = dict(checks.ALL_CHECKS)
    yield
    checks.ALL_CHECKS.clear()
    checks.ALL_CHECKS.update(saved)


def test_fix_writes_and_exits_zero_when_nothing_is_left(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["All clear: 1 file checked.", "Fixed 1 problem in 1 file."]
    assert (project / "m.py").read_text() == NEW


def test_json_report_stays_valid_and_the_tally_goes_to_stderr(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "m.py").write_text(OLD + "f = tf.op_scope\n")
    assert main(["--no-cache", "--fix", "--fail-on", "info", "--format", "json", "m.py"]) == 1  # SL401 (info) is left
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert [(d["code"], d["line"]) for d in report] == [("SL401", 3)]
    assert captured.err.strip() == "Fixed 1 problem in 1 file."


def test_unsafe_fixes_only_with_the_flag(project: Path, capsys: pytest.CaptureFixture[str], restore_checks: None) -> None:
    stand_in(UNSAFE, "global_variables_initializer")
    assert main(["--no-cache", "--fix", "--select", "SL302", "m.py"]) == 1
    assert (project / "m.py").read_text() == OLD
    capsys.readouterr()
    assert main(["--no-cache", "--diff", "--unsafe-fixes", "--select", "SL302", "m.py"]) == 1
    assert "+init = tf.global_variables_initializer()" in capsys.readouterr().out
    assert (project / "m.py").read_text() == OLD
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "SL302", "m.py"])
    assert (project / "m.py").read_text() == NEW


def test_a_fix_that_breaks_the_syntax_is_dropped_with_a_message(project: Path, capsys: pytest.CaptureFixture[str], restore_checks: None) -> None:
    stand_in(SAFE, "import (")
    (project / "m.py").write_text(OLD + "k = tf.GraphKeys.VARIABLES\n")
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("m.py:2:8: SL302 fix dropped (stand-in): the result would not parse")
    # The overlapping SL401 fix on line 2 waited for its turn and landed, as did line 3's.
    assert (project / "m.py").read_text() == NEW + "k = tf.GraphKeys.GLOBAL_VARIABLES\n"
    assert captured.out.splitlines()[-1] == "Fixed 2 problems in 1 file."


def test_failed_write_exits_two_and_leaves_the_file(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(sourcefile.os, "replace", fail)
    assert main(["--no-cache", "--fix", "m.py"]) == 2
    assert "m.py: not written: Read-only file system" in capsys.readouterr().err
    assert (project / "m.py").read_text() == OLD
    assert sorted(p.name for p in project.iterdir()) == ["m.py"]


def test_suppressed_findings_are_left_alone(project: Path) -> None:
    (project / "m.py").write_text(OLD.replace("()\n", "()  # noqa: SL401\n"))
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    assert (project / "m.py").read_text() == OLD.replace("()\n", "()  # noqa: SL401\n")


def test_rule_fixes_are_attached_for_files_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builder = (
        "import tensorflow.compat.v1 as tf\n\n\ndef tower(x):\n    with tf.variable_scope(\"tower\"):\n"
        "        return x * tf.get_variable(\"w\", [1])\n\n\na = tower(1.0)\nb = tower(2.0)\n"
    )
    (project / "m.py").write_text(builder)
    assert main(["--no-cache", "--fix", "m.py"]) == 1  # unsafe: not without --unsafe-fixes
    assert (project / "m.py").read_text() == builder
    capsys.readouterr()
    assert main(["--no-cache", "--format", "json", "m.py"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding["code"] == "SL201" and finding["data"]["fix"]["safety"] == "unsafe"
    assert main(["--no-cache", "--fix", "--unsafe-fixes", "m.py"]) == 0
    assert (project / "m.py").read_text() == builder.replace('("tower")', '("tower", reuse=tf.AUTO_REUSE)')


def test_fix_edits_the_text_it_linted_even_if_the_file_changed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scopelint.fixes.run as run

    first_pass = run.lint_files

    def then_edited(paths, config, options):  # type: ignore[no-untyped-def]
        found = first_pass(paths, config, options)
        (project / "m.py").write_text("# a line added meanwhile\n" + OLD)  # the first pass's positions are now stale
        return found

    monkeypatch.setattr(run, "lint_files", then_edited)
    assert main(["--no-cache", "--fix", "m.py"]) == 0
    assert (project / "m.py").read_text() == "# a line added meanwhile\n" + NEW


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_dynamic_with_fix_is_a_usage_error_that_runs_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str], flag: str) -> None:
    (project / "m.py").write_text(OLD + "open('EXECUTED', 'w').close()\n")
    assert main(["--no-cache", "--dynamic", flag, "m.py"]) == 2
    assert "--dynamic cannot be combined with --fix or --diff" in capsys.readouterr().err
    assert (project / "m.py").read_text() == OLD + "open('EXECUTED', 'w').close()\n"
    assert not (project / "EXECUTED").exists()
