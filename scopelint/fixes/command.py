"""The ``--fix`` / ``--diff`` branch of ``scopelint check``.

``--fix`` writes the fixed files and reports what is left (exit 1 if anything
is, 0 otherwise); ``--diff`` prints a unified diff and writes nothing (exit 1
if it would change a file or findings would remain). ``-`` (stdin) prints the
fixed source, or its diff, to stdout and the report to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions

if TYPE_CHECKING:
    from scopelint.report.baseline import Baseline


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _render(diagnostics: tuple[Diagnostic, ...], args: argparse.Namespace, files: int, stream: TextIO) -> None:
    from scopelint.cli import _use_color
    from scopelint.report import ReportContext, renderer

    if args.silent:
        return
    context = ReportContext(
        files_checked=files, color=_use_color(args.color, stream), statistics=args.statistics, quiet=args.quiet
    )
    stream.write(renderer(args.format)(list(diagnostics), context))


def _exit(remaining: tuple[Diagnostic, ...], changed: bool, args: argparse.Namespace) -> int:
    from scopelint.cli import exit_code

    return exit_code(remaining, args, extra=bool(args.diff and changed))


def _fix_stdin(args: argparse.Namespace, config: Config, baseline: "Baseline | None") -> int:
    from scopelint.api import lint_source
    from scopelint.cli import UsageError, apply_baseline
    from scopelint.files import FileProblem, decode
    from scopelint.fixes.loop import fix_text
    from scopelint.fixes.run import FileChange

    name = args.stdin_filename or "<stdin>"
    try:
        text = decode(name, sys.stdin.buffer.read())
    except FileProblem as problem:
        raise UsageError(f"{name}: {problem.message}") from None
    outcome = fix_text(text, lint_source(text, name, config), lambda t: lint_source(t, name, config), unsafe=args.unsafe_fixes)
    for message in outcome.dropped:
        print(message, file=sys.stderr)
    change = FileChange(name, text, outcome.text, outcome.fixed, written=False)
    sys.stdout.write(change.diff() if args.diff else outcome.text)
    remaining = tuple(apply_baseline(baseline, outcome.remaining, args, {name: outcome.text}))
    _render(remaining, args, 1, sys.stderr)
    return _exit(remaining, outcome.text != text, args)


def run_fix_command(args: argparse.Namespace, config: Config, options: EngineOptions, baseline: "Baseline | None" = None) -> int:
    """Fixes apply to every finding; the baseline filters only the report of what is left."""
    from scopelint.cli import EXIT_ERROR, UsageError, apply_baseline
    from scopelint.files import discover
    from scopelint.fixes.run import fix_paths

    if args.paths == ["-"]:
        return _fix_stdin(args, config, baseline)
    if "-" in args.paths:
        raise UsageError("'-' (stdin) cannot be mixed with other paths")
    files = list(discover(args.paths, config))
    report = fix_paths(files, config, options, unsafe=args.unsafe_fixes, write=not args.diff)
    for message in report.messages + report.errors:
        print(message, file=sys.stderr)
    after = {change.path: change.after for change in report.changes}
    remaining = tuple(apply_baseline(baseline, report.diagnostics, args, after))

    stream = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.diff:
            stream.write("".join(change.diff() for change in report.changes))
            summary = f"Would fix {_plural(report.fixed_count, 'problem')} in {_plural(len(report.changes), 'file')}."
            print(summary, file=sys.stderr)
        else:
            _render(remaining, args, len(files), stream)
            summary = f"Fixed {_plural(report.fixed_count, 'problem')} in {_plural(len(report.changes), 'file')}."
            # Machine-readable formats stay valid: the tally goes to stderr for them.
            print(summary, file=stream if args.format == "text" else sys.stderr)
    finally:
        if args.output:
            stream.close()
    if report.errors:
        return EXIT_ERROR
    return _exit(remaining, bool(report.changes), args)
