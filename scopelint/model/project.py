"""Phase 2 glue: build the interpreter's view of the project and run one module."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from scopelint.model import ir
from scopelint.model.interpret import Interpreter, ModuleInfo


class Reached(Mapping[str, Any]):
    """A project's modules, recording every name the analysis of one module asks for (found
    or not): that module's findings depend on exactly those modules' facts, so a cached
    result stays good while they are unchanged (engine.run_phase2)."""

    def __init__(self, project: Mapping[str, Any]) -> None:
        self.everything = project  # for what only words a --verbose note (LazyModules.importers)
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return self.everything[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return key in self.everything

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return self.everything.get(key, default)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the analysis of one module may not list the whole project: its result could not be cached by what it reached")

    def __len__(self) -> int:
        return len(self.everything)


class LazyModules(Mapping[str, ModuleInfo]):
    """Module infos built only for the modules the analysed code actually reaches."""

    def __init__(self, main_key: str, main: Any, project: Mapping[str, Any]) -> None:
        # The project is read through, never copied: each module reached is asked for by name
        # (see Reached), and a run over N modules does not copy an N-module mapping N times.
        self._project = project
        self._main_key, self._main = main_key, main
        self._built: dict[str, ModuleInfo] = {}
        self._importers: dict[str, set[str]] | None = None  # import origin -> modules importing it

    def _facts_of(self, key: str, default: Any = None) -> Any:
        return self._main if key == self._main_key else self._project.get(key, default)

    def __getitem__(self, key: str) -> ModuleInfo:
        built = self._built.get(key)
        if built is None:
            facts = self._facts_of(key)
            if facts is None:
                raise KeyError(key)
            factories = _wrapper_factories(facts.body) | self._imported_factories(facts)
            defs = _definitions(facts.body, factories)
            # Defined only under a module-level `if` (``if tf_later_than('1.5'): _mean = tf.reduce_mean
            # else: def _mean(...)``): the first branch's definition, where nothing outside defines it.
            for statement in facts.body:
                if isinstance(statement, ir.If):
                    for name, definition in {**_definitions(statement.orelse, factories),
                                             **_definitions(statement.body, factories)}.items():
                        defs.setdefault(name, definition)
            built = self._built[key] = ModuleInfo(key=key, body=facts.body, imports=dict(facts.imports), defs=defs, path=facts.path)
        return built

    def _imported_factories(self, facts: Any) -> frozenset[str]:
        """Names ``facts`` imports that are wrapper factories of another module of the tree."""
        found = set()
        for local, origin in facts.imports:
            module, _, name = origin.rpartition(".")
            other = self._facts_of(module)
            if other is not None and other is not facts and name in _wrapper_factories(other.body):
                found.add(local)
        return frozenset(found)

    def importers(self, key: str, name: str) -> list[str]:
        """The other modules of the tree that import ``name`` from module ``key`` (``from ops
        import dense``, ``from ops import *``) or the module itself (``import ops``)."""
        # The analysed module's own facts only ever name ``key`` itself, which is left out:
        # the project's index answers for every module run.
        if self._importers is None:
            # Through Reached, the whole project: the wording of a --verbose note is no dependency.
            everything = getattr(self._project, "everything", self._project)
            # The lint run's project (engine.FactsOnDemand) keeps one index for all its module
            # runs, and has none while listing it would decode modules (its notes are then not
            # taken from this run: engine.run_phase2).
            held = getattr(everything, "importers_index", None)
            self._importers = held() if held is not None else _importers_index(everything)
        index = self._importers
        found = index.get(key, set()) | index.get(f"{key}.{name}", set())
        return sorted(found - {key})

    def path_unrecorded(self, key: str) -> str:
        """The file of module ``key``, for the wording of a note: read past Reached, since no
        finding depends on it (the module's facts are already loaded: it is in the index)."""
        everything = getattr(self._project, "everything", self._project)
        facts = self._main if key == self._main_key else everything.get(key)
        return facts.path if facts is not None and facts.path else key

    def __contains__(self, key: object) -> bool:
        return key == self._main_key or key in self._project

    def __iter__(self) -> Iterator[str]:
        return iter({**self._project, self._main_key: self._main})

    def __len__(self) -> int:
        return len(self._project) + (self._main_key not in self._project)

    def get(self, key: str, default: Any = None) -> Any:
        built = self._built.get(key)  # asked for on most lookups: the built ones first (already reached)
        if built is not None:
            return built
        return self[key] if key in self else default


# The last project indexed: its (name, facts) pairs (held, so their ids stay theirs) and
# its index. ModuleFacts are frozen, so the same facts objects under the same names
# import the same things; each module run of one project reuses the index instead of
# scanning the whole tree's imports again (~3 ms a module on the speed corpus).
_last_index: tuple[tuple[tuple[str, Any], ...], dict[str, set[str]]] = ((), {})


def _importers_index(project: Mapping[str, Any]) -> dict[str, set[str]]:
    """:func:`importers_index`, kept for the next run over the same project."""
    global _last_index
    members = tuple(project.items())
    held, index = _last_index
    if len(held) == len(members) and all(a[0] == b[0] and a[1] is b[1] for a, b in zip(held, members)):
        return index
    index = importers_index(members)
    _last_index = (members, index)
    return index


def importers_index(members: Iterable[tuple[str, Any]]) -> dict[str, set[str]]:
    """Import origin -> the modules of ``members`` (name, facts) importing it."""
    index: dict[str, set[str]] = {}
    for module, facts in members:
        for _, origin in facts.imports:
            index.setdefault(origin, set()).add(module)
    return index


def _definitions(body: tuple[ir.Stmt, ...], factories: frozenset[str]) -> dict[str, ir.Stmt]:
    """The module-level names of ``body`` the interpreter may look up without running the
    module: functions, classes, aliases (``VGG16 = vgg16``) and wrapper-factory results."""
    defs: dict[str, ir.Stmt] = {}
    for statement in body:
        if isinstance(statement, (ir.FunctionDef, ir.ClassDef)):
            defs[statement.name] = statement
        elif isinstance(statement, ir.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ir.TargetName):
            value = statement.value
            if isinstance(value, (ir.Name, ir.Attr)) or (
                    isinstance(value, ir.Call) and isinstance(value.func, ir.Name) and value.func.id in factories):
                defs[statement.targets[0].id] = statement
    return defs


# id(body) -> (body, its wrapper factories): each module's are asked for by every module run
# that reaches a module importing from it. The body is held, so its id stays its own.
_FACTORIES: dict[int, tuple[tuple[ir.Stmt, ...], frozenset[str]]] = {}
_FACTORIES_HELD = 4096


def _wrapper_factories(body: tuple[ir.Stmt, ...]) -> frozenset[str]:
    """Module functions that only define a function and return it (``def ops_to_outputs(func):
    def wrapper(...): ...; return wrapper``). ``pad = ops_to_outputs(tf.pad)`` at module level
    runs nothing but that, so the model may evaluate it where ``pad`` is looked up."""
    held = _FACTORIES.get(id(body))
    if held is not None and held[0] is body:
        return held[1]
    if len(_FACTORIES) >= _FACTORIES_HELD:
        _FACTORIES.clear()  # a long editor session: bodies of old versions are not kept alive
    found = _FACTORIES[id(body)] = (body, _find_wrapper_factories(body))
    return found[1]


def _find_wrapper_factories(body: tuple[ir.Stmt, ...]) -> frozenset[str]:
    names = set()
    for statement in body:
        if isinstance(statement, ir.FunctionDef) and statement.body:
            *defs, last = statement.body
            inner = {d.name for d in defs if isinstance(d, ir.FunctionDef)}
            if (len(inner) == len(defs) and isinstance(last, ir.Return) and isinstance(last.value, ir.Name)
                    and last.value.id in inner):
                names.add(statement.name)
    return frozenset(names)


def run(facts: Any, project: Mapping[str, Any]) -> list[Any]:
    key = facts.module_name or facts.path
    modules = LazyModules(key, facts, project)
    interpreter = Interpreter(modules, key, facts.tf_modules)
    interpreter.run_module()
    interpreter.run_uncalled_functions()
    events = interpreter.events
    interpreter.release()
    return events
