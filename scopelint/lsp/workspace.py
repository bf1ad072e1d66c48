"""The workspace's modules, so the open buffer is linted with the rest of the project.

``scopelint .`` follows a builder defined in ``models/gan.py`` into the
``train.py`` that calls it twice; a buffer linted alone cannot. The index holds
the model facts of every file under each workspace folder -- phase 1 of the
engine, read from the same cache the command line writes -- and hands the
buffer's lint the other modules as they are on disk. It is built in the
background after ``initialize`` and refreshed per file on save and on the
client's file-watcher events (``workspace/didChangeWatchedFiles``).

Independent of pygls, like :mod:`scopelint.lsp.documents`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterable, Mapping

from scopelint.config import Config, ConfigError, load_config
from scopelint.engine import EngineOptions, load_facts, run_phase1
from scopelint.files import discover
from scopelint.model import ModuleFacts

# One process: the server is multi-threaded, and forking it for a pool is not worth the risk.
_OPTIONS = EngineOptions(jobs=1)


def _config(root: str) -> Config:
    try:
        return load_config(start=Path(root))
    except ConfigError:
        return Config(root=root)  # the buffer's own lint reports the broken config


class WorkspaceIndex:
    """module name -> facts, per workspace folder; safe to read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._roots: tuple[str, ...] = ()
        self._facts: dict[str, dict[str, ModuleFacts]] = {}  # root -> path -> facts

    def set_roots(self, roots: Iterable[str]) -> None:
        with self._lock:
            self._roots = tuple(sorted({os.path.realpath(r) for r in roots}, key=len, reverse=True))

    def _root_of(self, path: str) -> str | None:
        real = os.path.realpath(path)
        return next((r for r in self._roots if real == r or real.startswith(r + os.sep)), None)

    def rebuild(self) -> int:
        """Index every folder from scratch (cached files cost a read); returns the module count."""
        for root in self._roots:
            config = _config(root)
            facts = self._scan(list(discover([root], config)), config)
            with self._lock:
                self._facts[root] = facts
        return sum(len(f) for f in self._facts.values())

    def update(self, paths: Iterable[str]) -> None:
        """Files saved, created, changed or deleted on disk: re-read just those."""
        by_root: dict[str, list[str]] = {}
        for path in paths:
            root = self._root_of(path)
            if root is not None:
                by_root.setdefault(root, []).append(os.path.realpath(path))
        for root, changed in by_root.items():
            config = _config(root)
            present = [p for p in changed if os.path.isfile(p)]
            fresh = self._scan(present, config)
            with self._lock:
                facts = dict(self._facts.get(root, {}))
                for path in changed:
                    facts.pop(path, None)
                facts.update(fresh)
                self._facts[root] = facts

    @staticmethod
    def _scan(files: list[str], config: Config) -> dict[str, ModuleFacts]:
        results = load_facts(run_phase1(files, config, _OPTIONS), config, _OPTIONS)
        return {
            os.path.realpath(r.path): r.facts for r in results if r.facts is not None and r.facts.module_name
        }

    def project_for(self, path: str) -> Mapping[str, ModuleFacts] | None:
        """The modules of the folder ``path`` lies in (the buffer's own module is
        replaced by the buffer when it is linted); None outside every folder."""
        with self._lock:
            root = self._root_of(path)
            facts = self._facts.get(root) if root is not None else None
            if not facts:
                return None
            return {f.module_name: f for f in facts.values() if f.module_name}
