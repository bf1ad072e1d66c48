"""``scopelint --fix`` / ``--diff`` over files: lint, fix each file, write or diff."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from typing import Sequence

from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions, lint_files, lint_text, load_facts
from scopelint.files import FileProblem, read_bytes
from scopelint.fixes.loop import fix_text, wanted_fix
from scopelint.fixes.sourcefile import WriteError, read_source, write_atomic
from scopelint.model import ModuleFacts


@dataclass(frozen=True)
class FileChange:
    path: str
    before: str
    after: str
    fixed: tuple[Diagnostic, ...]
    written: bool

    def diff(self) -> str:
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path}",
            tofile=f"b/{self.path}",
        )
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)


@dataclass(frozen=True)
class FixReport:
    diagnostics: tuple[Diagnostic, ...]  # the findings left after fixing (or that would be left, for --diff)
    changes: tuple[FileChange, ...]
    messages: tuple[str, ...]  # dropped fixes, files left alone
    errors: tuple[str, ...]  # files that should have been written and were not

    @property
    def fixed_count(self) -> int:
        return sum(len(change.fixed) for change in self.changes)


def _project(results: Sequence[object]) -> dict[str, ModuleFacts]:
    project: dict[str, ModuleFacts] = {}
    for result in results:
        facts = getattr(result, "facts", None)
        if isinstance(facts, ModuleFacts) and facts.module_name:
            project[facts.module_name] = facts
    return project


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


def fix_paths(files: Sequence[str], config: Config, options: EngineOptions, *, unsafe: bool, write: bool) -> FixReport:
    stamps = {path: _stamp(path) for path in files}
    diagnostics, results = lint_files(files, config, options)
    project = _project(load_facts(results, config, options))
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)

    remaining: list[Diagnostic] = []
    changes: list[FileChange] = []
    messages: list[str] = []
    errors: list[str] = []
    for path, found in by_path.items():
        if not any(wanted_fix(d, unsafe) for d in found):
            remaining.extend(found)
            continue
        unchanged = stamps.get(path) is not None and _stamp(path) == stamps.get(path)
        change, left, notes, error = _fix_file(path, found if unchanged else None, config, project, unsafe=unsafe, write=write)
        remaining.extend(left)
        messages.extend(notes)
        if change is not None:
            changes.append(change)
        if error:
            errors.append(error)
    remaining.sort(key=lambda d: d.sort_key)
    return FixReport(tuple(remaining), tuple(changes), tuple(messages), tuple(errors))


def _fix_file(
    path: str, found: list[Diagnostic] | None, config: Config, project: dict[str, ModuleFacts], *, unsafe: bool, write: bool
) -> tuple[FileChange | None, list[Diagnostic], list[str], str | None]:
    """``found``: the first pass's findings, or None when the file changed since it was linted."""
    try:
        source = read_source(path)
    except FileProblem as problem:
        return None, found or [], [f"{path}: not fixed: {problem.message}"], None
    def relint(text: str) -> list[Diagnostic]:
        return lint_text(text, path, config, project)

    # Edits are positions in one exact text: a file that changed since the first
    # pass is linted again before anything is applied.
    found = relint(source.text) if found is None else found
    outcome = fix_text(source.text, found, relint, unsafe=unsafe)
    notes = list(outcome.dropped)
    if outcome.text == source.text:
        return None, list(outcome.remaining), notes, None
    try:
        data = source.encode(outcome.text)
    except UnicodeEncodeError as exc:
        notes.append(f"{path}: not fixed: the fixed text cannot be encoded as {source.encoding} ({exc.reason})")
        return None, found, notes, None
    if write:
        try:
            if read_bytes(path) != source.data:
                return None, found, notes, f"{path}: changed on disk while being fixed; not written"
            write_atomic(path, data)
        except (FileProblem, WriteError) as exc:
            return None, found, notes, str(exc.message if isinstance(exc, FileProblem) else exc)
    change = FileChange(path, source.text, outcome.text, outcome.fixed, written=write)
    return change, list(outcome.remaining), notes, None
