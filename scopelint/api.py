"""The public API. The CLI, the LSP server and the pre-commit hook are thin
shells over these two functions, so one input gives one set of findings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

from scopelint.config import DEFAULT_CONFIG, Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions, lint_text, lint_tree
from scopelint.engine import lint_notebook as engine_lint_notebook
from scopelint.echoes import drop_echoes
from scopelint.files import FileReads, RealPaths, discover, imported_siblings
from scopelint.notebook import Notebook

if TYPE_CHECKING:  # the model loads when something is analysed, not for a warm run's cached findings
    from scopelint.model import ModelSettings, ModuleFacts, VariableInfo


def lint_source(
    source: str,
    path: str = "<stdin>",
    config: Config = DEFAULT_CONFIG,
    project: "Mapping[str, ModuleFacts] | None" = None,
) -> list[Diagnostic]:
    """Lint one document held in memory; ``path`` is used for messages,
    per-file-ignores and (when it exists on disk) its module name."""
    return lint_text(source, path, config, project)


def lint_notebook(
    notebook: Notebook,
    path: str = "<notebook>.ipynb",
    config: Config = DEFAULT_CONFIG,
    project: Mapping[str, ModuleFacts] | None = None,
) -> list[Diagnostic]:
    """Lint a notebook held in memory (``scopelint.notebook.from_cells``, as an
    editor sends its cells); each finding carries its ``cell``."""
    return engine_lint_notebook(notebook, path, config, project)


def lint_paths(
    paths: Iterable[str | Path],
    config: Config = DEFAULT_CONFIG,
    options: EngineOptions | None = None,
    stats: dict[str, float] | None = None,
    context: Iterable[str | Path] = (),
    reads: FileReads | None = None,
    walked: list[str] | None = None,
) -> list[Diagnostic]:
    """Lint files and directories; results sorted by (path, line, column).
    ``stats``, when given, receives seconds per phase and file counts.

    ``context``: directories (or files) whose modules are analysed with ``paths``
    -- builders defined there are followed into ``paths`` -- but reported on only
    where they are among ``paths`` (the pre-commit hook: the staged files, with
    the rest of the repository as context). The findings on ``paths`` are then
    exactly those ``lint_paths(context)`` gives for them.

    ``reads`` (every file this run reads, with its stat) and ``walked`` (the directories
    it walks) are filled in for the caller when given: what the warm path keys on."""
    files = list(discover([str(p) for p in paths], config, walked))
    real, reads = RealPaths(), reads if reads is not None else FileReads()
    named = {real(f) for f in files}
    extra = [f for f in discover([str(p) for p in context], config, walked) if real(f) not in named]
    # A file named alone still runs with the modules of its folder it imports (flat layouts).
    listed = named | {real(f) for f in extra}
    extra += [f for f in imported_siblings(files, reads, real) if real(f) not in listed]
    # The extra modules lend their facts (builders followed into ``paths``); only the named
    # files are interpreted and checked: a file's findings come from its own analysis alone.
    diagnostics = lint_tree(files + extra, config, options or EngineOptions(), stats, reads, report=set(files) if extra else None)
    if extra:
        diagnostics = [d for d in diagnostics if real(d.path) in named]
    return drop_echoes(diagnostics)


def describe_variables(
    source: str,
    path: str = "<stdin>",
    config: Config = DEFAULT_CONFIG,
    project: Mapping[str, ModuleFacts] | None = None,
    follow_callers: bool = False,
) -> list[VariableInfo]:
    """The model's view of one document: every variable creation, in program
    order, with its predicted full name (``scopelint --explain-names FILE``).
    ``follow_callers``: a creation the file alone leaves unresolved is shown as the first
    file beside it that imports it resolves it (:mod:`scopelint.callers`)."""
    import os

    from scopelint.engine import model_settings
    from scopelint.files import module_name_for
    from scopelint.model import describe, facts_from_source

    from scopelint.model.libraries import library_facts

    module_name = module_name_for(path) if os.path.exists(path) else None
    settings = model_settings(config)
    facts = facts_from_source(source, path=path, module_name=module_name, settings=settings)
    alone = project is None
    if project is None and module_name is not None:
        project = _sibling_facts(path, settings)
    # Installed libraries the model follows (tf-slim's nets): their variables are listed too.
    infos = describe(facts, {**library_facts(facts, settings, project), **(project or {})})
    if follow_callers and alone and module_name is not None:
        from scopelint.callers import resolved_by_callers

        infos = resolved_by_callers(infos, facts, settings, _sibling_facts)
    return infos


def _sibling_facts(path: str, settings: ModelSettings) -> dict[str, ModuleFacts]:
    """The facts of the modules of ``path``'s folder that it imports (see ``imported_siblings``)."""
    from scopelint.files import FileProblem, decode, module_name_for, read_bytes
    from scopelint.model import facts_from_source

    found: dict[str, ModuleFacts] = {}
    for sibling in imported_siblings([path]):
        name = module_name_for(sibling)
        try:
            text = decode(sibling, read_bytes(sibling))
        except FileProblem:
            continue
        if name is not None:
            found[name] = facts_from_source(text, path=sibling, module_name=name, settings=settings)
    return found


def __getattr__(name: str) -> object:
    if name == "VariableInfo":  # re-exported, imported on first use
        from scopelint.model import VariableInfo

        return VariableInfo
    raise AttributeError(f"module 'scopelint.api' has no attribute {name!r}")


__all__ = ["lint_source", "lint_notebook", "lint_paths", "describe_variables", "Diagnostic", "Config", "EngineOptions", "VariableInfo"]
