"""SL103 name-scope-reopened."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL103"

CASES = [
    Case("second-block", TF + """\
with tf.name_scope('summaries'):
    a = tf.Variable(0.0, name='a')
with tf.name_scope('summaries'):
    b = tf.Variable(0.0, name='b')
assert b.name == 'summaries_1/b:0'
""", (4,), "clean"),
    Case("case-insensitive", TF + """\
with tf.name_scope('summaries'):
    a = tf.Variable(0.0, name='a')
with tf.name_scope('Summaries'):
    b = tf.Variable(0.0, name='b')
assert b.name == 'Summaries_1/b:0'
""", (4,), "clean"),
    Case("nested-parent", TF + """\
with tf.name_scope('model'):
    with tf.name_scope('loss'):
        a = tf.constant(1.0)
    with tf.name_scope('loss'):
        b = tf.constant(1.0)
assert b.name == 'model/loss_1/Const:0'
""", (5,), "clean"),
    # Clean look-alikes.
    Case("same-statement-in-a-function", TF + """\
def loss(x):
    with tf.name_scope('loss'):
        return tf.reduce_sum(x)
x = tf.placeholder(tf.float32, [None])
a = loss(x)
b = loss(x)
""", (), "clean"),
    Case("same-statement-in-a-loop", TF + "for i in range(3):\n    with tf.name_scope('block'):\n        c = tf.constant(1.0)\n", (), "clean"),
    Case("captured-and-re-entered", TF + """\
with tf.name_scope('summaries') as summaries:
    a = tf.Variable(0.0, name='a')
with tf.name_scope(summaries):
    b = tf.Variable(0.0, name='b')
assert b.name == 'summaries/b:0'
""", (), "clean"),
    Case("absolute-name", TF + """\
with tf.name_scope('summaries'):
    a = tf.Variable(0.0, name='a')
with tf.name_scope('summaries/'):
    b = tf.Variable(0.0, name='b')
assert b.name == 'summaries/b:0'
""", (), "clean"),
    Case("variable-scope-reopened", TF + """\
with tf.variable_scope('m'):
    a = tf.get_variable('w', [1])
with tf.variable_scope('m', reuse=True):
    b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("different-parents", TF + """\
with tf.name_scope('a'):
    with tf.name_scope('loss'):
        x = tf.constant(1.0)
with tf.name_scope('b'):
    with tf.name_scope('loss'):
        y = tf.constant(1.0)
""", (), "clean"),
    Case("fresh-graph", TF + """\
with tf.Graph().as_default():
    with tf.name_scope('s'):
        x = tf.constant(1.0)
with tf.Graph().as_default():
    with tf.name_scope('s'):
        y = tf.constant(1.0)
    assert y.name == 's/Const:0'
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_message_names_the_real_scope() -> None:
    (found,) = lint_source(case("case-insensitive").source, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "warning"
    assert "'Summaries_1'" in found.message and found.data["related"][0]["line"] == 2


def test_nested_message() -> None:
    (found,) = lint_source(case("nested-parent").source, "case.py", Config(select=(CODE,)))
    assert "'model/loss_1'" in found.message
