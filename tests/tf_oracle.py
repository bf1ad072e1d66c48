"""TensorFlow as the oracle: run TF1 programs and report what TF really did.

``run_programs(programs)`` executes every program in ONE child process (TF's
import costs ~2.5 s, so it is paid once per batch) under TF1 graph semantics
(``TF_USE_LEGACY_KERAS=1``, ``tf.disable_v2_behavior()``). Each program runs in
a fresh default graph with fresh globals and reports:

* ``variables``: every variable TF created, in order -- name without ``:0``,
  shape, and the program line that created it. A
  ``tf.variable_creator_scope`` sees ``tf.get_variable``, ``tf.Variable``,
  layers, slim and optimizer slots alike;
* ``ops``: the names of all ops in the (final) default graph, in creation order;
* ``error`` / ``error_line`` / ``error_trace``: ``"ValueError: Variable w
  already exists, ..."`` (its first lines), the innermost program line of the
  traceback, and all of its program lines (the call of a builder, then the
  ``get_variable`` inside it); ``None`` / ``()`` when the program ran;
* ``logs``: what TF logged at WARNING or above (deprecation notices), and
  ``stdout``: what the program printed.

The module imports no TensorFlow itself: the child is this same file run as a
script. A program may call ``tf.reset_default_graph()`` (as notebook code does):
variables created before and after it are all recorded, ``ops`` is the last
graph's. Known limit: variables built inside the program's own
``with tf.Graph().as_default():`` are not recorded (their errors are).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROGRAM_FILE = "<program-{index}>"
_ERROR_LINES = 5


class OracleError(RuntimeError):
    """The TF child process itself failed (not a program inside it)."""


@dataclass(frozen=True)
class VariableRecord:
    name: str  # without ":0"
    shape: tuple[int | None, ...] | None  # None: unknown rank
    line: int | None  # program line that created it; None if not reached from the program's frame
    # Every program line on the stack, outermost first (a builder's call, then its
    # creation); left out of ==, so records compare by name, shape and line.
    trace: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Outcome:
    variables: tuple[VariableRecord, ...]
    ops: tuple[str, ...]
    error: str | None
    error_line: int | None  # the innermost program line of the traceback
    logs: tuple[str, ...] = ()
    stdout: str = ""
    error_trace: tuple[int, ...] = ()  # every program line in the traceback, outermost first

    @property
    def variable_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


def run_programs(programs: list[str], timeout: float = 300, python: str | None = None) -> list[Outcome]:
    """Run each program under TF1 semantics in one child process; one Outcome per program."""
    if not programs:
        return []
    with tempfile.TemporaryDirectory(prefix="tf_oracle_") as scratch:
        request = Path(scratch) / "programs.json"
        reply = Path(scratch) / "outcomes.json"
        request.write_text(json.dumps(programs), encoding="utf-8")
        env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        try:
            child = subprocess.run(
                [python or sys.executable, str(Path(__file__).resolve()), str(request), str(reply)],
                capture_output=True,
                text=True,
                env=env,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise OracleError(f"TF oracle timed out after {timeout} s running {len(programs)} programs") from exc
        if child.returncode != 0 or not reply.exists():
            raise OracleError(f"TF oracle child failed (exit {child.returncode}):\n{child.stderr[-4000:]}")
        rows = json.loads(reply.read_text(encoding="utf-8"))
    return [_outcome(row) for row in rows]


def _outcome(row: dict[str, Any]) -> Outcome:
    return Outcome(
        variables=tuple(
            VariableRecord(
                name=v["name"],
                shape=None if v["shape"] is None else tuple(v["shape"]),
                line=v["trace"][-1] if v["trace"] else None,
                trace=tuple(v["trace"]),
            )
            for v in row["variables"]
        ),
        ops=tuple(row["ops"]),
        error=row["error"],
        error_line=row["error_trace"][-1] if row["error_trace"] else None,
        error_trace=tuple(row["error_trace"]),
        logs=tuple(row["logs"]),
        stdout=row["stdout"],
    )


# ---------------------------------------------------------------- the child --


def _install_workarounds() -> None:
    """The DESIGN.md wrinkles of TF 2.21 + tf-keras 2.21, fixed before any program runs."""
    import importlib

    # slim.batch_norm / tf.layers.batch_normalization import
    # tf_keras.legacy_tf_layers.normalization, which tf-keras 2.21 ships under tf_keras.src.
    try:
        moved = importlib.import_module("tf_keras.src.legacy_tf_layers.normalization")
    except ImportError:
        pass
    else:
        sys.modules.setdefault("tf_keras.legacy_tf_layers.normalization", moved)
    # tf-slim 1.1.0 (slim.batch_norm's smart_cond) still spells tf.Tensor as
    # tensorflow.python.framework.ops.Tensor, which TF 2.21 no longer exports.
    from tensorflow.python.framework import ops, tensor

    if not hasattr(ops, "Tensor"):
        ops.Tensor = tensor.Tensor
    # tensornets 0.4.6 imports two modules of tensorflow.python.keras, which TF 2.21
    # no longer has; tf-keras ships the same code (only used once tensornets is imported).
    for alias, real in (("tensorflow.python.keras.applications.imagenet_utils", "tf_keras.src.applications.imagenet_utils"),
                        ("tensorflow.python.keras.utils.data_utils", "tf_keras.src.utils.data_utils")):
        try:
            sys.modules.setdefault(alias, importlib.import_module(real))
        except ImportError:
            pass


class _LogCapture:
    """Collects what TF logs (deprecation notices) for the program running now."""

    def __init__(self) -> None:
        import logging

        self.records: list[str] = []
        handler = logging.Handler(level=logging.WARNING)
        handler.emit = lambda record: self.records.append(record.getMessage())  # type: ignore[method-assign]
        logging.getLogger("tensorflow").addHandler(handler)

    def take(self) -> list[str]:
        taken, self.records = self.records, []
        return taken


def _program_lines(filename: str) -> list[int]:
    """The program's lines on the current stack, outermost first."""
    lines: list[int] = []
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == filename:
            lines.append(frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return lines[::-1]


def _error_text(exc: BaseException) -> str:
    lines = f"{type(exc).__name__}: {exc}".splitlines()
    kept: list[str] = []
    for line in lines[:_ERROR_LINES]:
        if not line.strip():
            break
        kept.append(line)
    return "\n".join(kept)


def _error_trace(exc: BaseException, filename: str) -> list[int]:
    found: list[int] = []
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            found.append(tb.tb_lineno)
        tb = tb.tb_next
    if not found and isinstance(exc, SyntaxError) and exc.filename == filename and exc.lineno:
        found.append(exc.lineno)
    return found


def _shape(variable: Any) -> list[int | None] | None:
    try:
        shape = variable.shape
        return None if shape.rank is None else list(shape.as_list())
    except Exception:  # a resource or partitioned variable without a static shape
        return None


def _run_one(tf: Any, source: str, index: int, logs: _LogCapture) -> dict[str, Any]:
    import builtins
    import contextlib
    import io
    import linecache

    filename = _PROGRAM_FILE.format(index=index)
    # So that TF's "Originally defined at" traces and our tracebacks show the program's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    variables: list[dict[str, Any]] = []

    def creator(next_creator: Any, **kwargs: Any) -> Any:
        variable = next_creator(**kwargs)
        variables.append({"name": variable.name.split(":")[0], "shape": _shape(variable), "trace": _program_lines(filename)})
        return variable

    _reset_deprecation_memory()
    logs.take()
    printed = io.StringIO()
    error: str | None = None
    error_trace: list[int] = []
    with _TrackedDefaultGraph(tf, creator) as tracked, contextlib.redirect_stdout(printed):
        try:
            code = compile(source, filename, "exec")
            exec(code, {"__name__": "__main__", "__builtins__": builtins, "__file__": filename})
        except (Exception, SystemExit) as exc:  # every failure is the program's result
            error, error_trace = _error_text(exc), _error_trace(exc, filename)
    return {
        "variables": variables,
        "ops": [op.name for op in tracked.graph.get_operations()],
        "error": error,
        "error_trace": error_trace,
        "logs": logs.take(),
        "stdout": printed.getvalue(),
    }


class _TrackedDefaultGraph:
    """A fresh default graph with the variable creator installed, kept installed
    across the program's own ``tf.reset_default_graph()`` calls (notebook-style
    code resets before rebuilding; a ``with tf.Graph().as_default()`` wrapper
    would make TF refuse that with an AssertionError)."""

    def __init__(self, tf: Any, creator: Any) -> None:
        from tensorflow.python.framework import ops

        self._tf, self._ops, self._creator = tf, ops, creator
        self._reset = ops.reset_default_graph
        self._scopes: list[Any] = []

    @property
    def graph(self) -> Any:
        return self._tf.get_default_graph()

    def _fresh_graph(self) -> None:
        self._reset()
        scope = self._tf.variable_creator_scope(self._creator)
        scope.__enter__()
        self._scopes.append(scope)

    def __enter__(self) -> "_TrackedDefaultGraph":
        self._fresh_graph()
        self._tf.reset_default_graph = self._fresh_graph
        self._ops.reset_default_graph = self._fresh_graph
        return self

    def __exit__(self, *exc: object) -> None:
        self._tf.reset_default_graph = self._reset
        self._ops.reset_default_graph = self._reset
        # Each scope restores the creator stack of the graph it was entered on.
        for scope in reversed(self._scopes):
            scope.__exit__(None, None, None)


def _reset_deprecation_memory() -> None:
    """TF logs each deprecation once per process; every program should see its own."""
    try:
        from tensorflow.python.util import deprecation
    except ImportError:
        return
    for name in ("_PRINTED_WARNING", "_PRINT_DEPRECATION_WARNINGS_ONCE"):
        memory = getattr(deprecation, name, None)
        if isinstance(memory, dict):
            memory.clear()


def _child_main(request: str, reply: str) -> None:
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    _install_workarounds()
    logs = _LogCapture()
    programs = json.loads(Path(request).read_text(encoding="utf-8"))
    outcomes = [_run_one(tf, source, index, logs) for index, source in enumerate(programs)]
    Path(reply).write_text(json.dumps(outcomes), encoding="utf-8")


if __name__ == "__main__":
    _child_main(sys.argv[1], sys.argv[2])
