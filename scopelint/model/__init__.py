"""The scope model: an abstract interpreter of TF1 naming semantics.

The engine calls exactly two functions here:

* :func:`facts_from_source` (phase 1, in a worker process, once per parsed file): lowers
  the module to the model's IR (:mod:`scopelint.model.ir`) in one walk and
  returns :class:`ModuleFacts` -- plain picklable data, cached by content.
* :func:`analyze` (phase 2, cheap): interprets one module's facts with every
  other linted module's facts at hand (builders imported from them are
  followed) and returns the :class:`ModelResult` the checks read: events in
  program order (:mod:`scopelint.model.events`).

Extending the model without touching the interpreter: :func:`register_extractor`
adds a function that contributes facts of its own in phase 1 (stored in
``ModuleFacts.extra`` under its name) and, optionally, an analyzer that turns
them -- with the interpreter's events at hand -- into more events in phase 2.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from scopelint.model import events as ev
from scopelint.model import ir

if TYPE_CHECKING:
    import ast


@dataclass(frozen=True)
class ModelSettings:
    """What the model needs from the configuration."""

    # Extra modules that stand for tensorflow.compat.v1 (``[tool.scopelint] tf-modules``).
    tf_modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellFacts:
    """One code cell of a notebook: where it starts in the virtual source and which
    statements of ``ModuleFacts.body`` it holds (``body[start:end]``)."""

    first_line: int
    start: int
    end: int


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    module_name: str | None = None
    package: str | None = None
    body: tuple[ir.Stmt, ...] = ()
    imports: tuple[tuple[str, str], ...] = ()
    tf_modules: tuple[str, ...] = ()
    # Why the module could not be lowered (the model then stays silent on it).
    error: str | None = None
    # Facts contributed by registered extractors: (extractor name, facts).
    extra: tuple[tuple[str, Any], ...] = ()
    # A notebook's code cells, in order (scopelint.model.rerun replays a cell as a
    # kernel re-running it would). (): not a notebook.
    cells: tuple[CellFacts, ...] = ()

    def extra_facts(self, name: str) -> Any:
        return dict(self.extra).get(name)


@dataclass(frozen=True)
class ModelResult:
    path: str
    events: tuple[Any, ...] = field(default_factory=tuple)
    facts: ModuleFacts | None = None

    def of_type(self, kind: type) -> list[Any]:
        """The events that are ``kind``s, in program order (each check asks for a few kinds:
        the events are grouped by exact type once, not scanned again for every kind)."""
        by_type = self._by_type
        if any(other is not kind and issubclass(other, kind) for other in by_type):
            return [event for event in self.events if isinstance(event, kind)]
        return list(by_type.get(kind, ()))

    @functools.cached_property
    def _by_type(self) -> dict[type, list[Any]]:
        grouped: dict[type, list[Any]] = {}
        for event in self.events:
            grouped.setdefault(type(event), []).append(event)
        return grouped


@dataclass(frozen=True)
class VariableInfo:
    """One variable creation as the model sees it (``scopelint --explain-names``)."""

    line: int
    column: int
    end_line: int
    end_column: int
    api: str
    predicted_name: str
    action: str  # "create" | "reuse" | "create-or-reuse" | "unknown"
    scope_stack: tuple[str, ...]
    outcome: str = ev.CREATED
    # The file that holds the creation: the analysed file, another module of the tree or an
    # installed library the model follows (tf-slim's nets); and the line of the analysed
    # file whose call led there (the same as ``line`` for a creation written in it).
    path: str = ""
    site_line: int = 0
    # Another file beside the analysed one whose run gave this row (``site_line`` is then a
    # line of it): the analysed file alone leaves the creation unresolved (scopelint/callers.py).
    caller: str = ""


# (tree, source, path) -> facts. ``tree()``: CPython's ``ast`` of ``source`` (the tree the
# lowering reads; parsed on the first call when the caller had none); raises SyntaxError
# when the source does not parse. No extractor parses with libcst: phase 1 never does.
Extractor = Callable[[Callable[[], "ast.Module"], str, str], Any]
Analyzer = Callable[[ModuleFacts, Mapping[str, ModuleFacts], tuple[Any, ...]], Iterable[Any]]
_EXTRACTORS: dict[str, tuple[Extractor, Analyzer | None]] = {}
_FACT_TYPES: dict[str, tuple[type, ...]] = {}


def register_extractor(
    name: str, extract_facts: Extractor, analyze_facts: Analyzer | None = None, fact_types: tuple[type, ...] = ()
) -> None:
    """Add a second extractor: ``extract_facts`` runs in phase 1 on every parsed
    module (its result lands in ``ModuleFacts.extra``); ``analyze_facts``
    runs in phase 2 with the facts, the project and the interpreter's events, and
    returns events appended to ``ModelResult.events``. ``fact_types``: the frozen
    dataclasses its facts are built from (besides tuples, strings, numbers), the
    only classes the on-disk cache may rebuild them from; facts holding anything
    else are simply not cached."""
    _EXTRACTORS[name] = (extract_facts, analyze_facts)
    _FACT_TYPES[name] = fact_types


def fact_types() -> tuple[type, ...]:
    """Every dataclass that can appear in :class:`ModuleFacts` (for the cache's codec)."""
    _load_extensions()
    found = [obj for obj in vars(ir).values() if isinstance(obj, type) and obj.__module__ == ir.__name__
             and hasattr(obj, "__dataclass_fields__")]
    return (ModuleFacts, CellFacts, *found, *(t for types in _FACT_TYPES.values() for t in types))


# Modules that register extractors of their own (see register_extractor).
EXTENSIONS: tuple[str, ...] = ("scopelint.model.legacy", "scopelint.model.rerun")


def _load_extensions() -> None:
    import importlib

    for name in EXTENSIONS:
        importlib.import_module(name)


def facts_from_source(
    source: str,
    *,
    path: str,
    module_name: str | None,
    settings: ModelSettings = ModelSettings(),
    tree: "ast.Module | None" = None,
    cells: tuple[int, ...] = (),
    extractor_tree: "Callable[[], ast.Module] | None" = None,
) -> ModuleFacts:
    """``tree``: ``ast.parse(source)`` when the caller has it. ``cells``: for a notebook's
    virtual source, the line each code cell starts on. ``extractor_tree``: builds the tree
    the extractors read, when it is not ``tree`` (the editor lowers its chunks itself and
    gives an empty ``tree``)."""
    from scopelint.model.lower import lower_module, lower_notebook

    _load_extensions()
    package = _package(path, module_name)
    parsed: list["ast.Module"] = [tree] if tree is not None else []

    def tree_of() -> "ast.Module":
        if not parsed:
            from scopelint.pyast import parse

            parsed.append(parse(source))
        return parsed[0]

    extra = tuple((name, extractor(extractor_tree or tree_of, source, path)) for name, (extractor, _) in _EXTRACTORS.items())
    tree = parsed[0] if parsed else None
    ranges: tuple[CellFacts, ...] = ()
    try:
        if cells:
            body, imports, spans = lower_notebook(source, package, cells, tree)
            ranges = tuple(CellFacts(line, start, end) for line, (start, end) in zip(cells, spans))
        else:
            body, imports = lower_module(source, package, tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return ModuleFacts(path=path, module_name=module_name, package=package, tf_modules=settings.tf_modules,
                           error=f"not modelled: {exc}", extra=extra)
    return ModuleFacts(path=path, module_name=module_name, package=package, body=body, imports=tuple(imports.items()),
                       tf_modules=settings.tf_modules, extra=extra, cells=ranges)


def analyze(facts: ModuleFacts, project: Mapping[str, ModuleFacts]) -> ModelResult:
    from scopelint.model.project import run

    _load_extensions()
    events: tuple[Any, ...] = tuple(run(facts, project)) if facts.error is None else ()
    for _, analyzer in _EXTRACTORS.values():
        if analyzer is not None:
            events += tuple(analyzer(facts, project, events))
    return ModelResult(path=facts.path, events=events, facts=facts)


def describe(facts: ModuleFacts, project: Mapping[str, ModuleFacts] | None = None) -> list[VariableInfo]:
    """Every variable creation with its predicted full name, in program order."""
    result = analyze(facts, project or {})
    seen: set[tuple[ir.Pos, str, str, str, ir.Pos]] = set()
    out: list[VariableInfo] = []
    for event in result.of_type(ev.VariableCreated):
        # Created inside a builder of another module or library: its line is in that file.
        path = facts.path if event.local else (event.path or "")
        action = _action(event)
        key = (event.node, path, event.predicted_name, action, event.site)
        if key in seen:
            continue
        seen.add(key)
        line, column, end_line, end_column = event.node
        out.append(VariableInfo(
            line, column, end_line, end_column, event.api, event.predicted_name, action,
            (f"variable_scope={event.variable_scope}", f"name_scope={event.name_scope}"), event.outcome,
            path, event.site[0],
        ))
    return out


def _action(event: ev.VariableCreated) -> str:
    if event.outcome in (ev.CREATED, ev.EXISTS):
        return "create"
    if event.outcome in (ev.FETCHED, ev.MISSING, ev.SHAPE_MISMATCH):
        return "reuse"
    return "create-or-reuse" if event.reuse == ev.REUSE_AUTO else "unknown"


def _package(path: str, module_name: str | None) -> str | None:
    if module_name is None:
        return None
    if path.replace("\\", "/").endswith("/__init__.py") or path == "__init__.py":
        return module_name
    return module_name.rpartition(".")[0] or None


__all__ = [
    "CellFacts", "ModelSettings", "ModuleFacts", "ModelResult", "VariableInfo", "analyze", "describe",
    "facts_from_source", "register_extractor", "fact_types",
]
