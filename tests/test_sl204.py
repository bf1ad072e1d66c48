"""SL204 variable-not-shared: tf.Variable / Keras under reuse (programs also run under TF)."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL204"

LAYER = TF + """\
def layer(x):
    w = tf.Variable(tf.ones([4, 4]), name='w')
    return tf.matmul(x, w)
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('shared'):
    a = layer(x)
with tf.variable_scope('shared', reuse=True):
    b = layer(x)
"""

CASES = [
    Case("tf-variable-in-reused-builder", LAYER, (9,), "clean"),
    Case("keras-under-auto-reuse", TF + """\
def head(x):
    with tf.variable_scope('k', reuse=tf.AUTO_REUSE):
        return tf.keras.layers.Dense(3)(x)
x = tf.placeholder(tf.float32, [None, 4])
a = head(x)
b = head(x)
""", (7,), "clean"),
    Case("loop-auto-reuse", TF + """\
for i in range(2):
    with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
        v = tf.Variable(1.0, name='v')
""", (4,), "clean"),
    Case("tf-variable-twice-in-one-reusing-scope", TF + """\
with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
    for i in range(2):
        v = tf.Variable(1.0, name='v')
""", (4,), "clean"),
    # Clean look-alikes.
    Case("global-step-once-under-reuse", TF + """\
with tf.variable_scope('train', reuse=tf.AUTO_REUSE):
    step = tf.Variable(0, name='global_step', trainable=False)
""", (), "clean"),
    Case("get-variable-under-reuse", LAYER.replace("tf.Variable(tf.ones([4, 4]), name='w')", "tf.get_variable('w', [4, 4])"), (), "clean"),
    Case("keras-layer-object-called-twice", TF + """\
dense = tf.keras.layers.Dense(3)
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('k', reuse=tf.AUTO_REUSE):
    a = dense(x)
    b = dense(x)
""", (), "clean"),
    Case("tf-variable-twice-without-reuse", TF + """\
def layer():
    return tf.Variable(1.0, name='w')
a = layer()
b = layer()
""", (), "clean"),
    Case("tf-layers-under-reuse", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
for i in range(2):
    with tf.variable_scope('net', reuse=(i > 0)):
        y = tf.layers.dense(x, 2, name='fc')
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_copy_is_named() -> None:
    (found,) = lint_source(LAYER, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "warning"
    assert found.data["predicted_name"] == "shared_1/w"
    assert "'shared/w'" in found.message and found.data["related"][0]["line"] == 3


def test_keras_copy_is_named() -> None:
    (found,) = lint_source(case("keras-under-auto-reuse").source, "case.py", Config(select=(CODE,)))
    assert found.data["predicted_name"] == "k_1/dense_1/kernel"
