"""``scopelint --fix --unsafe-fixes`` on files as they are on disk: encodings, line
endings and mode bits survive, a second run changes nothing, and a read-only file or
directory is left untouched with one error line and exit 2 (root included: the mode
bits decide, not whether the kernel would let root write). The same properties over
the six real trees of /tmp/prec are measured by tests/fix_tree.py."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scopelint.cli import main

# SL101 with an unsafe fix: name_scope -> variable_scope on line 3.
BUGGY = 'import tensorflow as tf\n\nwith tf.name_scope("enc"):\n    w = tf.get_variable("w", [3])  # caf\xe9\n'


def _fixed(text: str) -> str:
    return text.replace("tf.name_scope", "tf.variable_scope")


# name -> (bytes on disk, mode bits)
FILES = {
    "plain.py": (BUGGY.encode(), 0o644),
    "crlf.py": (BUGGY.replace("\n", "\r\n").encode(), 0o600),
    "bom_crlf.py": (b"\xef\xbb\xbf" + BUGGY.replace("\n", "\r\n").encode(), 0o640),
    "latin1.py": (("# -*- coding: latin-1 -*-\n" + BUGGY).encode("latin-1"), 0o755),
    "cr_only.py": (BUGGY.replace("\n", "\r").encode(), 0o444 | 0o200),
    "no_final_newline.py": (BUGGY.rstrip("\n").encode(), 0o751),
}


def _snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*.py"))
    }


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name, (data, mode) in FILES.items():
        (tmp_path / name).write_bytes(data)
        (tmp_path / name).chmod(mode)
    return tmp_path


def _fix(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--no-cache", "--isolated", "--fix", "--unsafe-fixes", "."])
    out, err = capsys.readouterr()
    return code, out, err


def test_encodings_line_endings_and_modes_are_kept(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _fix(capsys)
    assert (code, out, err) == (0, f"All clear: {len(FILES)} files checked.\nFixed {len(FILES)} problems in {len(FILES)} files.\n", "")
    for name, (data, mode) in FILES.items():
        encoding = "latin-1" if name == "latin1.py" else "utf-8"
        assert (tree / name).read_bytes() == _fixed(data.decode(encoding)).encode(encoding), name
        assert stat.S_IMODE((tree / name).stat().st_mode) == mode, name
    assert sorted(p.name for p in tree.iterdir()) == sorted(FILES)  # no temporary file left


def test_a_second_run_changes_nothing(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fix(capsys)
    before = _snapshot(tree)
    code, out, err = _fix(capsys)
    assert (code, out.splitlines()[-1], err) == (0, "Fixed 0 problems in 0 files.", "")
    assert _snapshot(tree) == before  # same bytes, same modes, not even rewritten (same mtimes)


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_is_left_untouched(tree: Path, capsys: pytest.CaptureFixture[str], mode: int) -> None:
    locked = tree / "locked.py"
    locked.write_text(BUGGY)
    locked.chmod(mode)
    before = _snapshot(tree)["locked.py"]
    code, out, err = _fix(capsys)
    assert code == 2
    assert f"locked.py: not written: the file is read-only (mode {mode:04o})\n" in err
    assert "locked.py:4:9: SL101" in out  # still reported: it was not fixed
    assert _snapshot(tree)["locked.py"] == before
    assert (tree / "plain.py").read_text() == _fixed(BUGGY)  # the others are fixed all the same


def test_a_read_only_directory_is_left_untouched(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tree / "sealed"
    folder.mkdir()
    (folder / "m.py").write_text(BUGGY)
    folder.chmod(0o555)
    try:
        before = _snapshot(folder)
        code, out, err = _fix(capsys)
        assert code == 2
        line = os.path.join("sealed", "m.py") + ": not written: its directory is read-only (mode 0555), no temporary file can go next to it\n"
        assert line in err
        assert [name for name in os.listdir(folder)] == ["m.py"]  # no temporary file either
        assert _snapshot(folder) == before
        assert (tree / "plain.py").read_text() == _fixed(BUGGY)
    finally:
        folder.chmod(0o755)
