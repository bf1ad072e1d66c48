"""Linting open documents: config per file, debouncing, and never letting an
old result overwrite a newer one.

Independent of pygls: the server hands in a :class:`Snapshot` and gets
scopelint diagnostics back, so this logic is testable without a client.
"""

from __future__ import annotations

import ast
import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from scopelint.config import Config, ConfigError, load_config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import FileResult, lint_text, parser_check_changes
from scopelint.lsp.incremental import BufferFacts, Tree
from scopelint.model import ModelSettings, ModuleFacts

# After a lint with findings, how long the document must stay unchanged before
# libcst reads it (the parser of record; see engine.lint_text's parser_check).
PARSER_CHECK_AFTER_S = 0.5


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
    # False: linted from the facts of the buffer's last lint, updated where the edit
    # changed it (scopelint.lsp.incremental); once the buffer settles it is linted
    # from scratch, as the command line would.
    from_scratch: bool = True


@dataclass
class ConfigLoader:
    """``[tool.scopelint]`` for a document, from the nearest pyproject.toml.

    A broken config is reported once per distinct message (not on every
    keystroke) and the document is linted with the defaults."""

    fallback_root: str
    report: Callable[[str], None]
    _reported: set[str] = field(default_factory=set)
    # start -> (what the pyproject.toml files above it looked like, the config read then)
    _loaded: dict[str, tuple[tuple[object, ...], Config]] = field(default_factory=dict)

    def for_snapshot(self, snapshot: Snapshot) -> Config:
        """Read again only when a pyproject.toml on the way up appeared, went or changed
        (its size, mtime or inode), not on every keystroke."""
        start = Path(snapshot.path) if snapshot.on_disk else Path(self.fallback_root)
        signature = _pyprojects_above(start)
        known = self._loaded.get(str(start))
        if known is not None and known[0] == signature:
            return known[1]
        config = self._load(start, snapshot.on_disk)
        self._loaded[str(start)] = (signature, config)
        return config

    def _load(self, start: Path, on_disk: bool) -> Config:
        try:
            return load_config(start=start)
        except ConfigError as exc:
            message = f"scopelint: config error, linting with defaults: {exc}"
            if message not in self._reported:
                self._reported.add(message)
                self.report(message)
            directory = start.parent if on_disk else start
            return Config(root=str(directory))


def _pyprojects_above(start: Path) -> tuple[object, ...]:
    """Everything ``load_config(start=start)`` reads, as stat results: whether ``start``
    is a file or folder, and each pyproject.toml from there up to the root."""
    here = os.path.realpath(start)
    signature: list[object] = [os.path.isfile(here), os.path.isdir(here)]
    directory = os.path.dirname(here) if signature[0] else here
    while True:
        try:
            info = os.stat(os.path.join(directory, "pyproject.toml"))
            signature.append((directory, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
        except OSError:
            pass
        parent = os.path.dirname(directory)
        if parent == directory:
            return tuple(signature)
        directory = parent


def lint_snapshot(
    snapshot: Snapshot, config: Config, project: Mapping[str, ModuleFacts] | None = None, parser_check: bool = True,
    buffer: BufferFacts | None = None,
) -> LintResult:
    """``project``: the workspace's other modules (:mod:`scopelint.lsp.workspace`);
    ``parser_check``: see :func:`scopelint.engine.lint_text`; ``buffer``: the document's
    facts from its last lint, to update rather than parse and lower it all again."""
    if buffer is None:
        found = lint_text(snapshot.text, snapshot.path, config, project, parser_check=parser_check)
        return LintResult(snapshot, tuple(found))
    updated: list[bool] = []

    def analyse(
        path: str, text: str, settings: ModelSettings, module_name: str | None, parser_check: bool = True
    ) -> tuple[FileResult, ast.Module | Tree | None]:
        result, tree = buffer.analyse(path, text, settings, module_name, parser_check)
        updated.append(callable(tree))  # a function: built from the chunks, not parsed now
        return result, tree

    # The model's runs re-used from the last lint are for the same other modules (by id(),
    # held alive by the memo while they are current).
    context = tuple(sorted((name, id(facts)) for name, facts in (project or {}).items()))
    with buffer.lock, buffer.memo.active(context, keep=project):  # one lint of a document at a time: its chunks' trees are shared
        found = lint_text(snapshot.text, snapshot.path, config, project, parser_check=parser_check, analyse=analyse)
    return LintResult(snapshot, tuple(found), from_scratch=not any(updated))


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
        on_settled: Callable[[], None] = lambda: None,
    ) -> None:
        self._project_for = project_for
        self._on_settled = on_settled  # a document settled and its full lint ran: the server is idle
        self._get_snapshot = get_snapshot
        self._configs = configs
        self._publish = publish
        self._on_error = on_error
        self.debounce_s = debounce_s
        self.parser_check_after_s = PARSER_CHECK_AFTER_S
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._checks: dict[str, asyncio.Task[None]] = {}
        self._published: dict[str, int | None] = {}
        self._buffers: dict[str, BufferFacts] = {}
        self.results: dict[str, LintResult] = {}

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Lint ``uri`` after ``delay`` (default: the debounce); a newer call for
        the same document cancels this one."""
        self.cancel(uri)
        wait = self.debounce_s if delay is None else delay
        self._pending[uri] = asyncio.get_running_loop().create_task(self._run(uri, wait))

    def cancel(self, uri: str) -> None:
        for tasks in (self._pending, self._checks):
            task = tasks.pop(uri, None)
            if task is not None and not task.done():
                task.cancel()

    def forget(self, uri: str) -> None:
        self.cancel(uri)
        self._published.pop(uri, None)
        self._buffers.pop(uri, None)
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
        if not self.publish_if_current(result):
            return None
        if not result.from_scratch or any(d.code != "SL900" or "python2" in d.data for d in result.diagnostics):
            self._checks[uri] = asyncio.get_running_loop().create_task(self._parser_check(result))
        return result

    async def _parser_check(self, quick: LintResult) -> None:
        """Once the document has settled: the libcst check the per-keystroke lint left
        out, and the full lint in the rare case it changes the answer; for a lint from
        updated facts, the full lint from scratch, published if its answer differs."""
        await asyncio.sleep(self.parser_check_after_s)
        snapshot = quick.snapshot
        try:
            if not quick.from_scratch:
                full = await asyncio.to_thread(self._lint, snapshot, True)
                if full.diagnostics != quick.diagnostics:
                    self.publish_if_current(full)
            elif await asyncio.to_thread(parser_check_changes, snapshot.text, quick.diagnostics):
                self.publish_if_current(await asyncio.to_thread(self._lint, snapshot, True))
        except Exception as exc:  # the server's per-document boundary
            self._on_error(f"scopelint: linting {snapshot.path} failed: {exc!r}")
        self._on_settled()

    def publish_if_current(self, result: LintResult) -> bool:
        """Publish ``result`` unless its document has moved on since."""
        if not self._is_current(result.snapshot):
            return False
        self._published[result.snapshot.uri] = result.snapshot.version
        self.results[result.snapshot.uri] = result
        self._publish(result)
        return True

    def _lint(self, snapshot: Snapshot, parser_check: bool = False) -> LintResult:
        """Per keystroke without the libcst check and from the facts of the document's
        last lint (``parser_check``: with the check, from scratch; see :meth:`_parser_check`)."""
        project = self._project_for(snapshot.path) if snapshot.on_disk else None
        buffer = None if parser_check else self._buffers.setdefault(snapshot.uri, BufferFacts())
        return lint_snapshot(snapshot, self._configs.for_snapshot(snapshot), project, parser_check, buffer)

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
