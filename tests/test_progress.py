"""Progress on stderr (issue 12): a person at a terminal sees ``parsing 3/3 files``
during a long run; a pipe, ``-q`` and ``--silent`` never do, and the report never does.
``SCOPELINT_PROGRESS_AFTER=0`` shows the meter at once instead of after a second."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")

BAD = 'import tensorflow as tf\nwith tf.variable_scope("a"):\n    w = tf.get_variable("w", [1])\nwith tf.variable_scope("a"):\n    w = tf.get_variable("w", [1])\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    for name in ("a", "b", "c"):
        (root / f"{name}.py").write_text(BAD)
    return root


def _env(after: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "SCOPELINT_PROGRESS_AFTER": after}


def run_on_a_tty(tree: Path, *args: str, after: str = "0") -> tuple[int, str, str]:
    """stderr on a pseudo-terminal, stdout on a pipe: (exit code, stdout, what the terminal showed)."""
    master, slave = os.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "scopelint", str(tree), "--no-cache", *args],
            stdout=subprocess.PIPE, stderr=slave, env=_env(after),
        )
    finally:
        os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    stdout = child.stdout.read().decode() if child.stdout else ""
    return child.wait(timeout=120), stdout, shown.decode(errors="replace")


def test_a_terminal_shows_files_parsed_of_total_and_the_report_does_not(tree: Path) -> None:
    code, stdout, shown = run_on_a_tty(tree)
    assert code == 1
    assert "scopelint: parsing 3/3 files" in shown
    assert "scopelint: analysing 3/3 files" in shown
    assert shown.endswith("\r\x1b[K")  # the line is erased when the run ends
    assert "parsing" not in stdout and stdout.count("SL201") == 3


def test_quiet_and_silent_show_no_progress(tree: Path) -> None:
    for flag in ("-q", "--silent"):
        _, _, shown = run_on_a_tty(tree, flag)
        assert "parsing" not in shown, flag


def test_nothing_is_shown_before_the_delay(tree: Path) -> None:
    _, _, shown = run_on_a_tty(tree, after="3600")
    assert "parsing" not in shown


def test_a_pipe_never_gets_progress(tree: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", str(tree), "--no-cache"], capture_output=True, text=True, env=_env("0"), timeout=120
    )
    assert done.returncode == 1 and done.stdout.count("SL201") == 3
    assert "parsing" not in done.stderr and "\x1b" not in done.stderr
