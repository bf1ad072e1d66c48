"""The public API. The CLI, the LSP server and the pre-commit hook are thin
shells over these two functions, so one input gives one set of findings."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

from scopelint.config import DEFAULT_CONFIG, Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions, lint_files, lint_text
from scopelint.files import discover
from scopelint.model import ModuleFacts


def lint_source(
    source: str,
    path: str = "<stdin>",
    config: Config = DEFAULT_CONFIG,
    project: Mapping[str, ModuleFacts] | None = None,
) -> list[Diagnostic]:
    """Lint one document held in memory; ``path`` is used for messages,
    per-file-ignores and (when it exists on disk) its module name."""
    return lint_text(source, path, config, project)


def lint_paths(
    paths: Iterable[str | Path],
    config: Config = DEFAULT_CONFIG,
    options: EngineOptions | None = None,
) -> list[Diagnostic]:
    """Lint files and directories; results sorted by (path, line, column)."""
    files = list(discover([str(p) for p in paths], config))
    diagnostics, _ = lint_files(files, config, options or EngineOptions())
    return diagnostics


__all__ = ["lint_source", "lint_paths", "Diagnostic", "Config", "EngineOptions"]
