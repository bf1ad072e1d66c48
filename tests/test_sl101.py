"""SL101 get-variable-ignores-name-scope."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL101"

CASES = [
    Case("get-variable-in-name-scope", TF + "with tf.name_scope('encoder'):\n    w = tf.get_variable('w', [3])\n", (3,), "clean"),
    Case("builder-with-name-scope-under-callers-variable-scope", TF + """\
def layer():
    with tf.name_scope('b'):
        return tf.get_variable('w', [3])
with tf.variable_scope('a'):
    w = layer()
""", (4,), "clean"),  # on the get_variable inside the builder, where the fix goes
    Case("slim-variable", TF + "import tf_slim as slim\nwith tf.name_scope('enc'):\n    w = slim.variable('w', [3])\n", (4,), "clean"),
    # Clean look-alikes.
    Case("name-scope-for-ops-inside-own-variable-scope", TF + """\
with tf.variable_scope('a'):
    with tf.name_scope('ops'):
        w = tf.get_variable('w', [3])
""", (), "clean"),
    Case("variable-scope", TF + "with tf.variable_scope('encoder'):\n    w = tf.get_variable('w', [3])\n", (), "clean"),
    Case("tower-builder-under-callers-name-scope", TF + """\
def tower(x):
    return tf.matmul(x, tf.get_variable('w', [4, 1]))
x = tf.placeholder(tf.float32, [None, 4])
for i in range(2):
    with tf.name_scope('tower_%d' % i):
        y = tower(x)
        tf.get_variable_scope().reuse_variables()
""", (), "clean"),
    Case("author-asserts-the-real-name", TF + """\
with tf.name_scope('foo'):
    with tf.variable_scope('goo'):
        with tf.name_scope('hoo'):
            w = tf.get_variable('w', [1])
            assert w.name == 'goo/w:0'
""", (), "clean"),
    Case("name-scope-outside-variable-scope", TF + """\
with tf.name_scope('foo'):
    with tf.variable_scope('goo'):
        w = tf.get_variable('w', [1])
""", (), "clean"),
    Case("tf-variable-in-name-scope", TF + "with tf.name_scope('enc'):\n    v = tf.Variable(1.0, name='v')\n", (), "clean"),
    Case("name-scope-reset-to-root", TF + "with tf.name_scope('a'):\n    with tf.name_scope(None):\n        w = tf.get_variable('w', [1])\n", (), "clean"),
    Case("expected-error-block", TF + """\
with tf.name_scope('enc'):
    try:
        w = tf.get_variable('w', [1])
    except ValueError:
        pass
""", (), "clean"),
    Case("reused-not-created", TF + """\
w = tf.get_variable('w', [1])
with tf.variable_scope(tf.get_variable_scope(), reuse=True):
    with tf.name_scope('enc'):
        w2 = tf.get_variable('w', [1])
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_message_and_predicted_name() -> None:
    (found,) = lint_source(case("builder-with-name-scope-under-callers-variable-scope").source, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "warning"
    assert found.data["predicted_name"] == "a/w"
    assert "'a/w'" in found.message and "'a/b/w'" in found.message
    assert found.data["related"] == [{"path": "case.py", "line": 3, "column": 10, "message": "opens the name scope 'a/b', which `tf.get_variable` ignores"}]


def test_lookup_expecting_the_prefix_is_sl102_not_sl101() -> None:
    source = TF + "with tf.name_scope('enc'):\n    w = tf.get_variable('w', [1])\nt = tf.get_default_graph().get_tensor_by_name('enc/w:0')\n"
    found = lint_source(source, "case.py", Config(select=("SL101", "SL102")))
    assert [(d.code, d.line) for d in found] == [("SL102", 4)]
