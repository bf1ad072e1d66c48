"""Hostile and odd inputs beside a good buggy file: each bad one is one clear
SL900 line, the good file's finding is still reported, the exit code is 1 (a
finding), nothing hangs and nothing else is lost."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scopelint.api import lint_paths
from scopelint.config import Config
from scopelint.engine import EngineOptions

BUGGY = 'import tensorflow as tf\n\nwith tf.name_scope("enc"):\n    w = tf.get_variable("w", [3])\n'
SL101 = ("SL101", 4, 9)


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scopelint", "--no-cache", "--isolated", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1"})


def by_file(report: list[dict[str, object]]) -> dict[str, list[tuple[object, ...]]]:
    found: dict[str, list[tuple[object, ...]]] = {}
    for d in report:
        found.setdefault(Path(str(d["path"])).name, []).append((d["code"], d["line"], d["column"], d["message"]))
    return found


# name -> (bytes, the SL900 message fragment, or None: analysed, the SL101 must be found)
CONTENT_CASES: dict[str, tuple[bytes, str | None]] = {
    "py2.py": (b"import tensorflow as tf\nprint 'building'\n", "Python 2 syntax (`print` statement)"),
    "binary.py": (b"\x7fELF\x02\x01\x01\x00\x00\x00tensorflow", "binary file (contains NUL bytes)"),
    "nul.py": (b"import tensorflow as tf\nx = 1\x00\n", "binary file (contains NUL bytes)"),
    "bad_utf8.py": (b"import tensorflow as tf\nNAME = '\xff\xfe'\n", "not valid UTF-8 (byte 0xff at offset 32)"),
    "latin1_no_cookie.py": ("import tensorflow as tf\nNAME = 'caf\xe9'\n".encode("latin-1"), "not valid UTF-8 (byte 0xe9"),
    "latin1_cookie.py": (("# -*- coding: latin-1 -*-\n" + BUGGY.rstrip("\n") + "  # caf\xe9\n").encode("latin-1"), None),
    "bom.py": (b"\xef\xbb\xbf" + BUGGY.encode(), None),
    "crlf.py": (BUGGY.replace("\n", "\r\n").encode(), None),
    "huge.py": (b"import tensorflow as tf\n" + b"x = 1\n" * (10 * 1024 * 1024 // 6), "too large to analyse (over 8 MiB)"),
    "deep.py": (("import tensorflow as tf\n" + "".join(" " * i + "if x:\n" for i in range(1000)) + " " * 1000 + "pass\n").encode(),
                "too many levels of indentation"),
    "empty.py": (b"", ""),
}


@pytest.fixture
def bad_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "good.py").write_text(BUGGY)
    for name, (data, _) in CONTENT_CASES.items():
        (root / name).write_bytes(data)
    (root / "deep_parens.py").write_text("import tensorflow as tf\nx = " + "(" * 1000 + "1" + ")" * 1000 + "\n")
    os.mkfifo(root / "fifo.py")
    os.symlink("/dev/zero", root / "zero.py")
    os.symlink(root / "gone.py", root / "broken.py")
    os.symlink("loop.py", root / "loop.py")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(root / "sock.py"))
    listener.close()
    return root


SPECIAL = {
    "fifo.py": "not a regular file (a FIFO)",
    "zero.py": "not a regular file (a character device)",
    "sock.py": "not a regular file (a socket)",
    "broken.py": "broken symlink (points to",
    "loop.py": "symlink loop",
}


def test_every_bad_input_is_one_clear_line_and_the_good_file_still_reports(bad_tree: Path) -> None:
    start = time.monotonic()
    done = run("--format", "json", str(bad_tree), timeout=300)
    assert time.monotonic() - start < 120  # nothing blocked on the FIFO or read /dev/zero forever
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    found = by_file(json.loads(done.stdout))
    assert [f[:3] for f in found.pop("good.py")] == [SL101]
    for name, (_, fragment) in CONTENT_CASES.items():
        if fragment is None:
            line = 5 if name == "latin1_cookie.py" else 4  # the cookie is line 1
            assert [f[:3] for f in found.pop(name)] == [("SL101", line, 9)], name  # decoded right, positions right
        elif fragment == "":
            assert name not in found
        else:
            (only,) = found.pop(name)
            assert only[0] == "SL900" and fragment in str(only[3]), (name, only)
    for name, fragment in SPECIAL.items():
        (only,) = found.pop(name)
        assert only[:3] == ("SL900", 1, 1) and fragment in str(only[3]), (name, only)
    (only,) = found.pop("deep_parens.py")  # libcst reads it, CPython refuses
    assert only[0] == "SL900" and "too many nested parentheses" in str(only[3])
    assert found == {}


def test_text_report_has_one_line_per_bad_file(bad_tree: Path) -> None:
    done = run(str(bad_tree), timeout=300)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for name in [*SPECIAL, "py2.py", "huge.py", "binary.py"]:
        assert len([line for line in lines if f"/{name}:" in line]) == 1, name


def test_a_bad_file_alone_exits_1_and_a_fifo_named_explicitly_does_not_hang(bad_tree: Path) -> None:
    done = run(str(bad_tree / "fifo.py"), str(bad_tree / "zero.py"), timeout=60)
    assert done.returncode == 1
    assert done.stdout.count("SL900") == 2


def test_unreadable_file_via_a_failing_open(bad_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, chmod 000 does not stop a read, so the failing open() is injected."""
    target = str(bad_tree / "secret.py")
    Path(target).write_text(BUGGY)
    real_open = os.open

    def open_(path: str, flags: int, *args: int) -> int:
        if str(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)
    found = lint_paths([target, str(bad_tree / "good.py")], Config(root=str(bad_tree)), EngineOptions(use_cache=False, jobs=1))
    assert [(Path(d.path).name, d.code, d.message) for d in found] == [
        ("good.py", "SL101", found[0].message),
        ("secret.py", "SL900", "file not analysed: cannot read: Permission denied"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_unreadable_file_via_chmod(bad_tree: Path) -> None:
    target = bad_tree / "secret.py"
    target.write_text(BUGGY)
    target.chmod(0)
    done = run(str(target), str(bad_tree / "good.py"))
    assert done.returncode == 1
    assert "secret.py:1:1: SL900 file not analysed: cannot read: Permission denied" in done.stdout


def test_odd_names_spaces_unicode_and_a_leading_dash(tmp_path: Path) -> None:
    for name in ["my model.py", "modèle_ü.py", "-dash.py"]:
        (tmp_path / name).write_text(BUGGY)
    walked = run("--format", "json", str(tmp_path))
    assert walked.returncode == 1
    assert sorted(by_file(json.loads(walked.stdout))) == ["-dash.py", "modèle_ü.py", "my model.py"]
    named = run("--", "-dash.py", "my model.py", cwd=tmp_path)
    assert named.returncode == 1
    assert "-dash.py:4:9: SL101" in named.stdout and "my model.py:4:9: SL101" in named.stdout


def test_twenty_thousand_tiny_files(tmp_path: Path) -> None:
    for n in range(20000):
        (tmp_path / f"m{n:05d}.py").write_text(f"x{n} = {n}\n")
    (tmp_path / "m_buggy.py").write_text(BUGGY)
    done = run("--format", "json", str(tmp_path), timeout=300)
    assert done.returncode == 1, done.stderr
    assert [(Path(str(d["path"])).name, d["code"]) for d in json.loads(done.stdout)] == [("m_buggy.py", "SL101")]


GOOD_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5, "metadata": {},
    "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": BUGGY.splitlines(keepends=True)}],
}  # fmt: skip
# name -> (bytes, the SL900 message)
NOTEBOOK_CASES: dict[str, tuple[bytes, str]] = {
    "truncated.ipynb": (json.dumps(GOOD_NOTEBOOK).encode()[:60], "not a notebook: invalid JSON at line 1 column "),
    "empty.ipynb": (b"", "not a notebook: invalid JSON at line 1 column 1: Expecting value"),
    "latin1.ipynb": (json.dumps(GOOD_NOTEBOOK).replace("enc", "\xe9nc").encode("latin-1").replace(b"\\u00e9", b"\xe9"), "not a notebook: not UTF-8 JSON"),
    "a_list.ipynb": (b"[1, 2]", "not a notebook: no 'cells' list"),
    "nbformat3.ipynb": (json.dumps({**GOOD_NOTEBOOK, "nbformat": 3}).encode(), "nbformat 3 is not supported (nbformat 4 only)"),
    "cell_not_object.ipynb": (json.dumps({**GOOD_NOTEBOOK, "cells": [7]}).encode(), "cell 1 is not an object"),
    "source_number.ipynb": (json.dumps({**GOOD_NOTEBOOK, "cells": [{"cell_type": "code", "source": 7}]}).encode(), "a cell's source is not text"),
    "deep.ipynb": (b"[" * 100000 + b"]" * 100000, "not a notebook: JSON nested too deeply"),
}


def test_broken_notebooks_are_one_line_each_and_good_files_still_report(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(BUGGY)
    (tmp_path / "good.ipynb").write_text(json.dumps(GOOD_NOTEBOOK))
    for name, (data, _) in NOTEBOOK_CASES.items():
        (tmp_path / name).write_bytes(data)
    done = run("--format", "json", str(tmp_path))
    assert done.returncode == 1 and done.stderr == "", done.stderr
    found = by_file(json.loads(done.stdout))
    assert [f[:3] for f in found.pop("good.py")] == [SL101]
    assert ("SL101", 4, 9) in [f[:3] for f in found.pop("good.ipynb")]  # cell 1, line 4
    for name, (_, fragment) in NOTEBOOK_CASES.items():
        (only,) = found.pop(name)
        assert only[:3] == ("SL900", 1, 1) and fragment in str(only[3]), (name, only)
    assert found == {}
    text = run(str(tmp_path)).stdout.splitlines()
    for name in NOTEBOOK_CASES:
        assert len([line for line in text if f"/{name}:" in line]) == 1, name
    alone = run(str(tmp_path / "truncated.ipynb"))
    assert alone.returncode == 1 and alone.stdout.count("SL900") == 1


def test_ten_megabytes_on_stdin_are_one_line_like_a_file() -> None:
    """In-memory documents (stdin, the API, the LSP's buffers) have the same size cap as files."""
    huge = BUGGY + "x = 1\n" * (10 * 1024 * 1024 // 6)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "scopelint", "--no-cache", "--isolated", "-"], input=huge,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert time.monotonic() - start < 60
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "<stdin>:1:1: SL900 file not analysed: too large to analyse (over 8 MiB); generated code? exclude it"
