"""Architectural boundaries, enforced: the static path never imports TensorFlow
or the LSP stack, so `pip install scopelint` stays small and linting stays fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("tensorflow", "tf_keras", "tf_slim", "keras", "pygls", "lsprotocol")

PROGRAM = """
import sys
from scopelint.cli import main
code = main([{path!r}, "--no-cache", "--format", {fmt!r}, "--output", {out!r}])
leaked = sorted({{m.split(".")[0] for m in sys.modules}} & set({forbidden!r}))
print(code, leaked)
"""


def test_static_lint_imports_neither_tensorflow_nor_pygls(tmp_path: Path) -> None:
    source = tmp_path / "model.py"
    source.write_text(
        "import tensorflow as tf\nimport tensorflow.contrib.slim as slim\n"
        "with tf.variable_scope('a'):\n    w = tf.get_variable('w', [1])\n"
        "with tf.variable_scope('a'):\n    w = tf.get_variable('w', [1])\n"
    )
    for fmt in ("text", "json"):
        program = PROGRAM.format(path=str(source), fmt=fmt, out=str(tmp_path / "out"), forbidden=FORBIDDEN)
        result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split(" ", 1)[1].strip() == "[]", result.stdout
