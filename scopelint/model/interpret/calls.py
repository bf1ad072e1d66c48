"""Calls: dispatch on what is called, parameters bound to arguments, builtins."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any, Callable

from scopelint.model import flags, ir, shapes
from scopelint.model import values as v
from scopelint.model.context import Frame
from scopelint.model.interpret.classes import defining_class
from scopelint.model.interpret.core import MAX_DEPTH, MAX_UNROLL
from scopelint.model.interpret.generators import Generators
from scopelint.model.interpret.names import INERT_METHODS
from scopelint.model.interpret.pure import MISS
from scopelint.model.values import Builtin, Method

_TRANSPARENT_DECORATORS = frozenset({"staticmethod", "classmethod", "property", "add_arg_scope", "wraps"})


class Calls(Generators):
    def call(self, node: ir.Call) -> Any:
        func = self.eval(node.func)
        origin = (self.frame.module, node.pos)
        args = []
        for expr in node.args:  # eval of a name and _passed, inlined: a million arguments a corpus run
            value = self.lookup(expr.id) if type(expr) is ir.Name else self.eval(expr)
            if type(value) is v.Lit and value.value is True and value.origin is None:
                value = v.Lit(True, origin)
            args.append(value)
        if not node.kwargs and not node.star_args:  # most calls: f(x, y)
            if self.tf.training.made_update_ops:
                self.tf.training.arguments(func, args, node)
            return self.apply(func, args, {}, node)
        kwargs: dict[str, Any] = {}
        for key, expr in node.kwargs:
            value = self.eval(expr)
            if key is None:
                if isinstance(value, v.DictValue):
                    kwargs.update({str(k): _passed(item, origin) for k, item in value.items.items()})
                else:
                    kwargs["**"] = _passed(value, origin)
            else:
                kwargs[key] = _passed(value, origin)
        stars = [self.eval(expr) for expr in node.star_args] if node.star_args else []
        if self.tf.training.made_update_ops:
            self.tf.training.arguments(func, [*args, *stars, *kwargs.values()], node)
        if node.starred:
            args = _spread(args, stars, node.star_positions)
        return self.apply(func, args, kwargs, node)

    def apply(self, func: Any, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:  # noqa: C901
        if type(func) is v.Function and not func.context_manager:
            return self.call_function(func, args, kwargs, node)  # the commonest: none of the checks below applies
        # Every branch that can touch the graph, an object or the flags counts itself
        # impure (pure.py); a plain op, a tensor's method, a builtin or a followed
        # function does not.
        pure = self.pure
        kind = type(func)  # by exact type first (values have no subclasses but Initializer)
        if kind is v.Api or kind is v.Inert:
            if (kind is v.Api and func.name == "tf.app.run") or (kind is v.Inert and func.name.endswith("absl.app.run")):
                pure.impure += 1
                return self.run_main(args, kwargs, node)
            flag = flags.defined(func, args, kwargs)
            if flag is not None:
                self.flag_defaults[flag[0]] = flag[1]
                pure.impure += 1
                pure.epoch += 1
            if kind is v.Api:
                if not self.tf.plain_op(func.name):
                    pure.impure += 1
                return self.tf.call(func.name, args, kwargs, node)
        elif kind is Builtin and func.name != "super":
            return self.builtin(func.name, args, kwargs, node)
        elif kind is v.Unknown:
            if func.reason.startswith("attribute ") and func.reason[10:] in INERT_METHODS:
                return v.Unknown("result of a plain method")
            self.opaque(node.pos, f"unresolved call ({func.reason})")
            return v.Unknown("result of an unresolved call")
        if isinstance(func, v.Function):
            if func.context_manager:
                return v.Context("generator", {"func": func, "args": args, "kwargs": kwargs, "call": node}, node.pos)
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, v.Partial):
            return self.apply(func.func, list(func.args) + args, {**func.kwargs, **kwargs}, node)
        if isinstance(func, Method) and self.tf.plain_method(func.owner, func.name):
            # A list or dict here was made by this call (pure.py: an argument is never one, and
            # reading one from a global counts as impure), so changing it is no effect.
            return self.tf.method(func.owner, func.name, args, kwargs, node)
        if isinstance(func, (v.Class, v.Instance, Method, v.Layer, v.Cell, v.Template, Builtin)):
            pure.impure += 1
        if isinstance(func, v.Class):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, v.Instance):
            return self.call_instance(func, args, kwargs, node)
        if isinstance(func, Method):
            return self.tf.method(func.owner, func.name, args, kwargs, node)
        if isinstance(func, (v.Layer, v.Cell, v.Template)):
            return self.tf.layers.call_object(func, args, kwargs, node)
        if isinstance(func, Builtin):
            return self.builtin(func.name, args, kwargs, node)
        if isinstance(func, v.Inert) and func.name in ("functools.partial", "partial") and args:
            return v.Partial(args[0], tuple(args[1:]), kwargs)
        if isinstance(func, v.Inert) and func.name.endswith(".raises"):
            return v.Context("expect_error", node=node.pos)
        if isinstance(func, (v.Inert, v.Tensor)):
            return v.Inert("result") if isinstance(func, v.Inert) else v.Tensor()
        self.opaque(node.pos, f"unresolved call ({type(func).__name__})")
        return v.Unknown("result of an unresolved call")

    def call_function(self, func: v.Function, args: list[Any], kwargs: dict[str, Any], node: ir.Call,
                      on_yield: Callable[[Any], None] | None = None) -> Any:
        definition = func.definition
        decorators = decorator_names(definition)
        if decorators - _TRANSPARENT_DECORATORS and not func.undecorated:
            self.opaque(node.pos, f"call of {definition.qualname} through a decorator the model does not follow")
            return v.Unknown("decorated function")
        # A closure made afresh (a decorator's wrapper, once per decorated function) is a
        # different function each time: the recursion guard tells them apart.
        key = (id(definition), id(func.closure))
        if key in self.stack or len(self.stack) >= MAX_DEPTH:
            self.opaque(node.pos, f"recursive or too deep call of {definition.qualname}")
            return v.Unknown("recursion")
        in_main = func.module == self.main
        if in_main:
            self.executed.add(id(definition))
        pure = self.pure
        if pure.recordings:
            pure.entered(key, len(self.stack), id(definition) if in_main else None)
        if pure.enabled and on_yield is None and func.closure is None and func.bound_self is None:
            memo_key = pure.key(definition, args, kwargs, self.try_depth > 0)
            if memo_key is not None:
                found = pure.replay(memo_key, args, kwargs, self)
                if found is not MISS:
                    return found
                # The run consumes the keyword arguments it binds: it gets a copy, and the
                # record finds an argument passed through by identity in the original.
                return pure.record(memo_key, definition, args, kwargs, self, functools.partial(
                    self._run_function, func, args, dict(kwargs), node, on_yield, decorators, key))
        return self._run_function(func, args, kwargs, node, on_yield, decorators, key)

    def _run_function(self, func: v.Function, args: list[Any], kwargs: dict[str, Any], node: ir.Call,
                      on_yield: Callable[[Any], None] | None, decorators: set[str], key: tuple[int, int]) -> Any:
        """``func``'s body run on these arguments (``call_function`` has passed the guards;
        ``key``: its entry on the recursion stack)."""
        definition = func.definition
        env = v.Env(func.closure if func.closure is not None else self.modules[func.module].globals)
        if func.closure is None and self.has_module(func.module):
            env.parent = self.modules[func.module].globals
        params = list(definition.params)
        positional = list(args)
        if func.bound_self is not None and params and "staticmethod" not in decorators:
            env.names[params[0].name] = func.bound_self
            params = params[1:]
        unknown_rest = "**" in kwargs
        star_unknown: bool | None = None  # an unknown ``*x`` among the arguments: worked out once, when asked
        for param in params:
            if param.kind == "star":
                env.names[param.name] = v.SeqValue(positional) if not any(isinstance(a, v.Unknown) and a.reason == "*args" for a in positional) else v.Unknown("*args")
                positional = []
            elif param.kind == "starstar":
                env.names[param.name] = v.DictValue(dict(kwargs))
            elif param.kind == "normal" and positional:
                env.names[param.name] = positional.pop(0)
            elif param.name in kwargs:
                env.names[param.name] = kwargs.pop(param.name)
            elif unknown_rest or (star_unknown := _star_unknown(args) if star_unknown is None else star_unknown):
                env.names[param.name] = v.Unknown(f"parameter {param.name}")
            elif param.default is not None:
                env.names[param.name] = self._default(func.module, param.default, node.pos)
            else:
                env.names[param.name] = v.Unknown(f"parameter {param.name}")
        frame = Frame(env=env, module=func.module, fid=next(self._fids), self_value=func.bound_self, definition=definition,
                      called_uncertain=not self.certain, on_yield=on_yield)
        self.stack.append(key)
        self.push_call(node.pos, definition.qualname)
        try:
            self._with_frame(frame, lambda: self.exec_block(definition.body))
        finally:
            self.stack.pop()
            self.pop_call()
        return frame.retval if frame.retval is not None else v.Lit(None)

    def _super(self) -> Any:
        """``super()`` inside a method whose ``self`` the model knows."""
        instance = self.frame.self_value
        if isinstance(instance, v.Instance) and self.frame.definition is not None:
            after = defining_class(instance.cls, self.frame.definition)
            if after is not None:
                return v.Super(instance, after)
        return v.Unknown("super()")

    def _default(self, module: str, default: ir.Expr, call: ir.Pos) -> Any:
        """A parameter's default, evaluated in its module; what it does is reported on the call."""
        if type(default) is ir.Const:  # most defaults (None, False, 0.5): nothing to run
            return v.Lit(default.value)
        self.push_call(call)
        try:
            return self._with_module(module, functools.partial(self.eval, default))
        finally:
            self.pop_call()

    def make_function(self, definition: ir.FunctionDef, module: str | None = None, closure: v.Env | None = None) -> v.Function:
        if module is None:
            module = self.frame.module
            closure = self.frame.env if self.frame.env is not self.modules[module].globals else None
        return v.Function(definition, module, closure)

    def decorate(self, func: v.Function) -> Any:
        """What ``@d`` makes of ``func`` where it is defined (run in the defining module's frame).

        Decorators that are functions of the tree or of a followed library run here, on the
        function, and the name holds what they return (``@var_scope('resnet50')`` returns a
        wrapper that opens the scope and calls the function); ``@contextmanager`` makes a
        generator context. Any other decorator leaves the function as it is, and calling it
        stays "a decorator the model does not follow"."""
        definition = func.definition
        if not decorator_names(definition) - _TRANSPARENT_DECORATORS:
            return func
        result: Any = replace(func, undecorated=True)
        for expr in reversed(definition.decorators):
            head = expr.func if isinstance(expr, ir.Call) else expr
            name = head.attr if isinstance(head, ir.Attr) else head.id if isinstance(head, ir.Name) else None
            if name in _TRANSPARENT_DECORATORS:
                continue
            resolved = self.eval(head)
            if name == "contextmanager" and isinstance(resolved, v.Inert) and isinstance(result, v.Function):
                result = replace(result, context_manager=True)
                continue
            if not isinstance(resolved, (v.Function, v.Partial)):
                return func
            decorator = self.eval(expr) if isinstance(expr, ir.Call) else resolved
            if not isinstance(decorator, (v.Function, v.Partial)):
                return func
            result = self.apply(decorator, [result], {}, ir.Call(head, (), (), definition.pos))
            if not isinstance(result, (v.Function, v.Partial, v.Instance)):
                return func
        return result

    def builtin(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        if name == "super" and not args:
            return self._super()
        if name == "super" and len(args) == 2 and isinstance(args[0], v.Class) and isinstance(args[1], v.Instance):
            return v.Super(args[1], args[0])  # the Python 2 spelling: super(ModelTest, self)
        if name == "range":
            bounds = [v.as_int(a) for a in args]
            if args and all(b is not None for b in bounds):
                numbers = range(*[b for b in bounds if b is not None])
                if len(numbers) <= MAX_UNROLL:
                    return v.SeqValue([v.Lit(i) for i in numbers])
            return v.Unknown("range")
        if name == "enumerate" and args and isinstance(args[0], v.SeqValue):
            return v.SeqValue([v.SeqValue([v.Lit(i), item]) for i, item in enumerate(args[0].items)])
        if name == "zip" and args and all(isinstance(a, v.SeqValue) for a in args):
            return v.SeqValue([v.SeqValue(list(group)) for group in zip(*[a.items for a in args])])
        if name in ("list", "tuple") and args and isinstance(args[0], v.SeqValue):
            return v.SeqValue(list(args[0].items))
        if name == "len" and args and isinstance(args[0], v.FilterResult):
            return v.FilterResult(args[0].event, length=True)
        if name == "len" and args and isinstance(args[0], v.SeqValue):
            return v.Lit(len(args[0].items))
        if name == "str" and args and isinstance(shapes.as_python(args[0]), v.Lit):
            return v.Lit(str(shapes.as_python(args[0]).value))
        if name == "int" and len(args) == 1 and not kwargs:
            return shapes.to_int(args[0])
        if name == "bool" and len(args) == 1 and not kwargs:
            value = shapes.as_python(args[0])
            return v.Lit(bool(value.value)) if isinstance(value, v.Lit) else v.Unknown("bool()")
        if name == "len" and args and shapes.length(args[0]) is not None:
            return shapes.length(args[0])
        if name == "dict" and (not args or (len(args) == 1 and isinstance(args[0], v.DictValue))):
            return v.DictValue({**(args[0].items if args else {}), **kwargs})
        if name == "sum" and args and isinstance(args[0], v.SeqValue):
            return _sum(args[0].items, args[1] if len(args) > 1 else kwargs.get("start", v.Lit(0)))
        if name in ("map", "filter") and args and isinstance(args[0], (v.Function, v.Partial, v.Api)):
            self.opaque(node.pos, f"{name}() of a function the model does not follow")
        return v.Unknown(f"{name}()")


def _star_unknown(args: list[Any]) -> bool:
    return any(isinstance(a, v.Unknown) and a.reason == "*args" for a in args)


def _passed(value: Any, origin: tuple[str, ir.Pos]) -> Any:
    """A literal ``True`` remembers the first call it was handed to (a ``reuse=True`` request)."""
    if isinstance(value, v.Lit) and value.value is True and value.origin is None:
        return v.Lit(True, origin)
    return value


def _spread(args: list[Any], stars: list[Any], positions: tuple[int, ...]) -> list[Any]:
    """The positional arguments of ``f(a, *b)``: ``b``'s items in place where ``b`` is a known
    sequence; otherwise what follows the first unknown ``*x`` is unknown."""
    if len(positions) != len(stars):
        return [*args, v.Unknown("*args")]
    out: list[Any] = []
    taken = 0
    for star, position in zip(stars, positions):
        out.extend(args[taken:position])
        taken = position
        if not isinstance(star, v.SeqValue):
            return [*out, v.Unknown("*args")]
        out.extend(star.items)
    return out + args[taken:]


def _sum(items: list[Any], start: Any) -> Any:
    """``sum(lists, [])`` concatenates; ``sum(numbers)`` adds, where every item is known."""
    if isinstance(start, v.SeqValue) and all(isinstance(item, v.SeqValue) for item in items):
        return v.SeqValue([x for item in [start, *items] for x in item.items])
    numbers = [start, *items]
    if all(isinstance(n, v.Lit) and type(n.value) in (int, float) for n in numbers):
        return v.Lit(sum(n.value for n in numbers))
    return v.Unknown("sum()")


def decorator_names(definition: ir.FunctionDef) -> set[str]:
    names: set[str] = set()
    if not definition.decorators:
        return names  # most functions: asked on every call
    for decorator in definition.decorators:
        expr = decorator.func if isinstance(decorator, ir.Call) else decorator
        while isinstance(expr, ir.Attr):
            names.add(expr.attr)
            break
        if isinstance(expr, ir.Name):
            names.add(expr.id)
    return names
