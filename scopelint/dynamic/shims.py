"""Make TF1 code importable on TF 2.x, inside the child only.

* ``import tensorflow as tf`` gives a facade that answers with
  ``tensorflow.compat.v1`` first and the real package second (so
  ``tensorflow.python.ops`` and friends still import).
* ``tf.contrib.slim`` / ``tf.contrib.layers`` / ``tf.contrib.framework`` map onto
  ``tf_slim``, ``tf.contrib.rnn`` onto ``tf.nn.rnn_cell``; any other contrib
  module is a clear "not available under TF 2.x" error the report names.
* The batch-norm module alias from DESIGN.md: TF looks for
  ``tf_keras.legacy_tf_layers.normalization``, tf-keras ships it under ``src``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, Callable, Sequence

UNSUPPORTED_MARK = "scopelint_unsupported"


class ContribImportError(ModuleNotFoundError):
    scopelint_unsupported = True


class ContribAttributeError(AttributeError):
    scopelint_unsupported = True


def unavailable(name: str) -> str:
    return f"tf.contrib.{name} is not available under TF 2.x (scopelint maps only slim, layers, framework, rnn)"


def _rnn_module(tf: Any) -> types.ModuleType:
    module = types.ModuleType("tensorflow.contrib.rnn")
    for source in (tf.nn.rnn_cell,):
        for attr in dir(source):
            if not attr.startswith("_"):
                setattr(module, attr, getattr(source, attr))
    for attr in ("static_rnn", "static_bidirectional_rnn", "static_state_saving_rnn", "bidirectional_dynamic_rnn"):
        if hasattr(tf.nn, attr):
            setattr(module, attr, getattr(tf.nn, attr))
    module.__getattr__ = _missing_attr("rnn")  # type: ignore[method-assign]
    return module


def _missing_attr(prefix: str) -> Callable[[str], Any]:
    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise ContribAttributeError(unavailable(f"{prefix}.{attr}" if prefix else attr))

    return __getattr__


def _contrib_table(tf: Any) -> dict[str, Callable[[], types.ModuleType]]:
    return {
        "slim": lambda: importlib.import_module("tf_slim"),
        "layers": lambda: importlib.import_module("tf_slim.layers"),
        "framework": lambda: importlib.import_module("tf_slim"),
        "rnn": lambda: _rnn_module(tf),
    }


class _ContribFinder(importlib.abc.MetaPathFinder):
    """``import tensorflow.contrib.X``: the mapped module, or a clear error."""

    def __init__(self, contrib: types.ModuleType, table: dict[str, Callable[[], types.ModuleType]]) -> None:
        self.contrib = contrib
        self.table = table

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith("tensorflow.contrib."):
            return None
        first = fullname.split(".")[2]
        if first not in self.table:
            raise ContribImportError(unavailable(fullname[len("tensorflow.contrib."):]), name=fullname)
        module = getattr(self.contrib, first)
        if fullname.count(".") == 2:
            sys.modules[fullname] = module
            return importlib.machinery.ModuleSpec(fullname, _AlreadyLoaded(module))
        return None


class _AlreadyLoaded(importlib.abc.Loader):
    def __init__(self, module: types.ModuleType) -> None:
        self.module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def _contrib_module(tf: Any) -> tuple[types.ModuleType, dict[str, Callable[[], types.ModuleType]]]:
    table = _contrib_table(tf)
    contrib = types.ModuleType("tensorflow.contrib")
    contrib.__path__ = []  # a package, so `import tensorflow.contrib.slim` asks the finder

    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr not in table:
            raise ContribAttributeError(unavailable(attr))
        module = table[attr]()
        setattr(contrib, attr, module)
        return module

    contrib.__getattr__ = __getattr__  # type: ignore[method-assign]
    return contrib, table


class _TF1Facade(types.ModuleType):
    """``tensorflow`` as TF1 code expects it: compat.v1 first, the real package second."""

    def __init__(self, real: types.ModuleType, v1: types.ModuleType, contrib: types.ModuleType) -> None:
        super().__init__("tensorflow", real.__doc__)
        self.__path__ = list(getattr(real, "__path__", []))
        self.__file__ = getattr(real, "__file__", None)
        self.__spec__ = real.__spec__
        self._scopelint_v1 = v1
        self._scopelint_real = real
        self.contrib = contrib

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._scopelint_v1, name)
        except AttributeError:
            return getattr(self._scopelint_real, name)


def alias_batch_norm_module() -> None:
    """TF 2.21 imports ``tf_keras.legacy_tf_layers.normalization``; tf-keras 2.21 has it under ``src``."""
    try:
        legacy = importlib.import_module("tf_keras.src.legacy_tf_layers")
        normalization = importlib.import_module("tf_keras.src.legacy_tf_layers.normalization")
    except ImportError:
        return
    sys.modules.setdefault("tf_keras.legacy_tf_layers", legacy)
    sys.modules.setdefault("tf_keras.legacy_tf_layers.normalization", normalization)


def install(v1: types.ModuleType) -> None:
    """Called in the forked child right before the user's file runs."""
    real = sys.modules["tensorflow"]
    if isinstance(real, _TF1Facade):
        return
    contrib, table = _contrib_module(v1)
    sys.modules["tensorflow.contrib"] = contrib
    sys.meta_path.insert(0, _ContribFinder(contrib, table))
    try:
        setattr(v1, "contrib", contrib)
    except (AttributeError, TypeError):
        pass
    sys.modules["tensorflow"] = _TF1Facade(real, v1, contrib)
