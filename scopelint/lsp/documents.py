"""Linting open documents: config per file, debouncing, and never letting an
old result overwrite a newer one.

Independent of pygls: the server hands in a :class:`Snapshot` and gets
scopelint diagnostics back, so this logic is testable without a client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from scopelint.api import lint_source
from scopelint.config import Config, ConfigError, load_config
from scopelint.diagnostic import Diagnostic
from scopelint.model import ModuleFacts


@dataclass(frozen=True)
class Snapshot:
    """One version of one open document."""

    uri: str
    path: str  # file-system path, or a placeholder for unsaved buffers
    text: str
    version: int | None
    on_disk: bool  # file: URI (its directory decides the config)


@dataclass(frozen=True)
class LintResult:
    snapshot: Snapshot
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ConfigLoader:
    """``[tool.scopelint]`` for a document, from the nearest pyproject.toml.

    A broken config is reported once per distinct message (not on every
    keystroke) and the document is linted with the defaults."""

    fallback_root: str
    report: Callable[[str], None]
    _reported: set[str] = field(default_factory=set)

    def for_snapshot(self, snapshot: Snapshot) -> Config:
        start = Path(snapshot.path) if snapshot.on_disk else Path(self.fallback_root)
        try:
            return load_config(start=start)
        except ConfigError as exc:
            message = f"scopelint: config error, linting with defaults: {exc}"
            if message not in self._reported:
                self._reported.add(message)
                self.report(message)
            directory = start.parent if snapshot.on_disk else start
            return Config(root=str(directory))


def lint_snapshot(snapshot: Snapshot, config: Config, project: Mapping[str, ModuleFacts] | None = None) -> LintResult:
    """``project``: the workspace's other modules (:mod:`scopelint.lsp.workspace`)."""
    return LintResult(snapshot, tuple(lint_source(snapshot.text, snapshot.path, config, project)))


Publish = Callable[[LintResult], None]
GetSnapshot = Callable[[str], "Snapshot | None"]


class Scheduler:
    """Runs lints off the event loop and publishes only results that are
    still current: for the document's latest version, and newer than what was
    last published for it."""

    def __init__(
        self,
        get_snapshot: GetSnapshot,
        configs: ConfigLoader,
        publish: Publish,
        debounce_s: float,
        on_error: Callable[[str], None] = lambda message: None,
        project_for: Callable[[str], Mapping[str, ModuleFacts] | None] = lambda path: None,
    ) -> None:
        self._project_for = project_for
        self._get_snapshot = get_snapshot
        self._configs = configs
        self._publish = publish
        self._on_error = on_error
        self.debounce_s = debounce_s
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._published: dict[str, int | None] = {}
        self.results: dict[str, LintResult] = {}

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Lint ``uri`` after ``delay`` (default: the debounce); a newer call for
        the same document cancels this one."""
        self.cancel(uri)
        wait = self.debounce_s if delay is None else delay
        self._pending[uri] = asyncio.get_running_loop().create_task(self._run(uri, wait))

    def cancel(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()

    def forget(self, uri: str) -> None:
        self.cancel(uri)
        self._published.pop(uri, None)
        self.results.pop(uri, None)

    async def lint_now(self, uri: str) -> LintResult | None:
        snapshot = self._get_snapshot(uri)
        if snapshot is None:
            return None
        try:
            result = await asyncio.to_thread(self._lint, snapshot)
        except Exception as exc:  # the server's per-document boundary: log it, keep serving
            self._on_error(f"scopelint: linting {snapshot.path} failed: {exc!r}")
            return None
        return result if self.publish_if_current(result) else None

    def publish_if_current(self, result: LintResult) -> bool:
        """Publish ``result`` unless its document has moved on since."""
        if not self._is_current(result.snapshot):
            return False
        self._published[result.snapshot.uri] = result.snapshot.version
        self.results[result.snapshot.uri] = result
        self._publish(result)
        return True

    def _lint(self, snapshot: Snapshot) -> LintResult:
        project = self._project_for(snapshot.path) if snapshot.on_disk else None
        return lint_snapshot(snapshot, self._configs.for_snapshot(snapshot), project)

    def _is_current(self, snapshot: Snapshot) -> bool:
        latest = self._get_snapshot(snapshot.uri)
        if latest is None or latest.version != snapshot.version:
            return False
        published = self._published.get(snapshot.uri)
        return published is None or snapshot.version is None or snapshot.version >= published

    async def _run(self, uri: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.lint_now(uri)

    def current(self, uri: str, version: int | None) -> LintResult | None:
        """The last published result, if it is for ``version``."""
        result = self.results.get(uri)
        return result if result is not None and result.snapshot.version == version else None
