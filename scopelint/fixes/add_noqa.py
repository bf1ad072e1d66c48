"""``scopelint --add-noqa PATHS``: silence every current finding with a
``# noqa: CODE`` on its line (see :mod:`scopelint.fixes.noqa`), writing each
file atomically; the tally goes to stderr.

Left alone: SL900 (a file that is not analysed gets no comment), SL901 (an
unused suppression is removed with ``--fix``, not silenced), notebooks (never
rewritten) and lines that cannot carry a comment. Exit 0 when every finding is
now silenced, 1 when some could not be (each is named on stderr), 2 when a file
could not be written.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Sequence

from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions
from scopelint.notebook import is_notebook

if TYPE_CHECKING:
    from scopelint.report.baseline import Baseline

NOT_SILENCED = frozenset({"SL900", "SL901"})


def _wanted(diagnostics: Sequence[Diagnostic]) -> dict[str, dict[int, set[str]]]:
    by_path: dict[str, dict[int, set[str]]] = {}
    for d in diagnostics:
        if d.code in NOT_SILENCED or d.data.get("suppressed") or d.path.startswith("<"):
            continue
        by_path.setdefault(d.path, {}).setdefault(d.line, set()).add(d.code)
    return by_path


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def add_noqa_to_file(path: str, lines: dict[int, set[str]]) -> tuple[int, list[str], str | None]:
    """(directives added, why lines were left without one, write error). Nothing
    is written unless every edit in the file is proven harmless."""
    from scopelint.files import FileProblem, read_bytes
    from scopelint.fixes.noqa import add_noqa
    from scopelint.fixes.sourcefile import WriteError, read_source, write_atomic

    try:
        source = read_source(path)
    except FileProblem as problem:
        return 0, [f"{path}: no noqa added: {problem.message}"], None
    edit = add_noqa(source.text, lines)
    notes = [f"{path}:{line}: {', '.join(sorted(lines[line]))} not silenced: {why}" for line, why in edit.skipped]
    if edit.text == source.text:
        return 0, notes, None
    try:
        data = source.encode(edit.text)
        if read_bytes(path) != source.data:
            return 0, notes, f"{path}: changed on disk while noqa comments were added; not written"
        write_atomic(path, data)
    except UnicodeEncodeError as exc:
        return 0, [*notes, f"{path}: no noqa added: cannot encode as {source.encoding} ({exc.reason})"], None
    except (FileProblem, WriteError) as exc:
        return 0, notes, str(exc.message if isinstance(exc, FileProblem) else exc)
    return edit.lines, notes, None


def run_add_noqa(args: argparse.Namespace, config: Config, options: EngineOptions, baseline: "Baseline | None") -> int:
    from scopelint.api import lint_paths
    from scopelint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FOUND, apply_baseline

    found = apply_baseline(baseline, lint_paths(args.paths, config, options, context=args.context), args)
    added, files, left, errors = 0, 0, 0, []
    for path, lines in _wanted(found).items():
        if is_notebook(path):
            print(f"{path}: no noqa added: notebooks are never rewritten ({_plural(sum(map(len, lines.values())), 'finding')} left)", file=sys.stderr)
            left += len(lines)
            continue
        count, notes, error = add_noqa_to_file(path, lines)
        for note in notes:
            print(note, file=sys.stderr)
        left += len(lines) - count
        if error:
            errors.append(error)
            print(error, file=sys.stderr)
        added += count
        files += bool(count)
    print(f"Added {_plural(added, 'noqa directive')} in {_plural(files, 'file')}.", file=sys.stderr)
    if errors:
        return EXIT_ERROR
    return EXIT_FOUND if left and not args.exit_zero else EXIT_CLEAN
