"""The warm path: a run repeated with nothing changed prints what the last one printed.

A lint run over files whose size, mtime, ctime and inode are as they were, with the same
arguments, working directory, environment and scopelint, prints what that run printed.
:func:`serve` answers it before anything else of scopelint loads: it reads one entry
(the run's *manifest*), stats every path the run's output depended on, and writes the
stored report. Nothing is parsed, hashed or imported beyond the standard library, so a
warm run costs little more than starting Python.

What a manifest lists (:class:`Inputs`, filled in by the CLI as the run goes):

* every file the run read, with the ``fstat`` of what it read;
* every directory it listed (a file added, removed or renamed there changes its mtime),
  the folders of the files it was given (their sibling imports) and the package folders
  above each file (an ``__init__.py`` appearing changes module names);
* every config file it looked for, found or not, and the baseline it filtered with;
* scopelint's own sources (an upgrade or an edit invalidates everything).

A stat that differs is not a verdict that the file changed, only that the fast path
cannot say: the run then goes the usual way, where the content hash decides (a file
touched but unchanged still gets its findings from the cache). A manifest is not written
when anything it lists changed within :data:`RACY_NS` of the run's start -- a file
rewritten within one timestamp tick of being read would otherwise keep its old stat
(git's "racily clean" entries) -- so the run after such an edit stores it instead.

Trust: a manifest is sealed like every cache entry (:mod:`scopelint.cachefiles`): one
this user's scopelint did not write is a miss. Nothing it names is read or run, only
stat'ed; what it prints is what this user's scopelint printed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time

MYPY = False
if MYPY:  # what type checkers see; no typing import when serving
    from typing import Iterable, Sequence

from scopelint import __version__
from scopelint.cachefiles import read_entry, seal, unseal, user_cache_root, user_secret, write_entry

_KIND = "warm"
# Changed by every command a shell runs; never read by scopelint.
_VOLATILE_ENV = frozenset({"_", "OLDPWD", "PWD", "SHLVL"})
# Twice the coarsest timestamp granularity of a common filesystem (FAT's 2 s mtime).
RACY_NS = 2_000_000_000

Signature = tuple[int, int, int, int, int]  # mode, inode, size, mtime_ns, ctime_ns


def signature(path: str) -> Signature | None:
    """What a path's stat says about it (following symlinks, as reading it does); None: absent."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return of_stat(info)


def of_stat(info: os.stat_result) -> Signature:
    return (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _location(argv: Sequence[str]) -> str | None:
    """Where this command line's manifest lives: the run's ``--cache-dir``, else
    ``$SCOPELINT_CACHE_DIR``, else the user's cache. None: the run keeps no cache."""
    directory = None
    for position, arg in enumerate(argv):
        if arg == "--no-cache":
            return None
        if arg == "--cache-dir" and position + 1 < len(argv):
            directory = argv[position + 1]
        elif arg.startswith("--cache-dir="):
            directory = arg.split("=", 1)[1]
    return directory or os.environ.get("SCOPELINT_CACHE_DIR") or os.path.join(user_cache_root(), "runs")


def _key(argv: Sequence[str]) -> str:
    """The command as it will run: its arguments, where, with what, in what environment."""
    digest = hashlib.sha256(b"scopelint-warm-1\0")
    streams = (sys.stdin, sys.stdout, sys.stderr)
    parts = [__version__, sys.version, sys.executable, os.getcwd(), repr(list(argv)),
             repr([bool(s is not None and s.isatty()) for s in streams]),
             repr(sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE_ENV))]
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def serve(argv: Sequence[str]) -> int | None:
    """Print what the last run of this command printed and return its exit code, when
    nothing that run's output depended on has changed; else None (run it)."""
    try:
        found = _manifest(argv)
    except (OSError, ValueError, TypeError, KeyError):
        found = None  # anything odd about the manifest: run the command
    if found is None:
        return None
    out, err, code = found
    try:  # from here on the run is answered: a failed write is the run's, as in the CLI
        if out:
            sys.stdout.write(out)
            sys.stdout.flush()
        if err:
            sys.stderr.write(err)
    except BrokenPipeError:
        return 0
    return code


def _manifest(argv: Sequence[str]) -> tuple[str, str, int] | None:
    directory = _location(argv)
    secret = user_secret() if directory is not None else None
    if directory is None or secret is None:
        return None
    key = _key(argv)
    payload = unseal(secret, _KIND, key, read_entry(os.path.join(directory, key[:2], key)))
    if payload is None:
        return None
    lines, out, err, code = _unpack(payload)
    for line in lines:
        fields, path = line.split(b"\t", 1)
        if _fields(signature(path.decode("utf-8", "surrogateescape"))) != fields:
            return None
    return out, err, code


# A manifest's payload: lines, not JSON, since json (with re) would double the cost of
# importing what serving needs; a signature is compared as the text it was stored as.
# Paths are the last field of a line; one holding a newline is never stored.
def _fields(sig: Signature | None) -> bytes:
    return b"-" if sig is None else b"%d %d %d %d %d" % sig


def _pack(inputs: list[tuple[str, Signature | None]], out: str, err: str, code: int) -> bytes:
    lines = [b"%d" % code, b"%d" % len(inputs)]
    lines += [_fields(sig) + b"\t" + path.encode("utf-8", "surrogateescape") for path, sig in inputs]
    streams = [text.encode("utf-8", "surrogateescape") for text in (out, err)]
    return b"\n".join(lines) + b"\n" + b"".join(b"%d\n%s" % (len(data), data) for data in streams)


def _unpack(payload: bytes) -> tuple[list[bytes], str, str, int]:
    """:func:`_pack`'s payload back, its inputs as their lines (ValueError when it is not one)."""
    head, count, rest = payload.split(b"\n", 2)
    code, lines = int(head), rest.split(b"\n", int(count))
    tail, streams = lines.pop(), []
    for _ in range(2):
        size, tail = tail.split(b"\n", 1)
        streams.append(tail[: int(size)].decode("utf-8", "surrogateescape"))
        tail = tail[int(size):]
    return lines, streams[0], streams[1], code


class Inputs:
    """What a run's output depends on, gathered as it runs (see the module docstring)."""

    def __init__(self) -> None:
        self.started_ns = time.time_ns()
        self._known: dict[str, Signature | None] = {}
        self.complete = True  # False: the run depended on something this cannot list

    def read(self, path: str, info: os.stat_result | None) -> None:
        """A file read (``info``: the ``fstat`` of what was read; None: it could not be)."""
        self._known[os.path.abspath(path)] = of_stat(info) if info is not None else signature(path)

    def look(self, paths: Iterable[str]) -> None:
        """Paths whose presence, kind or listing the output depends on, as they are now."""
        for path in paths:
            absolute = os.path.abspath(path)
            if absolute not in self._known:
                self._known[absolute] = signature(absolute)

    def packages_above(self, files: Iterable[str]) -> None:
        """Each file's folder and the package folders above it, up to the first without an
        ``__init__.py`` (what its module name is made of)."""
        seen: set[str] = set()
        for file in files:
            folder = os.path.dirname(os.path.realpath(file))
            while folder not in seen:
                seen.add(folder)
                self.look([folder])
                if not os.path.isfile(os.path.join(folder, "__init__.py")):
                    break
                folder = os.path.dirname(folder)

    def scopelint_sources(self) -> None:
        package = os.path.dirname(os.path.abspath(__file__))
        for folder, _, names in os.walk(package):
            self.look(os.path.join(folder, n) for n in names if n.endswith(".py"))

    def listed(self) -> list[tuple[str, Signature | None]]:
        return sorted(self._known.items())


def _racy(listed: list[tuple[str, Signature | None]], started_ns: int) -> bool:
    """Whether anything listed changed too close to the run's start to trust its stat."""
    since = started_ns - RACY_NS
    return any(s is not None and (s[3] >= since or s[4] >= since) for _, s in listed)


def remember(argv: Sequence[str], inputs: Inputs, out: str, err: str, code: int, skip: Iterable[str] = ()) -> bool:
    """Store what this run printed for :func:`serve`; False when it must not be (the run
    depended on something unlisted, something changed during it, or no cache can be
    written). ``skip``: folders whose changes cannot matter (the cache's own)."""
    directory = _location(argv)
    secret = user_secret() if directory is not None else None
    if directory is None or secret is None or not inputs.complete:
        return False
    inputs.scopelint_sources()
    skipped = tuple(os.path.join(os.path.abspath(s), "") for s in skip)
    listed = [(p, s) for p, s in inputs.listed() if not os.path.join(p, "").startswith(skipped)]
    if _racy(listed, inputs.started_ns):
        return False
    if any("\n" in p for p, _ in listed):
        return False
    key = _key(argv)
    payload = _pack(listed, out, err, code)
    return write_entry(directory, key[:2], key, seal(secret, _KIND, key, payload))


def main(argv: Sequence[str] | None = None) -> int:
    """The ``scopelint`` command: served from the last identical run, else run."""
    args = list(sys.argv[1:] if argv is None else argv)
    served = serve(args)
    if served is not None:
        return served
    from scopelint.cli import main as run

    return run(args)


__all__ = ["Inputs", "RACY_NS", "main", "remember", "serve", "signature"]
