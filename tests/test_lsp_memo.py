"""Per keystroke the editor re-uses the model's runs of functions no one calls that the
edit cannot have changed (scopelint/model/interpret/memo.py): after every edit of a
sequence, the model's events and the diagnostics are those of linting the buffer from
scratch, and most runs were re-used."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import pytest

from scopelint.config import Config
from scopelint.engine import analyse_parsed, model_settings
from scopelint.lsp.documents import Snapshot, lint_snapshot
from scopelint.lsp.incremental import BufferFacts, split_lines
from scopelint.model import analyze
from test_lsp_incremental import edit, real_files

SETTINGS = model_settings(Config())
PATH = "/m/model.py"

BASE = '''import tensorflow.compat.v1 as tf

SCOPE = 'enc'
SIZE = 3


def helper(x):
    return tf.get_variable('w', [SIZE])


def uses_helper(x):
    with tf.variable_scope(SCOPE):
        a = helper(x)
        b = helper(x)
    return a + b


class Net:
    def __init__(self):
        self.name = 'net'

    def build(self, x):
        with tf.variable_scope(self.name):
            tf.get_variable('v', [1])
            return tf.get_variable('u', [1])


def standalone():
    with tf.variable_scope('s'):
        tf.get_variable('k', [1])
        tf.get_variable('k', [1])


def other():
    with tf.name_scope('n'):
        return tf.get_variable('q', [2])
'''

# Each edit: (what is replaced, what replaces it), applied to the text the edit before left.
EDITS = [
    ("import tensorflow", "# a comment above everything\nimport tensorflow"),  # every line moves
    ("        tf.get_variable('k', [1])\n        tf.get_variable('k', [1])",
     "        tf.get_variable('k', [1])\n\n        tf.get_variable('k', [1])"),  # lines inserted inside a function
    ("    return tf.get_variable('w', [SIZE])",
     "    with tf.variable_scope(None, default_name='h'):\n        return tf.get_variable('w', [SIZE])"),  # the helper an unchanged caller calls
    ("    with tf.variable_scope(None, default_name='h'):\n        return tf.get_variable('w', [SIZE])",
     "    return tf.get_variable('w', [SIZE])"),  # and back
    ("SCOPE = 'enc'", "SCOPE = 'dec'"),  # a module-level global
    ("SIZE = 3", "SIZE = 3\nSIZE = 4"),  # bound twice
    ("        return tf.get_variable('q', [2])\n",  # a name-scope spelling one run records, the next looks up
     "        return tf.get_variable('q', [2])\n\n\nclass T(tf.test.TestCase):\n    def test_make(self):\n"
     "        with tf.name_scope('n'):\n            tf.get_variable('q', [2])\n\n\n"
     "class U(tf.test.TestCase):\n    def test_lookup(self):\n        return tf.get_default_graph().get_tensor_by_name('n/q:0')\n"),
    ("        return tf.get_default_graph().get_tensor_by_name('n/q:0')",
     "        name = 'n/q:0'\n        return tf.get_default_graph().get_tensor_by_name(name)"),
    ("        self.name = 'net'", "        self.name = 'net'\n        tf.get_variable('net/v', [1])"),  # __init__ of an unchanged method
    ("        self.name = 'net'", "        self.name = 'other'"),
    ("def other():", "LAYER = tf.layers.Dense(3)\n\n\ndef other():"),  # a mutable module-level object
    ("        return tf.get_variable('q', [2])", "        return LAYER(tf.get_variable('q', [2]))"),
    ("def other():", "def first_use():\n    return LAYER(tf.zeros([1, 2]))\n\n\ndef other():"),  # built by one run...
    ("LAYER(tf.get_variable('q', [2]))", "LAYER(tf.get_variable('q', [3]))"),  # ...and called by the next
    ("def standalone():\n", "def standalone():\n    uses_helper(1)\n"),  # now runs a function: it is no longer standalone
    ("def standalone():\n    uses_helper(1)\n", "def standalone():\n"),
    ("\n\nclass Net:", "\n\nuses_helper(0)\n\n\nclass Net:"),  # the module body calls it
    ("uses_helper(0)\n", ""),
    ("def helper(x):", "def helper(x, n=SIZE):"),
    ("SIZE = 3\nSIZE = 4", "SIZE = 3"),
    ("# a comment above everything\n", ""),  # every line moves back up
]


def _graphs(events: tuple[Any, ...]) -> list[Any]:
    """Events with graph serials numbered by first appearance (each run numbers them on)."""
    numbers: dict[int, int] = {}
    out = []
    for event in events:
        if dataclasses.is_dataclass(event) and hasattr(event, "graph"):
            event = dataclasses.replace(event, graph=numbers.setdefault(event.graph, len(numbers)))
        out.append(event)
    return out


class Buffer:
    """A buffer's facts for the model's events, and the editor's for its diagnostics."""

    def __init__(self) -> None:
        self.model, self.editor = BufferFacts(), BufferFacts()


def _check(buffers: Buffer, text: str) -> bool:
    """The model's events and the diagnostics for ``text`` through ``buffers`` equal a lint from
    scratch; whether the buffer's chunks (and so its memo) were used."""
    buffer = buffers.model
    with buffer.memo.active(()):
        result, tree = buffer.analyse(PATH, text, SETTINGS, "model", False)
        events = analyze(result.facts, {}).events if result.facts is not None else None
    full, _ = analyse_parsed(PATH, text, SETTINGS, "model", parser_check=False)
    assert (result.facts is None) == (full.facts is None)  # a syntax error
    if full.facts is not None and events is not None:
        assert _graphs(events) == _graphs(analyze(full.facts, {}).events)
    snapshot = Snapshot("u", PATH, text, 1, False)
    quick = lint_snapshot(snapshot, Config(), None, False, buffers.editor)
    assert quick.diagnostics == lint_snapshot(snapshot, Config(), None, False).diagnostics
    return callable(tree) and not quick.from_scratch


def test_each_edit_of_a_sequence_lints_as_from_scratch() -> None:
    buffer = Buffer()
    text = BASE
    _check(buffer, text)
    _check(buffer, text)  # the runs remembered
    hits = chunked = 0
    for old, new in EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
        chunked += _check(buffer, text)
        hits += buffer.model.memo.hits if chunked else 0
    assert chunked >= len(EDITS) - 3 and hits >= len(EDITS)  # runs were re-used, not only run again


def test_an_edit_below_reuses_every_run_above_and_moved_below(tmp_path: Path) -> None:
    from test_lsp_latency import tf_file

    buffer = Buffer()
    lines = split_lines(tf_file())
    _check(buffer, "".join(lines))
    _check(buffer, "".join(lines))
    for version in range(3):
        lines.insert(502 + version, f"# edit {version}\n")
        _check(buffer, "".join(lines))
        assert buffer.model.memo.runs <= 2 and buffer.model.memo.hits >= 60


@pytest.mark.parametrize("name,text", real_files()[:3], ids=lambda v: v if len(v) < 40 else "")
def test_random_edits_of_real_files_lint_as_from_scratch(name: str, text: str) -> None:
    rng = random.Random(name)
    buffer = Buffer()
    original = split_lines(text)
    lines = list(original)
    for step in range(25):
        if step % 6 == 5:
            lines = list(original)
        else:
            edit(lines, rng)
        _check(buffer, "".join(lines))
