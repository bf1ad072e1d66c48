"""Which local names stand for TensorFlow modules: a small pass over imports.

``import tensorflow.compat.v1 as tf`` makes ``tf.op_scope`` mean
``tensorflow.compat.v1.op_scope``; ``from tensorflow.python.framework import
ops`` makes ``ops.op_scope`` mean ``tensorflow.python.framework.ops.op_scope``.
Extra modules named in ``[tool.scopelint] tf-modules`` stand for
``tensorflow.compat.v1``. Imports anywhere in the module count (TF1 code often
imports inside functions); a name bound to two different modules is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst

# Paths that are the public TF1 API; a path below one of them is an API name.
_PUBLIC_ROOTS = ("tensorflow.compat.v1", "tensorflow")
# tf.contrib's homes of slim and layers live on as tf_slim.
_SLIM_ROOTS = ("tensorflow.contrib.slim", "tensorflow.contrib.layers", "tensorflow.contrib.framework")


def dotted_name(node: "libcst.CSTNode") -> str | None:
    """``tf.compat.v1.op_scope`` for a Name/Attribute chain, else None."""
    import libcst

    parts: list[str] = []
    while isinstance(node, libcst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, libcst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _module_path(node: "libcst.CSTNode") -> str | None:
    return dotted_name(node)


@dataclass
class ImportAliases:
    tf_modules: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)  # local name -> qualified path
    _conflicts: set[str] = field(default_factory=set)

    def bind(self, local: str, qualified: str) -> None:
        if local in self._conflicts:
            return
        if self.names.get(local, qualified) != qualified:
            del self.names[local]
            self._conflicts.add(local)
            return
        self.names[local] = qualified

    def add_import(self, node: "libcst.Import | libcst.ImportFrom") -> None:
        import libcst

        if isinstance(node, libcst.Import):
            for alias in node.names:
                path = _module_path(alias.name)
                if path is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, libcst.Name):
                    self.bind(alias.asname.name.value, path)
                else:
                    head = path.split(".")[0]
                    self.bind(head, head)
            return
        if node.relative or node.module is None or isinstance(node.names, libcst.ImportStar):
            return
        base = _module_path(node.module)
        if base is None:
            return
        for alias in node.names:
            name = _module_path(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, libcst.Name) else name
            self.bind(local, f"{base}.{name}")

    def resolve(self, spelled: str | None) -> str:
        """The qualified path of a dotted name as written, or '' when its head is not imported."""
        if not spelled:
            return ""
        head, _, rest = spelled.partition(".")
        target = self.names.get(head)
        if target is None:
            return ""
        return f"{target}.{rest}" if rest else target

    def under_tensorflow(self, qualified: str) -> str | None:
        """``op_scope`` for ``tensorflow.op_scope`` / ``tensorflow.compat.v1.op_scope``
        / ``<tf-module>.op_scope``; None for anything else."""
        for root in (*self.tf_modules, *_PUBLIC_ROOTS):
            if qualified.startswith(root + "."):
                rest = qualified[len(root) + 1 :]
                if root == "tensorflow" and rest.startswith(("compat.", "python.", "contrib.", "keras.")):
                    return None
                return rest
        return None


# TF's internal modules that libraries import directly, and the public
# namespace each of their functions is exported under.
_INTERNAL_HOMES = {
    "tensorflow.python.ops.variable_scope": "tf",
    "tensorflow.python.ops.variables": "tf",
    "tensorflow.python.framework.ops": "tf",
    "tensorflow.python.training.saver": "tf.train",
    "tensorflow.python.training.training_util": "tf.train",
    "tensorflow.python.training.moving_averages": "tf.train",
}
_SLIM_HOMES = (
    "tf_slim.layers",
    "tf_slim",
    "tensorflow.contrib.slim",
    "tensorflow.contrib.layers",
    "tensorflow.contrib.framework",
    "tensorflow.contrib.layers.python.layers.layers",
)


def canonical_api(qualified: str, tf_modules: tuple[str, ...] = ()) -> str | None:
    """``tf.train.Saver`` / ``slim.batch_norm`` for any spelling of a TF1 or
    TF-Slim API (``tensorflow.compat.v1.train.Saver``, ``tf_slim.layers.batch_norm``,
    ``tensorflow.contrib.slim.batch_norm``, an internal module); None otherwise."""
    for home in _SLIM_HOMES:
        if qualified.startswith(home + "."):
            return "slim." + qualified[len(home) + 1 :]
    for home, public in _INTERNAL_HOMES.items():
        if qualified.startswith(home + "."):
            return f"{public}.{qualified[len(home) + 1:]}"
    for root in (*tf_modules, "tensorflow.compat.v1", "tensorflow"):
        if qualified.startswith(root + "."):
            rest = qualified[len(root) + 1 :]
            for contrib in ("contrib.slim.", "contrib.layers.", "contrib.framework."):
                if rest.startswith(contrib):
                    return "slim." + rest[len(contrib) :]
            if root == "tensorflow" and rest.startswith(("compat.", "python.", "keras.", "contrib.")):
                return None
            return "tf." + rest
    return None
