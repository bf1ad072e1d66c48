"""What the silent families leave in the graph, recorded inside the forked child.

:mod:`.hooks` records variables and the variable store's errors; this module
records the rest of what TF really built, each as one ``{"t": "fact"}`` line
tied to the user's line that did it:

* ``name_scope``: a ``tf.name_scope("x")`` the user opened, and the scope TF
  really opened (``x_1`` when ``x`` was taken) -- SL103;
* ``lookup``: a ``get_tensor_by_name`` / ``get_operation_by_name`` that failed -- SL102;
* ``collection``: what ``get_collection(key, scope)`` / ``trainable_variables(scope)``
  returned, with the name scope it ran in -- SL102, SL104, SL301 towers;
* ``warning``: TF's own deprecation warning for a call the user spelled -- SL401;
* at the end of the trace (after the first ``Session.run`` too): ``train_op``, the
  ``UPDATE_OPS`` ops the train op does not run -- SL301; ``saver``, the global
  variables a default ``Saver()`` does not save -- SL302.

A fact is recorded only when the user's code called the API itself (every frame
between the user's line and the hook belongs to the API), so TF's and the
libraries' own calls are never taken for the user's.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any, Callable, Iterable

# Library frames that may sit between the user's call and the hook, by file.
_SCOPE_FILES = ("framework/ops.py", "contextlib.py", "util/tf_contextlib.py")
_WARNING_FILES = (
    "util/deprecation.py", "util/tf_decorator.py", "util/tf_should_use.py", "util/decorator_utils.py",
    "framework/ops.py", "ops/variable_scope.py", "contextlib.py", "util/tf_contextlib.py",
    "util/dispatch.py", "util/traceback_utils.py", "platform/tf_logging.py",
)  # fmt: skip
_LOOKUP_NAMES = frozenset({"get_tensor_by_name", "get_operation_by_name", "as_graph_element", "_as_graph_element_locked"})
_COLLECTION_NAMES = frozenset(
    {"get_collection", "trainable_variables", "global_variables", "model_variables", "local_variables",
     "all_variables", "moving_average_variables"}
)  # fmt: skip
_WRAPPERS = frozenset({"new_func", "wrapper", "error_handler", "op_dispatch_handler", "_method_wrapper", "__getattr__"})
_UPDATE_OPS = "update_ops"
_GLOBAL_VARIABLES = "variables"
_SAVEABLE_OBJECTS = "saveable_objects"
_LIMIT = 50  # names per fact: enough to show the point, bounded for huge graphs


def _name(item: Any) -> str:
    return str(getattr(item, "name", item)).split(":")[0]


class _Forgetful(dict):  # type: ignore[type-arg]
    """TF's deprecation warnings fire once per function; here every call is recorded."""

    def __contains__(self, key: object) -> bool:
        return False

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class GraphRecorder:
    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.train_ops: list[tuple[Any, list[tuple[str, int]], str]] = []
        self.savers: list[tuple[Any, set[str], list[tuple[str, int]], bool]] = []
        self.fetches: list[Any] = []
        self._depth = 0

    # -- frames -----------------------------------------------------------

    def direct_caller(self, frame: FrameType | None, allowed: Callable[[FrameType], bool]) -> FrameType | None:
        """The user frame that called the API, when every library frame in between is the API's own."""
        while frame is not None:
            if self.recorder.user_path(frame.f_code.co_filename) is not None:
                return frame
            if not allowed(frame):
                return None
            frame = frame.f_back
        return None

    def emit(self, kind: str, frame: FrameType | None, **detail: Any) -> None:
        stack = self.recorder.user_stack(frame)
        if stack:
            self.recorder.emit({"t": "fact", "kind": kind, "stack": stack, **detail})

    # -- name scopes (SL103) ----------------------------------------------

    def name_scope(self, original: Callable[..., Any]) -> Callable[..., Any]:
        facts = self

        class _Recording:
            def __init__(self, graph: Any, name: Any, inner: Any) -> None:
                self.graph, self.name, self.inner = graph, name, inner

            def __enter__(self) -> Any:
                parent = self.graph.get_name_scope()
                opened = self.inner.__enter__()
                try:
                    facts._scope_opened(self.name, parent, opened, sys._getframe(1))
                except Exception:  # recording must never change what the user's code does
                    pass
                return opened

            def __exit__(self, *exc: Any) -> Any:
                return self.inner.__exit__(*exc)

        def name_scope(graph: Any, name: Any) -> Any:
            return _Recording(graph, name, original(graph, name))

        return name_scope

    def _scope_opened(self, name: Any, parent: str, opened: Any, frame: FrameType) -> None:
        if not isinstance(name, str) or not name or name.endswith("/") or not isinstance(opened, str):
            return
        for probe in _frames(frame):
            owner = probe.f_locals.get("self") if probe.f_code.co_name == "__enter__" else None
            if owner is not None and hasattr(owner, "_default_name") and getattr(owner, "_name", None) in (None, getattr(owner, "_default_name")):
                if getattr(owner, "_default_name", None) is not None:
                    return  # a default name: TF uniquifies it on purpose
        caller = self.direct_caller(frame, lambda f: f.f_code.co_filename.endswith(_SCOPE_FILES))
        if caller is not None:
            self.emit("name_scope", caller, requested=name, parent=parent, opened=opened.rstrip("/"))

    # -- lookups by name (SL102) ------------------------------------------

    def lookup(self, original: Callable[..., Any]) -> Callable[..., Any]:
        facts = self

        def as_graph_element(graph: Any, obj: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(graph, obj, *args, **kwargs)
            except (KeyError, ValueError) as exc:
                try:
                    caller = facts.direct_caller(sys._getframe(1), lambda f: f.f_code.co_name in _LOOKUP_NAMES | _WRAPPERS)
                    if caller is not None and isinstance(obj, str):
                        facts.emit("lookup", caller, name=obj, error=f"{type(exc).__name__}: {str(exc).strip(chr(34))}".split("\n")[0][:300])
                except Exception:
                    pass
                raise

        return as_graph_element

    # -- collections (SL102, SL104, SL301 towers) -------------------------

    def collection(self, original: Callable[..., Any]) -> Callable[..., Any]:
        facts = self

        def get_collection(graph: Any, name: Any, scope: Any = None) -> Any:
            found = original(graph, name, scope)
            try:
                caller = facts.direct_caller(sys._getframe(1), lambda f: f.f_code.co_name in _COLLECTION_NAMES | _WRAPPERS)
                if caller is not None and isinstance(name, str):
                    total = len(graph.get_collection_ref(name)) if scope is not None else len(found)
                    facts.emit(
                        "collection", caller, key=name, scope=scope if isinstance(scope, str) else None,
                        name_scope=graph.get_name_scope(), returned=[_name(i) for i in found[:_LIMIT]], count=len(found), total=total,
                    )
            except Exception:
                pass
            return found

        return get_collection

    # -- deprecation warnings (SL401) -------------------------------------

    def warning(self, original: Callable[..., Any]) -> Callable[..., Any]:
        facts = self

        def warning(msg: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                text = str(msg) % args if args else str(msg)
                caller = facts.direct_caller(sys._getframe(1), lambda f: f.f_code.co_filename.endswith(_WARNING_FILES))
                if caller is not None:
                    facts.emit("warning", caller, message=text[:500])
            except Exception:
                pass
            return original(msg, *args, **kwargs)

        return warning

    # -- train ops (SL301) and savers (SL302), judged at the end ------------

    def train_op(self, original: Callable[..., Any], api: str) -> Callable[..., Any]:
        facts = self

        def make_train_op(*args: Any, **kwargs: Any) -> Any:
            facts._depth += 1
            try:
                result = original(*args, **kwargs)
            finally:
                facts._depth -= 1
            if facts._depth == 0:  # the outermost call is the train op the user gets
                try:
                    frame = sys._getframe(1)
                    stack = facts.recorder.user_stack(frame)
                    if stack and facts.recorder.user_path(frame.f_code.co_filename) is not None:
                        facts.train_ops.append((getattr(result, "op", result), stack, api))
                except Exception:
                    pass
            return result

        return make_train_op

    def saver(self, original: Callable[..., Any]) -> Callable[..., Any]:
        facts = self

        def __init__(saver: Any, var_list: Any = None, *args: Any, **kwargs: Any) -> None:
            from tensorflow.python.framework import ops

            default = var_list is None and not kwargs.get("defer_build", False) and not args
            graph = ops.get_default_graph()
            saved = {_name(v) for key in (_GLOBAL_VARIABLES, _SAVEABLE_OBJECTS) for v in graph.get_collection(key)}
            frame = sys._getframe(1)
            try:
                original(saver, var_list, *args, **kwargs)
            finally:
                try:
                    if facts.recorder.user_path(frame.f_code.co_filename) is not None:
                        facts.savers.append((graph, saved, facts.recorder.user_stack(frame), default))
                except Exception:
                    pass

        return __init__

    def stopped(self, fetches: Any) -> None:
        self.fetches = list(_flatten(fetches))

    def finish(self) -> None:
        """The end of the trace: judge the train ops and Savers on the graph as it stands."""
        fetched = _closure(_as_op(f) for f in self.fetches)
        for op, stack, api in self.train_ops:
            updates = [u for u in (_as_op(x) for x in op.graph.get_collection(_UPDATE_OPS)) if u is not None]
            if not updates:
                self.recorder.emit({"t": "fact", "kind": "train_op", "stack": stack, "api": api, "op": op.name, "update_ops": 0, "missing": []})
                continue
            runs = _closure([op])
            if op in fetched:
                runs |= fetched
            missing = [u for u in updates if u not in runs]
            if missing and _grouped_elsewhere(op, updates):
                missing = []
            self.recorder.emit(
                {"t": "fact", "kind": "train_op", "stack": stack, "api": api, "op": op.name,
                 "update_ops": len(updates), "missing": [u.name for u in missing[:_LIMIT]]}
            )  # fmt: skip
        for graph, saved, stack, default in self.savers:
            now = [_name(v) for v in graph.get_collection(_GLOBAL_VARIABLES)]
            missing = [n for n in now if n not in saved]
            self.recorder.emit(
                {"t": "fact", "kind": "saver", "stack": stack, "default_var_list": default, "saved": len(saved),
                 "missing": missing[:_LIMIT], "missing_count": len(missing)}
            )  # fmt: skip


def _frames(frame: FrameType | None, depth: int = 6) -> Iterable[FrameType]:
    while frame is not None and depth > 0:
        yield frame
        frame = frame.f_back
        depth -= 1


def _as_op(item: Any) -> Any:
    op = getattr(item, "op", item)
    return op if hasattr(op, "control_inputs") and hasattr(op, "inputs") else None


def _flatten(fetches: Any) -> Iterable[Any]:
    if isinstance(fetches, dict):
        fetches = list(fetches.values())
    if isinstance(fetches, (list, tuple)):
        for item in fetches:
            yield from _flatten(item)
    elif fetches is not None:
        yield fetches


def _closure(ops: Iterable[Any]) -> set[Any]:
    """Every op that running ``ops`` runs: data and control inputs, transitively."""
    seen: set[Any] = set()
    todo = [op for op in ops if op is not None]
    while todo:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        todo.extend(t.op for t in op.inputs)
        todo.extend(op.control_inputs)
    return seen


def _grouped_elsewhere(train_op: Any, updates: list[Any], limit: int = 50) -> bool:
    """``tf.group(train_op, *update_ops)``: an op that runs the train op also runs every update."""
    consumers: dict[Any, list[Any]] = {}
    for op in train_op.graph.get_operations():
        for source in [t.op for t in op.inputs] + list(op.control_inputs):
            consumers.setdefault(source, []).append(op)
    todo, seen = list(consumers.get(train_op, [])), set[Any]()
    while todo and len(seen) < limit:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        if set(updates) <= _closure([op]):
            return True
        todo.extend(consumers.get(op, []))
    return False


def install(recorder: Any) -> GraphRecorder:
    """Patch the graph's name scopes, lookups and collections, TF's logging, the
    optimizers, slim's create_train_op and the Saver."""
    from tensorflow.python.framework import ops
    from tensorflow.python.platform import tf_logging
    from tensorflow.python.training import optimizer, saver
    from tensorflow.python.util import deprecation

    facts = GraphRecorder(recorder)
    ops.Graph.name_scope = facts.name_scope(ops.Graph.name_scope)
    ops.Graph.as_graph_element = facts.lookup(ops.Graph.as_graph_element)
    ops.Graph.get_collection = facts.collection(ops.Graph.get_collection)
    deprecation._PRINTED_WARNING = _Forgetful()
    tf_logging.warning = facts.warning(tf_logging.warning)
    tf_logging.warn = facts.warning(tf_logging.warn)
    optimizer.Optimizer.minimize = facts.train_op(optimizer.Optimizer.minimize, "minimize")
    optimizer.Optimizer.apply_gradients = facts.train_op(optimizer.Optimizer.apply_gradients, "apply_gradients")
    saver.Saver.__init__ = facts.saver(saver.Saver.__init__)
    for module_name in ("tf_slim.learning", "tf_slim.training.training"):
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, "create_train_op"):
            setattr(module, "create_train_op", facts.train_op(getattr(module, "create_train_op"), "create_train_op"))
    return facts

