"""Names: local and module lookups, imports resolved to TF APIs or linted modules, attributes."""

from __future__ import annotations

from typing import Any

from scopelint.model import events as ev
from scopelint.model import flags, ir, shapes
from scopelint.model import values as v
from scopelint.model.imports import INERT_ROOTS, canonical
from scopelint.model.context import ModuleInfo
from scopelint.model.interpret.classes import Classes, find_method
from scopelint.model.interpret.pure import STABLE
from scopelint.model.values import Builtin, Method, VarName, VarOp

_OUTSIDE = " is outside the linted tree"
_UNBOUND = object()
_BUILTINS = frozenset(
    "range enumerate zip len list tuple dict set str int float bool print isinstance getattr setattr hasattr "
    "super min max sum sorted reversed abs round any all iter next repr type object open id hash format "
    "ValueError TypeError KeyError Exception RuntimeError NotImplementedError AssertionError map filter "
    "vars dir callable issubclass frozenset bytes slice staticmethod classmethod property".split()
)
# Methods that never create TF variables, whatever their receiver (sessions, tensors, numpy, containers).
INERT_METHODS = frozenset(
    "run eval get_shape set_shape as_list astype split reshape numpy append extend insert pop items keys values "
    "get update copy format join lower upper strip replace startswith endswith read write close assertAllClose "
    "assertEqual assertTrue assertFalse assertAllEqual assertIn assertIsNone assertIsNotNone assertLen "
    "assertListEqual assertNear assertGreater assertLess assertRaises assertRaisesRegexp assertRaisesRegex "
    "assertItemsEqual assertDictEqual assertShapeEqual assertProtoEquals flatten tolist sum mean max min "
    "add_to_collection get_collection dump load seed".split()
)


# Methods of TF base classes (TestCase, Layer, Model) a subclass reaches through super() that
# make no variables: the base's own bookkeeping.
_INERT_TF_BASE_METHODS = frozenset({"__init__", "setUp", "tearDown", "setUpClass", "tearDownClass", "build"})


class Names(Classes):
    def lookup(self, name: str) -> Any:
        local = self.frame.env  # Env.lookup and PureCalls.read, inlined: the commonest step of a run
        env: v.Env | None = local
        while env is not None:
            found = env.names.get(name, _UNBOUND)
            if found is not _UNBOUND:
                if found is not None:
                    if env is not local or env.parent is None:  # a global or a closure's name
                        pure = self.pure
                        if type(found) not in STABLE:
                            pure.impure += 1
                        elif pure.recordings:
                            pure.recordings[-1].globals_read[id(found)] = found
                    return found
                break
            env = env.parent
        return self.lookup_global(self.frame.module, name)

    def lookup_global(self, module: str, name: str) -> Any:
        info = self.modules.get(module)
        if info is None:
            return v.Unknown(f"name {name}")
        if name in info.globals.names:
            found = info.globals.names[name]
            self.pure.read(found)
            return found
        if module != self.main and name in info.defs:
            definition = info.defs[name]
            value: Any
            if isinstance(definition, ir.FunctionDef):
                value = self._with_module(module, lambda: self.decorate(self.make_function(definition, module, None)))
            elif isinstance(definition, ir.ClassDef):
                value = self.make_class(definition, module)
            elif isinstance(definition, ir.Assign):
                # ``tf = tf.compat.v1``: while its value is read, the name means what it meant before.
                info.globals.names[name] = self.resolve_dotted(info.imports[name]) if name in info.imports else v.Unknown(name)
                value = self._with_module(module, lambda: self.eval(definition.value))
                self.pure.epoch += 1  # while it was worked out, the name meant something else
            else:
                value = v.Unknown(name)
            info.globals.names[name] = value
            self.pure.read(value)
            return value
        if name in info.imports:
            return self.resolve_dotted(info.imports[name])
        for origin in self._star_origins(module, info):
            if self._defines(origin, name):
                return self.attribute(v.Module(origin), name)
        if name == "__name__":
            # The linted file runs as the program: its `if __name__ == "__main__":` block runs.
            return v.Lit("__main__" if module == self.main else module)
        if name in _BUILTINS:
            return Builtin(name)
        return v.Unknown(f"name {name}")

    def _star_origins(self, module: str, info: ModuleInfo) -> tuple[str, ...]:
        """The modules of the run ``module`` star-imports, in import order: worked out once a
        run (builtins and unknown names ask on every lookup)."""
        origins = self.star_memo.get(module)
        if origins is None:
            origins = self.star_memo[module] = tuple(
                origin for key, origin in info.imports.items()
                if key.startswith(ir.STAR_IMPORT) and self.has_module(origin) and origin != module)
        return origins

    def _table_has(self, name: str, dotted: str) -> bool:
        """The API table says what ``name`` does -- except a tensornets model whose source
        the model follows (an installed tensornets, or linting tensornets itself)."""
        if not self.tf.modelled(name):
            return False
        return not (name.startswith("nets.") and self._in_project(dotted))

    def resolve_dotted(self, dotted: str, depth: int = 0) -> Any:
        known = self.dotted_memo.get(dotted)
        if known is not None:
            return known
        name = canonical(dotted, self.tf_modules)
        # Linting tf-slim or tensornets itself: their own code is followed where the
        # API table has no entry for the name.
        if name is not None and (self._table_has(name, dotted) or not self._in_project(dotted)):
            known = self.dotted_memo[dotted] = v.Api(name)
            return known
        root = dotted.split(".")[0]
        if root in INERT_ROOTS:
            known = self.dotted_memo[dotted] = v.Inert(dotted)
            return known
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if self.has_module(module):
                value: Any = v.Module(module)
                if cut == len(parts):
                    self.dotted_memo[dotted] = value
                for part in parts[cut:]:
                    value = self.attribute(value, part, depth + 1)  # may read globals: worked out each time
                return value
        return v.Unknown(f"{dotted}{_OUTSIDE}")

    def _defines(self, module: str, name: str) -> bool:
        """``from module import *`` binds ``name`` (a definition, an import or a global of it)."""
        info = self.modules[module]
        return not name.startswith("_") and (name in info.defs or name in info.globals.names or name in info.imports)

    def _super_attribute(self, proxy: v.Super, attr: str) -> Any:
        """``super().attr``: the first base of the method's class (in its order) that has it; a
        TF base's own ``__init__`` / ``setUp`` / ``build`` (``tf.test.TestCase``,
        ``tf.keras.layers.Layer``) creates no variables."""
        for base in proxy.after.bases:
            if isinstance(base, v.Class):
                found = find_method(base, attr)
                if found is not None:
                    return v.Function(found[0], found[1].module, None, bound_self=proxy.instance)
            elif isinstance(base, v.Api) and attr in _INERT_TF_BASE_METHODS:
                return v.Inert(f"{base.name}.{attr}")
        return v.Unknown(f"attribute {attr}")

    def _in_project(self, dotted: str) -> bool:
        known = self.in_project_memo.get(dotted)
        if known is None:  # the run's modules are fixed: each dotted name is worked out once
            parts = dotted.split(".")
            known = self.in_project_memo[dotted] = any(self.has_module(".".join(parts[:cut])) for cut in range(len(parts), 0, -1))
        return known

    def attribute(self, owner: Any, attr: str, depth: int = 0) -> Any:  # noqa: C901
        if attr in self.flag_defaults and flags.is_flags_object(owner):
            self.pure.impure += 1  # a flag's value depends on which flags are defined yet
            return self.flag_defaults[attr]
        kind = type(owner)  # the commonest owners by exact type (values have no subclasses but Initializer)
        if kind is v.Api:
            name = canonical(f"{owner.name}.{attr}", self.tf_modules) or f"{owner.name}.{attr}"
            return v.Api(name)
        if kind is v.Module:
            if depth > 8:
                return v.Unknown("import cycle")
            info = self.modules[owner.name]
            known = canonical(f"{owner.name}.{attr}", self.tf_modules)
            if known is not None and self._table_has(known, f"{owner.name}.{attr}"):
                return v.Api(known)
            if self.has_module(f"{owner.name}.{attr}"):
                return v.Module(f"{owner.name}.{attr}")
            if attr in info.defs or attr in info.globals.names:
                return self.lookup_global(owner.name, attr)
            if attr in info.imports:
                return self.resolve_dotted(info.imports[attr], depth + 1)
            return v.Unknown(f"{owner.name}.{attr}")
        if kind is v.Instance:
            self.pure.impure += 1  # an object's attributes change as the run goes on
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = find_method(owner.cls, attr)
            if method is not None:
                return v.Function(method[0], method[1].module, None, bound_self=owner)
            if attr.startswith("assert") or attr.endswith("session"):
                return Method(owner, attr)
            return v.Unknown(f"attribute {attr}")
        if kind is v.Unknown:
            if owner.reason.endswith(_OUTSIDE) and attr not in INERT_METHODS:
                return v.Unknown(f"{owner.reason[:-len(_OUTSIDE)]}.{attr}{_OUTSIDE}")
            if attr.startswith("assert") or attr.endswith("session"):
                return Method(owner, attr)
            return v.Unknown(f"attribute {attr}")
        if isinstance(owner, v.Super):
            self.pure.impure += 1
            return self._super_attribute(owner, attr)
        if isinstance(owner, v.Inert):
            return v.Inert(f"{owner.name}.{attr}")
        if isinstance(owner, v.Function) and attr == "__name__":
            return v.Lit(owner.definition.name)
        if isinstance(owner, v.Context) and attr in ("__enter__", "__exit__"):
            return Method(owner, attr)
        if isinstance(owner, (v.Tensor, shapes.Shape, shapes.Dim)):
            return shapes.attribute(owner, attr)
        if isinstance(owner, v.NetsModel):
            return Method(owner, attr) if attr == "get_weights" else v.Tensor()
        if isinstance(owner, v.Variable) and attr == "name":
            return VarName(owner)
        if isinstance(owner, v.Variable) and attr == "op":
            return VarOp(owner)
        if isinstance(owner, VarOp) and attr == "name":
            return VarName(owner.variable, op=True)
        if isinstance(owner, v.ScopeObject):
            if attr == "name":
                return v.Lit(owner.name) if ev.is_concrete(owner.name) else v.Sym(owner.name)
            if attr == "original_name_scope":
                return v.Lit(owner.original_name_scope)
        if isinstance(owner, v.Lit) and isinstance(owner.value, str):
            return Method(owner, attr)
        if isinstance(owner, (v.ScopeObject, v.GraphValue, v.Optimizer, v.Layer, v.Cell, v.Template, v.Variable, v.SeqValue, v.DictValue,
                              v.Saver)):
            return Method(owner, attr)
        return v.Unknown(f"attribute {attr}")

