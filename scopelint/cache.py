"""The on-disk cache: phase-1 results per file and phase-2 findings per project.

Entries are named by a SHA-256 key that covers scopelint's own code, the
settings, the file's resolved path and its content, so a stale entry can never
be read: it is simply never looked up again. Writes are atomic (temp file +
rename); a read-only location still lints, it just is not cached.

What is read back is untrusted: a checkout can plant files under the keys
scopelint will look up (they are predictable), and ``--cache-dir`` may point
into a checkout. So:

* entries are plain JSON (:mod:`scopelint.datacodec`), rebuilt only into the
  model's own frozen dataclasses and validated against their declared types --
  never pickle or marshal;
* every entry carries an HMAC-SHA256 over its key and content, keyed by a
  per-user secret (``<user cache>/scopelint/secret``, mode 0600): an entry this
  user's own runs did not write is a miss, even with a valid shape;
* entries are opened without following symlinks, must be regular files under
  :data:`MAX_ENTRY_BYTES`, and are written through a directory handle that does
  not follow symlinks either;
* anything malformed, foreign or unreadable is a cache miss, never an error.

The default location is outside the project: ``$XDG_CACHE_HOME/scopelint/<hash
of the project root>`` (``~/.cache/...`` without it).

Paths: an entry stores no display path. A file's own path is filled in from the
current run when it is read, and paths of other files (related locations) are
stored as their identity -- the resolved path relative to the project root --
and rendered back as this run spells them, so ``cd proj && scopelint .`` then
``scopelint proj`` from the parent prints paths that are valid from the parent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from scopelint import __version__
from scopelint.config import Config
from scopelint.datacodec import Codec, CodecError
from scopelint.diagnostic import Diagnostic
from scopelint.files import RealPaths

if TYPE_CHECKING:
    from scopelint.engine import FileResult
    from scopelint.model import ModelSettings, ModuleFacts

# Larger entries are neither written nor read (a planted multi-gigabyte file
# must cost a stat, not a read). The facts of a 10 MB source stay below this.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_MAGIC = b"scopelint-cache-2\n"
_MAC_HEX = 64
_SECRET_BYTES = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


class PathNames:
    """This run's display paths <-> file identities (resolved, relative to the project root)."""

    def __init__(self, paths: Iterable[str], root: str, real: RealPaths | None = None) -> None:
        self._root = os.path.realpath(root)
        self._prefix = self._root if self._root.endswith(os.sep) else self._root + os.sep
        self._real = real or RealPaths()
        self._identity: dict[str, str] = {}
        self._display: dict[str, str] = {}
        for path in paths:
            self._display.setdefault(self.identity(path), path)

    def identity(self, path: str) -> str:
        found = self._identity.get(path)
        if found is None:
            resolved = self._real(path)
            if resolved.startswith(self._prefix):
                found = resolved[len(self._prefix):].replace(os.sep, "/")
            else:
                found = "." if resolved == self._root else resolved
            self._identity[path] = found
        return found

    def display(self, identity: str) -> str:
        found = self._display.get(identity)
        if found is not None:
            return found
        full = identity if os.path.isabs(identity) else os.path.join(self._root, identity)
        relative = os.path.relpath(full)
        return full if relative.startswith(os.pardir) else relative


class Cache:
    """Authenticated JSON entries by key; :meth:`key` covers scopelint's code, settings, file and content."""

    def __init__(self, directory: Path | None) -> None:
        self._secret = user_secret() if directory is not None else None
        # Without the per-user secret nothing can be authenticated: no cache at all.
        self.directory = directory if self._secret is not None else None
        self._salt = _code_fingerprint() if self.directory else b""
        self._real = RealPaths()

    def key(self, path: str, data: bytes, settings: "ModelSettings") -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(repr(settings).encode())
        # The file's identity, not its spelling: the same file linted from
        # another directory (or through a symlink) finds the same entry.
        digest.update(self._real(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    # ------------------------------------------------------------ phase 1

    def get(self, key: str, path: str) -> "FileResult | None":
        """A phase-1 result without its facts (``facts_deferred`` says they exist):
        a warm run whose findings are cached never pays for decoding the IR."""
        from scopelint.engine import FileResult

        result = self._load(key, "result", FileResult)
        if result is None:
            return None
        problems = tuple(replace(p, path=path) for p in result.problems)
        return replace(result, path=path, problems=problems)  # type: ignore[no-any-return]

    def get_facts(self, key: str, path: str) -> "ModuleFacts | None":
        from scopelint.model import ModuleFacts

        facts = self._load(key + "-facts", "facts", ModuleFacts)
        return replace(facts, path=path) if facts is not None else None

    def put_result(self, key: str, result: "FileResult") -> None:
        if self.directory is None:
            return
        from scopelint.engine import FileResult
        from scopelint.model import ModuleFacts

        # The facts first: a header never promises facts that are not there.
        if result.facts is not None and not self._store(key + "-facts", "facts", ModuleFacts, replace(result.facts, path="")):
            return
        header = replace(
            result, path="", key="", facts=None, facts_deferred=result.facts is not None,
            problems=tuple(replace(p, path="") for p in result.problems),
        )
        self._store(key, "result", FileResult, header)

    # ------------------------------------------------------------ phase 2

    def get_diagnostics(self, key: str, path: str, names: PathNames) -> list[Diagnostic] | None:
        found = self._load(key, "diagnostics", tuple[Diagnostic, ...])
        if found is None:
            return None
        return [
            replace(d, path=path, message=_thaw_paths(d.message, names.display), data=_map_related(d.data, names.display))
            for d in found
        ]

    def put_diagnostics(self, key: str, diagnostics: list[Diagnostic], names: PathNames) -> None:
        if self.directory is None:
            return
        stored = tuple(
            replace(d, path="", message=_freeze_paths(d.message, d.data, names.identity), data=_map_related(d.data, names.identity))
            for d in diagnostics
        )
        self._store(key, "diagnostics", tuple[Diagnostic, ...], stored)

    def get_reached(self, key: str, current: Mapping[str, str], path: str, names: PathNames) -> list[Diagnostic] | None:
        """A module's cached findings, if every module its analysis asked for is as it was:
        ``current`` maps each module name of the project to its phase-1 key."""
        reached = self._load(key + "-reached", "reached", tuple[tuple[str, str], ...])
        if reached is None or any(current.get(name, "") != was for name, was in reached):
            return None
        return self.get_diagnostics(_reached_key(key, reached), path, names)

    def put_reached(self, key: str, reached: tuple[tuple[str, str], ...], diagnostics: list[Diagnostic], names: PathNames) -> None:
        # The findings first, under a key naming what they were computed from: a list of
        # modules never points at findings computed from other ones.
        self.put_diagnostics(_reached_key(key, reached), diagnostics, names)
        self._store(key + "-reached", "reached", tuple[tuple[str, str], ...], reached)

    # ------------------------------------------------------------ a whole run

    def run_key(self, parts: Iterable[bytes]) -> str:
        """The key of a whole run's findings: scopelint's code and ``parts`` (the
        settings, then each file's identity, size, mtime and content hash)."""
        digest = hashlib.sha256(b"run\0" + self._salt)
        for part in parts:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def get_run(self, key: str, names: PathNames) -> list[Diagnostic] | None:
        """The findings a run over the same files printed, spelled as this run spells
        paths; decoding them needs neither libcst nor the model (see engine.lint_tree)."""
        found = self._load(key, "run", tuple[Diagnostic, ...], _diagnostic_codec())
        if found is None:
            return None
        thawed = [
            replace(d, path=names.display(d.path), message=_thaw_paths(d.message, names.display),
                    data=_map_related(d.data, names.display))
            for d in found
        ]
        thawed.sort(key=lambda d: d.sort_key)
        return thawed

    def put_run(self, key: str, diagnostics: Iterable[Diagnostic], names: PathNames) -> None:
        if self.directory is None:
            return
        stored = tuple(
            replace(d, path=names.identity(d.path), message=_freeze_paths(d.message, d.data, names.identity),
                    data=_map_related(d.data, names.identity))
            for d in diagnostics
        )
        self._store(key, "run", tuple[Diagnostic, ...], stored, _diagnostic_codec())

    # ------------------------------------------------------------ entries

    def _load(self, key: str, kind: str, hint: Any, codec: Codec | None = None) -> Any:
        if self.directory is None or self._secret is None:
            return None
        raw = _read_entry(self.directory / key[:2] / key)
        if raw is None or not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + _MAC_HEX + 1:
            return None
        mac = raw[len(_MAGIC) : len(_MAGIC) + _MAC_HEX]
        payload = raw[len(_MAGIC) + _MAC_HEX + 1 :]
        if not hmac.compare_digest(mac, _mac(self._secret, kind, key, payload).encode()):
            return None  # not written by this user's scopelint: ignore it
        try:
            return (codec or _codec()).decode(json.loads(payload), hint)
        except (CodecError, ValueError, TypeError, RecursionError, MemoryError):
            return None

    def _store(self, key: str, kind: str, hint: Any, value: Any, codec: Codec | None = None) -> bool:
        if self.directory is None or self._secret is None:
            return False
        try:
            payload = json.dumps((codec or _codec()).encode(value, hint), separators=(",", ":")).encode()
        except (CodecError, TypeError, ValueError, RecursionError):
            return False  # a value the codec cannot write is simply not cached
        entry = _MAGIC + _mac(self._secret, kind, key, payload).encode() + b"\n" + payload
        if len(entry) > MAX_ENTRY_BYTES:
            return False
        return _write_entry(self.directory, key[:2], key, entry)


def _reached_key(key: str, reached: tuple[tuple[str, str], ...]) -> str:
    return hashlib.sha256(f"{key}\0{reached!r}".encode()).hexdigest()


def _map_related(data: Mapping[str, Any], rename: Any) -> Mapping[str, Any]:
    related = data.get("related")
    if not isinstance(related, list):
        return data
    mapped = [
        {**item, "path": rename(item["path"])} if isinstance(item, dict) and isinstance(item.get("path"), str) else item
        for item in related
    ]
    return {**data, "related": mapped}


# A message names other files the way the run that computed it named them
# ("created at models/gan.py:6"); the cache stores the file's identity in their
# place and the reading run spells it its own way.
_PATH_TOKEN = re.compile("\x00path:([^\x00]*)\x00")


def _freeze_paths(message: str, data: Mapping[str, Any], identity: Any) -> str:
    related = data.get("related")
    if not isinstance(related, list):
        return message
    paths = {item["path"] for item in related if isinstance(item, dict) and isinstance(item.get("path"), str)}
    for path in sorted(paths, key=len, reverse=True):  # longest first: one path may end another
        message = message.replace(f"{path}:", f"\x00path:{identity(path)}\x00:")
    return message


def _thaw_paths(message: str, display: Any) -> str:
    return _PATH_TOKEN.sub(lambda match: display(match.group(1)), message)


def _mac(secret: bytes, kind: str, key: str, payload: bytes) -> str:
    return hmac.new(secret, f"{kind}\0{key}\0".encode() + payload, hashlib.sha256).hexdigest()


_CODEC: Codec | None = None
_DIAGNOSTIC_CODEC: Codec | None = None


def _diagnostic_codec() -> Codec:
    """Findings only: a warm run reads them without importing the model."""
    global _DIAGNOSTIC_CODEC
    if _DIAGNOSTIC_CODEC is None:
        _DIAGNOSTIC_CODEC = Codec([Diagnostic])
    return _DIAGNOSTIC_CODEC


def _codec() -> Codec:
    """The only classes an entry can be rebuilt into: the model's facts, findings, results."""
    global _CODEC
    if _CODEC is None:
        from scopelint.engine import FileResult
        from scopelint.model import fact_types

        _CODEC = Codec([*fact_types(), Diagnostic, FileResult])
    return _CODEC


# ---------------------------------------------------------------- files


def _read_entry(path: Path) -> bytes | None:
    """The bytes of a regular file of sane size; no symlink, FIFO or device is followed or read."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_entry(directory: Path, subdir: str, name: str, entry: bytes) -> bool:
    try:
        if not directory.is_dir():
            directory.mkdir(parents=True, mode=0o700)
            # A --cache-dir inside a repository: keep it out of `git status`.
            (directory / ".gitignore").write_text("# created by scopelint\n*\n")
        if not _DIR_FD:
            return _write_by_path(directory / subdir, name, entry)
        base = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
        try:
            try:
                os.mkdir(subdir, 0o700, dir_fd=base)
            except FileExistsError:
                pass
            return _write_in(base, subdir, name, entry)
        finally:
            os.close(base)
    except OSError:
        return False  # a read-only location still lints; it just is not cached


def _write_in(base: int, subdir: str, name: str, entry: bytes) -> bool:
    # The subdirectory is opened without following a symlink, and the file is
    # created (O_EXCL, no symlink) and renamed relative to it: a planted symlink
    # can never redirect a write outside the cache.
    sub = os.open(subdir, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=base)
    try:
        tmp = f".{name}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=sub)
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(entry)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=sub, dst_dir_fd=sub)
        return True
    finally:
        os.close(sub)


def _write_by_path(subdir: Path, name: str, entry: bytes) -> bool:  # pragma: no cover - platforms without dir_fd
    subdir.mkdir(exist_ok=True)
    if subdir.is_symlink():
        return False
    tmp = subdir / f".{name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(entry)
    os.replace(tmp, subdir / name)
    return True


# ---------------------------------------------------------------- where, and the secret


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/scopelint`` (only when absolute, as the spec says), else ``~/.cache/scopelint``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "scopelint"


def default_cache_dir(config: Config) -> Path:
    env = os.environ.get("SCOPELINT_CACHE_DIR")
    if env:
        return Path(env)
    root = os.path.realpath(config.root).encode("utf-8", "surrogateescape")
    return user_cache_root() / hashlib.sha256(root).hexdigest()[:24]


_SECRET: dict[Path, bytes | None] = {}


def user_secret() -> bytes | None:
    """This user's cache key, created on first use (0600); None when it cannot be had safely."""
    path = user_cache_root() / "secret"
    if path not in _SECRET:
        _SECRET[path] = _read_secret(path) or _create_secret(path)
    return _SECRET[path]


def _read_secret(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        owner_ok = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
        # Readable by others means others could forge entries: refuse it.
        if not stat.S_ISREG(info.st_mode) or not owner_ok or info.st_mode & 0o077 or info.st_size != _SECRET_BYTES:
            return None
        data = os.read(fd, _SECRET_BYTES + 1)
        return data if len(data) == _SECRET_BYTES else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _create_secret(path: Path) -> bytes | None:
    if os.path.lexists(path):
        return None  # present but unusable (wrong owner or mode): caching stays off
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".secret.{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(_SECRET_BYTES))
        try:
            os.link(tmp, path)  # never replaces a secret another run just created
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _read_secret(path)


_FINGERPRINT: list[bytes] = []


def _code_fingerprint() -> bytes:
    """Changes whenever scopelint's own code changes, so stale results never survive an upgrade
    (taken once per process: the code this process runs is the code it loaded)."""
    if not _FINGERPRINT:
        _FINGERPRINT.append(_fingerprint_of(Path(__file__).parent))
    return _FINGERPRINT[0]


def _fingerprint_of(package: Path) -> bytes:
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        try:
            info = source.stat()
        except OSError:
            continue
        digest.update(f"{source.relative_to(package)}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.digest()
