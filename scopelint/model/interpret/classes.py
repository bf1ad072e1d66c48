"""Classes: class objects, instances and the methods found on them."""

from __future__ import annotations

import functools
from typing import Any

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.interpret.expressions import Expressions


class Classes(Expressions):
    def make_class(self, definition: ir.ClassDef, module: str) -> v.Class:
        methods = {s.name: s for s in definition.body if isinstance(s, ir.FunctionDef)}
        bases = [self._with_module(module, functools.partial(self.eval, base)) for base in definition.bases]
        return v.Class(definition, module, methods, bases)

    def instantiate(self, cls: v.Class, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """``Cls(...)``: ``__init__`` runs on the new instance, here, with these arguments."""
        instance = v.Instance(cls)
        init = find_method(cls, "__init__")
        if init is not None:
            self.call_function(v.Function(init[0], init[1].module, None, bound_self=instance), args, kwargs, node)
        elif any(not isinstance(base, v.Class) for base in cls.bases):
            return self.tf.call_class_base(cls, instance, args, kwargs, node)
        return instance

    def call_instance(self, instance: v.Instance, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        method = find_method(instance.cls, "__call__")
        if method is not None:
            return self.call_function(v.Function(method[0], method[1].module, None, bound_self=instance), args, kwargs, node)
        self.opaque(node.pos, f"call of an instance of {instance.cls.definition.name} without __call__")
        return v.Unknown("instance call")


def is_tf_test_case(cls: v.Class, depth: int = 0) -> bool:
    for base in cls.bases:
        if isinstance(base, v.Api) and base.name.endswith("test.TestCase"):
            return True
        if isinstance(base, v.Class) and depth < 8 and is_tf_test_case(base, depth + 1):
            return True
    return False


def defining_class(cls: v.Class, definition: ir.FunctionDef, depth: int = 0) -> v.Class | None:
    """The class of ``cls``'s hierarchy whose body defines ``definition`` (``super()`` looks after it)."""
    if any(method is definition for method in cls.methods.values()):
        return cls
    for base in cls.bases if depth < 8 else ():
        if isinstance(base, v.Class):
            found = defining_class(base, definition, depth + 1)
            if found is not None:
                return found
    return None


def find_method(cls: v.Class, name: str, depth: int = 0) -> tuple[ir.FunctionDef, v.Class] | None:
    if name in cls.methods:
        return cls.methods[name], cls
    if depth > 8:
        return None
    for base in cls.bases:
        if isinstance(base, v.Class):
            found = find_method(base, name, depth + 1)
            if found is not None:
                return found
    return None


