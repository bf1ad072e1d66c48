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
from collections import deque
from dataclasses import dataclass
from fnmatch import translate as fnmatch_translate
from pathlib import Path
from typing import Callable, Iterable, Iterator

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


class RealPaths:
    """``os.path.realpath`` for many files of few directories: each directory is
    resolved once and a file then costs one ``lstat`` (a symlinked file is
    resolved in full). Same answers as ``os.path.realpath``; hold one per run,
    since a directory may become a symlink between runs."""

    def __init__(self) -> None:
        self._directories: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        directory, name = os.path.split(path)
        if name in ("", ".", "..") or os.path.islink(path):
            return os.path.realpath(path)
        real = self._directories.get(directory)
        if real is None:
            real = self._directories[directory] = os.path.realpath(directory or os.curdir)
        return os.path.join(real, name)


class _Excludes:
    """The exclude patterns compiled once: a name or a root-relative path matches
    as ``fnmatch`` would match it against any of them (or ``pattern/*``)."""

    def __init__(self, patterns: tuple[str, ...], root: Path, real: RealPaths) -> None:
        self._real = real
        self._root = os.path.realpath(root)
        self._prefix = self._root if self._root.endswith(os.sep) else self._root + os.sep
        names = [fnmatch_translate(p) for p in patterns]
        paths = names + [fnmatch_translate(p.rstrip("/") + "/*") for p in patterns]
        self._name = re.compile("|".join(names)).match if patterns else None
        self._path = re.compile("|".join(paths)).match if patterns else None

    def __call__(self, path: str, name: str) -> bool:
        """``path``: normalised (as ``str(Path(...))`` spells it); ``name``: its last part."""
        if self._name is None or self._path is None:
            return False
        if self._name(name):
            return True
        try:
            real = self._real(path)
        except OSError:
            real = ""
        if real == self._root:
            rel = "."
        elif real.startswith(self._prefix):
            rel = real[len(self._prefix):]
        else:
            rel = path
        return self._path(rel.replace(os.sep, "/")) is not None


def _is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(paths: Iterable[str], config: Config, listed: list[str] | None = None) -> Iterator[str]:
    """Yield every file to lint, in a stable order.

    Explicit file arguments are always linted, even when an exclude pattern
    matches (pre-commit passes files one by one and expects them checked).
    Directories are walked, skipping excluded names and virtualenvs.
    A path that does not exist is yielded anyway: reading it produces the
    error diagnostic. ``listed`` receives each directory whose entries decided what was
    yielded: those walked, and the virtualenvs skipped (for :mod:`scopelint.warm`).
    """
    excluded = _Excludes(config.all_excludes, Path(config.root), RealPaths())
    seen: set[str] = set()
    for raw in paths:
        if os.path.isdir(raw):
            for found in _walk(str(Path(raw)), excluded, listed):
                if found not in seen:
                    seen.add(found)
                    yield found
        elif raw not in seen:
            seen.add(raw)
            yield raw


def _walk(directory: str, excluded: Callable[[str, str], bool], listed: list[str] | None = None) -> Iterator[str]:
    """``directory`` normalised; yields paths in one form: `pkg/m.py` and `m.py`
    under `.`, never `./m.py` beside them."""
    entries: list[os.DirEntry[str]]
    if listed is not None:
        listed.append(directory)
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = entry.name if directory == os.curdir else os.path.join(directory, entry.name)
        if excluded(path, entry.name):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if not _is_virtualenv(path):
                yield from _walk(path, excluded, listed)
            elif listed is not None:
                listed.append(path)  # its pyvenv.cfg removed: walked next time
        elif entry.name.endswith(PYTHON_SUFFIXES + NOTEBOOK_SUFFIXES):
            yield path


# A Python source over this size is generated data, not code anyone scopes by hand;
# reading it whole would also let a huge file (or a device) take the memory.
MAX_FILE_BYTES = 8 * 1024 * 1024
TOO_LARGE = f"too large to analyse (over {MAX_FILE_BYTES // (1024 * 1024)} MiB); generated code? exclude it"


def read_bytes(path: str) -> bytes:
    """The file's bytes, or a FileProblem. Never blocks: a FIFO, socket or device
    named ``x.py`` is refused before it is read (O_NONBLOCK keeps the open of a
    FIFO without a writer from waiting), and reading stops past MAX_FILE_BYTES."""
    return read_with_stat(path)[0]


def read_with_stat(path: str) -> tuple[bytes, os.stat_result]:
    """:func:`read_bytes`, and the ``fstat`` of what was read (size, mtime)."""
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
        info = os.fstat(fd)
        mode = info.st_mode
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
        raise FileProblem(path, TOO_LARGE)
    return data, info


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


# An import statement at the start of a line; in a notebook's JSON, of a source string ("from ...).
_IMPORTS = re.compile(rb'^[ \t]*"?(?:from[ \t]+(\w+)[ \t]+import\b|import[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*))', re.M)
MAX_SIBLINGS = 64


def _import_statements(data: bytes) -> Iterator[re.Match[bytes]]:
    """``_IMPORTS.finditer(data)``, at a fraction of its cost: a match starts a line and
    holds ``import``, so only the lines where a plain search finds that word are tried
    (the ``^`` of a multi-line pattern is tried at every byte otherwise)."""
    last = -1
    position = data.find(b"import")
    while position >= 0:
        start = data.rfind(b"\n", 0, position) + 1
        if start != last:
            last = start
            match = _IMPORTS.match(data, start)
            if match is not None:
                yield match
        position = data.find(b"import", position + 6)


class FileReads:
    """Each file read once per run (:func:`read_with_stat`), however many steps look at it."""

    def __init__(self) -> None:
        self._found: dict[str, tuple[bytes, os.stat_result] | FileProblem] = {}

    def with_stat(self, path: str) -> tuple[bytes, os.stat_result]:
        found = self._found.get(path)
        if found is None:
            try:
                found = read_with_stat(path)
            except FileProblem as problem:
                found = problem
            self._found[path] = found
        if isinstance(found, FileProblem):
            raise found
        return found

    def __call__(self, path: str) -> bytes:
        return self.with_stat(path)[0]

    def stats(self) -> Iterator[tuple[str, os.stat_result | None]]:
        """Each path read, with the ``fstat`` of what was read (None: it could not be)."""
        for path, found in self._found.items():
            yield path, None if isinstance(found, FileProblem) else found[1]


_COMMAS = re.compile(rb"[ \t]*,[ \t]*")


def _all_named(folder: str, looked: set[str], complete: dict[str, bool]) -> bool:
    """Whether every ``*.py`` in ``folder`` is, as spelled there, among ``looked``: then no
    import of a file of that folder finds a sibling, so none of them is read or scanned
    (a run over a whole tree scanned every file's imports for nothing: ~40 % of a warm
    run's CPU). Cached per folder: ``looked`` only grows, so a yes stays true."""
    answer = complete.get(folder)
    if answer is None:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            entries = None
        prefix = os.path.join(folder, "")
        answer = entries is not None and all(prefix + e in looked for e in entries if e.endswith(".py"))
        complete[folder] = answer
    return answer


def imported_siblings(
    files: Iterable[str], read: Callable[[str], bytes] = read_bytes, real: RealPaths | None = None
) -> list[str]:
    """Modules of the named files' own folders that they import, directly or through each
    other: the flat layout (``main.py`` -> ``model.py`` -> ``ops.py`` side by side, no
    ``__init__.py``, ``from ops import *`` / ``import ops``) is one program, so linting
    ``model.py`` alone follows ``ops.py``. Never the named files themselves.

    ``real``: the run's :class:`RealPaths`. A warm run over a whole tree calls this with
    every file, so each candidate spelling is looked at once (one stat at most) and the
    named files' own spellings need none."""
    resolve = real or RealPaths()
    pending = deque(files)
    seen = {resolve(f) for f in pending}
    looked: set[str] = set(pending)  # spellings already decided (named, not a file, or found)
    found: list[str] = []
    complete: dict[str, bool] = {}
    while pending and len(found) < MAX_SIBLINGS:
        path = pending.popleft()
        folder = os.path.dirname(path)
        if _all_named(folder, looked, complete):
            continue  # every sibling it could import is named already: nothing to read
        try:
            data = read(path)
        except FileProblem:
            continue
        prefix = os.path.join(folder, "")
        for match in _import_statements(data):
            names = match.group(1) or match.group(2)
            for name in _COMMAS.split(names) if b"," in names else (names,):
                sibling = prefix + name.decode("ascii", "replace") + ".py"
                if sibling in looked:
                    continue
                looked.add(sibling)
                if not os.path.isfile(sibling):  # most imports are not of a sibling: one stat
                    continue
                resolved = resolve(sibling)
                if resolved not in seen:
                    seen.add(resolved)
                    found.append(sibling)
                    pending.append(sibling)
    return found[:MAX_SIBLINGS]
