"""SL205 shared-shape-mismatch (programs also run under TF)."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL205"

EMB = TF + """\
def embed(dim):
    with tf.variable_scope('emb', reuse=tf.AUTO_REUSE):
        return tf.get_variable('table', [100, dim])
a = embed(16)
b = embed({second})
"""

CASES = [
    Case("literal-shapes", TF + """\
with tf.variable_scope('emb'):
    t = tf.get_variable('table', [100, 16])
with tf.variable_scope('emb', reuse=True):
    t2 = tf.get_variable('table', [100, 32])
""", (5,), "raises"),
    Case("shape-through-parameter", EMB.format(second=32), (6,), "raises"),
    Case("rank-differs", TF + """\
with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
    a = tf.get_variable('b', [4])
    c = tf.get_variable('b', shape=(4, 1))
""", (4,), "raises"),
    # At the mismatching request: the second embed() inside encoder(), not encoder()'s call.
    Case("mismatch-inside-a-builder", TF + """\
def embed(dim):
    with tf.variable_scope('emb', reuse=tf.AUTO_REUSE):
        return tf.get_variable('table', [100, dim])
def encoder():
    a = embed(16)
    return embed(32)
e = encoder()
""", (7,), "raises"),
    # Clean look-alikes.
    Case("same-shape", EMB.format(second=16), (), "clean"),
    Case("shape-not-literal", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('s'):
    a = tf.get_variable('w', [4, 2])
with tf.variable_scope('s', reuse=True):
    b = tf.get_variable('w', x.get_shape()[1:])
""", (), "skip"),
    Case("different-names", TF + """\
with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
    a = tf.get_variable('w16', [16])
    b = tf.get_variable('w32', [32])
""", (), "clean"),
    Case("fresh-graph", TF + """\
with tf.Graph().as_default():
    a = tf.get_variable('w', [16])
with tf.Graph().as_default():
    b = tf.get_variable('w', [32])
""", (), "clean"),
    Case("no-shape-on-reuse", TF + """\
with tf.variable_scope('s'):
    a = tf.get_variable('w', [16])
with tf.variable_scope('s', reuse=True):
    b = tf.get_variable('w')
""", (), "clean"),
    Case("reuse-unknown", TF + """\
def f(reuse):
    with tf.variable_scope('s', reuse=reuse):
        return tf.get_variable('w', [16])
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_message_gives_both_shapes() -> None:
    (found,) = lint_source(case("shape-through-parameter").source, "case.py", Config(select=(CODE,)))
    assert found.data["predicted_name"] == "emb/table"
    assert "(100, 32)" in found.message and "(100, 16)" in found.message
    assert found.data["related"][0]["line"] == 4


def test_at_the_mismatching_request_with_the_first_creation_related() -> None:
    (found,) = lint_source(case("mismatch-inside-a-builder").source, "case.py", Config(select=(CODE,)))
    assert (found.line, found.column) == (7, 12)
    assert found.message == (
        "`tf.get_variable` via encoder() -> embed() shares 'emb/table' with shape (100, 32), but it was created with "
        "shape (100, 16) at line 4: TF raises 'Trying to share variable'"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 4, "column": 16, "message": "'emb/table' created here with shape (100, 16)"},
        {"path": "case.py", "line": 6, "column": 9, "message": "the call that created 'emb/table' with shape (100, 16)"},
    ]
