"""``scopelint trace model.py:build_model``: call one builder twice in one graph.

Two scenarios, each in a fresh graph, each calling the builder on the same
placeholder inputs:

* ``twice``: two plain calls, as code that forgot about sharing does;
* ``tower``: a plain call, then one under ``variable_scope(current scope,
  reuse=True)`` and ``name_scope('tower_1')``, as a second GPU tower does.

The recorder tags every event with ``<scenario>:<call>``; the parent turns
that into "shares" / "collides" / "duplicates" (see :mod:`.verdict`).
"""

from __future__ import annotations

import runpy
from types import ModuleType
from typing import Any, Callable

SCENARIOS = ("twice", "tower")


def _resolve(namespace: dict[str, Any], dotted: str) -> Callable[..., Any]:
    head, *rest = dotted.split(".")
    if head not in namespace:
        raise LookupError(f"no function {dotted!r} at the top level of the file")
    target: Any = namespace[head]
    for part in rest:
        target = getattr(target, part)
    if not callable(target):
        raise LookupError(f"{dotted!r} is not callable")
    result: Callable[..., Any] = target
    return result


def _call(builder: Callable[..., Any], inputs: list[Any], recorder: Any, phase: str) -> None:
    recorder.phase = phase
    try:
        builder(*inputs)
    except ValueError as exc:
        if not getattr(exc, "_scopelint_recorded", False):
            raise
        # A scope error is this scenario's answer (recorded by the store hook); the next scenario still runs.
    finally:
        recorder.phase = ""


def run_builder(path: str, module: str | None, spec: dict[str, Any], recorder: Any, tf: ModuleType) -> None:
    # The file's top level runs (imports, constants); its __main__ block does not.
    if module:
        namespace = runpy.run_module(module, run_name="__scopelint_builder__", alter_sys=True)
    else:
        namespace = runpy.run_path(path, run_name="__scopelint_builder__")
    builder = _resolve(namespace, spec["function"])
    dtype = getattr(tf, spec.get("dtype") or "float32")
    for scenario in SCENARIOS:
        with tf.Graph().as_default():
            inputs = [
                tf.placeholder(dtype, shape=list(shape), name=f"input_{index}")
                for index, shape in enumerate(spec.get("input_shapes") or [])
            ]
            _call(builder, inputs, recorder, f"{scenario}:1")
            if scenario == "twice":
                _call(builder, inputs, recorder, f"{scenario}:2")
            else:
                with tf.variable_scope(tf.get_variable_scope(), reuse=True), tf.name_scope("tower_1"):
                    _call(builder, inputs, recorder, f"{scenario}:2")
