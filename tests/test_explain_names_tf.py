"""The model's predicted names (``--explain-names``) against the names TF really gives.

For every program, both ways: each variable TF creates on a program line is
predicted there under exactly that name, and each concrete prediction of a
creation names a variable TF created on its line. All programs run in one TF
process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.api import describe_variables
from tf_oracle import Outcome, run_programs

pytestmark = pytest.mark.tf

TF = "import tensorflow.compat.v1 as tf\n"

PROGRAMS: dict[str, str] = {
    # --- the seed documents (shared/seeds), Python 3 spelling
    "seed-000-scopes": TF + """\
with tf.name_scope('foo'):
    with tf.variable_scope('goo'):
        with tf.name_scope('hoo'):
            w = tf.get_variable('w', [1])
            assert w.name == 'goo/w:0'
            s = tf.constant(-1.0)
            y = s * w
            assert s.name == 'foo/goo/hoo/Const:0'
            assert y.name == 'foo/goo/hoo/mul:0'
            try:
                w2 = tf.get_variable('w', [1])
            except ValueError as e:
                print(e)
""",
    "seed-000-auto-reuse": TF + """\
with tf.variable_scope('boo', reuse=tf.AUTO_REUSE):
    w1 = tf.get_variable('w', [1])
    w2 = tf.get_variable('w', [1])
    assert w1 == w2
    assert w1.name == 'boo/w:0'
""",
    "seed-001-three-ways": TF + """\
v1 = tf.placeholder(tf.float32, shape=[2, 3, 4], name='ph')
v2 = tf.Variable([1, 2], dtype=tf.float32)
assert v2.name == 'Variable:0'
v2 = tf.Variable([1, 2], dtype=tf.float32, name='V')
assert v2.name == 'V:0'
v2 = tf.Variable([1, 2], dtype=tf.float32, name='V')
assert v2.name == 'V_1:0'
v3 = tf.get_variable(name='gv', shape=[])
assert v3.name == 'gv:0'
""",
    "seed-001-name-and-variable-scope": TF + """\
with tf.name_scope('nsc1'):
    v1 = tf.Variable([1], name='v1')
    with tf.variable_scope('vsc1'):
        v2 = tf.Variable([1], name='v2')
        v3 = tf.get_variable(name='v3', shape=[])
assert v1.name == 'nsc1/v1:0'
assert v2.name == 'nsc1/vsc1/v2:0'
assert v3.name == 'vsc1/v3:0'
with tf.name_scope('nsc1'):
    v4 = tf.Variable([1], name='v4')
assert v4.name == 'nsc1_1/v4:0'
""",
    "seed-001-variable-copies": TF + """\
def my_image_filter():
    conv1_weights = tf.Variable(tf.random_normal([5, 5, 32, 32]), name='conv1_weights')
    conv1_biases = tf.Variable(tf.zeros([32]), name='conv1_biases')
    return None
result1 = my_image_filter()
result2 = my_image_filter()
assert [v.name for v in tf.trainable_variables()][-1] == 'conv1_biases_1:0'
""",
    "seed-001-sharing": TF + """\
def conv_relu(kernel_shape, bias_shape):
    weights = tf.get_variable('weights', kernel_shape, initializer=tf.random_normal_initializer())
    biases = tf.get_variable('biases', bias_shape, initializer=tf.constant_initializer(0.0))
    return None
def my_image_filter():
    with tf.variable_scope('conv1'):
        relu1 = conv_relu([5, 5, 32, 32], [32])
    with tf.variable_scope('conv2'):
        return conv_relu([5, 5, 32, 32], [32])
with tf.variable_scope('image_filters') as scope:
    result1 = my_image_filter()
    scope.reuse_variables()
    result2 = my_image_filter()
assert len(tf.trainable_variables()) == 4
""",
    "seed-002-my-scope": TF + """\
with tf.name_scope('my_scope'):
    v1 = tf.get_variable('var1', [1], dtype=tf.float32)
    v2 = tf.Variable(1, name='var2', dtype=tf.float32)
assert v1.name == 'var1:0' and v2.name == 'my_scope/var2:0'
with tf.variable_scope('my_scope'):
    v1 = tf.get_variable('var1', [1], dtype=tf.float32)
    v2 = tf.Variable(1, name='var2', dtype=tf.float32)
assert v1.name == 'my_scope/var1:0' and v2.name == 'my_scope_1/var2:0'
""",
    # --- layers, slim, RNNs, Keras, templates
    "tf-layers": TF + """\
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
a = tf.layers.conv2d(x, 4, 3)
b = tf.layers.conv2d(a, 4, 3, use_bias=False)
f = tf.layers.flatten(b)
c = tf.layers.dense(f, 3, name='fc')
d = tf.layers.Dense(2, name='head')
e = d(c)
e2 = d(c)
with tf.variable_scope('m'):
    g = tf.layers.dense(c, 3)
with tf.variable_scope('m', reuse=True):
    h = tf.layers.dense(c, 3)
""",
    "slim": TF + """\
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
a = slim.conv2d(x, 4, 3)
b = slim.conv2d(a, 4, 3)
with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
    c = slim.conv2d(b, 4, 3, scope='bn_conv')
d = slim.fully_connected(slim.flatten(c), 3, scope='logits')
with tf.variable_scope('tower'):
    e = slim.conv2d(x, 4, 3, scope='c')
with tf.variable_scope('tower', reuse=True):
    f = slim.conv2d(x, 4, 3, scope='c')
""",
    "rnn": TF + """\
x = tf.placeholder(tf.float32, [None, 5, 3])
o, s = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), x, dtype=tf.float32)
with tf.variable_scope('g'):
    o2, s2 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float32)
with tf.variable_scope('m'):
    cells = [tf.nn.rnn_cell.BasicLSTMCell(4) for _ in range(2)]
    o3, s3 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.MultiRNNCell(cells), x, dtype=tf.float32)
with tf.variable_scope('b'):
    o4, s4 = tf.nn.bidirectional_dynamic_rnn(tf.nn.rnn_cell.LSTMCell(4), tf.nn.rnn_cell.GRUCell(4), x, dtype=tf.float32)
o5, s5 = tf.nn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(4), tf.unstack(x, axis=1), dtype=tf.float32, scope='st')
""",
    "keras": TF + """\
x = tf.placeholder(tf.float32, [None, 4])
a = tf.keras.layers.Dense(3)(x)
b = tf.keras.layers.Dense(3)(x)
with tf.variable_scope('k', reuse=tf.AUTO_REUSE):
    c = tf.keras.layers.Dense(3)(x)
    d = tf.keras.layers.Dense(3, name='named')(x)
with tf.name_scope('ns'):
    e = tf.keras.layers.Dense(3)(x)
""",
    "templates-and-captured-scopes": TF + """\
def f(x):
    return tf.matmul(x, tf.get_variable('w', [4, 1]))
t = tf.make_template('net', f)
x = tf.placeholder(tf.float32, [None, 4])
a = t(x)
b = t(x)
t2 = tf.make_template('net', f)
c = t2(x)
with tf.variable_scope('cap') as sc:
    w = tf.get_variable('w', [1])
with tf.variable_scope('other'):
    with tf.variable_scope(sc):
        z = tf.get_variable('z', [1])
        v = tf.Variable(1.0, name='v')
""",
    "default-names-and-name-scopes": TF + """\
for _ in range(2):
    with tf.variable_scope(None, default_name='blk'):
        a = tf.get_variable('w', [1])
with tf.variable_scope('o'):
    with tf.variable_scope(None, default_name='blk'):
        b = tf.get_variable('w', [1])
with tf.name_scope('a'):
    v = tf.Variable(1.0, name='v')
with tf.name_scope('a'):
    v = tf.Variable(1.0, name='v')
with tf.name_scope('a/'):
    v = tf.Variable(1.0, name='v')
with tf.name_scope('A'):
    v = tf.Variable(1.0, name='v')
with tf.variable_scope('vs'):
    v = tf.Variable(1.0)
    v = tf.Variable(1.0)
""",
    "towers-and-builders": TF + """\
import functools
def block(x, name, reuse=None):
    with tf.variable_scope(name, reuse=reuse):
        w = tf.get_variable('w', [4, 4])
        return tf.matmul(x, w)
x = tf.placeholder(tf.float32, [None, 4])
for i in range(3):
    with tf.variable_scope('tower_%d' % i):
        y = block(x, 'layer_{}'.format(i))
shared = functools.partial(block, name='shared', reuse=tf.AUTO_REUSE)
z1 = shared(x)
z2 = shared(x)
class Model(object):
    def __init__(self, scope):
        self.scope = scope
    def build(self, x):
        with tf.variable_scope(self.scope):
            return tf.layers.dense(x, 2)
m = Model('model')
out = m.build(x)
""",
    "variables-outside-the-store": TF + """\
a = tf.Variable(1.0, name='w')
b = tf.get_variable('w', [1])
assert b.name == 'w_1:0'
c = tf.get_variable('loss', [1])
with tf.name_scope('loss'):
    d = tf.Variable(1.0, name='v')
assert d.name == 'loss_1/v:0'
""",
    # Entering the graph that is already the default keeps the name and variable scope.
    "same-graph-keeps-its-scopes": TF + """\
with tf.variable_scope('outer'):
    with tf.name_scope('n'):
        with tf.get_default_graph().as_default():
            w = tf.get_variable('w', [1])
            v = tf.Variable(1.0, name='v')
        with tf.Session(graph=tf.get_default_graph()):
            u = tf.get_variable('u', [1])
assert (w.name, v.name, u.name) == ('outer/w:0', 'outer/n/v:0', 'outer/u:0')
""",
    "internal-tf-modules": """\
from tensorflow.python.ops import variable_scope
from tensorflow.python.framework import ops
import tensorflow.compat.v1 as tf
with variable_scope.variable_scope('vs'):
    with ops.name_scope('ns'):
        w = variable_scope.get_variable('w', [1])
        v = tf.Variable(1.0, name='v')
""",
}

# Programs whose variables are all predicted (none created inside code the model does not follow).
COMPLETE = set(PROGRAMS)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_runs_under_tf(name: str, outcomes: dict[str, Outcome]) -> None:
    assert outcomes[name].error is None, outcomes[name].error


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_prediction_is_what_tf_creates(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    checked = 0
    for info in describe_variables(PROGRAMS[name], path=f"{name}.py"):
        if info.action != "create" or "{" in info.predicted_name:
            continue
        created = [v.name for v in outcome.variables if v.line is not None and info.line <= v.line <= info.end_line]
        if info.outcome == "exists":
            continue  # TF raised there (inside try/except in the seed)
        assert info.predicted_name in created, f"{name}:{info.line}: predicted {info.predicted_name!r}, TF created {created}"
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", sorted(COMPLETE))
def test_every_tf_variable_is_predicted(name: str, outcomes: dict[str, Outcome]) -> None:
    predicted = {(i.predicted_name, line) for i in describe_variables(PROGRAMS[name], path=f"{name}.py")
                 if i.action == "create" for line in range(i.line, i.end_line + 1)}
    missing = [(v.name, v.line) for v in outcomes[name].variables if v.line is not None and (v.name, v.line) not in predicted]
    assert missing == []


def test_a_module_named_as_the_file_beside_it_runs_it_is_what_tf_creates(tmp_path: Path) -> None:
    # qnet.py (a class nothing in it builds) and run_this.py (builds it under the __main__
    # guard): the rows --explain-names qnet.py shows as run_this.py runs it are, line for
    # line, the variables TF makes running the two as one program.
    from test_explain_names_cli import QNET, QNET_MAIN

    (tmp_path / "qnet.py").write_text(QNET)
    (tmp_path / "run_this.py").write_text(QNET_MAIN)
    rows = describe_variables(QNET, str(tmp_path / "qnet.py"), follow_callers=True)
    assert {row.caller for row in rows} == {str(tmp_path / "run_this.py")}
    program = QNET + "net = QNet(2)\n"  # run_this.py's body after its imports, run as __main__
    outcome = run_programs([program])[0]
    assert outcome.error is None, outcome.error
    made = sorted((variable.name, variable.line) for variable in outcome.variables)
    assert made == sorted((row.predicted_name, row.line) for row in rows)


UNCALLED_DISCRIMINATOR = TF + """\
import tf_slim as slim

def disc(x):
    with tf.variable_scope('d_net'):
        h = slim.conv2d(x, 4, [3, 3])
        h = slim.conv2d(h, 4, [3, 3])
        return slim.fully_connected(slim.flatten(h), 1)
"""


def test_default_names_below_a_scope_an_uncalled_function_opens_are_counted() -> None:
    # Entering d_net closes its subscopes, so whatever the caller's scope the second conv is
    # {scope}/d_net/Conv_1 (the model used to say Conv for both).
    rows = describe_variables(UNCALLED_DISCRIMINATOR, "d.py")
    assert [row.predicted_name for row in rows][:4] == [
        "{scope}/d_net/Conv/weights", "{scope}/d_net/Conv/biases", "{scope}/d_net/Conv_1/weights", "{scope}/d_net/Conv_1/biases"]
    callers = {"": "", "outer/": "with tf.variable_scope('outer'):\n    ",
               "b/": "with tf.variable_scope(None, default_name='b'):\n    "}
    programs = [UNCALLED_DISCRIMINATOR + "x = tf.placeholder(tf.float32, [None, 8, 8, 1])\n" + call + "disc(x)\n"
                for call in callers.values()]
    for prefix, outcome in zip(callers, run_programs(programs)):
        assert outcome.error is None, outcome.error
        assert sorted(v.name for v in outcome.variables) == sorted(row.predicted_name.replace("{scope}/", prefix) for row in rows)
