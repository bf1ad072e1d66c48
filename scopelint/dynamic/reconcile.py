"""Static findings meet the trace.

Each static diagnostic gets ``data["dynamic"]``:

* ``confirmed``: TF did what the rule predicts (raised that error with the
  line on its stack, created the silent copy, named the variable as predicted);
* ``refuted``: a trace that ran to its end (or to its first Session.run)
  executed the line, and TF did not do it;
* ``not reached``: no trace executed the line. When the line did run but the
  trace ended early, before a later pass could show the problem,
  ``data["dynamic_note"]`` says so and the verdict stays "not reached".

A finding no single run can show (SL206: a cell run a second time) gets no
verdict, only ``data["dynamic_note"]`` saying it was not checked by the trace.
Notebooks are judged on their virtual source (see :mod:`.notebooks`).

The silent families (SL101, SL102, SL103, SL104, SL301, SL302, SL401) are judged
on what TF built, by :mod:`.silent`; where the trace recorded nothing that bears
on a reached line, the finding stays unmarked.

Scope errors, silent copies and the silent bugs :mod:`.silent` can show at lines
no static diagnostic covers become new diagnostics with the same codes and
``"trace-only"``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from scopelint.diagnostic import Diagnostic, Severity, related
from scopelint.dynamic import silent
from scopelint.dynamic.notebooks import Notebooks
from scopelint.dynamic.records import NOT_RUN as NOT_RUN_OUTCOME
from scopelint.dynamic.records import FileTrace, Frame, ScopeError, VariableEvent, real

CONFIRMED, REFUTED, NOT_REACHED, TRACE_ONLY = "confirmed", "refuted", "not reached", "trace-only"

# The ValueErrors the variable store raises, by the rule that predicts them.
ERROR_CODES = frozenset({"SL201", "SL202", "SL205"})
_REUSE_SPELLING = {"true": "reuse=True", "auto": "reuse=tf.AUTO_REUSE"}
_UNIQUIFIED = re.compile(r"_\d+$")
# Findings no single run can show either way: no verdict, this note in ``data["dynamic_note"]``.
NOT_CHECKED = {
    "SL206": "not checked by the trace: it runs each cell once, and this finding is about running the cell a second time",
}


def name_pattern(predicted: str) -> re.Pattern[str]:
    """``tower_{i}/w`` -> a pattern where each symbolic part matches one path segment's text."""
    parts = re.split(r"(\{[^}]*\})", predicted.split(":")[0])
    return re.compile("".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts) + r"\Z")


def _base_name(name: str) -> str:
    """``d_1/dense_2/kernel`` -> ``d/dense/kernel``: the name before TF uniquified it."""
    return "/".join(_UNIQUIFIED.sub("", part) for part in name.split("/"))


@dataclass(frozen=True)
class Evidence:
    traces: tuple[FileTrace, ...]

    def reached(self, frame: Frame) -> list[FileTrace]:
        return [t for t in self.traces if frame in t.reached]

    def errors(self) -> Iterable[tuple[FileTrace, ScopeError]]:
        for trace in self.traces:
            for error in trace.errors:
                yield trace, error

    def variables(self) -> Iterable[tuple[FileTrace, VariableEvent]]:
        for trace in self.traces:
            for event in trace.variables:
                yield trace, event

    def traced(self, path: str) -> bool:
        return any(real(t.path) == path for t in self.traces)


def _frame(diagnostic: Diagnostic) -> Frame:
    return (real(diagnostic.path), diagnostic.line)


def _predicted(diagnostic: Diagnostic) -> re.Pattern[str] | None:
    name = diagnostic.data.get("predicted_name")
    return name_pattern(name) if isinstance(name, str) and name else None


def _error_matches(diagnostic: Diagnostic, error: ScopeError) -> bool:
    if error.code != diagnostic.code:
        return False
    if _frame(diagnostic) in error.stack:
        return True
    pattern = _predicted(diagnostic)
    return pattern is not None and pattern.match(error.name) is not None


def is_silent_copy(event: VariableEvent, earlier: Iterable[VariableEvent]) -> VariableEvent | None:
    """A variable created under reuse (True or AUTO_REUSE) whose name is a
    uniquified copy of one that already exists: the sharing the author asked
    for did not happen. Returns the original. Outside the variable store
    (``tf.Variable``, Keras) any such copy counts; through it (an unnamed
    ``tf.layers`` layer under AUTO_REUSE) only a copy made by the same line
    called from elsewhere (a builder called twice, not a loop of layers)."""
    if event.kind != "create" or event.reuse not in ("true", "auto") or event.name == _base_name(event.name):
        return None
    base = _base_name(event.name)
    for other in earlier:
        if other.seq < event.seq and other.kind == "create" and other.name != event.name and _base_name(other.name) == base:
            if event.via == "Variable" or (other.where == event.where and other.stack[1:] != event.stack[1:]):
                return other
    return None


def _silent_copies(trace: FileTrace) -> list[tuple[VariableEvent, VariableEvent]]:
    found = []
    for event in trace.variables:
        original = is_silent_copy(event, trace.variables)
        if original is not None:
            found.append((event, original))
    return found


def _judge(diagnostic: Diagnostic, evidence: Evidence) -> tuple[str | None, str | None]:
    """(verdict, note) for one static diagnostic."""
    frame = _frame(diagnostic)
    reached_in = evidence.reached(frame)
    if diagnostic.code in ERROR_CODES:
        if any(_error_matches(diagnostic, error) for _, error in evidence.errors()):
            return CONFIRMED, None
    elif diagnostic.code == "SL204":
        if any(frame in copy.stack for trace in evidence.traces for copy, _ in _silent_copies(trace)):
            return CONFIRMED, None
        if any(frame in e.stack and e.kind == "create" and e.via == "Variable" and e.reuse in ("true", "auto") for _, e in evidence.variables()):
            return CONFIRMED, None
    elif diagnostic.code in silent.JUDGES:
        shown = silent.judge(diagnostic, evidence.traces)
        if shown:
            return CONFIRMED, None
        if shown is None:
            return (None, None) if reached_in or _reached_range(diagnostic, evidence) else _unreached(diagnostic, evidence)
        reached_in = reached_in or _reached_range(diagnostic, evidence)
    elif diagnostic.code == "SL203":
        for trace in reached_in:
            after = trace.reached[frame]
            if any(e.code == "SL202" and e.seq > after for e in trace.errors):
                return CONFIRMED, None
    else:
        return (None, None) if reached_in else _unreached(diagnostic, evidence)
    if not reached_in:
        return _unreached(diagnostic, evidence)
    if any(t.outcome.complete for t in reached_in):
        return REFUTED, None
    outcome = reached_in[0].outcome
    return NOT_REACHED, f"the line ran, but the trace {outcome.describe().split(';')[0]} before a later pass could show the problem"


def _reached_range(diagnostic: Diagnostic, evidence: Evidence) -> list[FileTrace]:
    """Traces that ran any line of a multi-line diagnostic (a call spread over lines)."""
    path, last = real(diagnostic.path), max(diagnostic.line, diagnostic.end_line or diagnostic.line)
    return [t for t in evidence.traces if any((path, n) in t.reached for n in range(diagnostic.line, last + 1))]


def _unreached(diagnostic: Diagnostic, evidence: Evidence) -> tuple[str | None, str | None]:
    if not evidence.traced(real(diagnostic.path)) and not any(
        real(diagnostic.path) == path for t in evidence.traces for path, _ in t.reached
    ):
        return None, None  # the file was neither run nor imported: no evidence either way
    return NOT_REACHED, None


def annotate(diagnostic: Diagnostic, evidence: Evidence) -> Diagnostic:
    if diagnostic.code in NOT_CHECKED:
        return replace(diagnostic, data={**diagnostic.data, "dynamic_note": NOT_CHECKED[diagnostic.code]})
    verdict, note = _judge(diagnostic, evidence)
    if verdict is None:
        return diagnostic
    data = {**diagnostic.data, "dynamic": verdict}
    if note:
        data["dynamic_note"] = note
    return replace(diagnostic, data=data)


class _Paths:
    """Real paths back to the spelling the user gave, so trace-only findings sort
    with the rest; a file the user did not name (a module the traced file
    imported) is spelled in the run's one form: absolute when every path the
    user gave is absolute, else relative to the working directory."""

    def __init__(self, spellings: Iterable[str], notebooks: Notebooks) -> None:
        given = [p for p in spellings if not p.startswith("<")]
        self._shown = {real(p): p for p in given}
        self._absolute = bool(given) and all(os.path.isabs(p) for p in given)
        self._notebooks = notebooks

    def shown(self, path: str) -> str:
        if path in self._shown:
            return self._shown[path]
        return path if self._absolute else os.path.relpath(path)

    def column(self, path: str, line: int) -> int:
        """Where the statement starts on that line (the trace knows lines, not columns;
        a notebook's lines are those of its virtual source)."""
        text = self._notebooks.line_text(path, line)
        if text is None:
            text = _file_line(path, line)
        return len(text) - len(text.lstrip()) + 1


def _file_line(path: str, line: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, 1):
                if number == line:
                    return text
    except OSError:
        pass
    return ""


def _caller(stack: Sequence[Frame]) -> str:
    """`` (called from line 12)`` when the innermost frame is inside a builder."""
    if len(stack) < 2:
        return ""
    path, line = stack[1]
    where = f"line {line}" if path == stack[0][0] else f"{os.path.basename(path)}:{line}"
    return f" (called from {where})"


def _first_creation(trace: FileTrace, name: str) -> VariableEvent | None:
    return next((e for e in trace.variables if e.kind == "create" and e.name == name), None)


def _error_finding(trace: FileTrace, error: ScopeError, paths: _Paths) -> Diagnostic | None:
    if error.where is None or error.code is None:
        return None
    path, line = error.where
    data: dict[str, object] = {"dynamic": TRACE_ONLY, "predicted_name": error.name}
    first = _first_creation(trace, error.name)
    if first is not None and first.where is not None and error.code != "SL202":
        data["related"] = [related(paths.shown(first.where[0]), first.where[1], paths.column(*first.where), f"{error.name} first created here{_caller(first.stack)}")]
    return Diagnostic(
        path=paths.shown(path),
        line=line,
        column=paths.column(path, line),
        code=error.code,
        message=f"TensorFlow raised: {error.message}{_caller(error.stack)} (seen by the trace only)",
        severity=Severity.ERROR,
        data=data,
    )


def _copy_finding(copy: VariableEvent, original: VariableEvent, paths: _Paths) -> Diagnostic | None:
    if copy.where is None:
        return None
    path, line = copy.where
    data: dict[str, object] = {"dynamic": TRACE_ONLY, "predicted_name": copy.name}
    if original.where is not None:
        data["related"] = [related(paths.shown(original.where[0]), original.where[1], paths.column(*original.where), f"{original.name} created here")]
    return Diagnostic(
        path=paths.shown(path),
        line=line,
        column=paths.column(path, line),
        code="SL204",
        message=(
            f"`{copy.api or 'Variable'}` under {_REUSE_SPELLING.get(copy.reuse, 'reuse')} created {copy.name!r}, a copy of {original.name!r}: "
            + ("it never shares" if copy.via == "Variable" else "an unnamed layer's default name is uniquified, so it never shares; give the layer a name")
            + " (seen by the trace only)"
        ),
        severity=Severity.WARNING,
        data=data,
    )


def _severity(code: str) -> Severity:
    from scopelint.catalog import CatalogError, load_catalog

    try:
        rule = load_catalog().get(code)
    except (CatalogError, OSError):
        rule = None
    return Severity(rule.severity) if rule is not None else Severity.WARNING


def _fact_finding(finding: silent.Finding, paths: _Paths) -> Diagnostic:
    path, line = finding.where
    data: dict[str, object] = {"dynamic": TRACE_ONLY}
    if finding.predicted_name:
        data["predicted_name"] = finding.predicted_name
    if finding.related is not None:
        (other, other_line), message = finding.related
        data["related"] = [related(paths.shown(other), other_line, paths.column(other, other_line), message)]
    return Diagnostic(paths.shown(path), line, paths.column(path, line), finding.code, finding.message, _severity(finding.code), data=data)


def _related_frames(diagnostic: Diagnostic) -> set[Frame]:
    frames = set()
    for entry in diagnostic.data.get("related") or ():
        if isinstance(entry, dict) and isinstance(entry.get("line"), int):
            frames.add((real(str(entry.get("path", diagnostic.path))), entry["line"]))
    return frames


def _explains(diagnostic: Diagnostic, trace: FileTrace, error: ScopeError) -> bool:
    """A static finding already accounts for this error: the same code at a line on
    its stack, or a leaked reuse (SL203) that the failing creation came after."""
    if _error_matches(diagnostic, error):
        return True
    if diagnostic.code != "SL203" or error.code != "SL202":
        return False
    if _related_frames(diagnostic) & set(error.stack):
        return True
    leaked_at = trace.reached.get(_frame(diagnostic))
    return leaked_at is not None and leaked_at < error.seq


def trace_only(static: Sequence[Diagnostic], evidence: Evidence, paths: _Paths) -> list[Diagnostic]:
    covered = [d for d in static if d.code in ERROR_CODES or d.code in {"SL203", "SL204"}]
    found: dict[tuple[str, int, str], Diagnostic] = {}
    for trace, error in evidence.errors():
        if any(_explains(d, trace, error) for d in covered):
            continue
        finding = _error_finding(trace, error, paths)
        if finding is not None:
            found.setdefault((real(finding.path), finding.line, finding.code), finding)
    for trace in evidence.traces:
        for fact_finding in silent.findings(trace):
            if not silent.covered(fact_finding, static):
                finding = _fact_finding(fact_finding, paths)
                found.setdefault((real(finding.path), finding.line, finding.code), finding)
        for copy, original in _silent_copies(trace):
            if any(d.code == "SL204" and _frame(d) in copy.stack for d in covered):
                continue
            finding = _copy_finding(copy, original, paths)
            if finding is not None:
                found.setdefault((real(finding.path), finding.line, finding.code), finding)
    return list(found.values())


def reconcile(
    static: Sequence[Diagnostic],
    traces: Sequence[FileTrace],
    keep: Callable[[Diagnostic], bool] | None = None,
) -> list[Diagnostic]:
    """Annotated static diagnostics plus the trace-only findings ``keep``
    accepts (rule selection, suppressions), sorted like the static ones."""
    # A file the worker never ran (TF missing, worker killed) is no evidence of anything.
    evidence = Evidence(tuple(t for t in traces if t.outcome.kind != NOT_RUN_OUTCOME))
    notebooks = Notebooks()
    static = notebooks.to_virtual(static)  # a notebook's trace speaks of its virtual source
    paths = _Paths([d.path for d in static] + [t.path for t in traces], notebooks)
    annotated = [annotate(d, evidence) if d.code != "SL900" else d for d in static]
    extra = trace_only(static, evidence, paths)
    if keep is not None:
        extra = [d for d in extra if keep(d)]
    return notebooks.to_cells(annotated + extra)
