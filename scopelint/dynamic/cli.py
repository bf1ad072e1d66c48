"""``scopelint trace`` and the ``--dynamic`` half of ``scopelint check``.

Dynamic mode runs the code it lints, so it starts only from these command-line
entry points (and an editor setting the user makes); no config file can turn
it on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TextIO

from scopelint.diagnostic import Diagnostic
from scopelint.dynamic import records
from scopelint.dynamic.options import BuilderSpec, DynamicOptions, add_options, options_from, parse_shape
from scopelint.files import FileProblem, decode, read_bytes

if TYPE_CHECKING:
    from scopelint.dynamic.runner import RunStats

# A file found in a directory is traced only when it mentions TF at all;
# packaging scripts are never run (they install things).
_TF_MARKERS = (b"tensorflow", b"tf_slim", b"tensornets")
_NEVER_RUN = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})
# Notebooks run as their code cells in order (scopelint.notebook's virtual source).
_TRACED_SUFFIXES = frozenset({".py", ".ipynb"})


def files_to_trace(named: Sequence[str], discovered: Sequence[str]) -> list[str]:
    """Files named on the command line always; files found in a directory only when they mention TF."""
    explicit = {os.path.realpath(p) for p in named if Path(p).is_file()}
    chosen = []
    for path in discovered:
        if os.path.realpath(path) in explicit:
            chosen.append(path)
            continue
        if Path(path).name in _NEVER_RUN or Path(path).suffix not in _TRACED_SUFFIXES:
            continue
        try:
            data = read_bytes(path)  # as the static pass reads: a FIFO or device named x.py never blocks
        except FileProblem:
            continue
        if any(marker in data for marker in _TF_MARKERS):
            chosen.append(path)
    return chosen


class TraceKeep:
    """Trace-only findings obey the same selection, per-file ignores and
    suppression comments as static ones. A comment that silences one is used:
    the static run's SL901 for it is withdrawn (:meth:`withdraw_answered`)."""

    def __init__(self, config: Any) -> None:
        from scopelint.dynamic.notebooks import Notebooks

        self.config = config
        self._suppressions: dict[str, Any] = {}
        self._notebooks = Notebooks()
        # (path, cell, line, code) of trace-only findings a comment silenced, where the report puts them
        self.silenced: set[tuple[str, int | None, int, str]] = set()

    def __call__(self, diagnostic: Diagnostic) -> bool:
        from scopelint.suppressions import find_suppressions, is_suppressed

        config = self.config
        if not config.is_selected(diagnostic.code) or config.ignored_for_path(diagnostic.code, diagnostic.path):
            return False
        if diagnostic.path not in self._suppressions:
            self._suppressions[diagnostic.path] = find_suppressions(self._text(diagnostic.path))
        if is_suppressed(diagnostic.code, diagnostic.line, self._suppressions[diagnostic.path]):
            cell, line = self._notebooks.locate(diagnostic.path, diagnostic.line) or (None, diagnostic.line)
            self.silenced.add((diagnostic.path, cell, line, diagnostic.code))
            return False
        return True

    def _text(self, path: str) -> str:
        """What suppressions are read from: a notebook's virtual source (the trace's lines), a file's text."""
        notebook = self._notebooks.get(path)
        if notebook is not None:
            return notebook.source
        try:
            return decode(path, read_bytes(path))
        except FileProblem:
            return ""

    def withdraw_answered(self, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """Without the SL901s whose unused codes silenced a trace-only finding after all."""
        def answered(d: Diagnostic) -> bool:
            fired = [code for path, cell, line, code in self.silenced if (path, cell, line) == (d.path, d.cell, d.line)]
            return d.code == "SL901" and bool(fired) and all(any(f.startswith(c) for f in fired) for c in d.data.get("unused") or ("",))

        return [d for d in diagnostics if not answered(d)]


def keep_for(config: Any) -> TraceKeep:
    return TraceKeep(config)


def outcome_line(trace: records.FileTrace) -> str:
    from scopelint.dynamic.notebooks import Notebooks, outcome_in_cells

    return f"{trace.path}: {outcome_in_cells(trace, Notebooks())[0]} ({trace.seconds:.2f} s)"


def run_dynamic(
    static: Sequence[Diagnostic],
    paths: Sequence[str],
    options: DynamicOptions,
    keep: Callable[[Diagnostic], bool],
) -> tuple[list[Diagnostic], list[records.FileTrace], "RunStats"]:
    """Trace ``paths`` and reconcile; prints nothing (the LSP server can call this)."""
    from scopelint.dynamic.reconcile import reconcile
    from scopelint.dynamic.runner import trace_files

    traces, stats = trace_files(paths, options)
    return reconcile(static, traces, keep), traces, stats


def check_with_dynamic(
    static: Sequence[Diagnostic],
    named: Sequence[str],
    discovered: Sequence[str],
    options: DynamicOptions,
    keep: Callable[[Diagnostic], bool],
    err: TextIO = sys.stderr,
) -> tuple[list[Diagnostic], list[records.FileTrace]]:
    """Run the traces, report each file's outcome on ``err``, reconcile.
    Any failure of the dynamic half leaves the static results as they are."""
    paths = files_to_trace(named, discovered)
    if not paths:
        print("scopelint: dynamic: no file to trace (none mentions tensorflow)", file=err)
        return list(static), []
    try:
        diagnostics, traces, stats = run_dynamic(static, paths, options, keep)
    except OSError as exc:
        print(f"scopelint: dynamic: could not start the tracing worker: {exc}", file=err)
        return list(static), []
    except Exception as exc:  # the dynamic half's boundary: a bug here must not cost the static report
        print(f"scopelint: dynamic: internal error, static results only: {exc!r}", file=err)
        return list(static), []
    for trace in traces:
        print(f"scopelint: dynamic: {outcome_line(trace)}", file=err)
        if trace.log_tail and trace.outcome.kind in {records.CRASHED, records.EXITED_EARLY, records.NOT_RUN}:
            for line in trace.log_tail.splitlines()[-4:]:
                print(f"    {line}", file=err)
    if stats.import_seconds is not None:
        print(f"scopelint: dynamic: traced {len(traces)} file(s) in {stats.total_seconds:.1f} s (TensorFlow import {stats.import_seconds:.1f} s, once)", file=err)
    return diagnostics, traces


def report_outcomes(traces: Sequence[records.FileTrace]) -> tuple[Any, ...]:
    """Each trace's outcome as the report formats carry it (:class:`scopelint.report.TraceOutcome`);
    a notebook's says where in its cells the run stopped."""
    from scopelint.dynamic.notebooks import Notebooks, outcome_in_cells
    from scopelint.report import TraceOutcome

    notebooks = Notebooks()
    outcomes = []
    for t in traces:
        description, cell, line = outcome_in_cells(t, notebooks)
        outcomes.append(TraceOutcome(path=t.path, kind=t.outcome.kind, description=description, line=line, seconds=t.seconds, cell=cell))
    return tuple(outcomes)


# ---- scopelint trace --------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scopelint trace",
        description="Run files under TF1 graph mode (in a child process) and print the variables TensorFlow "
        "created, by line. `file.py:function` calls one builder twice and says whether it shares, collides or duplicates.",
    )
    parser.add_argument("targets", nargs="+", help="file.py, or file.py:function with --input-shape")
    parser.add_argument("--input-shape", action="append", default=[], metavar="DIMS", help="a placeholder input for a builder, e.g. 1,224,224,3 (repeat for several inputs; ? for unknown)")
    parser.add_argument("--dtype", default="float32", help="dtype of the placeholder inputs (default float32)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_options(parser, with_switch=False)
    return parser


def _split_target(target: str) -> tuple[str, str | None]:
    path, sep, function = target.rpartition(":")
    if sep and path.endswith(".py") and function.replace(".", "").replace("_", "").isalnum():
        return path, function
    return target, None


def _jobs(args: argparse.Namespace) -> list[Any]:
    from scopelint.dynamic.runner import Job

    shapes = tuple(parse_shape(s) for s in args.input_shape)
    jobs = []
    for target in args.targets:
        path, function = _split_target(target)
        if not Path(path).is_file():
            raise FileNotFoundError(f"{path}: not a regular file" if os.path.lexists(path) else f"{path}: no such file")
        jobs.append(Job(path, BuilderSpec(function, shapes, args.dtype) if function else None))
    return jobs


def _shape_text(shape: tuple[int | None, ...] | None) -> str:
    return "?" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _where(frame: records.Frame | None, shown: str, traced: str) -> str:
    if frame is None:
        return f"{shown}:?"
    path = shown if frame[0] == traced else _relative(frame[0])
    return f"{path}:{frame[1]}"


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def render_text(trace: records.FileTrace, builder: BuilderSpec | None) -> str:
    from scopelint.dynamic.verdict import SCENARIO_TITLES, judge

    traced = records.real(trace.path)
    lines = [outcome_line(trace) if builder is None else f"{trace.path}:{builder.function}: {trace.outcome.describe()}"]
    events: list[tuple[int, str]] = []
    for v in trace.variables:
        phase = f"  ({v.phase.replace(':', ' call ')})" if v.phase else ""
        events.append((v.seq, f"  {_where(v.where, trace.path, traced):<24} {v.kind:<7} {v.name:<40} {_shape_text(v.shape):<16} {v.api or v.via}{phase}"))
    for e in trace.errors:
        phase = f"  ({e.phase.replace(':', ' call ')})" if e.phase else ""
        events.append((e.seq, f"  {_where(e.where, trace.path, traced):<24} {e.code or 'error':<7} {e.message}{phase}"))
    lines += [text for _, text in sorted(events)]
    if builder is not None:
        for scenario in SCENARIO_TITLES:
            verdict = judge(trace, scenario)
            lines.append(f"  {SCENARIO_TITLES[scenario]}: {verdict.kind} -- {verdict.detail}")
    return "\n".join(lines) + "\n"


def render_json(trace: records.FileTrace, builder: BuilderSpec | None) -> dict[str, Any]:
    from scopelint.dynamic.verdict import SCENARIO_TITLES, judge

    def frame(f: records.Frame | None) -> dict[str, Any] | None:
        return None if f is None else {"path": f[0], "line": f[1]}

    result: dict[str, Any] = {
        "path": trace.path,
        "outcome": {
            "kind": trace.outcome.kind,
            "description": trace.outcome.describe(),
            "at": frame(trace.outcome.where),
            "exit_code": trace.outcome.exit_code,
            "signal": trace.outcome.signal,
        },
        "seconds": round(trace.seconds, 3),
        "variables": [
            {"action": v.kind, "name": v.name, "shape": None if v.shape is None else list(v.shape), "api": v.api,
             "via": v.via, "reuse": v.reuse, "at": frame(v.where), "phase": v.phase or None}
            for v in trace.variables
        ],
        "errors": [
            {"code": e.code, "name": e.name, "message": e.message, "at": frame(e.where), "phase": e.phase or None}
            for e in trace.errors
        ],
    }
    if builder is not None:
        result["function"] = builder.function
        result["builder"] = {s: {"verdict": judge(trace, s).kind, "detail": judge(trace, s).detail} for s in SCENARIO_TITLES}
    return result


def trace_main(argv: Sequence[str]) -> int:
    from scopelint.dynamic.runner import run_jobs

    parser = _parser()
    args = parser.parse_args(list(argv))
    try:
        options = options_from(args)
        shapes_needed = any(_split_target(t)[1] for t in args.targets)
        if args.input_shape and not shapes_needed:
            raise ValueError("--input-shape is for file.py:function targets")
        jobs = _jobs(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"scopelint trace: error: {exc}", file=sys.stderr)
        return 2
    traces, stats = run_jobs(jobs, options, coverage=False)
    if args.format == "json":
        print(json.dumps({"import_seconds": stats.import_seconds, "traces": [render_json(t, j.builder) for t, j in zip(traces, jobs)]}, indent=2))
    else:
        sys.stdout.write("".join(render_text(t, j.builder) for t, j in zip(traces, jobs)))
    if any(t.outcome.kind == records.NOT_RUN for t in traces):
        return 2
    return 1 if any(t.errors for t in traces) else 0
