"""Which local names stand for TensorFlow modules: a small pass over imports.

``import tensorflow.compat.v1 as tf`` makes ``tf.op_scope`` mean
``tensorflow.compat.v1.op_scope``; ``from tensorflow.python.framework import
ops`` makes ``ops.op_scope`` mean ``tensorflow.python.framework.ops.op_scope``.
Extra modules named in ``[tool.scopelint] tf-modules`` stand for
``tensorflow.compat.v1``. Imports anywhere in the module count (TF1 code often
imports inside functions); a name bound to two different modules is dropped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Paths that are the public TF1 API; a path below one of them is an API name.
_PUBLIC_ROOTS = ("tensorflow.compat.v1", "tensorflow")
# tf.contrib's homes of slim and layers live on as tf_slim.


def dotted_name(node: ast.AST) -> str | None:
    """``tf.compat.v1.op_scope`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


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

    def add_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    self.bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".")[0]
                    self.bind(head, head)
            return
        if node.level or node.module is None:
            return
        for alias in node.names:
            if alias.name == "*":
                return
            self.bind(alias.asname or alias.name, f"{node.module}.{alias.name}")

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

