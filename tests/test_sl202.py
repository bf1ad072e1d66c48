"""SL202 variable-does-not-exist (programs also run under TF: tests/test_sl2_programs_tf.py)."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL202"


def lint(source: str) -> list:
    return lint_source(source, path="case.py", config=Config(select=(CODE,)))


CASES = [
    Case("reuse-before-create", TF + "with tf.variable_scope('model', reuse=True):\n    w = tf.get_variable('w', [3])\n", (3,), "raises"),
    Case("builder-first-call-reuses", TF + """\
def net(x, reuse):
    with tf.variable_scope('net', reuse=reuse):
        return tf.layers.dense(x, 2)
x = tf.placeholder(tf.float32, [None, 3])
y = net(x, reuse=True)
""", (6,), "raises"),
    Case("reuse-false-does-not-undo", TF + """\
with tf.variable_scope('r'):
    a = tf.get_variable('w', [1])
with tf.variable_scope('r', reuse=True):
    with tf.variable_scope('q', reuse=False):
        b = tf.get_variable('w', [1])
""", (6,), "raises"),
    Case("scope-name-typo", TF + """\
with tf.variable_scope('encoder'):
    a = tf.get_variable('w', [1])
with tf.variable_scope('encoders', reuse=True):
    b = tf.get_variable('w', [1])
""", (5,), "raises"),
    Case("slim-layer-reuse-first", TF + """\
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
y = slim.conv2d(x, 4, 3, scope='c1', reuse=True)
""", (4,), "raises"),
    Case("reuse-of-a-tf-variable", TF + """\
a = tf.Variable(1.0, name='w')
with tf.variable_scope(tf.get_variable_scope(), reuse=True):
    b = tf.get_variable('w', [1])
""", (4,), "raises"),
    # Clean look-alikes.
    Case("create-then-reuse", TF + """\
def net(x, reuse):
    with tf.variable_scope('net', reuse=reuse):
        return tf.layers.dense(x, 2)
x = tf.placeholder(tf.float32, [None, 3])
y = net(x, reuse=False)
z = net(x, reuse=True)
""", (), "clean"),
    Case("auto-reuse-creates", TF + "with tf.variable_scope('model', reuse=tf.AUTO_REUSE):\n    w = tf.get_variable('w', [3])\n", (), "clean"),
    Case("inherited-reuse-existing", TF + """\
with tf.variable_scope('outer'):
    with tf.variable_scope('inner'):
        a = tf.get_variable('w', [1])
with tf.variable_scope('outer', reuse=True):
    with tf.variable_scope('inner'):
        b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("opaque-call-may-create", TF + """\
import mylib
mylib.build()
with tf.variable_scope('model', reuse=True):
    w = tf.get_variable('w', [3])
""", (), "skip"),
    Case("reuse-variables-then-fetch", TF + """\
with tf.variable_scope('d') as scope:
    a = tf.get_variable('w', [1])
    scope.reuse_variables()
    b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("unknown-context-function", TF + """\
def tower(x):
    with tf.variable_scope('t', reuse=True):
        return tf.get_variable('w', [1])
""", (), "clean"),
    Case("template-second-call", TF + """\
def f(x):
    return tf.matmul(x, tf.get_variable('w', [4, 1]))
t = tf.make_template('net', f)
x = tf.placeholder(tf.float32, [None, 4])
a = t(x)
b = t(x)
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint(case.source)) == sorted(case.expected)


def test_message_and_predicted_name() -> None:
    (found,) = lint(case("builder-first-call-reuses").source)
    assert found.severity.value == "error"
    assert found.data["predicted_name"] == "net/dense/kernel"
    assert "'net/dense/kernel'" in found.message and "reuse=True" in found.message


def test_reuse_false_inside_reuse_names_inner_scope() -> None:
    (found,) = lint(case("reuse-false-does-not-undo").source)
    assert found.data["predicted_name"] == "r/q/w"
