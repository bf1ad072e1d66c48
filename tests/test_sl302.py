"""SL302 saver-before-variables: flagged cases, clean look-alikes, and TF proving
that a default Saver takes only the variables that exist when it is built."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config

ONLY = Config().with_overrides(select=("SL302",))
HEADER = "import tensorflow.compat.v1 as tf\n"


def lint(body: str) -> list:
    return lint_source(HEADER + body, "train.py", ONLY)


def test_saver_then_get_variable() -> None:
    (d,) = lint('w = tf.get_variable("w", [3])\nsaver = tf.train.Saver(max_to_keep=3)\nb = tf.get_variable("b", [3])\n')
    assert (d.code, d.line, d.column, d.end_column) == ("SL302", 3, 9, 38)
    assert d.message == (
        "`tf.train.Saver()` without var_list is built before variable 'b' is created by `tf.get_variable` on line 4: "
        "the Saver takes only the variables that exist when it is built, so those are never saved. "
        "Build it after the model and the optimizer"
    )
    assert d.data["related"] == [{"path": "train.py", "line": 4, "column": 5, "message": "first variable created after the Saver"}]


SCOPED = HEADER + """\
with tf.variable_scope("net"):
    w = tf.get_variable("w", [3])
    saver = tf.train.Saver()
    b = tf.get_variable("b", [3])
"""


def test_names_the_variable_as_the_scope_model_predicts() -> None:
    (d,) = lint_source(SCOPED, "train.py", ONLY)
    assert d.line == 4 and d.data["predicted_name"] == "net/b"
    assert "before variable 'net/b' is created by `tf.get_variable` on line 5" in d.message


def test_slot_variables_of_a_later_optimizer() -> None:
    body = 'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nopt = tf.train.AdamOptimizer(0.1)\ntrain = opt.minimize(tf.reduce_sum(w))\n'
    (d,) = lint(body)
    assert d.line == 3
    assert "the optimizer creates its slot variables in `minimize()` on line 5" in d.message


def test_builder_called_after_the_saver() -> None:
    body = (
        "def build(x):\n    with tf.variable_scope('net'):\n        return tf.layers.dense(x, 3)\n\n"
        "def main():\n    saver = tf.train.Saver()\n    y = build(tf.zeros([1, 3]))\n"
    )
    (d,) = lint(body)
    assert (d.line, d.column) == (7, 13)
    assert "`tf.layers.dense` creates variables on line 4 (through the call on line 8)" in d.message


def test_global_step_created_after_the_saver() -> None:
    (d,) = lint("w = tf.get_variable('w', [1])\nsaver = tf.train.Saver()\nstep = tf.train.get_or_create_global_step()\n")
    # The model creates the step itself (scopelint.model.tfslots), so the message names it.
    assert "variable 'global_step' is created by `tf.train.get_or_create_global_step` on line 4" in d.message


@pytest.mark.parametrize(
    "body",
    [
        'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\n',
        'saver = tf.train.Saver([w])\nb = tf.get_variable("b", [3])\n',
        'saver = tf.train.Saver(var_list={"w": w})\nb = tf.get_variable("b", [3])\n',
        'saver = tf.train.Saver(defer_build=True)\nb = tf.get_variable("b", [3])\nsaver.build()\n',
        'saver = tf.train.Saver(**kwargs)\nb = tf.get_variable("b", [3])\n',
        # A fresh graph: the variable is not in the Saver's graph.
        'w = tf.get_variable("w", [1])\nsaver = tf.train.Saver()\nwith tf.Graph().as_default():\n    b = tf.get_variable("b", [3])\n',
        'w = tf.get_variable("w", [1])\nsaver = tf.train.Saver()\ntf.reset_default_graph()\nb = tf.get_variable("b", [3])\n',
        # Exclusive branches.
        'if restore:\n    saver = tf.train.Saver()\nelse:\n    b = tf.get_variable("b", [3])\n',
        # Different functions, no call between them.
        'def a():\n    saver = tf.train.Saver()\n\ndef b():\n    v = tf.get_variable("v", [3])\n',
        # GradientDescent creates no slots; metrics create local variables the Saver never takes.
        'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nopt = tf.train.GradientDescentOptimizer(0.1)\nt = opt.minimize(tf.reduce_sum(w))\n',
        'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nacc, upd = tf.metrics.accuracy(labels, predictions)\n',
        # Under reuse the builder only fetches what exists: nothing new for the Saver to miss.
        'def net(x):\n    with tf.variable_scope("net"):\n        return tf.layers.dense(x, 3)\n\n'
        'a = net(x)\nsaver = tf.train.Saver()\nwith tf.variable_scope(tf.get_variable_scope(), reuse=True):\n    b = net(x)\n',
        'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nwith tf.variable_scope("", reuse=True):\n    w2 = tf.get_variable("w", [3])\n',
        # The global step exists already: get_or_create fetches it.
        'step = tf.train.get_or_create_global_step()\nsaver = tf.train.Saver()\nstep2 = tf.train.get_or_create_global_step()\n',
        # Unknown callee: cannot tell.
        'w = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nnet = models.build(x)\n',
        # Not TF's Saver.
        'from mylib import train\nsaver = train.Saver()\nb = tf.get_variable("b", [3])\n',
    ],
)
def test_clean(body: str) -> None:
    assert lint(body) == []


def test_internal_and_slim_spellings() -> None:
    source = (
        "from tensorflow.python.training import saver as saver_lib\nimport tf_slim as slim\n"
        "w = slim.model_variable('w', [1])\ns = saver_lib.Saver()\nnet = slim.fully_connected(x, 3)\n"
    )
    (d,) = lint_source(source, "m.py", ONLY)
    assert d.line == 4 and "`slim.fully_connected` creates variables ('fully_connected/weights', ...) on line 5" in d.message


@pytest.mark.tf
def test_tf_saver_takes_only_earlier_variables() -> None:
    from tf_oracle import run_programs

    later = """\
import os, tempfile
import tensorflow.compat.v1 as tf
w = tf.get_variable("w", [3])
saver = tf.train.Saver()
b = tf.get_variable("b", [3])
opt = tf.train.AdamOptimizer(0.1)
train = opt.minimize(tf.reduce_sum(w + b))
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    path = saver.save(session, os.path.join(tempfile.mkdtemp(), "ckpt"))
print(sorted(name for name, _ in tf.train.list_variables(path)))
"""
    sgd = """\
import tensorflow.compat.v1 as tf
w = tf.get_variable("w", [3])
before = len(tf.global_variables())
tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w))
print(len(tf.global_variables()) - before)
"""
    empty = 'import tensorflow.compat.v1 as tf\nsaver = tf.train.Saver()\nw = tf.get_variable("w", [3])\n'
    step = "import tensorflow.compat.v1 as tf\na = tf.train.get_or_create_global_step()\nb = tf.train.get_or_create_global_step()\nprint(a is b)\n"
    fetch = 'import tensorflow.compat.v1 as tf\nw = tf.get_variable("w", [3])\nsaver = tf.train.Saver()\nwith tf.variable_scope("", reuse=True):\n    w2 = tf.get_variable("w", [3])\n'
    rebuild = (
        'import tensorflow.compat.v1 as tf\ndef net(x):\n    with tf.variable_scope("net"):\n        return tf.layers.dense(x, 3)\n\n'
        "x = tf.ones([1, 2])\na = net(x)\nsaver = tf.train.Saver()\nwith tf.variable_scope(tf.get_variable_scope(), reuse=True):\n    b = net(x)\n"
    )
    saved, gd, none, scoped, fetched, rebuilt, steps = run_programs([later, sgd, empty, SCOPED, fetch, rebuild, step])
    assert steps.variable_names == ("global_step",) and steps.stdout.strip() == "True"
    assert scoped.variable_names == ("net/w", "net/b")
    # Under reuse nothing new is created after the Saver: the clean cases above.
    assert (fetched.error, fetched.variable_names) == (None, ("w",))
    assert (rebuilt.error, rebuilt.variable_names) == (None, ("net/dense/kernel", "net/dense/bias"))
    assert saved.error is None and saved.stdout.strip() == "['w']"
    assert {"b", "beta1_power", "w/Adam"} <= set(saved.variable_names)
    assert gd.stdout.strip() == "0"
    assert none.error == "ValueError: No variables to save" and none.error_line == 2
