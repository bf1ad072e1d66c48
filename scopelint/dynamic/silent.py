"""The silent families meet the trace: what TF built, read from the child's facts
(see :mod:`.graph_hooks`), for SL101, SL102, SL103, SL104, SL301, SL302 and SL401.

``judge`` says what the facts recorded on a diagnostic's lines show: ``True``
(TF did what the rule predicts), ``False`` (TF ran that code and did not) or
``None`` (nothing recorded there that bears on it). ``trace_only`` turns facts no
static finding covers into findings, only where the fact alone is the bug --
never where whether it is one depends on the author's intent (a ``name_scope``
meant to prefix a ``get_variable``, a filter expected to be empty).
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.dynamic.records import RAISED, Fact, FileTrace, Frame, VariableEvent, real

# TF's own deprecation messages for the APIs SL401 names (TF 2.21).
DEPRECATED = (
    ("tf.op_scope(values, name, default_name) is deprecated", "tf.op_scope"),
    ("tf.variable_op_scope(values, name, default_name) is deprecated", "tf.variable_op_scope"),
    ("Use `tf.global_variables_initializer` instead", "tf.initialize_all_variables"),
    ("Use `tf.local_variables_initializer` instead", "tf.initialize_local_variables"),
    ("Use `tf.variables_initializer` instead", "tf.initialize_variables"),
    ("Please use tf.global_variables instead", "tf.all_variables"),
    ("Use `tf.tables_initializer` instead", "tf.initialize_all_tables"),
    ("Use `tf.GraphKeys.GLOBAL_VARIABLES` instead", "tf.GraphKeys.VARIABLES"),
)
VARIABLE_COLLECTIONS = frozenset({"variables", "trainable_variables", "model_variables"})
UPDATE_OPS = "update_ops"
_PLAIN_SCOPE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_/-]*\Z")
_SUFFIX = re.compile(r"_\d+\Z")


@dataclass(frozen=True)
class Lines:
    """The lines a diagnostic covers, as the trace names them."""

    path: str
    first: int
    last: int

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Lines:
        return cls(real(diagnostic.path), diagnostic.line, max(diagnostic.line, diagnostic.end_line or diagnostic.line))

    def has(self, frame: Frame | None) -> bool:
        return frame is not None and frame[0] == self.path and self.first <= frame[1] <= self.last


def deprecated_api(message: str) -> str | None:
    return next((api for text, api in DEPRECATED if text in message), None)


def strays(scope: str, names: Iterable[str]) -> list[str]:
    """What a ``re.match`` scope filter took from outside the scope of that name."""
    base = scope.rstrip("/")
    return [n for n in names if n != base and not n.startswith(base + "/")]


def foreign_updates(fact: Fact) -> list[str]:
    """Update ops an unscoped ``get_collection(UPDATE_OPS)`` returned from outside the name scope it ran in."""
    scope = str(fact.detail.get("name_scope") or "")
    return strays(scope, fact.detail.get("returned") or []) if scope else []


def _reopened(fact: Fact) -> bool:
    requested = str(fact.detail.get("requested", "")).rstrip("/").rsplit("/", 1)[-1]
    opened = str(fact.detail.get("opened", "")).rsplit("/", 1)[-1]
    return opened != requested


def _facts(traces: Sequence[FileTrace], lines: Lines, kind: str) -> list[Fact]:
    return [f for t in traces for f in t.facts if f.kind == kind and lines.has(f.where)]


def _raised_at(traces: Sequence[FileTrace], lines: Lines, *texts: str) -> bool:
    return any(t.outcome.kind == RAISED and lines.has(t.outcome.where) and t.outcome.detail.startswith(texts) for t in traces)


def _verdict(facts: list[Fact], shows: Callable[[Fact], bool]) -> bool | None:
    if any(shows(f) for f in facts):
        return True
    return False if facts else None


def _sl101(d: Diagnostic, traces: Sequence[FileTrace], lines: Lines) -> bool | None:
    made = [e for t in traces for e in t.variables if e.kind == "create" and e.via == "get_variable" and lines.has(e.where)]
    predicted = d.data.get("predicted_name")

    def ignored(e: VariableEvent) -> bool:
        named = not isinstance(predicted, str) or "{" in predicted or e.name == predicted.split(":")[0]
        return named and bool(e.name_scope) and not e.name.startswith(e.name_scope + "/")

    return (True if any(ignored(e) for e in made) else False) if made else None


def _sl102(d: Diagnostic, traces: Sequence[FileTrace], lines: Lines) -> bool | None:
    if _facts(traces, lines, "lookup") or _raised_at(traces, lines, "AssertionError", "KeyError"):
        return True
    filters = [f for f in _facts(traces, lines, "collection") if f.detail.get("scope") is not None]
    if filters:
        return any(f.detail.get("count") == 0 for f in filters)
    predicted = d.data.get("predicted_name")
    if not isinstance(predicted, str) or "{" in predicted:
        return None
    # "the variable created at line N is 'v:0'": TF's name for that variable decides.
    created = [e for t in traces for e in t.variables if e.kind == "create" and any(_of_related(r, d).has(e.where) for r in d.data.get("related") or ())]
    if not created:
        return None
    return any(e.name == predicted.split(":")[0] for e in created)


def _sl301(d: Diagnostic, traces: Sequence[FileTrace], lines: Lines) -> bool | None:
    ops = _facts(traces, lines, "train_op")
    if ops:
        return any(f.detail.get("missing") for f in ops)
    towers = [f for f in _facts(traces, lines, "collection") if f.detail.get("key") == UPDATE_OPS and f.detail.get("scope") is None]
    return _verdict(towers, lambda f: bool(foreign_updates(f)))


def _sl302(d: Diagnostic, traces: Sequence[FileTrace], lines: Lines) -> bool | None:
    if _raised_at(traces, lines, "ValueError: No variables to save"):
        return True
    return _verdict(_facts(traces, lines, "saver"), lambda f: bool(f.detail.get("missing_count")))


def _sl401(d: Diagnostic, traces: Sequence[FileTrace], lines: Lines) -> bool | None:
    warned = [f for f in _facts(traces, lines, "warning") if deprecated_api(str(f.detail.get("message", "")))]
    if warned:
        return True
    # Every call logs here (the child forgets TF's warn-once), so a line that ran without a warning refutes.
    return False if any(_reached(t, lines) for t in traces) else None


def _reached(trace: FileTrace, lines: Lines) -> bool:
    return any((lines.path, n) in trace.reached for n in range(lines.first, lines.last + 1))


def _of_related(entry: object, d: Diagnostic) -> Lines:
    if isinstance(entry, dict) and isinstance(entry.get("line"), int):
        return Lines(real(str(entry.get("path", d.path))), entry["line"], entry["line"])
    return Lines("", 0, -1)


JUDGES: dict[str, Callable[[Diagnostic, Sequence[FileTrace], Lines], bool | None]] = {
    "SL101": _sl101,
    "SL102": _sl102,
    "SL103": lambda d, traces, lines: _verdict(_facts(traces, lines, "name_scope"), _reopened),
    "SL104": lambda d, traces, lines: _verdict(
        [f for f in _facts(traces, lines, "collection") if f.detail.get("scope")],
        lambda f: bool(strays(str(f.detail["scope"]), f.detail.get("returned") or [])),
    ),
    "SL301": _sl301,
    "SL302": _sl302,
    "SL401": _sl401,
}


def judge(d: Diagnostic, traces: Sequence[FileTrace]) -> bool | None:
    return JUDGES[d.code](d, traces, Lines.of(d))


# ---- trace-only -------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A silent bug the trace showed, before it becomes a Diagnostic."""

    code: str
    where: Frame
    message: str
    predicted_name: str | None = None
    related: tuple[Frame, str] | None = None


def _first_opener(trace: FileTrace, fact: Fact) -> Fact | None:
    parent = str(fact.detail.get("parent") or "")
    wanted = (parent + "/" if parent else "") + str(fact.detail.get("requested", "")).rstrip("/")
    return next((f for f in trace.facts if f.kind == "name_scope" and f.seq < fact.seq and f.detail.get("opened") == wanted), None)


def _findings(trace: FileTrace) -> Iterator[Finding]:
    towers: dict[Frame, set[str]] = {}
    for fact in trace.facts:
        if fact.kind == "collection" and fact.detail.get("key") == UPDATE_OPS and fact.detail.get("scope") is None and fact.where:
            towers.setdefault(fact.where, set()).add(str(fact.detail.get("name_scope") or ""))
    for fact in trace.facts:
        where, d = fact.where, fact.detail
        if where is None:
            continue
        if fact.kind == "lookup" and trace.outcome.kind == RAISED and trace.outcome.where == where:
            yield Finding("SL102", where, f"TensorFlow raised {d.get('error')} (seen by the trace only)", str(d.get("name", "")))
        elif fact.kind == "name_scope" and _reopened(fact):
            first = _first_opener(trace, fact)
            if first is not None and first.where is not None and first.where != where:
                yield Finding(
                    "SL103", where,
                    f"`name_scope('{d.get('requested')}')` opened '{d.get('opened')}': '{first.detail.get('opened')}' was already "
                    f"opened at line {first.where[1]} (seen by the trace only)",
                    related=(first.where, f"name_scope('{d.get('requested')}') first opened here"),
                )  # fmt: skip
        elif fact.kind == "collection" and d.get("key") in VARIABLE_COLLECTIONS and isinstance(d.get("scope"), str):
            scope = str(d["scope"])
            taken = strays(scope, d.get("returned") or [])
            if taken and not scope.endswith("/") and _PLAIN_SCOPE.match(scope) and not _asserted(where):
                yield Finding("SL104", where, f"scope filter '{scope}' returned '{taken[0]}'" + (f" and {len(taken) - 1} more" if len(taken) > 1 else "") + f" from outside '{scope}/' (seen by the trace only)")
        elif fact.kind == "collection" and where in towers and len(towers[where]) > 1 and foreign_updates(fact):
            yield Finding("SL301", where, f"`get_collection(UPDATE_OPS)` under name scope '{d.get('name_scope')}' returned '{foreign_updates(fact)[0]}' of another tower (seen by the trace only)")
        elif fact.kind == "train_op" and d.get("missing"):
            missing = list(d["missing"])
            yield Finding("SL301", where, f"the train op from `{d.get('api')}()` does not run {len(missing)} of the {d.get('update_ops')} UPDATE_OPS ops ('{missing[0]}', ...): batch-norm statistics never update (seen by the trace only)")
        elif fact.kind == "saver" and d.get("default_var_list") and d.get("missing_count"):
            missing = list(d.get("missing") or [])
            yield Finding("SL302", where, f"this Saver saves {d.get('saved')} variables; {d.get('missing_count')} global variables created after it ('{missing[0]}', ...) are never checkpointed (seen by the trace only)", missing[0] if missing else None)
        elif fact.kind == "warning":
            api = deprecated_api(str(d.get("message", "")))
            if api is not None:
                yield Finding("SL401", where, f"TensorFlow logged that `{api}` is deprecated (seen by the trace only)")


def _asserted(where: Frame) -> bool:
    """An assertion on the filter's result (a test counting what it takes) knows what it takes, as the static rule says."""
    text = linecache.getline(where[0], where[1]).strip()
    return text.startswith("assert") or ".assert" in text


def findings(trace: FileTrace) -> list[Finding]:
    found: dict[tuple[Frame, str], Finding] = {}
    for finding in _findings(trace):
        found.setdefault((finding.where, finding.code), finding)
    return list(found.values())


def covered(finding: Finding, static: Sequence[Diagnostic]) -> bool:
    return any(d.code == finding.code and Lines.of(d).has(finding.where) for d in static)
