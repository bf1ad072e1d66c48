"""read -> prefilter -> parse once -> model facts -> (project) -> checks -> suppressions.

Phase 1 (per file, parallel, cached by content): decode, skip files that
cannot hold TF scoping code, parse with libcst once, extract the model's
picklable facts and the file's suppression comments. The parse is CPython's
``ast``; libcst, the parser of record, reads only files that get findings.

Phase 2 (per file, in the parent, cheap): interpret each module's facts with
every other module's facts at hand -- so builders imported across modules are
followed -- run the checks, drop suppressed and deselected findings.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterator, Mapping, Sequence, TypeVar

from scopelint.config import Config
from scopelint.cache import Cache, PathNames, default_cache_dir
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.files import (
    MAX_FILE_BYTES, TOO_LARGE, FileProblem, FileReads, RealPaths, decode, module_name_for, read_bytes, read_with_stat,
)
from scopelint.notebook import Notebook, NotebookError, is_notebook, parse_notebook, to_cells
from scopelint.parse_errors import file_problem_diagnostic, parse_error_diagnostic
from scopelint.suppressions import Suppressions, find_suppressions, is_suppressed

if TYPE_CHECKING:  # the model is imported only when something is parsed or interpreted
    import ast

    from scopelint.model import ModelSettings, ModuleFacts
    from scopelint.notes import Note

# A file that matches none of these bytes cannot create, scope or look up a TF
# variable, so it is never parsed. Kept deliberately broad: missing a file is a
# false negative, keeping one costs only a parse.
_PREFILTER = re.compile(
    rb"tensorflow|tf_slim|tensornets|slim\b|variable_scope|name_scope|op_scope|"
    rb"get_variable|make_template|\.layers\b|rnn|Variable\(|GraphKeys|trainable_variables|"
    rb"global_variables|get_collection|Saver\(|initialize_|_by_name\("
)

T = TypeVar("T")

# Below this many files to parse, a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 8


@dataclass(frozen=True)
class FileResult:
    """Phase-1 result for one file; plain data, cached by content (as JSON, see cache.py)."""

    path: str
    facts: ModuleFacts | None = None
    problems: tuple[Diagnostic, ...] = ()
    suppressions: Suppressions = field(default_factory=dict)
    skipped: bool = False  # the prefilter ruled it out without parsing
    key: str = ""  # the phase-1 cache key (content + settings + scopelint's code); "": not cached
    facts_deferred: bool = False  # facts exist in the cache under key, not loaded yet

    @property
    def has_facts(self) -> bool:
        return self.facts is not None or self.facts_deferred


# progress(step, done, total): step is "parsing" (phase 1) or "analysing" (phase 2).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class EngineOptions:
    jobs: int | None = None  # None: all cores
    use_cache: bool = True
    cache_dir: str | None = None
    prefilter: bool = True
    show_suppressed: bool = False
    progress: Progress | None = field(default=None, compare=False)  # the CLI's stderr meter
    # ``-v``: filled with each reported file's notes (scopelint.notes) from the analysis that
    # gave its findings, by path, so the notes need no second analysis; a file whose findings
    # came from the cache is left out (scopelint.notes.notes_for_files analyses it then).
    notes: "dict[str, list[Note]] | None" = field(default=None, compare=False)


def model_settings(config: Config) -> "ModelSettings":
    from scopelint.model import ModelSettings

    return ModelSettings(tf_modules=config.tf_modules)


def _prefilter_pattern(settings: ModelSettings) -> re.Pattern[bytes]:
    if not settings.tf_modules:
        return _PREFILTER
    extra = b"|".join(re.escape(m.encode()) for m in settings.tf_modules)
    return re.compile(_PREFILTER.pattern + b"|" + extra)


def might_hold_tf(data: bytes, settings: ModelSettings) -> bool:
    return _prefilter_pattern(settings).search(data) is not None


def analyse_file_text(
    path: str, text: str, settings: ModelSettings, module_name: str | None, cells: tuple[int, ...] = (),
    parser_check: bool = True,
) -> FileResult:
    """See :func:`analyse_parsed`."""
    return analyse_parsed(path, text, settings, module_name, cells, parser_check)[0]


def analyse_parsed(
    path: str, text: str, settings: ModelSettings, module_name: str | None, cells: tuple[int, ...] = (),
    parser_check: bool = True,
) -> tuple[FileResult, ast.Module | None]:
    """Parse once, with CPython's ``ast`` (about 10x faster than libcst), and extract facts;
    also the tree (None when the text does not parse), which the fixes read again.

    libcst, the parser of record, reads only the files that get findings (see
    :func:`_parser_of_record`): most files report nothing, and their libcst parse
    was most of a cold run's time. ``cells``: for a notebook's virtual source, the
    line each code cell starts on. ``parser_check=False``: a syntax error is not
    shown to libcst (see :func:`parser_check_changes`)."""
    import ast
    import warnings

    suppressions = find_suppressions(text)
    try:
        with warnings.catch_warnings():  # the user's invalid escapes are not ours to print
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return FileResult(path=path, problems=(_syntax_problem(path, text, error, parser_check),), suppressions=suppressions), None
    except (RecursionError, MemoryError):
        problem = file_problem_diagnostic(path, "too deeply nested to parse")
        return FileResult(path=path, problems=(problem,), suppressions=suppressions), None
    except ValueError as error:  # NUL bytes (Python < 3.12)
        problem = file_problem_diagnostic(path, f"cannot be parsed: {error}")
        return FileResult(path=path, problems=(problem,), suppressions=suppressions), None
    from scopelint import model

    facts = model.facts_from_source(text, path=path, module_name=module_name, settings=settings, tree=tree, cells=cells)
    return FileResult(path=path, facts=facts, suppressions=suppressions), tree


def _syntax_problem(path: str, text: str, error: SyntaxError, ask_libcst: bool = True) -> Diagnostic:
    """SL900 for a file CPython rejects, unless libcst reads it: then it is newer
    syntax than this interpreter knows, so it is left unmodelled, not reported."""
    if not ask_libcst or _libcst_verdict(text) != "reads":
        return parse_error_diagnostic(path, text, error.lineno or 1, max(1, error.offset or 1), error.msg or "invalid syntax")
    return file_problem_diagnostic(path, f"uses syntax this Python ({sys.version.split()[0]}) cannot read: {error.msg}")


def _libcst_verdict(text: str) -> str:
    """"reads", "rejects" (a ParserSyntaxError) or "fails" (anything else, recursion included)."""
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        return "rejects"
    except Exception:
        return "fails"
    return "reads"


def parser_check_changes(text: str, diagnostics: Sequence[Diagnostic]) -> bool:
    """Whether linting ``text`` with the libcst check (the default) can give other findings
    than ``diagnostics``, which were found without it (``lint_text(parser_check=False)``,
    the editor's first answer): a syntax error libcst reads (newer syntax), or findings
    in a file libcst rejects. Costs the libcst parse, so only when it can matter."""
    if any(d.code == "SL900" and "python2" in d.data for d in diagnostics):
        return _libcst_verdict(text) == "reads"
    if any(d.code != "SL900" for d in diagnostics):
        return _libcst_verdict(text) == "rejects"
    return False


def _parser_of_record(path: str, diagnostics: list[Diagnostic], text: str | None) -> list[Diagnostic]:
    """libcst must read every file scopelint reports on (fixes are libcst edits).
    A file CPython accepts and libcst rejects keeps its findings, which get no
    fix (SL401's came with it from phase 1), and one SL900 saying so."""
    if text is None:
        return diagnostics
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        diagnostics = [_without_fix(d) for d in diagnostics]
        note = Diagnostic(
            path=path, line=exc.raw_line, column=exc.raw_column + 1, code="SL900", severity=Severity.WARNING,
            message="valid Python that libcst (the parser scopelint fixes with) cannot read; findings are "
            "reported, but no fix is offered for this file",
            data={"parser_disagreement": True},
        )
        return [*diagnostics, note]
    except RecursionError:
        return diagnostics
    return diagnostics


def _without_fix(diagnostic: Diagnostic) -> Diagnostic:
    if "fix" not in diagnostic.data:
        return diagnostic
    return replace(diagnostic, data={k: v for k, v in diagnostic.data.items() if k != "fix"})


def analyse_file_bytes(path: str, data: bytes, settings: ModelSettings, force: bool = False) -> FileResult:
    """Phase 1 for one file, including the per-file error boundary."""
    if is_notebook(path):
        return _analyse_notebook(path, data, settings, force)
    try:
        text = decode(path, data)
    except FileProblem as problem:
        return FileResult(path=path, problems=(file_problem_diagnostic(path, problem.message),))
    if not force and not might_hold_tf(data, settings):
        return FileResult(path=path, skipped=True)
    return analyse_file_text(path, text, settings, module_name_for(path))


def _analyse_notebook(path: str, data: bytes, settings: ModelSettings, force: bool) -> FileResult:
    """A notebook's code cells as one program (never a module others import)."""
    try:
        notebook = parse_notebook(data)
    except NotebookError as problem:
        return FileResult(path=path, problems=(file_problem_diagnostic(path, str(problem)),))
    if not force and not might_hold_tf(data, settings):
        return FileResult(path=path, skipped=True)
    return analyse_file_text(path, notebook.source, settings, None, cells=notebook.index.first_lines)


def notebooks_in_cells(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Findings in notebooks on disk, moved from the virtual source to their cells."""
    indexes: dict[str, Any] = {}
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if not is_notebook(diagnostic.path) or diagnostic.cell is not None:
            out.append(diagnostic)
            continue
        if diagnostic.path not in indexes:
            try:
                indexes[diagnostic.path] = parse_notebook(read_bytes(diagnostic.path)).index
            except (FileProblem, NotebookError):
                indexes[diagnostic.path] = None  # its SL900 says why; nothing to map
        index = indexes[diagnostic.path]
        out.extend(to_cells([diagnostic], index) if index is not None else [diagnostic])
    out.sort(key=lambda d: d.sort_key)
    return out


def _phase1_job(job: tuple[str, bytes, ModelSettings]) -> FileResult:
    path, data, settings = job
    try:
        return analyse_file_bytes(path, data, settings, force=True)
    except Exception as exc:  # the one broad except: a bug must cost one file, not the run
        return FileResult(path=path, problems=(file_problem_diagnostic(path, f"internal error: {exc!r}"),))


def _cache_dir(config: Config, options: EngineOptions) -> Path | None:
    if not options.use_cache:
        return None
    return Path(options.cache_dir) if options.cache_dir else default_cache_dir(config)


def _imports_kept_module(data: bytes, kept_names: set[bytes]) -> bool:
    """A file with no TF keyword can still call a builder imported from a kept module."""
    if not kept_names or b"import" not in data:
        return False
    for match in re.finditer(rb"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", data, re.M):
        module = (match.group(1) or match.group(2)).rsplit(b".", 1)[-1]
        if module in kept_names:
            return True
    return False


Contents = Mapping[str, "bytes | FileProblem"]


def run_phase1(
    paths: Sequence[str], config: Config, options: EngineOptions, contents: Contents | None = None
) -> list[FileResult]:
    """``contents``: the files' bytes (or why they could not be read), already read by the caller."""
    settings = model_settings(config)
    cache = Cache(_cache_dir(config, options))
    results: dict[str, FileResult] = {}
    pending: list[tuple[str, bytes, str]] = []  # path, data, cache key
    held_back: list[tuple[str, bytes]] = []
    kept_names: set[bytes] = set()

    for path in paths:
        try:
            data = _bytes_of(path, contents)
        except FileProblem as problem:
            results[path] = FileResult(path=path, problems=(file_problem_diagnostic(path, problem.message),))
            continue
        if options.prefilter and not might_hold_tf(data, settings):
            held_back.append((path, data))
            continue
        kept_names.add(Path(path).stem.encode())
        if Path(path).stem == "__init__":
            kept_names.add(Path(path).parent.name.encode())
        pending.append((path, data, cache.key(path, data, settings)))

    for path, data in held_back:
        if _imports_kept_module(data, kept_names):
            pending.append((path, data, cache.key(path, data, settings)))
        else:
            # Binary files and notebooks are still looked at: a broken one gets its SL900.
            checked = b"\0" in data[:8192] or is_notebook(path)
            results[path] = analyse_file_bytes(path, data, settings) if checked else FileResult(path=path, skipped=True)

    to_parse: list[tuple[str, bytes, str]] = []
    for path, data, key in pending:
        cached = cache.get(key, path)
        if cached is not None:
            results[path] = replace(cached, key=key)
        else:
            to_parse.append((path, data, key))

    jobs = [(path, data, settings) for path, data, _ in to_parse]
    for (path, _, key), result in zip(to_parse, _map_jobs(jobs, options.jobs, _ticker("parsing", options.progress))):
        results[path] = replace(result, key=key)
        cache.put_result(key, result)
    return [results[p] for p in paths if p in results]


def _bytes_of(path: str, contents: Contents | None) -> bytes:
    found = contents.get(path) if contents is not None else None
    if found is None:
        return read_bytes(path)
    if isinstance(found, FileProblem):
        raise found
    return found


def _ticker(step: str, progress: Progress | None) -> Callable[[int, int], None]:
    if progress is None:
        return lambda done, total: None
    return lambda done, total: progress(step, done, total)


def _map_jobs(
    jobs: list[tuple[str, bytes, "ModelSettings"]], requested: int | None, tick: Callable[[int, int], None]
) -> Iterator[FileResult]:
    workers = requested or os.cpu_count() or 1
    if workers <= 1 or len(jobs) < _PARALLEL_THRESHOLD:
        with _collector_paused():  # every module's IR is kept: collections would only walk it
            return iter(list(_ticking(map(_phase1_job, jobs), len(jobs), tick)))
    from concurrent.futures import ProcessPoolExecutor

    workers = min(workers, len(jobs))
    # Largest files first so one big file does not finish last on its own.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][1]))
    with ProcessPoolExecutor(max_workers=workers) as pool, _collector_paused():
        mapped = pool.map(_phase1_job, [jobs[i] for i in order], chunksize=_chunk(len(jobs), workers))
        done = list(_ticking(mapped, len(jobs), tick))
    return iter(_back_in_order(done, order))


def _back_in_order(done: list[T], order: list[int]) -> list[T]:
    """``done[k]`` is the result of job ``order[k]``: the results in job order."""
    ordered = [done[0]] * len(done)
    for position, index in enumerate(order):
        ordered[index] = done[position]
    return ordered


def _chunk(jobs: int, workers: int) -> int:
    """Tasks per message to a worker: a few per worker's share, but never big messages --
    a chunk is pickled whole (a phase-1 result carries a module's IR), and on a tree 4x the
    size, 4x chunks cost more than 4x as much to pickle and leave one worker the last one."""
    return max(1, min(16, jobs // (workers * 8)))


def _ticking(items: Iterator[Any], total: int, tick: Callable[[int, int], None]) -> Iterator[Any]:
    for done, item in enumerate(items, start=1):
        tick(done, total)
        yield item


def run_phase2(
    results: Sequence[FileResult],
    config: Config,
    options: EngineOptions,
    extra_project: Mapping[str, ModuleFacts] | None = None,
    texts: Mapping[str, str] | None = None,
    parser_check: bool = True,
    report: Collection[str] | None = None,
    stats: dict[str, float] | None = None,
) -> list[Diagnostic]:
    """``texts``: the source of in-memory documents (else files are read from disk).
    ``parser_check=False``: libcst does not read the files with findings. ``report``: the
    paths whose findings are wanted (default: all); the other results only lend their
    modules' facts, and are not interpreted. ``stats`` receives how many modules were
    analysed and how many results came from the cache."""
    from scopelint.fixes.attach import read_text

    cache = Cache(_cache_dir(config, options))
    wanted = [i for i, r in enumerate(results) if r.has_facts and (report is None or r.path in report)]
    # A module's findings depend on its own facts and on those of the modules its analysis
    # asked for (the builders it followed, the names it looked up, found or not): a cached
    # result is good while each of those is unchanged, so editing one file re-analyses only
    # the modules that reached it. (module name -> phase-1 key; "": absent.)
    selection = repr((config.select, config.extend_select, config.ignore))
    keys = {i: hashlib.sha256(f"phase2:{selection}:{results[i].key}".encode()).hexdigest() for i in wanted if results[i].key}
    current = _module_keys(results, extra_project) if keys else {}
    names = PathNames((r.path for r in results), config.root) if cache.directory else None
    checked: dict[int, list[Diagnostic]] = {}
    todo: list[int] = []
    for index in wanted:
        cached = cache.get_reached(keys[index], current, results[index].path, names) if index in keys and names else None
        if cached is None:
            todo.append(index)
        else:
            checked[index] = cached
    if todo:
        # The modules analysed need their facts now; the others only if an analysis asks.
        loaded = load_facts([results[i] for i in todo], config, options)
        results = list(results)
        for index, result in zip(todo, loaded):
            results[index] = result
        for index in todo:
            if results[index].facts is None and index in keys:  # promised by the cache, now gone
                current[module_name_for(results[index].path) or ""] = _UNKEYED
        todo = [i for i in todo if results[i].facts is not None]
    if stats is not None:
        stats.update(analysed=len(todo), reused=len(checked))
    project = FactsOnDemand(results, extra_project, lambda result: load_facts([result], config, options)[0])
    # The notes word who imports a function run on its own, which needs the whole project
    # listed: taken from this analysis only where that costs nothing (every module decoded).
    with_notes = options.notes is not None and project.lists_cheaply
    if options.notes is not None:  # a file without facts was not analysed: it has no notes
        options.notes.update((r.path, []) for r in results if not r.has_facts and (report is None or r.path in report))
    analysed = _analyse_all([results[i].facts for i in todo], project, config, options.jobs,
                            _ticker("analysing", options.progress), with_notes)
    for index, (diagnostics, asked, notes) in zip(todo, analysed):
        path = results[index].path
        if options.notes is not None and notes is not None:
            options.notes[path] = notes
        if parser_check and any(d.code != "SL900" for d in diagnostics):
            # A notebook's virtual source is never given to libcst (notebooks are not fixed).
            own = texts[path] if texts and path in texts and not is_notebook(path) else read_text(path)
            diagnostics = _parser_of_record(path, diagnostics, own)
        checked[index] = diagnostics
        reached = _reached_keys(asked, current, results[index].facts)
        if stats is not None and reached is None:  # computed from facts no key stands for
            stats["unkeyed"] = stats.get("unkeyed", 0) + 1
        if index in keys and names and reached is not None and not any(
                d.message.startswith("file not analysed: internal error") for d in diagnostics):
            cache.put_reached(keys[index], reached, diagnostics, names)

    found: list[Diagnostic] = []
    for index, result in enumerate(results):
        if report is not None and result.path not in report:
            continue
        candidates: list[Diagnostic] = [*result.problems, *checked.get(index, ())]
        candidates.extend(unused_suppressions(result, candidates, config, texts))
        for diagnostic in candidates:
            if not config.is_selected(diagnostic.code) and diagnostic.code != "SL900":
                continue
            if config.ignored_for_path(diagnostic.code, diagnostic.path):
                continue
            # SL901 reports the line's only directive: that directive cannot also silence it.
            if diagnostic.code != "SL901" and is_suppressed(diagnostic.code, diagnostic.line, result.suppressions):
                if options.show_suppressed:
                    found.append(_mark_suppressed(diagnostic))
                continue
            found.append(diagnostic)
    found.sort(key=lambda d: d.sort_key)
    return found


def _module_keys(results: Sequence[FileResult], extra_project: Mapping[str, ModuleFacts] | None) -> dict[str, str]:
    """Each module name of the project -> the phase-1 key of the file that defines it, as the
    project mapping resolves it (the last file of a name wins); a module lent by the caller
    without a key (an editor's in-memory buffer) -> "?", which no cached entry matches."""
    keys = {name: _UNKEYED for name in extra_project or {}}
    for result in results:
        name = _module_name(result)
        if name:
            keys[name] = result.key or _UNKEYED
    return keys


def _module_name(result: FileResult) -> str | None:
    """The module a phase-1 result defines, its facts loaded or not: as analyse_file_bytes
    names it (a notebook is never a module others import)."""
    if result.facts is not None:
        return result.facts.module_name
    return module_name_for(result.path) if result.facts_deferred and not is_notebook(result.path) else None


def _reached_keys(asked: set[str], current: Mapping[str, str], own: ModuleFacts | None) -> tuple[tuple[str, str], ...] | None:
    """What a module's analysis asked for, as (module name, phase-1 key or "" for absent);
    None when one of them cannot be keyed (the result is then not cached)."""
    own_name = own.module_name if own is not None else None
    reached = tuple(sorted((name, current.get(name, "")) for name in asked if name != own_name))
    return None if _UNKEYED in asked or any(key == _UNKEYED for _, key in reached) else reached


def _maybe_unused(suppressions: Suppressions, fired: Mapping[int, set[str]]) -> bool:
    """Cheap, without the text: could any suppression here be unused?"""
    for line, codes in suppressions.items():
        if codes is None:
            if not fired.get(line):
                return True
        elif any(c.startswith("SL") and not any(f.startswith(c) for f in fired.get(line, ())) for c in codes):
            return True
    return False


def unused_suppressions(
    result: FileResult, candidates: Sequence[Diagnostic], config: Config, texts: Mapping[str, str] | None
) -> list[Diagnostic]:
    """SL901 for one analysed file (none for a file with an SL900: not all of it was analysed)."""
    if not result.suppressions or not result.has_facts or not config.is_selected("SL901"):
        return []
    if any(d.code == "SL900" for d in candidates):
        return []
    fired: dict[int, set[str]] = {}
    for diagnostic in candidates:
        fired.setdefault(diagnostic.line, set()).add(diagnostic.code)
    if not _maybe_unused(result.suppressions, fired):
        return []
    text = texts[result.path] if texts and result.path in texts else _source_text(result.path)
    if text is None:
        return []
    from scopelint.catalog import load_catalog
    from scopelint.checks import sl901
    from scopelint.suppressions import find_directives

    def selected(code: str) -> bool:
        return code == "SL900" or config.is_selected(code)  # SL900 always runs

    active = [code for code, rule in load_catalog().items() if rule.status == "active"]
    return list(sl901.check(result.path, find_directives(text), fired, selected, active, fixable=not is_notebook(result.path)))


def _source_text(path: str) -> str | None:
    """The text phase 1 read suppressions from (a notebook's: its code cells as one program)."""
    from scopelint.fixes.attach import read_text

    if not is_notebook(path):
        return read_text(path)
    try:
        return parse_notebook(read_bytes(path)).source
    except (FileProblem, NotebookError):
        return None


class FactsOnDemand(Mapping[str, "ModuleFacts"]):
    """The project's modules by name (the last file of a name wins), each one's facts
    decoded from the cache only when an analysis first asks for it: after an edit, the few
    modules analysed again read the few they reach, not every module of the tree."""

    def __init__(self, results: Sequence[FileResult], extra_project: Mapping[str, ModuleFacts] | None,
                 load: Callable[[FileResult], FileResult]) -> None:
        self._facts: dict[str, ModuleFacts] = dict(extra_project or {})
        self._deferred: dict[str, FileResult] = {}
        self._load = load
        self._importers: dict[str, set[str]] | None = None
        self.unavailable: set[str] = set()
        for result in results:
            name = _module_name(result)
            if not name:
                continue
            if result.facts is not None:
                self._facts[name] = result.facts
                self._deferred.pop(name, None)
            else:
                self._deferred[name] = result
                self._facts.pop(name, None)

    def __getitem__(self, name: str) -> ModuleFacts:
        if name in self._deferred:
            facts = self._load(self._deferred.pop(name)).facts
            if facts is not None:
                self._facts[name] = facts
            else:  # its cache entry vanished and it no longer parses: absent, though keyed
                self.unavailable.add(name)
        return self._facts[name]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self[name]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        for name in list(self._deferred):
            self.get(name)
        return iter(dict(self._facts))

    def __len__(self) -> int:
        return len(list(iter(self)))

    @property
    def lists_cheaply(self) -> bool:
        """Listing the project decodes no module."""
        return not self._deferred

    def importers_index(self) -> dict[str, set[str]]:
        """Import origin -> the modules importing it, for LazyModules.importers (which only
        words a note): built once for every module run, since the project no longer changes
        once each module is decoded (rebuilt for each, it cost O(modules) a module run, a
        quadratic term in the tree's size). Empty while listing would decode modules."""
        if self._deferred:
            return {}
        if self._importers is None:
            from scopelint.model.project import importers_index

            self._importers = importers_index(self._facts.items())
        return self._importers


def load_facts(results: Sequence[FileResult], config: Config, options: EngineOptions) -> list[FileResult]:
    """Results with their cached facts loaded (needed when anything is re-analysed,
    since every module's builders may be called). A missing entry is re-parsed."""
    cache = Cache(_cache_dir(config, options))
    settings = model_settings(config)
    loaded: list[FileResult] = []
    for result in results:
        if result.facts is None and result.facts_deferred:
            facts = cache.get_facts(result.key, result.path)
            if facts is not None:
                result = replace(result, facts=facts, facts_deferred=False)
            else:
                try:
                    fresh = analyse_file_bytes(result.path, read_bytes(result.path), settings, force=True)
                except FileProblem as problem:
                    fresh = FileResult(path=result.path, problems=(file_problem_diagnostic(result.path, problem.message),))
                result = replace(fresh, key=result.key)
        loaded.append(result)
    return loaded


# Phase-2 workers inherit these by fork rather than unpickling the project per task.
# The modules to analyse travel as their indices: their facts are the workers' already.
_PHASE2_STATE: tuple[Sequence[ModuleFacts], Mapping[str, ModuleFacts], Config, bool] | None = None


Analysed = tuple[list[Diagnostic], set[str], "list[Note] | None"]


def _analyse_one(facts: ModuleFacts, project: Mapping[str, ModuleFacts], config: Config, with_notes: bool = False) -> Analysed:
    """One module's findings, the names of the modules its analysis asked for, and (``with_notes``)
    its ``-v`` notes (else None)."""
    from scopelint import model
    from scopelint.checks import run_checks
    from scopelint.model.project import Reached

    reached = Reached(project)
    notes: "list[Note] | None" = [] if with_notes else None
    try:
        result = model.analyze(facts, reached)
        found = run_checks(result, config.is_selected)
        if with_notes:
            from scopelint.notes import notes_for

            notes = notes_for(result)
    except Exception as exc:  # per-file boundary: report, keep going (and give no notes)
        found = [file_problem_diagnostic(facts.path, f"internal error: {exc!r}")]
    # A module the run's keys call present but whose facts could not be had: not cacheable.
    unkeyed = {_UNKEYED} if reached.asked & getattr(project, "unavailable", set()) else set()
    return found, reached.asked | unkeyed, notes


_UNKEYED = "?"  # among the names asked for: a result that must not be cached


def _phase2_job(index: int) -> Analysed:
    assert _PHASE2_STATE is not None
    todo, project, config, with_notes = _PHASE2_STATE
    return _analyse_one(todo[index], project, config, with_notes)


def _analyse_all(
    todo: list["ModuleFacts | None"], project: Mapping[str, "ModuleFacts"], config: Config, requested: int | None,
    tick: Callable[[int, int], None] = lambda done, total: None, with_notes: bool = False,
) -> Iterator[Analysed]:
    """Interpret every module, across cores when there is enough work and fork is available."""
    global _PHASE2_STATE
    import multiprocessing

    import gc

    facts = [f for f in todo if f is not None]
    workers = min(requested or os.cpu_count() or 1, len(facts))
    if workers <= 1 or len(facts) < _PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        # The project's facts live to the end of the run: the collector need not walk them
        # after every few thousand allocations of a module run (with --jobs 1 on the 2x speed
        # corpus that walk made each module run slower the larger the tree).
        gc.freeze()
        try:
            return iter(list(_ticking((_analyse_one(f, project, config, with_notes) for f in facts), len(facts), tick)))
        finally:
            gc.unfreeze()
    from concurrent.futures import ProcessPoolExecutor

    _PHASE2_STATE = (facts, project, config, with_notes)

    index = getattr(project, "importers_index", None)
    if index is not None:
        index()  # built once here, shared with every worker
    # Largest files first, one module a task: a module run costs from milliseconds to seconds
    # (roughly with its file's size), and in path order the last chunks left one core working
    # alone for seconds at the end.
    order = sorted(range(len(facts)), key=lambda i: -_file_size(facts[i].path))
    gc.freeze()  # keep the collector from touching (and so copying) the inherited project in each worker
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(_ticking(pool.map(_phase2_job, order), len(facts), tick))
    finally:
        _PHASE2_STATE = None
        gc.unfreeze()
    return iter(_back_in_order(done, order))


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:  # an in-memory document
        return 0


def _mark_suppressed(diagnostic: Diagnostic) -> Diagnostic:
    return replace(diagnostic, data={**diagnostic.data, "suppressed": True})


@contextmanager
def _collector_paused(freeze: bool = False) -> Iterator[None]:
    """While phase 1's results come in: unpickling (or building) every module's IR allocates
    millions of objects that all stay alive, and the collections they set off walked the
    growing heap again and again (on the speed corpus, 4.8 s of unpickling with the default
    thresholds against 0.4 s without a collection). ``freeze``: they stay alive to the end
    of the run, so they are frozen when it ends (the caller thaws them), or the first
    collection after would walk them all once more (0.5 s of a cold run)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was:
            gc.enable()


@contextmanager
def _few_collections() -> Iterator[None]:
    """A batch run allocates millions of small objects that live to its end (every module's
    IR, the interpreter's values); CPython's default thresholds then run the cyclic collector
    over that whole heap again and again, for a quarter to a third of a cold run's CPU
    (measured on the speed corpus: 65.9 s -> 54.6 s with these thresholds, peak RSS
    321 -> 355 MB; with the collector off, 47 s but 514 MB). Restored afterwards, since
    the API runs this inside other programs."""
    import gc

    saved = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.unfreeze()  # what phase 1 froze (lint_files): back in the care of the collector
        gc.set_threshold(*saved)


def lint_files(
    paths: Sequence[str], config: Config, options: EngineOptions, stats: dict[str, float] | None = None,
    contents: Contents | None = None, report: Collection[str] | None = None,
) -> tuple[list[Diagnostic], list[FileResult]]:
    """``stats`` (for ``-v``) receives seconds per phase and file counts. ``report``: the
    paths whose findings are wanted (default: all); the others lend their modules only."""
    import time

    from scopelint.fixes.attach import attach_by_file, read_text

    start = time.perf_counter()
    with _few_collections():
        with _collector_paused(freeze=True):
            results = run_phase1(paths, config, options, contents)
        phase1 = time.perf_counter()
        found = run_phase2(results, config, options, report=report, stats=stats)
        phase2 = time.perf_counter()
    attached = attach_by_file(found, read_text)
    if stats is not None:
        stats.update(
            phase1=phase1 - start, phase2=phase2 - phase1, fixes=time.perf_counter() - phase2, files=len(results),
            parsed=sum(r.has_facts for r in results), skipped=sum(r.skipped for r in results),
            problems=sum(bool(r.problems) and not r.has_facts for r in results),
        )
    return notebooks_in_cells(attached), results


def lint_tree(
    paths: Sequence[str], config: Config, options: EngineOptions, stats: dict[str, float] | None = None,
    reads: FileReads | None = None, report: Collection[str] | None = None,
) -> list[Diagnostic]:
    """:func:`lint_files`' findings. With the cache on, a run over the same files --
    same identities, sizes, mtimes and content hashes, same settings -- prints the
    findings the last such run computed: every file is read and hashed, one entry
    is decoded, and neither libcst nor the model is imported. ``reads``: files
    this run has read already. ``report``: as for :func:`lint_files`."""
    import time

    start = time.perf_counter()
    cache = Cache(_cache_dir(config, options))
    if cache.directory is None:
        return lint_files(paths, config, options, stats, report=report)[0]
    names = PathNames(paths, config.root, RealPaths())
    read = reads.with_stat if reads is not None else read_with_stat
    contents: dict[str, bytes | FileProblem] = {}
    parts = [repr((replace(config, root=os.path.realpath(config.root), source=None), options.prefilter, options.show_suppressed)).encode()]
    for path in paths:
        identity = names.identity(path).encode("utf-8", "surrogateescape")
        try:
            data, info = read(path)
        except FileProblem as problem:
            contents[path] = problem
            parts.append(identity + b"\0problem\0" + problem.message.encode("utf-8", "surrogateescape"))
            continue
        contents[path] = data
        parts.append(b"%s\0%d\0%d\0%s" % (identity, info.st_size, info.st_mtime_ns, hashlib.sha256(data).digest()))
    if report is not None:
        parts.append(b"report\0" + b"\0".join(sorted(names.identity(p).encode("utf-8", "surrogateescape") for p in report)))
    key = cache.run_key(parts)
    found = cache.get_run(key, names)
    if found is not None:
        if stats is not None:
            stats.update(phase1=time.perf_counter() - start, files=len(paths), run_cached=1, run_kept=1)
        return found
    stats = stats if stats is not None else {}
    found, _ = lint_files(paths, config, options, stats, contents, report)
    # Not kept: findings with an internal error, or computed without facts the cache promised.
    if not stats.get("unkeyed") and not any(d.message.startswith("file not analysed: internal error") for d in found):
        cache.put_run(key, found, names)
        stats["run_kept"] = 1  # what the warm path may print again (scopelint.warm)
    return found


# (path, text, settings, module name, parser_check) -> phase-1 result and the tree it parsed:
# analyse_parsed, or the editor's per-buffer incremental one (scopelint.lsp.incremental), whose
# tree comes as a function building it.
Analyse = Callable[..., "tuple[FileResult, ast.Module | Callable[[], ast.Module] | None]"]


def lint_text(
    text: str, path: str, config: Config, project: Mapping[str, ModuleFacts] | None = None, parser_check: bool = True,
    analyse: Analyse | None = None,
) -> list[Diagnostic]:
    """One in-memory document (API, LSP, stdin); never touches the cache.
    A ``.ipynb`` path means ``text`` is the notebook's JSON. Over MAX_FILE_BYTES
    it is one SL900, as a file that large is (an editor buffer is not exempt).

    ``parser_check=False`` (the editor, per keystroke) leaves out the libcst parse --
    several times the rest of the lint for a file with findings; the editor then runs
    :func:`parser_check_changes` once typing settles and lints again in the rare case it
    says the answer differs. ``analyse``: phase 1 for the text (default :func:`analyse_parsed`)."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_FILE_BYTES:
        return [file_problem_diagnostic(path, TOO_LARGE)]
    if is_notebook(path):
        try:
            notebook = parse_notebook(text)
        except NotebookError as problem:
            return [file_problem_diagnostic(path, str(problem))]
        return lint_notebook(notebook, path, config, project)
    settings = model_settings(config)
    # Same prefilter as for files, so the LSP and the CLI agree on every document.
    if not might_hold_tf(encoded, settings):
        return []
    tree = None
    try:
        module_name = module_name_for(path) if os.path.exists(path) else None
        result, tree = (analyse or analyse_parsed)(path, text, settings, module_name, parser_check=parser_check)
    except Exception as exc:
        result = FileResult(path=path, problems=(file_problem_diagnostic(path, f"internal error: {exc!r}"),))
    from scopelint.fixes.attach import attach_fixes

    # Fix edits for the scope-model rules need the text, which phase 2 no longer has, and
    # the tree the lint parsed (the model does not change it): a second parse cost as much
    # as the rest of a keystroke's lint.
    found = run_phase2([result], config, EngineOptions(), extra_project=project, texts={path: text}, parser_check=parser_check)
    return attach_fixes(found, text, tree)


def lint_notebook(
    notebook: Notebook, path: str, config: Config, project: Mapping[str, ModuleFacts] | None = None
) -> list[Diagnostic]:
    """One notebook held in memory (its cells as one program); findings in its cells."""
    settings = model_settings(config)
    if not might_hold_tf(notebook.source.encode("utf-8", "surrogatepass"), settings):
        return []
    try:
        result = analyse_file_text(path, notebook.source, settings, None, cells=notebook.index.first_lines)
    except Exception as exc:
        result = FileResult(path=path, problems=(file_problem_diagnostic(path, f"internal error: {exc!r}"),))
    found = run_phase2([result], config, EngineOptions(), extra_project=project, texts={path: notebook.source})
    return to_cells(found, notebook.index)
