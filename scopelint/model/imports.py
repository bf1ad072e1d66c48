"""Which dotted names mean TensorFlow, TF-Slim, Keras or tensornets.

The lowering records every import as ``local name -> dotted origin``
(``tf -> tensorflow.compat.v1``, ``vs -> tensorflow.python.ops.variable_scope``).
:func:`canonical` maps such an origin to the one spelling the API table uses:
``tf.variable_scope``, ``tf.layers.dense``, ``slim.conv2d``, ``nets.ResNet50``.
About a third of scope calls in real TF1 trees go through TF's internal modules,
so those are mapped too.
"""

from __future__ import annotations

from functools import lru_cache

# Longest prefix first; each maps a dotted origin prefix to a canonical prefix.
_PREFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "tensorflow.compat.v1": "tf",
            "tensorflow.compat.v2": "tf2",
            "tensorflow._api.v2.compat.v1": "tf",
            "tensorflow": "tf",
            "tf.compat.v1": "tf",
            "tf.contrib.slim": "slim",
            "tf.contrib.layers": "slim",
            "tf.contrib.framework": "slim",
            "tf.contrib.rnn": "tf.nn.rnn_cell",
            "tf.nn.rnn_cell": "tf.nn.rnn_cell",
            "tf_slim.layers.layers": "slim",
            "tf_slim.layers": "slim",
            "tf_slim.ops.variables": "slim",
            "tf_slim.ops.arg_scope": "slim",
            "tf_slim.ops": "slim",
            "tf_slim": "slim",
            # tf-slim's own modules, as its nets import them (slim.layers.conv2d is slim.conv2d).
            "slim.layers.layers": "slim",
            "slim.layers": "slim",
            "slim.ops.arg_scope": "slim",
            "slim.ops.variables": "slim",
            "tf.python.ops.variable_scope": "tf",
            "tf.python.ops.variables": "tf",
            "tf.python.ops.template": "tf",
            "tf.python.ops.rnn_cell_impl": "tf.nn.rnn_cell",
            "tf.python.ops.rnn_cell": "tf.nn.rnn_cell",
            "tf.python.ops.rnn": "tf.nn",
            "tf.python.ops.nn": "tf.nn",
            # TF ops that make no variables (tf-slim's nets call array_ops.pad, nn_ops.relu)
            "tf.python.ops.nn_ops": "tf.nn",
            "tf.python.ops.array_ops": "tf",
            "tf.python.ops.math_ops": "tf",
            "tf.python.framework.ops": "tf",
            "tf.python.layers.core": "tf.layers",
            "tf.python.layers.convolutional": "tf.layers",
            "tf.python.layers.normalization": "tf.layers",
            "tf.python.layers.pooling": "tf.layers",
            "tf.python.layers.base": "tf.layers",
            "tf.python.layers": "tf.layers",
            "tf.python.training": "tf.train",
            "tf.python.keras": "tf.keras",
            "tf.contrib.framework.python.ops": "slim",
            "tf.contrib.layers.python.layers.layers": "slim",
            "tf.contrib.layers.python.layers": "slim",
            "tf_keras": "tf.keras",
            "keras": "tf.keras",
            "tensornets": "nets",
        }.items(),
        key=lambda item: -len(item[0]),
    )
)

# Python modules whose calls never create TF variables; calls into any other
# unresolved module are "opaque" (they might).
INERT_ROOTS = frozenset(
    "numpy np os sys math random collections itertools json time logging six absl pickle re scipy PIL cv2 "
    "matplotlib pandas sklearn argparse glob shutil subprocess threading copy functools operator string "
    "io csv datetime abc typing enum warnings traceback inspect contextlib tempfile unittest pytest "
    "pprint gzip zipfile tarfile urllib hashlib struct multiprocessing queue signal platform distutils packaging "
    "pkg_resources".split()
)


@lru_cache(maxsize=65536)
def canonical(dotted: str, tf_modules: tuple[str, ...] = ()) -> str | None:
    """The canonical spelling of a dotted origin, or None when it is not a TF-family name."""
    for module in tf_modules:
        if dotted == module or dotted.startswith(module + "."):
            return "tf" + dotted[len(module):]
    changed = True
    name = dotted
    seen = 0
    while changed and seen < 4:
        changed = False
        seen += 1
        for prefix, replacement in _PREFIXES:
            if name == prefix or name.startswith(prefix + "."):
                rewritten = replacement + name[len(prefix):]
                if rewritten != name:
                    name, changed = rewritten, True
                break
    if name.split(".")[0] in {"tf", "tf2", "slim", "nets"}:
        return name
    return None
