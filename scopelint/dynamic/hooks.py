"""The recorder, installed into TensorFlow inside the forked child.

Two hooks, both below the public API so that every spelling reaches them
(``tf.get_variable``, ``variable_scope.get_variable``, slim, ``tf.layers``,
Keras, ``tf.Variable``, optimizer slots):

* the bottom variable creators (``variable_v1.default_variable_creator`` and
  ``variables.default_variable_creator_v2``) see every creation in every graph,
  without adding a creator scope (which would change what an optimizer does);
* ``_VariableStore._get_single_variable`` sees every ``get_variable``: whether
  it handed back an existing variable, and the ValueErrors it raises.

:func:`install` also lets :mod:`.stops` make the session entry points end the trace.

Each fact is written at once as one JSON line (see :mod:`.records`).
"""

from __future__ import annotations

import os
import re
import site
import sys
import sysconfig
import threading
from types import FrameType
from typing import Any, Callable

from scopelint.dynamic import stops
from scopelint.dynamic.records import encode

_SCOPE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:Partitioned v|V)ariable(?: with name)? (\S+) already exists"), "SL201"),
    (re.compile(r"^(?:Partitioned)?Variable (\S+) does not exist"), "SL202"),
    (re.compile(r"^Trying to share variable (\S+), but specified (?:shape|dtype)"), "SL205"),
)

# Frames that only forward a call: the API name is the first frame past them.
_FORWARDERS = frozenset(
    {"new_func", "func_with_args", "wrapper", "error_handler", "op_dispatch_handler", "_variable_v1_call",
     "_variable_call", "getter", "<lambda>", "_method_wrapper", "__call__", "_true_getter", "_model_variable_getter",
     "layer_variable_getter", "_custom_getter", "_make_getter"}
)


def classify_scope_error(message: str) -> tuple[str | None, str] | None:
    """(rule code or None, variable name) for a variable-store ValueError, else None."""
    for pattern, code in _SCOPE_ERRORS:
        match = pattern.match(message)
        if match:
            return (code or None, match.group(1).rstrip(",."))
    return None


def _library_roots() -> tuple[str, ...]:
    roots: set[str] = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix):
        roots.add(os.path.realpath(os.path.join(path, "lib")))
    try:
        roots.update(os.path.realpath(p) for p in site.getsitepackages())
    except AttributeError:
        pass
    roots.add(os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    return tuple(sorted(r.rstrip(os.sep) + os.sep for r in roots))


class Recorder:
    """Writes what happens; decides which frames are the user's code."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.phase = ""
        self._roots = _library_roots()
        self._user: dict[str, str | None] = {}  # co_filename -> real path, None for library code
        self._seen: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._in_store = threading.local()

    # -- output ---------------------------------------------------------

    def emit(self, event: dict[str, Any]) -> None:
        if self.phase and event.get("t") in {"var", "err"}:
            event["phase"] = self.phase
        data = encode(event)
        with self._lock:
            try:
                os.write(self.fd, data)
            except OSError:
                pass  # the user's code closed our descriptor; the trace just ends early

    # -- which code is the user's -----------------------------------------

    def user_path(self, filename: str) -> str | None:
        try:
            return self._user[filename]
        except KeyError:
            pass
        real: str | None = None
        if not filename.startswith("<"):
            candidate = os.path.realpath(filename)
            if not candidate.startswith(self._roots):
                real = candidate
        self._user[filename] = real
        return real

    def user_stack(self, frame: FrameType | None) -> list[tuple[str, int]]:
        stack: list[tuple[str, int]] = []
        while frame is not None:
            path = self.user_path(frame.f_code.co_filename)
            if path is not None:
                stack.append((path, frame.f_lineno))
            frame = frame.f_back
        return stack

    def api_name(self, frame: FrameType | None) -> str:
        """The TF function the innermost user frame called, skipping forwarding wrappers."""
        inner: list[FrameType] = []
        while frame is not None and self.user_path(frame.f_code.co_filename) is None:
            inner.append(frame)
            frame = frame.f_back
        for callee in reversed(inner):
            name = callee.f_code.co_name
            if name == "__call__":
                owner = callee.f_locals.get("self") or callee.f_locals.get("cls")
                owner_name = getattr(owner, "__name__", None) or type(owner).__name__
                if owner_name in {"Variable", "VariableV1"}:
                    return "Variable"
                if owner_name not in {"VariableMetaclass", "type", "NoneType"}:
                    return owner_name
                if "VariableMetaclass" in getattr(callee.f_code, "co_qualname", ""):
                    return "Variable"
                continue
            if name not in _FORWARDERS and not name.startswith("_"):
                return "Variable" if name == "VariableV1" else name
        return ""

    # -- line coverage ----------------------------------------------------

    def global_trace(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if self.user_path(frame.f_code.co_filename) is None:
            return None
        return self._local_trace

    def _local_trace(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event == "line":
            path = self._user[frame.f_code.co_filename]
            key = (path or "", frame.f_lineno)
            if key not in self._seen:
                self._seen.add(key)
                self.emit({"t": "line", "path": key[0], "line": key[1]})
        return self._local_trace

    # -- variable events --------------------------------------------------

    def creator(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def record_creation(*args: Any, **kwargs: Any) -> Any:
            variable = original(*args, **kwargs)
            try:
                self._variable_event("create", variable, sys._getframe(1))
            except Exception:  # recording must never change what the user's code does
                pass
            return variable

        return record_creation

    def _variable_event(self, kind: str, variable: Any, frame: FrameType | None, via: str | None = None) -> None:
        from tensorflow.python.ops import variable_scope

        shape: list[int | None] | None
        try:
            shape = variable.shape.as_list()
        except (ValueError, AttributeError):
            shape = None
        reuse = variable_scope.get_variable_scope().reuse
        in_store = getattr(self._in_store, "depth", 0) > 0
        # get_variable resets the name scope while it creates: the one the user's call ran in was kept on entry.
        name_scope = getattr(self._in_store, "name_scope", "") if in_store or via else _current_name_scope()
        self.emit(
            {
                "t": "var",
                "kind": kind,
                "name": variable.name.split(":")[0],
                "shape": shape,
                "via": via or ("get_variable" if in_store else "Variable"),
                "reuse": "auto" if reuse is variable_scope.AUTO_REUSE else ("true" if reuse else "false"),
                "api": self.api_name(frame),
                "name_scope": name_scope,
                "stack": self.user_stack(frame),
            }
        )

    def scope_getter(self, original: Callable[..., Any]) -> Callable[..., Any]:
        """``VariableScope.get_variable``: keep the name scope the call was made in (SL101)."""
        recorder = self

        def get_variable(scope: Any, *args: Any, **kwargs: Any) -> Any:
            outer = getattr(recorder._in_store, "name_scope", None)
            if getattr(recorder._in_store, "scope_depth", 0) == 0:
                recorder._in_store.name_scope = _current_name_scope()
            recorder._in_store.scope_depth = getattr(recorder._in_store, "scope_depth", 0) + 1
            try:
                return original(scope, *args, **kwargs)
            finally:
                recorder._in_store.scope_depth -= 1
                if recorder._in_store.scope_depth == 0:
                    recorder._in_store.name_scope = outer or ""

        return get_variable

    def store_getter(self, original: Callable[..., Any]) -> Callable[..., Any]:
        recorder = self

        def _get_single_variable(store: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            existed = name in store._vars
            recorder._in_store.depth = getattr(recorder._in_store, "depth", 0) + 1
            try:
                variable = original(store, name, *args, **kwargs)
            except ValueError as exc:
                recorder.scope_error(exc, sys._getframe(1))
                raise
            finally:
                recorder._in_store.depth -= 1
            if existed:
                try:
                    recorder._variable_event("reuse", variable, sys._getframe(1), via="get_variable")
                except Exception:
                    pass
            return variable

        return _get_single_variable

    def partitioned_getter(self, original: Callable[..., Any]) -> Callable[..., Any]:
        recorder = self

        def _get_partitioned_variable(store: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(store, *args, **kwargs)
            except ValueError as exc:
                if not getattr(exc, "_scopelint_recorded", False):
                    recorder.scope_error(exc, sys._getframe(1))
                raise

        return _get_partitioned_variable

    def scope_error(self, exc: ValueError, frame: FrameType | None) -> None:
        message = str(exc)
        found = classify_scope_error(message)
        if found is None or getattr(exc, "_scopelint_recorded", False):
            return
        try:
            exc._scopelint_recorded = True  # type: ignore[attr-defined]
        except AttributeError:
            pass
        code, name = found
        first_line = message.split("\n", 1)[0].split(" Originally defined at:")[0].strip()
        self.emit({"t": "err", "code": code, "name": name, "message": first_line, "stack": self.user_stack(frame)})


def _current_name_scope() -> str:
    from tensorflow.python.framework import ops

    try:
        return str(ops.get_default_graph().get_name_scope())
    except Exception:
        return ""


def install(recorder: Recorder) -> Any:
    """Patch TF's bottom creators, the variable store, the graph facts of
    :mod:`.graph_hooks` and the session entry points; returns the graph recorder."""
    from tensorflow.python.ops import variable_scope, variable_v1, variables

    from scopelint.dynamic import graph_hooks

    variable_v1.default_variable_creator = recorder.creator(variable_v1.default_variable_creator)
    variables.default_variable_creator_v2 = recorder.creator(variables.default_variable_creator_v2)
    store = variable_scope._VariableStore
    store._get_single_variable = recorder.store_getter(store._get_single_variable)
    store._get_partitioned_variable = recorder.partitioned_getter(store._get_partitioned_variable)
    variable_scope.VariableScope.get_variable = recorder.scope_getter(variable_scope.VariableScope.get_variable)
    facts = graph_hooks.install(recorder)
    stops.install(on_run=facts.stopped)
    return facts
