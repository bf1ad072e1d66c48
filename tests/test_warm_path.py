"""The warm path (scopelint.warm): a lint run repeated with nothing changed prints what
the last one printed, answered from its manifest before the CLI, libcst or the model load.
What each test checks is what a user sees: stdout, stderr, the exit code, and (from
``python -X importtime``) whether the run was answered without the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_warm_run import GAN, TRAIN, make_project

from scopelint.warm import RACY_NS

CLEAN = "All clear: 4 files checked.\n"


def _settle() -> None:
    """Wait until what the test just wrote is older than the racy window: a manifest is
    stored only when nothing it lists changed within RACY_NS of the run's start."""
    time.sleep(RACY_NS / 1e9 + 0.2)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = make_project(tmp_path)
    _settle()
    return proj


def run(project: Path, *args: str, cache: bool = True) -> tuple[subprocess.CompletedProcess[str], bool]:
    """One ``python -m scopelint proj ...``; and whether the warm path answered it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(project.parent / "xdg"), "NO_COLOR": "1"}
    env.pop("SCOPELINT_CACHE_DIR", None)
    cache_args = ["--cache-dir", str(project.parent / "cache")] if cache else []
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scopelint", *args, *cache_args],
        cwd=project.parent, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "scopelint.warm" in imported, done.stderr[-2000:]
    done.stderr = "".join(line + "\n" for line in done.stderr.splitlines() if not line.startswith("import time:"))
    return done, "scopelint.cli" not in imported


def test_a_repeated_run_is_answered_without_the_cli(project: Path) -> None:
    cold, served = run(project, "proj")
    assert not served and cold.returncode == 1 and "proj/train.py:5:8: SL201" in cold.stdout, cold.stdout + cold.stderr
    warm, served = run(project, "proj")
    assert served, "the second identical run should come from its manifest"
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    # Another command line is another run: it is linted (from the run cache), then served too.
    json_first, served = run(project, "proj", "--format", "json")
    assert not served and '"code": "SL201"' in json_first.stdout
    assert run(project, "check", "proj")[0].stdout == cold.stdout
    assert run(project, "check", "proj")[1], "`scopelint check proj` is remembered as typed"


def test_an_edited_file_is_linted_again(project: Path) -> None:
    run(project, "proj")
    assert run(project, "proj")[1]
    (project / "train.py").write_text(TRAIN.replace("fake = discriminator(tf.ones([3]))\n", ""))
    fixed, served = run(project, "proj")
    assert not served and (fixed.returncode, fixed.stdout) == (0, CLEAN), fixed.stdout


def test_same_size_and_mtime_still_misses(project: Path) -> None:
    """A rewrite that keeps size and mtime (set back by hand) changes the ctime."""
    train = project / "train.py"
    run(project, "proj")
    assert run(project, "proj")[1]
    before = train.stat()
    train.write_text(TRAIN.replace("fake =", "#ake ="))
    os.utime(train, ns=(before.st_atime_ns, before.st_mtime_ns))
    again, served = run(project, "proj")
    assert not served and (again.returncode, again.stdout) == (0, CLEAN), again.stdout


def test_a_new_file_in_a_folder_is_seen(project: Path) -> None:
    run(project, "proj")
    assert run(project, "proj")[1]
    (project / "more.py").write_text(TRAIN)
    again, served = run(project, "proj")
    assert not served and "proj/more.py:5:8: SL201" in again.stdout and "5 files checked" in again.stdout


def test_a_sibling_module_appearing_is_followed(tmp_path: Path) -> None:
    """One file named alone imports a sibling that did not exist when the manifest was written."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "main.py").write_text(TRAIN.replace("from models.gan import", "from ops import"))
    _settle()
    first, _ = run(proj, "proj/main.py")
    assert first.returncode == 0 and run(proj, "proj/main.py")[1]
    (proj / "ops.py").write_text(GAN)
    after, served = run(proj, "proj/main.py")
    assert not served and "proj/main.py:5:8: SL201" in after.stdout, after.stdout


def test_a_new_config_file_is_seen(project: Path) -> None:
    run(project, "proj")
    assert run(project, "proj")[1]
    (project / "pyproject.toml").write_text('[tool.scopelint]\nignore = ["SL201"]\n')
    after, served = run(project, "proj")
    assert not served and (after.returncode, after.stdout) == (0, CLEAN), after.stdout


def test_a_run_right_after_an_edit_is_not_remembered(project: Path) -> None:
    """Within the racy window a stat cannot vouch for a file: the next run is linted
    (the content hash decides), and only a run after the window is remembered."""
    (project / "notes.py").write_text("print('still no TF')\n")
    run(project, "proj")
    second, served = run(project, "proj")
    assert not served and "SL201" in second.stdout
    _settle()
    run(project, "proj")
    assert run(project, "proj")[1]


def test_the_baseline_note_is_printed_again(project: Path) -> None:
    written, _ = run(project, "proj", "--write-baseline", "proj/baseline.json")
    assert written.returncode == 0, written.stderr
    _settle()
    first, _ = run(project, "proj", "--baseline", "proj/baseline.json")
    assert "in the baseline" in first.stderr and first.returncode == 0
    again, served = run(project, "proj", "--baseline", "proj/baseline.json")
    assert served and (again.stdout, again.stderr, again.returncode) == (first.stdout, first.stderr, 0)


@pytest.mark.parametrize("args", [["--no-cache"], ["-v"], ["--fix"], ["--output", "report.txt"]])
def test_runs_that_write_time_or_skip_the_cache_are_never_served(project: Path, args: list[str]) -> None:
    run(project, "proj", *args)
    assert not run(project, "proj", *args)[1]


def test_a_forged_manifest_is_not_trusted(project: Path) -> None:
    """Every entry under the cache is overwritten with a copy of another: none verifies,
    the run is linted and right."""
    first, _ = run(project, "proj")
    assert run(project, "proj")[1]
    entries = [p for p in (project.parent / "cache").rglob("*") if p.is_file() and p.name != ".gitignore"]
    for entry in entries:
        entry.write_bytes(entries[0].read_bytes()[:-1] + b"x")
    again, served = run(project, "proj")
    assert not served and (again.returncode, again.stdout) == (first.returncode, first.stdout)
