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

(The sealing, reading and writing of entries and the secret live in
:mod:`scopelint.cachefiles`, which the warm path, :mod:`scopelint.warm`, shares.)

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
import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from scopelint import __version__
from scopelint.cachefiles import MAX_ENTRY_BYTES, read_entry, seal, unseal, user_cache_root, user_secret, write_entry
from scopelint.config import Config
from scopelint.datacodec import Codec, CodecError
from scopelint.diagnostic import Diagnostic
from scopelint.files import RealPaths

if TYPE_CHECKING:
    from scopelint.engine import FileResult
    from scopelint.model import ModelSettings, ModuleFacts



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
        payload = unseal(self._secret, kind, key, read_entry(self.directory / key[:2] / key))
        if payload is None:
            return None  # absent, or not written by this user's scopelint: ignore it
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
        entry = seal(self._secret, kind, key, payload)
        if len(entry) > MAX_ENTRY_BYTES:
            return False
        return write_entry(self.directory, key[:2], key, entry)


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


def default_cache_dir(config: Config) -> Path:
    env = os.environ.get("SCOPELINT_CACHE_DIR")
    if env:
        return Path(env)
    root = os.path.realpath(config.root).encode("utf-8", "surrogateescape")
    return Path(user_cache_root()) / hashlib.sha256(root).hexdigest()[:24]


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
