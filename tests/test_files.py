"""Discovery and decoding: every odd file is one clear problem, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scopelint.config import Config
from scopelint.files import FileProblem, decode, discover, module_name_for, read_bytes


def test_discover_skips_vcs_venvs_caches_and_excludes(tmp_path: Path) -> None:
    for rel in ["a.py", "pkg/b.py", ".git/c.py", "__pycache__/d.py", "venv/e.py", "gen/f.py", "notes.txt", "stubs/g.pyi"]:
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")
    other_env = tmp_path / "myenv"
    other_env.mkdir()
    (other_env / "pyvenv.cfg").write_text("home = /usr\n")
    (other_env / "h.py").write_text("x = 1\n")
    config = Config(root=str(tmp_path), extend_exclude=("gen",))
    found = [Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)], config)]
    assert found == ["a.py", "pkg/b.py", "stubs/g.pyi"]


def test_explicit_files_are_linted_even_when_excluded(tmp_path: Path) -> None:
    target = tmp_path / "build" / "x.py"
    target.parent.mkdir()
    target.write_text("x = 1\n")
    config = Config(root=str(tmp_path))
    assert list(discover([str(tmp_path)], config)) == []
    assert list(discover([str(target)], config)) == [str(target)]


def test_decode_honours_bom_and_coding_cookie() -> None:
    assert decode("a.py", "\ufeffx = 'é'\n".encode("utf-8")) == "x = 'é'\n"
    latin = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
    assert decode("b.py", latin).endswith("name = 'café'\n")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
        (b"name = 'caf\xe9'\n", "not valid UTF-8 (byte 0xe9 at offset 11)"),
        (b"# coding: klingon\nx = 1\n", "unknown source encoding"),
    ],
)
def test_decode_problems_are_clear(data: bytes, fragment: str) -> None:
    with pytest.raises(FileProblem) as excinfo:
        decode("f.py", data)
    assert fragment in excinfo.value.message


def test_read_problems_are_clear(tmp_path: Path) -> None:
    link = tmp_path / "dangling.py"
    os.symlink(tmp_path / "gone.py", link)
    with pytest.raises(FileProblem, match="broken symlink"):
        read_bytes(str(link))
    with pytest.raises(FileProblem, match="no such file"):
        read_bytes(str(tmp_path / "missing.py"))


def test_module_names_follow_packages(tmp_path: Path) -> None:
    pkg = tmp_path / "proj" / "models"
    pkg.mkdir(parents=True)
    (tmp_path / "proj" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "gan.py").write_text("")
    (tmp_path / "script.py").write_text("")
    assert module_name_for(str(pkg / "gan.py")) == "proj.models.gan"
    assert module_name_for(str(pkg / "__init__.py")) == "proj.models"
    assert module_name_for(str(tmp_path / "script.py")) == "script"


def test_imported_siblings_follow_imports_and_skip_folders_named_whole(tmp_path: Path) -> None:
    from scopelint.files import FileReads, imported_siblings

    (tmp_path / "main.py").write_text("import model, other\n")
    (tmp_path / "model.py").write_text("from ops import *\n")
    (tmp_path / "ops.py").write_text("import tensorflow as tf\n")
    (tmp_path / "other.py").write_text("x = 1\n")
    named = [str(tmp_path / "main.py")]
    assert imported_siblings(named) == [str(tmp_path / n) for n in ("model.py", "other.py", "ops.py")]
    # Every module of the folder named: nothing to find, and no file is read for it.
    everything = sorted(str(p) for p in tmp_path.glob("*.py"))
    reads = FileReads()
    assert imported_siblings(everything, reads) == []
    assert reads._found == {}
