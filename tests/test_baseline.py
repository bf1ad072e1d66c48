"""``--write-baseline`` / ``--baseline`` through the CLI: the file written, what
is reported afterwards (in every format), line moves, another working
directory, the config key, and clear errors for a bad baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scopelint.cli import main
from scopelint.report import FORMATS

OLD = '''import tensorflow.compat.v1 as tf

with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
init = tf.initialize_all_variables()
'''
# Five lines inserted above the old findings, one re-indented, and one new collision.
MOVED = '''import tensorflow.compat.v1 as tf


def unrelated():
    return 1

with tf.variable_scope("a"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("a"):
        w = tf.get_variable("w",  [3])
init = tf.initialize_all_variables()
with tf.variable_scope("a"):
    v = tf.get_variable("w", [3])
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "m.py").write_text(OLD)
    return tmp_path


def lines_of(out: str) -> list[tuple[str, int]]:
    return [(d["code"], d["line"]) for d in json.loads(out)]


def test_write_then_nothing_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-cache", "--write-baseline", "base.json", "m.py"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "scopelint: wrote 2 findings to the baseline base.json\n"
    document = json.loads((project / "base.json").read_text())
    assert document["scopelint-baseline"] == 1
    assert [(f["code"], f["path"], f["line"]) for f in document["findings"]] == [("SL201", "m.py", 6), ("SL401", "m.py", 7)]
    assert all(len(f["fingerprint"]) == 32 for f in document["findings"])

    assert main(["--no-cache", "--fail-on", "info", "--baseline", "base.json", "m.py"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "All clear: 1 file checked.\n"
    assert captured.err == "scopelint: 2 findings in the baseline base.json not shown\n"


def test_findings_survive_line_moves_and_only_new_ones_are_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    (project / "m.py").write_text(MOVED)
    capsys.readouterr()
    assert main(["--no-cache", "--format", "json", "--baseline", "base.json", "m.py"]) == 1
    captured = capsys.readouterr()
    assert lines_of(captured.out) == [("SL201", 13)]
    assert captured.err == "scopelint: 2 findings in the baseline base.json not shown\n"
    assert main(["--no-cache", "--format", "json", "m.py"]) == 1  # without it, all three
    assert lines_of(capsys.readouterr().out) == [("SL201", 10), ("SL401", 11), ("SL201", 13)]


def test_a_fixed_finding_is_counted_as_stale(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    (project / "m.py").write_text(OLD.replace("tf.initialize_all_variables()", "tf.global_variables_initializer()"))
    capsys.readouterr()
    assert main(["--no-cache", "--baseline", "base.json", "m.py"]) == 0
    assert capsys.readouterr().err == (
        "scopelint: 1 finding in the baseline base.json not shown; 1 baseline entry no longer found (rewrite it with --write-baseline)\n"
    )


def test_two_identical_findings_are_counted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    twice = OLD + 'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [3])\n'
    (project / "m.py").write_text(twice)
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    (project / "m.py").write_text(twice + 'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [3])\n')
    capsys.readouterr()
    assert main(["--no-cache", "--format", "json", "--baseline", "base.json", "m.py"]) == 1
    assert lines_of(capsys.readouterr().out) == [("SL201", 11)]


def test_matches_from_another_working_directory(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    capsys.readouterr()
    assert main(["--no-cache", "--fail-on", "info", "--baseline", "../base.json", "../m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\n"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reports_what_a_clean_run_would(project: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    capsys.readouterr()
    main(["--no-cache", "--format", fmt, "--baseline", "base.json", "m.py"])
    filtered = capsys.readouterr().out
    main(["--no-cache", "--format", fmt, "--select", "SL901", "m.py"])  # no finding, same files
    assert filtered == capsys.readouterr().out
    (project / "m.py").write_text(MOVED)
    main(["--no-cache", "--format", fmt, "--baseline", "base.json", "m.py"])
    new = capsys.readouterr().out
    assert new != filtered and "13" in new  # the new finding's line, in whatever shape the format has
    assert "is deprecated: compat.v1 still returns" not in new  # the baselined SL401 (now line 11) stays out


def test_the_config_names_it_and_no_baseline_ignores_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.scopelint]\nbaseline = "ci/base.json"\n')
    (project / "ci").mkdir()
    main(["--no-cache", "--write-baseline", "ci/base.json", "m.py"])
    capsys.readouterr()
    assert main(["--no-cache", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\n"
    assert main(["--no-cache", "--no-baseline", "m.py"]) == 1
    assert main(["--no-cache", "--show-settings", "m.py"]) == 0
    assert 'baseline = "ci/base.json"' in capsys.readouterr().out


def test_the_config_value_must_be_a_path(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("[tool.scopelint]\nbaseline = 3\n")
    assert main(["--no-cache", "m.py"]) == 2
    assert "baseline: expected a file path" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "base.json: baseline file not found; create it with --write-baseline base.json"),
        ("{", "base.json: the baseline is not valid JSON: "),
        ("[]", "base.json: not a scopelint baseline (no 'scopelint-baseline' key)"),
        ('{"scopelint-baseline": 2, "findings": []}', "base.json: baseline version 2 is not supported (this scopelint reads version 1)"),
        ('{"scopelint-baseline": 1, "findings": {}}', "base.json: 'findings' must be a list"),
        ('{"scopelint-baseline": 1, "findings": [{"code": "SL201"}]}', "base.json: finding 1 has no 'fingerprint' string"),
    ],
)
def test_a_bad_baseline_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str) -> None:
    if content is not None:
        (project / "base.json").write_text(content)
    assert main(["--no-cache", "--baseline", "base.json", "m.py"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"scopelint: error: {message}")
    assert captured.err.count("\n") == 1


def test_fix_reports_only_what_the_baseline_does_not_hold(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--no-cache", "--write-baseline", "base.json", "m.py"])
    capsys.readouterr()
    assert main(["--no-cache", "--fix", "--baseline", "base.json", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\nFixed 1 problem in 1 file.\n"
    assert "tf.global_variables_initializer()" in (project / "m.py").read_text()


def test_a_message_naming_another_file_matches_from_another_directory(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "m.py").unlink()
    (project / "pkg" / "models").mkdir(parents=True)
    (project / "pkg" / "models" / "__init__.py").write_text("")
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "models" / "gan.py").write_text(
        'import tensorflow.compat.v1 as tf\n\n\ndef build(x):\n    with tf.variable_scope("d"):\n        return tf.get_variable("w", [3])\n'
    )
    (project / "pkg" / "train.py").write_text("from pkg.models.gan import build\n\na = build(1)\nb = build(2)\n")
    main(["--no-cache", "--format", "json", "pkg"])
    report = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in report] == ["SL201"]
    assert "created at pkg/models/gan.py:6" in report[0]["message"]  # from pkg/ it says models/gan.py:6
    main(["--no-cache", "--write-baseline", "base.json", "pkg"])
    monkeypatch.chdir(project / "pkg")
    capsys.readouterr()
    assert main(["--no-cache", "--baseline", "../base.json", "."]) == 0
    assert capsys.readouterr().out.endswith("All clear: 4 files checked.\n")


def test_the_hook_invocation_uses_the_configured_baseline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pre-commit runs `scopelint --context . <staged files>`: the config's baseline applies there too."""
    (project / "pyproject.toml").write_text('[tool.scopelint]\nbaseline = "base.json"\n')
    (project / "other.py").write_text("import tensorflow.compat.v1 as tf\nx = tf.constant(1)\n")
    main(["--no-cache", "--write-baseline", "base.json", "."])
    capsys.readouterr()
    assert main(["--no-cache", "--context", ".", "m.py"]) == 0
    assert capsys.readouterr().out == "All clear: 1 file checked.\n"
    (project / "m.py").write_text(MOVED)
    assert main(["--no-cache", "--context", ".", "--format", "json", "m.py"]) == 1
    assert lines_of(capsys.readouterr().out) == [("SL201", 13)]
