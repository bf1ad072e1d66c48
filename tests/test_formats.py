"""Snapshots of every CI output format over one small project, the GitLab report
against the Code Quality schema's required fields, JUnit XML read back by
junitparser, and one path form per run (a symlinked file, a broken link,
related locations across folders)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

MODELS = """\
import tensorflow.compat.v1 as tf


def discriminator(x):
    with tf.variable_scope("discriminator"):
        w = tf.get_variable("w", [3, 1])
        return tf.matmul(x, w)
"""
TRAIN = """\
import tensorflow.compat.v1 as tf

from models.gan import discriminator

real = discriminator(tf.placeholder(tf.float32, [None, 3]))
fake = discriminator(tf.placeholder(tf.float32, [None, 3]))
init = tf.initialize_all_variables()
"""

# What GitLab requires of each issue (docs: "Code Quality report format"); the
# schema file itself is not published as a standalone document.
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}, "end": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "scopelint", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("")
    (tmp_path / "models" / "gan.py").write_text(MODELS)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "train.py").write_text(TRAIN)
    return tmp_path


def collision_line(project: Path) -> str:
    result = run("--format", "pylint", "app/train.py", "models", cwd=project)
    return next(line for line in result.stdout.splitlines() if "[SL201]" in line)


def test_pylint_format(project: Path) -> None:
    result = run("--format", "pylint", "--fail-on", "info", "app/train.py", "models", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert lines[0].startswith("app/train.py:6: [SL201] `tf.get_variable` via discriminator() creates variable 'discriminator/w', which already exists")
    assert "models/gan.py:6" in lines[0]  # related: relative to the working directory, as the primary
    assert "../models" not in result.stdout
    assert lines[1].startswith("app/train.py:7: [SL401] `tf.initialize_all_variables` is deprecated")


def test_grouped_format(project: Path) -> None:
    result = run("--format", "grouped", "app/train.py", "models", cwd=project)
    lines = result.stdout.splitlines()
    assert lines[0] == "app/train.py:"
    assert lines[1].startswith("  6:8 SL201 `tf.get_variable` via discriminator() creates variable 'discriminator/w'")
    assert lines[2].startswith("  7:8 SL401 `tf.initialize_all_variables` is deprecated")
    assert lines[3:] == ["", "Found 2 problems (1 error, 0 warnings, 1 info) in 1 of 3 files checked."]
    quiet = run("--format", "grouped", "--quiet", "app/train.py", "models", cwd=project)
    assert quiet.stdout.splitlines() == lines[:3]


def test_gitlab_format_is_valid_and_stable_when_lines_move(project: Path) -> None:
    first = run("--format", "gitlab", "app/train.py", "models", cwd=project)
    report = json.loads(first.stdout)
    jsonschema.validate(report, GITLAB_SCHEMA)
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in report] == [
        ("SL201 variable-already-exists", "major", "app/train.py", 6),
        ("SL401 deprecated-scope-api", "info", "app/train.py", 7),
    ]
    assert report[0]["description"].startswith("SL201 `tf.get_variable` via discriminator() creates variable 'discriminator/w'")
    assert len({i["fingerprint"] for i in report}) == 2
    (project / "app" / "train.py").write_text(TRAIN.replace("\nreal", "\n# a comment above moves every finding\n\nreal"))
    moved = json.loads(run("--format", "gitlab", "app/train.py", "models", cwd=project).stdout)
    assert [i["location"]["lines"]["begin"] for i in moved] == [8, 9]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in report]


def test_junit_format_reads_back(project: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    result = run("--format", "junit", "app/train.py", "models", cwd=project)
    (project / "report.xml").write_text(result.stdout)
    xml = junitparser.JUnitXml.fromfile(str(project / "report.xml"))
    suites = list(xml)
    assert [s.name for s in suites] == ["app/train.py"]
    cases = list(suites[0])
    assert [c.name for c in cases] == ["scopelint.SL201", "scopelint.SL401"]
    assert [c.classname for c in cases] == ["app/train.py", "app/train.py"]
    assert all(not c.is_passed for c in cases)
    assert cases[0].result[0].message.startswith("`tf.get_variable` via discriminator() creates variable 'discriminator/w'")
    (project / "app" / "train.py").write_text("import tensorflow.compat.v1 as tf\n")
    clean = run("--format", "junit", "app/train.py", cwd=project)
    (project / "clean.xml").write_text(clean.stdout)
    [suite] = list(junitparser.JUnitXml.fromfile(str(project / "clean.xml")))
    [case] = list(suite)
    assert case.is_passed and case.name == "No problems found"


def test_a_symlinked_file_is_named_as_the_link_in_every_format(tmp_path: Path) -> None:
    real = tmp_path / "impl"
    real.mkdir()
    (real / "model_impl.py").write_text(MODELS + "\nd1 = discriminator(None)\nd2 = discriminator(None)\n")
    os.symlink(real / "model_impl.py", tmp_path / "link.py")
    os.symlink(tmp_path / "gone.py", tmp_path / "dangling.py")
    args = ("link.py", "dangling.py")
    text = run(*args, cwd=tmp_path).stdout
    assert "link.py:10:6: SL201" in text and "dangling.py:1:1: SL900" in text
    github = run("--format", "github", *args, cwd=tmp_path).stdout
    assert {line.split("file=")[1].split(",")[0] for line in github.splitlines()} == {"link.py", "dangling.py"}
    sarif = json.loads(run("--format", "sarif", *args, cwd=tmp_path).stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"link.py", "dangling.py"}
    related = sarif["runs"][0]["results"][1]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert related == "link.py"
    gitlab = json.loads(run("--format", "gitlab", *args, cwd=tmp_path).stdout)
    assert {i["location"]["path"] for i in gitlab} == {"link.py", "dangling.py"}
    as_json = json.loads(run("--format", "json", *args, cwd=tmp_path).stdout)
    assert {d["path"] for d in as_json} == {"link.py", "dangling.py"}
    assert "model_impl" not in text + github + json.dumps(sarif) + json.dumps(gitlab)
