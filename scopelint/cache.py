"""The on-disk cache: phase-1 results per file and phase-2 findings per project.

Entries are pickles named by a SHA-256 key that covers scopelint's own code, the
settings and the content, so a stale entry can never be read: it is simply
never looked up again. Writes are atomic (temp file + rename); a read-only
checkout still lints, it just is not cached.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from scopelint import __version__
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.model import ModelSettings, ModuleFacts

if TYPE_CHECKING:
    from scopelint.engine import FileResult


class Cache:
    """Pickled results by key; :meth:`key` covers scopelint's code, settings, path and content."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._salt = _code_fingerprint() if directory else b""

    def key(self, path: str, data: bytes, settings: ModelSettings) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(repr(settings).encode())
        digest.update(os.path.abspath(path).encode())
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> "FileResult | None":
        """A phase-1 result without its facts (``facts_deferred`` says they exist):
        a warm run whose findings are cached never pays for unpickling the IR."""
        from scopelint.engine import FileResult

        result = self._load(key)
        return result if isinstance(result, FileResult) else None

    def get_facts(self, key: str) -> ModuleFacts | None:
        facts = self._load(key + "-facts")
        return facts if isinstance(facts, ModuleFacts) else None

    def put_result(self, key: str, result: "FileResult") -> None:
        if result.facts is not None:
            self.put(key + "-facts", result.facts)  # first: a header never promises missing facts
        self.put(key, replace(result, facts=None, facts_deferred=result.facts is not None))

    def _load(self, key: str) -> object:
        if self.directory is None:
            return None
        try:
            with open(self.directory / key[:2] / key, "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def get_diagnostics(self, key: str) -> list[Diagnostic] | None:
        found = self._load(key)
        return found if isinstance(found, list) else None

    def put(self, key: str, result: "FileResult | ModuleFacts | list[Diagnostic]") -> None:
        if self.directory is None:
            return
        target = self.directory / key[:2] / key
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(parents=True)
                # The cache lands inside users' repositories: keep it out of `git status`.
                (self.directory / ".gitignore").write_text("# created by scopelint\n*\n")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only checkout still lints; it just is not cached


def _code_fingerprint() -> bytes:
    """Changes whenever scopelint's own code changes, so stale results never survive an upgrade."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(package.rglob("*.py")):
        try:
            stat = source.stat()
        except OSError:
            continue
        digest.update(f"{source.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.digest()


def default_cache_dir(config: Config) -> Path:
    env = os.environ.get("SCOPELINT_CACHE_DIR")
    if env:
        return Path(env)
    return Path(config.root) / ".scopelint_cache"
