"""Finding the files to lint and turning their bytes into text.

Everything that can go wrong with a file (unreadable, binary, undecodable,
broken symlink) becomes a :class:`FileProblem`; the engine reports it as one
diagnostic and the run goes on.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterable, Iterator

from scopelint.config import Config

PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIXES = (".ipynb",)  # read as notebooks (scopelint.notebook), never as Python text
# PEP 263, as tokenize matches it.
_CODING_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.M)


@dataclass(frozen=True)
class FileProblem(Exception):
    """A file that could not be turned into text; reported as SL900 (file not analysed)."""

    path: str
    message: str


def _excluded(path: Path, patterns: tuple[str, ...], root: Path) -> bool:
    name = path.name
    try:
        rel = Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except (ValueError, OSError):
        rel = path.as_posix()
    for pattern in patterns:
        if fnmatch(name, pattern) or fnmatch(rel, pattern) or fnmatch(rel, pattern.rstrip("/") + "/*"):
            return True
    return False


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(paths: Iterable[str], config: Config) -> Iterator[str]:
    """Yield every file to lint, in a stable order.

    Explicit file arguments are always linted, even when an exclude pattern
    matches (pre-commit passes files one by one and expects them checked).
    Directories are walked, skipping excluded names and virtualenvs.
    A path that does not exist is yielded anyway: reading it produces the
    error diagnostic.
    """
    root = Path(config.root)
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path, config.all_excludes, root):
                if found not in seen:
                    seen.add(found)
                    yield found
        elif raw not in seen:
            seen.add(raw)
            yield raw


def _walk(directory: Path, excludes: tuple[str, ...], root: Path) -> Iterator[str]:
    entries: list[os.DirEntry[str]]
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if _excluded(path, excludes, root):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if not _is_virtualenv(path):
                yield from _walk(path, excludes, root)
        elif entry.name.endswith(PYTHON_SUFFIXES + NOTEBOOK_SUFFIXES):
            yield str(path)  # one form: `pkg/m.py` and `m.py` under `.`, never `./m.py` beside them


# A Python source over this size is generated data, not code anyone scopes by hand;
# reading it whole would also let a huge file (or a device) take the memory.
MAX_FILE_BYTES = 8 * 1024 * 1024


def read_bytes(path: str) -> bytes:
    """The file's bytes, or a FileProblem. Never blocks: a FIFO, socket or device
    named ``x.py`` is refused before it is read (O_NONBLOCK keeps the open of a
    FIFO without a writer from waiting), and reading stops past MAX_FILE_BYTES."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileProblem(path, f"broken symlink (points to {os.readlink(path)!r})") from None
        raise FileProblem(path, "no such file") from None
    except IsADirectoryError:
        raise FileProblem(path, "is a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileProblem(path, "symlink loop (too many levels of symbolic links)") from None
        if exc.errno == errno.ENXIO:
            raise FileProblem(path, "not a regular file (a socket), not Python source") from None
        raise FileProblem(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FileProblem(path, "is a directory")
        if not stat.S_ISREG(mode):
            raise FileProblem(path, f"not a regular file ({_kind(mode)}), not Python source")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileProblem(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(path, f"too large to analyse (over {MAX_FILE_BYTES // (1024 * 1024)} MiB); generated code? exclude it")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a file"


def decode(path: str, data: bytes) -> str:
    """Bytes to text the way Python itself does: BOM, then a PEP 263 cookie, else UTF-8."""
    if b"\0" in data[:8192]:
        raise FileProblem(path, "binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if _CODING_COOKIE.search(b"\n".join(data.splitlines()[:2])):
            raise FileProblem(path, f"unknown source encoding: {exc}") from None
        encoding = "utf-8"  # no cookie: the first lines are simply not UTF-8; say so below
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding in ("utf-8", "utf-8-sig"):
            raise FileProblem(
                path,
                f"not valid UTF-8 (byte {exc.object[exc.start]:#04x} at offset {exc.start}) and no "
                "'# -*- coding: ... -*-' line says otherwise",
            ) from None
        raise FileProblem(path, f"cannot decode as {encoding} (from its coding line): {exc.reason}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def module_name_for(path: str) -> str | None:
    """Dotted module name of a file inside packages (dirs with __init__.py), for
    resolving ``from pkg.models import build`` across the linted tree."""
    file = Path(os.path.realpath(path))  # realpath: a symlink loop is not an error here
    if file.suffix not in PYTHON_SUFFIXES:
        return None
    parts = [] if file.stem == "__init__" else [file.stem]
    directory = file.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts) or None


_IMPORTS = re.compile(rb"^[ \t]*(?:from[ \t]+(\w+)[ \t]+import\b|import[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*))", re.M)
MAX_SIBLINGS = 64


def imported_siblings(files: Iterable[str]) -> list[str]:
    """Modules of the named files' own folders that they import, directly or through each
    other: the flat layout (``main.py`` -> ``model.py`` -> ``ops.py`` side by side, no
    ``__init__.py``, ``from ops import *`` / ``import ops``) is one program, so linting
    ``model.py`` alone follows ``ops.py``. Never the named files themselves."""
    named = {os.path.realpath(f) for f in files}
    pending, seen = list(files), set(named)
    found: list[str] = []
    while pending and len(found) < MAX_SIBLINGS:
        path = pending.pop(0)
        try:
            data = read_bytes(path)
        except FileProblem:
            continue
        folder = os.path.dirname(path)
        for match in _IMPORTS.finditer(data):
            names = match.group(1) or match.group(2)
            for name in re.split(rb"[ \t]*,[ \t]*", names):
                sibling = os.path.join(folder, name.decode("ascii", "replace") + ".py")
                real = os.path.realpath(sibling)
                if real not in seen and os.path.isfile(sibling):
                    seen.add(real)
                    found.append(sibling)
                    pending.append(sibling)
    return found[:MAX_SIBLINGS]
