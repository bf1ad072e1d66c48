"""The ``scopelint`` command: a thin shell over :mod:`scopelint.api`.

Exit codes: 0 clean, 1 diagnostics found, 2 usage error or internal failure.

Subcommands: ``check`` (the default: ``scopelint path/``), ``rules``,
``explain CODE``, ``lsp``, ``trace``. Optional pieces (LSP, dynamic mode) are
imported only inside the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from scopelint import __version__

if TYPE_CHECKING:
    from scopelint.config import Config
    from scopelint.diagnostic import Diagnostic
    from scopelint.notes import Note
    from scopelint.report import TraceOutcome
    from scopelint.files import FileReads
    from scopelint.report.baseline import Baseline
    from scopelint.warm import Inputs
from scopelint.config import Config

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("error", "warning", "info")  # worst first
# What `pip install` brings each optional piece (module -> distribution).
DYNAMIC_NEEDS = {"tensorflow": "tensorflow", "tf_keras": "tf-keras", "tf_slim": "tf-slim"}
LSP_NEEDS = {"pygls": "pygls", "lsprotocol": "lsprotocol"}


class UsageError(Exception):
    pass


def build_kind() -> str:
    """Whether this installation runs the model compiled (README, Speed): looked up on disk,
    since importing the model to ask would cost every run that builds the parser."""
    from importlib.machinery import EXTENSION_SUFFIXES

    interpret = Path(__file__).parent / "model" / "interpret"
    compiled = any((interpret / f"core{suffix}").is_file() for suffix in EXTENSION_SUFFIXES)
    return "model compiled with mypyc" if compiled else "plain Python"


def _parser_check() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scopelint",
        description="Find TensorFlow 1.x name-scope / variable-scope bugs. "
        "Other commands: `scopelint rules`, `scopelint explain CODE` (or `rule CODE`), `scopelint lsp`, `scopelint trace`.",
    )
    parser.add_argument("paths", nargs="*", default=[], help="files or directories ('-' reads stdin)")
    parser.add_argument("--version", action="version", version=f"scopelint {__version__} ({build_kind()})")
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format", default="text", choices=["text", "json", "sarif", "github", "gitlab", "junit", "pylint", "grouped"],
        help="output format",
    )
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--statistics", action="store_true", help="count findings per rule")
    out.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    out.add_argument("--show-suppressed", action="store_true", help="also list findings silenced by comments")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    out.add_argument(
        "--fail-on", choices=SEVERITIES, default="warning",
        help="exit 1 only for findings of this severity or worse (default: warning; info-level findings such as SL401 are reported but do not fail)",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="print the findings only (no summary line)")
    out.add_argument("--silent", action="store_true", help="print nothing; the exit code says whether anything was found")
    out.add_argument("-v", "--verbose", action="store_true", help="on stderr: tracebacks, timing per phase, and notes on what the model analysed on its own or was unsure about")
    out.add_argument("--show-settings", action="store_true", help="print the settings this run would use (config file, rules, excludes), then exit")
    out.add_argument("--show-files", action="store_true", help="print the files this run would lint, then exit")
    out.add_argument("--explain-names", metavar="FILE", help="print every variable creation in FILE with the full name the model predicts, then exit")
    sel = parser.add_argument_group("rule selection (prefixes allowed: SL2)")
    sel.add_argument("--select", help="comma-separated codes to enable (replaces the config's)")
    sel.add_argument("--extend-select", help="codes to enable in addition")
    sel.add_argument("--ignore", help="codes to disable")
    run = parser.add_argument_group("run")
    run.add_argument("--config", metavar="PYPROJECT", help="use this pyproject.toml instead of the nearest one")
    run.add_argument("--isolated", action="store_true", help="ignore every config file")
    run.add_argument("--context", action="append", default=[], metavar="DIR",
                     help="also analyse the modules under DIR (builders there are followed), but report only on PATHS "
                     "(the pre-commit hook passes --context .)")
    run.add_argument("--stdin-filename", help="the path to report for '-' (also used for per-file-ignores)")
    run.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("--cache-dir", help="cache location (default: $XDG_CACHE_HOME/scopelint/<hash of the project root>)")
    run.add_argument("--no-prefilter", action="store_true", help="parse every file, even those without TF keywords (for benchmarking)")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply safe fixes in place, then report what is left")
    fixes.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: also apply fixes that change variable names or checkpoint keys")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as a unified diff and write nothing")
    adopt = parser.add_argument_group("adopting on legacy code")
    adopt.add_argument("--add-noqa", action="store_true", help="append `# noqa: CODE` to every line with a finding (merged into an existing noqa or scopelint: ignore comment), then exit")
    adopt.add_argument("--write-baseline", metavar="FILE", help="record every current finding in FILE (JSON), then exit")
    adopt.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE (default: `baseline` in [tool.scopelint])")
    adopt.add_argument("--no-baseline", action="store_true", help="ignore the baseline the config names")
    from scopelint.dynamic.options import add_options as add_dynamic_options  # no TensorFlow: argparse only

    add_dynamic_options(parser, with_switch=True)
    return parser


def _codes_arg(value: str | None, flag: str) -> tuple[str, ...] | None:
    from scopelint.config import ConfigError, validate_codes

    if value is None:
        return None
    try:
        return validate_codes(value, flag, allow_empty=flag != "--select")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def _load_config(args: argparse.Namespace, looked: list[str] | None = None) -> Config:
    """``looked``: receives the config files looked at, found or not."""
    from scopelint.config import ConfigError, load_config

    try:
        if args.isolated:
            config = Config(root=str(Path.cwd()))
        elif args.config:
            config = load_config(explicit=Path(args.config), looked=looked)
        else:
            first = Path(args.paths[0]) if args.paths and args.paths[0] != "-" else Path.cwd()
            if args.stdin_filename:
                first = Path(args.stdin_filename)
            config = load_config(start=first if first.exists() else Path.cwd(), looked=looked)
    except ConfigError as exc:
        raise UsageError(f"config error: {exc}") from None
    return config.with_overrides(
        select=_codes_arg(args.select, "--select"),
        extend_select=_codes_arg(args.extend_select, "--extend-select"),
        ignore=_codes_arg(args.ignore, "--ignore"),
    )


def exit_code(diagnostics: Sequence["Diagnostic"], args: argparse.Namespace, extra: bool = False) -> int:
    """1 when an unsuppressed finding is at least as severe as ``--fail-on``
    (or ``extra``: --diff would change a file), else 0; ``--exit-zero`` wins."""
    if getattr(args, "exit_zero", False):
        return EXIT_CLEAN
    failing = SEVERITIES[: SEVERITIES.index(getattr(args, "fail_on", "warning")) + 1]
    found = any(d.severity.value in failing and not d.data.get("suppressed") for d in diagnostics)
    return EXIT_FOUND if found or extra else EXIT_CLEAN


def require_extra(needs: dict[str, str], extra: str, what: str) -> None:
    """One line saying what to install, instead of an import traceback later."""
    import importlib.util

    missing = []
    for module, distribution in needs.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(distribution)
    if missing:
        raise UsageError(
            f"{what} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install 'scopelint[{extra}]'"
        )


def _use_color(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _rememberable(args: argparse.Namespace) -> bool:
    """A run the warm path may answer next time: it only reads files and prints a report
    (no fixes, no files written, no user code run, no timings, not stdin)."""
    writes = args.fix or args.diff or args.add_noqa or args.write_baseline or args.output
    return not (writes or args.dynamic or args.verbose or args.no_cache or "-" in args.paths)


def cmd_check(argv: Sequence[str], remember_as: Sequence[str] | None = None) -> int:
    """``remember_as``: the command line as typed; given, a plain lint run is stored
    under it for :func:`scopelint.warm.serve`."""
    from scopelint.api import lint_paths, lint_source
    from scopelint.engine import EngineOptions
    from scopelint.files import FileReads, discover
    from scopelint.report import ReportContext, renderer
    from scopelint.warm import Inputs

    args = _parser_check().parse_args(argv)
    inputs = Inputs() if remember_as is not None and _rememberable(args) else None
    looked: list[str] = []
    if args.show_settings:
        from scopelint.settings_view import show_settings

        print(show_settings(_load_config(args), args), end="")
        return EXIT_CLEAN
    if args.explain_names:
        from scopelint.model.explain import explain_names

        return explain_names(args.explain_names, _load_config(args), args.format, args.verbose)
    if not args.paths:
        raise UsageError("no paths given: try `scopelint .` (or `scopelint -` to read stdin)")
    config = _load_config(args, looked)
    if args.show_files:
        if args.paths == ["-"]:
            raise UsageError("--show-files lists files on disk; '-' reads stdin")
        for path in discover(args.paths, config):
            print(path)
        return EXIT_CLEAN
    if args.dynamic:
        require_extra(DYNAMIC_NEEDS, "dynamic", "--dynamic")
    baseline = _baseline(args, config)
    timer = Timer(args.verbose)
    from scopelint.progress import for_stderr

    meter = for_stderr(sys.stderr, quiet=args.quiet or args.silent)
    options = EngineOptions(
        jobs=args.jobs,
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
        prefilter=not args.no_prefilter,
        show_suppressed=args.show_suppressed,
        progress=meter,
        notes={} if args.verbose else None,
    )
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.dynamic and (args.fix or args.diff):
        # Fixes come from the static findings alone; a traced run must never also rewrite files.
        raise UsageError("--dynamic cannot be combined with --fix or --diff: run `scopelint --dynamic` to see which findings TF confirms, then fix without it")
    if args.context and (args.fix or args.diff or args.paths == ["-"]):
        raise UsageError("--context applies to linting files, not to --fix, --diff or stdin")
    if args.add_noqa and (args.fix or args.diff or args.write_baseline or args.dynamic or args.paths == ["-"]):
        raise UsageError("--add-noqa edits files on disk; it cannot be combined with --fix, --diff, --write-baseline, --dynamic or stdin")
    if args.write_baseline and (args.fix or args.diff):
        raise UsageError("--write-baseline records findings; run it without --fix or --diff")
    if args.add_noqa:
        from scopelint.fixes.add_noqa import run_add_noqa

        return run_add_noqa(args, config, options, baseline)
    if args.fix or args.diff:
        from scopelint.fixes.command import run_fix_command

        return run_fix_command(args, config, options, baseline)
    if args.unsafe_fixes:
        raise UsageError("--unsafe-fixes only applies with --fix or --diff")

    traces: tuple["TraceOutcome", ...] = ()
    explain: Callable[[], list["Note"]] = list
    texts: dict[str, str] = {}  # stdin's text, for fingerprints
    if args.paths == ["-"]:
        if args.dynamic:
            raise UsageError("--dynamic runs files from disk; it cannot trace stdin")
        source = sys.stdin.buffer.read()
        from scopelint.files import FileProblem, decode

        name = args.stdin_filename or "<stdin>"
        try:
            text = decode(name, source)
        except FileProblem as problem:
            from scopelint.parse_errors import file_problem_diagnostic

            diagnostics = [file_problem_diagnostic(name, problem.message)]
        else:
            diagnostics = lint_source(text, name, config)
            explain = functools.partial(_text_notes, text, name, config)
            texts[name] = text
        files_checked = 1
    else:
        if "-" in args.paths:
            raise UsageError("'-' (stdin) cannot be mixed with other paths")
        listed: list[str] = []
        files = list(discover(args.paths, config, listed))
        timer.lap(f"found {len(files)} files to lint")
        files_checked = len(files)
        stats: dict[str, float] = {}
        reads = FileReads()
        try:
            diagnostics = lint_paths(files, config, options, stats=stats, context=args.context, reads=reads, walked=listed)
        finally:
            if meter is not None:
                meter.finish()
        if inputs is not None:
            _what_it_read(inputs, args, files, reads, listed + looked)
            inputs.complete = bool(stats.get("run_kept"))  # findings the cache would not keep: not stored either
        timer.engine(stats)
        explain = functools.partial(_file_notes, files, config, options, args.context)
        if args.dynamic:
            diagnostics, traces = _with_dynamic(args, config, files, diagnostics)
            timer.lap("dynamic mode")
    if args.write_baseline:
        return write_baseline_file(args.write_baseline, diagnostics, texts)
    said: list[str] = []
    diagnostics = apply_baseline(baseline, diagnostics, args, texts, said.append)
    if inputs is not None and baseline is not None:
        inputs.look([baseline.path])
    report = ""

    if not args.silent:
        stream = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
        try:
            context = ReportContext(
                files_checked=files_checked,
                color=_use_color(args.color, stream),
                statistics=args.statistics,
                quiet=args.quiet,
                traces=traces,
            )
            report = renderer(args.format)(diagnostics, context)
            stream.write(report)
        finally:
            if args.output:
                stream.close()
        timer.lap(f"{args.format} report")
    if args.verbose:
        timer.notes(explain())
    timer.total(len(diagnostics))
    code = exit_code(diagnostics, args)
    if inputs is not None and remember_as is not None:
        from scopelint.warm import remember

        # The cache's own folders change as it is written; they hold no module.
        remember(remember_as, inputs, report, "".join(line + "\n" for line in said), code,
                 skip=[options.cache_dir] if options.cache_dir else [])
    return code


def _what_it_read(inputs: "Inputs", args: argparse.Namespace, files: list[str], reads: "FileReads", listed: list[str]) -> None:
    """Fill ``inputs`` with what this lint run's findings came from (scopelint.warm)."""
    inputs.look([*args.paths, *args.context, *listed])
    read = list(reads.stats())
    for path, info in read:
        inputs.read(path, info)
    # Their folders: a sibling module appearing there is imported (flat layouts).
    inputs.look(os.path.dirname(os.path.abspath(f)) for f in files)
    inputs.packages_above(path for path, _ in read)


def _baseline(args: argparse.Namespace, config: "Config") -> "Baseline | None":
    """The baseline this run filters with (--baseline, else the config's), loaded now so a bad one fails first."""
    from scopelint.report.baseline import BaselineError, load_baseline

    path = args.baseline or (None if args.no_baseline or args.write_baseline else config.baseline_path)
    if path is None:
        return None
    try:
        return load_baseline(path)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def write_baseline_file(path: str, diagnostics: Sequence["Diagnostic"], texts: dict[str, str]) -> int:
    from scopelint.report.baseline import write_baseline

    try:
        count = write_baseline(diagnostics, path, texts)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    print(f"scopelint: wrote {count} finding{'' if count == 1 else 's'} to the baseline {path}", file=sys.stderr)
    return EXIT_CLEAN


def apply_baseline(
    baseline: "Baseline | None", diagnostics: Sequence["Diagnostic"], args: argparse.Namespace, texts: dict[str, str] | None = None,
    said: Callable[[str], None] | None = None,
) -> list["Diagnostic"]:
    """The findings the baseline does not hold; says on stderr how many it hid (not with --quiet/--silent)."""
    if baseline is None:
        return list(diagnostics)
    from scopelint.report.baseline import filter_new

    filtered = filter_new(diagnostics, baseline, texts)
    if not (args.quiet or args.silent) and (filtered.matched or filtered.stale):
        note = f"scopelint: {filtered.matched} finding{'' if filtered.matched == 1 else 's'} in the baseline {baseline.path} not shown"
        if filtered.stale:
            note += f"; {filtered.stale} baseline entr{'y' if filtered.stale == 1 else 'ies'} no longer found (rewrite it with --write-baseline)"
        print(note, file=sys.stderr)
        if said is not None:
            said(note)  # for the warm path to print again
    return filtered.new


# ``-v``'s notes: scopelint.notes (and with it the model) loads only when they are asked for.
def _text_notes(*args: Any) -> list["Note"]:
    from scopelint.notes import notes_for_text

    return notes_for_text(*args)


def _file_notes(*args: Any) -> list["Note"]:
    from scopelint.notes import notes_for_files

    return notes_for_files(*args)


class Timer:
    """``-v``: one stderr line per phase, as it ends."""

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled
        self._clock = time.perf_counter
        self.start = self.last = self._clock()

    def say(self, text: str) -> None:
        if self.enabled:
            print(f"scopelint: {text}", file=sys.stderr)

    def lap(self, what: str) -> None:
        now = self._clock()
        self.say(f"{what}: {now - self.last:.3f} s")
        self.last = now

    def engine(self, stats: dict[str, float]) -> None:
        if stats.get("run_cached"):
            self.say(
                f"read and hashed {int(stats.get('files', 0))} files, all unchanged: the last run's findings "
                f"from the cache: {stats.get('phase1', 0):.3f} s"
            )
        elif stats:
            self.say(
                f"phase 1 (read, prefilter, parse): {stats.get('phase1', 0):.3f} s -- {int(stats.get('files', 0))} files: "
                f"{int(stats.get('parsed', 0))} parsed or cached, {int(stats.get('skipped', 0))} skipped unparsed (no TF), "
                f"{int(stats.get('problems', 0))} not analysed"
            )
            analysed, reused = int(stats.get("analysed", 0)), int(stats.get("reused", 0))
            self.say(
                f"phase 2 (model, checks across modules): {stats.get('phase2', 0):.3f} s -- {analysed} "
                f"module{'' if analysed == 1 else 's'} analysed" + (f", {reused} from the cache (nothing they reach changed)" if reused else "")
            )
            self.say(f"fix edits: {stats.get('fixes', 0):.3f} s")
        self.last = self._clock()

    def notes(self, notes: Sequence["Note"]) -> None:
        """Why the model was unsure where it stayed silent: stderr, after the report."""
        self.say(f"{len(notes)} notes on what the model analysed on its own or was unsure about:" if notes
                 else "no notes: nothing analysed on its own, no unsure creation")
        for note in notes:
            print(note.render(), file=sys.stderr)
        self.lap("notes")

    def total(self, findings: int) -> None:
        self.say(f"total: {self._clock() - self.start:.3f} s, {findings} findings")


def _with_dynamic(
    args: argparse.Namespace, config: "Config", files: list[str], diagnostics: list["Diagnostic"]
) -> tuple[list["Diagnostic"], tuple["TraceOutcome", ...]]:
    """--dynamic: run the files under TF in a child process; the static results stand if that fails."""
    from scopelint.dynamic.cli import check_with_dynamic, keep_for, report_outcomes
    from scopelint.dynamic.options import options_from

    try:
        dynamic_options = options_from(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    keep = keep_for(config)
    found, traced = check_with_dynamic(diagnostics, args.paths, files, dynamic_options, keep)
    return keep.withdraw_answered(found), report_outcomes(traced)


def cmd_rules(argv: Sequence[str]) -> int:
    from scopelint.catalog import load_catalog

    parser = argparse.ArgumentParser(prog="scopelint rules", description="List the rule catalog.")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    if args.format == "json":
        import json

        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity, "fix": r.fix, "summary": r.summary, "status": r.status}
            for r in catalog.values()
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_CLEAN
    width = max(len(r.name) for r in catalog.values())
    for rule in catalog.values():
        removed = " (removed)" if rule.status == "removed" else ""
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  fix:{rule.fix:<6}  {rule.summary}{removed}")
    return EXIT_CLEAN


def cmd_explain(argv: Sequence[str]) -> int:
    from scopelint.catalog import load_catalog

    parser = argparse.ArgumentParser(prog="scopelint explain", description="Print a rule's documentation.")
    parser.add_argument("code", help="a rule code (SL201) or name (variable-already-exists)")
    args = parser.parse_args(argv)
    catalog = load_catalog()
    wanted = args.code.strip()
    rule = catalog.get(wanted.upper()) or next((r for r in catalog.values() if r.name == wanted), None)
    if rule is None:
        raise UsageError(f"unknown rule {wanted!r}; `scopelint rules` lists them")
    print(rule.text, end="")
    return EXIT_CLEAN


def cmd_lsp(argv: Sequence[str]) -> int:
    require_extra(LSP_NEEDS, "lsp", "`scopelint lsp`")
    try:
        from scopelint.lsp import main as lsp_main
    except ImportError as exc:
        raise UsageError(f"the LSP server needs pygls: pip install 'scopelint[lsp]' ({exc})") from None
    return int(lsp_main(argv))


def cmd_trace(argv: Sequence[str]) -> int:
    if not any(a in ("-h", "--help") for a in argv):
        require_extra(DYNAMIC_NEEDS, "dynamic", "`scopelint trace`")
    from scopelint.dynamic.cli import trace_main

    return trace_main(argv)


SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "check": cmd_check,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "rule": cmd_explain,  # ruff's spelling
    "lsp": cmd_lsp,
    "trace": cmd_trace,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    # A lint run is stored under the command line as typed, for scopelint.warm to answer.
    command: Callable[[Sequence[str]], int] = functools.partial(cmd_check, remember_as=list(args))
    # A subcommand name always wins, even where a directory of that name exists
    # (scopelint's own checkout has rules/): lint such a path as `./rules` or `check rules`.
    if args and args[0] in SUBCOMMANDS and args[0] != "check":
        command = SUBCOMMANDS[args.pop(0)]
    elif args and args[0] == "check":
        args.pop(0)
    try:
        return command(args)
    except UsageError as exc:
        print(f"scopelint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("scopelint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_ERROR
    except Exception as exc:  # last resort: a clear line, the traceback only on request
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"scopelint: internal error: {exc!r} (run with --verbose for the traceback)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
