"""Phase 2 glue: build the interpreter's view of the project and run one module."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from scopelint.model import ir
from scopelint.model.interpret import Interpreter, ModuleInfo


class LazyModules(Mapping[str, ModuleInfo]):
    """Module infos built only for the modules the analysed code actually reaches."""

    def __init__(self, main_key: str, main: Any, project: Mapping[str, Any]) -> None:
        self._facts = dict(project)
        self._facts[main_key] = main
        self._built: dict[str, ModuleInfo] = {}

    def __getitem__(self, key: str) -> ModuleInfo:
        if key not in self._built:
            facts = self._facts[key]
            defs: dict[str, ir.Stmt] = {}
            for statement in facts.body:
                if isinstance(statement, (ir.FunctionDef, ir.ClassDef)):
                    defs[statement.name] = statement
                elif isinstance(statement, ir.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ir.TargetName):
                    if isinstance(statement.value, (ir.Name, ir.Attr)):
                        defs[statement.targets[0].id] = statement
            self._built[key] = ModuleInfo(key=key, body=facts.body, imports=dict(facts.imports), defs=defs, path=facts.path)
        return self._built[key]

    def __contains__(self, key: object) -> bool:
        return key in self._facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._facts else default


def run(facts: Any, project: Mapping[str, Any]) -> list[Any]:
    key = facts.module_name or facts.path
    modules = LazyModules(key, facts, project)
    interpreter = Interpreter(modules, key, facts.tf_modules)  # type: ignore[arg-type]
    interpreter.run_module()
    interpreter.run_uncalled_functions()
    return interpreter.events
