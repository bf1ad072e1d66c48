"""SL301/SL302 read the scope model's events: they see across functions, classes and
modules, and the false findings seen on real code stay silent. Each TF behaviour
relied on is proven by the ``tf`` tests at the end."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.api import lint_paths, lint_source
from scopelint.config import Config

HEADER = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\n"


def lint(source: str, *codes: str) -> list:
    return lint_source(source, "train.py", Config().with_overrides(select=codes))


def lint_tree(tmp_path: Path, files: dict[str, str], *codes: str) -> list:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = Config().with_overrides(select=codes)
    return [d for d in lint_paths([tmp_path], config) if d.code in codes]


# ---------------------------------------------------------------- SL301 across modules

BLOCKS = HEADER + """\
def block(x, training):
    return tf.layers.batch_normalization(x, training=training)
"""
TRAIN_OPS = HEADER + """\
def make_train_op(loss):
    return tf.train.AdamOptimizer(1e-3).minimize(loss)
"""
MAIN_301 = HEADER + """\
import blocks
import train_ops
is_training = tf.placeholder_with_default(True, [])
x = tf.placeholder(tf.float32, [None, 3])
h = blocks.block(x, is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
train_op = train_ops.make_train_op(loss)
"""


def test_sl301_batch_norm_in_a_helper_module_train_op_in_another(tmp_path: Path) -> None:
    found = lint_tree(tmp_path, {"blocks.py": BLOCKS, "train_ops.py": TRAIN_OPS, "main.py": MAIN_301}, "SL301")
    (d,) = found
    assert (Path(d.path).name, d.line) == ("main.py", 9)
    assert d.message.startswith("`minimize()` does not run the UPDATE_OPS that `tf.layers.batch_normalization` (")
    assert "blocks.py:4) adds" in d.message
    assert d.data["related"][0]["path"].endswith("blocks.py") and d.data["related"][0]["line"] == 4


SCOPES = HEADER + """\
def bn_scope(is_training):
    with slim.arg_scope([slim.batch_norm], is_training=is_training) as sc:
        return sc
"""
NETS = HEADER + """\
def net(x):
    return slim.fully_connected(x, 3, normalizer_fn=slim.batch_norm)
"""
MAIN_ARG_SCOPE = HEADER + """\
import nets
import scopes
is_training = tf.placeholder_with_default(True, [])
x = tf.placeholder(tf.float32, [None, 3])
with slim.arg_scope(scopes.bn_scope({mode})):
    h = nets.net(x)
loss = tf.reduce_mean(tf.square(h - 1.0))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
"""


def test_sl301_training_mode_from_an_arg_scope_of_another_module(tmp_path: Path) -> None:
    files = {"scopes.py": SCOPES, "nets.py": NETS, "main.py": MAIN_ARG_SCOPE.format(mode="is_training")}
    (d,) = lint_tree(tmp_path, files, "SL301")
    assert (Path(d.path).name, d.line) == ("main.py", 10)
    assert "`slim.fully_connected(normalizer_fn=slim.batch_norm)`" in d.message or "`slim.batch_norm`" in d.message


def test_sl301_arg_scope_of_another_module_turning_training_off(tmp_path: Path) -> None:
    files = {"scopes.py": SCOPES, "nets.py": NETS, "main.py": MAIN_ARG_SCOPE.format(mode="False")}
    assert lint_tree(tmp_path, files, "SL301") == []


VARIABLE_BN = HEADER + """\
is_training = tf.placeholder_with_default(True, [])
x = tf.placeholder(tf.float32, [None, 3])
h = tf.layers.batch_normalization(x, training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
"""


@pytest.mark.parametrize(
    "tail",
    [
        # A mention of the collection that runs nothing: printed, in a comment, in a string.
        "print(tf.GraphKeys.UPDATE_OPS)  # UPDATE_OPS\ntrain_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "n = len(tf.get_collection(tf.GraphKeys.UPDATE_OPS))\ntrain_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        # Another graph's update ops: not this graph's batch norm.
        "g = tf.Graph()\nwith g.as_default():\n    other = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
        "    grouped = tf.group(*other)\ntrain_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
    ],
)
def test_sl301_only_a_real_dependency_silences(tail: str) -> None:
    found = lint(VARIABLE_BN + tail, "SL301")
    assert [d.code for d in found] == ["SL301"]
    assert found[0].line == len((VARIABLE_BN + tail).splitlines())


@pytest.mark.parametrize(
    "tail",
    [
        "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\nt = tf.group(tf.train.AdamOptimizer(0.1).minimize(loss), *update_ops)\n",
        "ops = tf.get_collection('update_ops')\nt = tf.train.AdamOptimizer(0.1).minimize(loss)\nsess = tf.Session()\nsess.run([t, ops])\n",
        "t = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.1))\n",
        "def deps():\n    return tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n\nwith tf.control_dependencies(deps()):\n"
        "    t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
    ],
)
def test_sl301_real_dependencies(tail: str) -> None:
    assert lint(VARIABLE_BN + tail, "SL301") == []


def test_sl301_every_batch_norm_trains_with_a_literal_true() -> None:
    """The moving statistics are never read: not updating them is harmless."""
    source = HEADER + """\
x = tf.placeholder(tf.float32, [None, 3])
h = tf.layers.batch_normalization(x, training=True)
h = slim.batch_norm(h)
loss = tf.reduce_mean(tf.square(h - 1.0))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
"""
    assert lint(source, "SL301") == []
    # The same builder also used for evaluation reads them: a finding.
    evaluated = source + "e = tf.layers.batch_normalization(x, training=False, name='batch_normalization', reuse=True)\n"
    assert [d.line for d in lint(evaluated, "SL301")] == [7]


# ---------------------------------------------------------------- SL302 across functions

DCGAN = HEADER + """\
def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        return tf.layers.dense(x, 1, name="d_h0")


class DCGAN:
    def __init__(self, x):
        self.x = x
        self.build_model()

    def build_model(self):
        self.d_real = discriminator(self.x)
        self.d_fake = discriminator(self.x * 0.5, reuse=True)
        self.d_loss = tf.reduce_mean(self.d_real - self.d_fake)
        self.saver = tf.train.Saver()

    def train(self):
        d_optim = tf.train.AdamOptimizer(2e-4).minimize(self.d_loss)
        return d_optim
"""


def test_sl302_saver_in_build_model_before_the_slots_train_creates() -> None:
    source = DCGAN + "\ngan = DCGAN(tf.zeros([2, 3]))\nop = gan.train()\n"
    (d,) = lint(source, "SL302")
    assert d.line == 17
    assert "the optimizer creates its slot variables in `minimize()` on line 20" in d.message


def test_sl302_dcgan_across_modules(tmp_path: Path) -> None:
    main = HEADER + "from model import DCGAN\ngan = DCGAN(tf.zeros([2, 3]))\nop = gan.train()\n"
    found = lint_tree(tmp_path, {"model.py": DCGAN, "main.py": main}, "SL302")
    # model.py runs train() after __init__ itself: the finding sits on its Saver, and main.py's
    # view of the same problem (on the call that led there) is not repeated.
    (d,) = found
    assert (Path(d.path).name, d.line) == ("model.py", 17)
    assert "the optimizer creates its slot variables in `minimize()` on line 20" in d.message


def test_sl302_dcgan_seen_from_main_alone(tmp_path: Path) -> None:
    main = HEADER + "from model import DCGAN\ngan = DCGAN(tf.zeros([2, 3]))\nop = gan.train()\n"
    (tmp_path / "model.py").write_text(DCGAN, encoding="utf-8")
    (tmp_path / "main.py").write_text(main, encoding="utf-8")
    (d,) = lint_paths([tmp_path / "main.py"], Config().with_overrides(select=("SL302",)))
    assert (Path(d.path).name, d.line) == ("main.py", 4)
    assert "slot variables in `minimize()` on " in d.message and "model.py:20:" in d.message
    related = [(Path(r["path"]).name, r["line"]) for r in d.data["related"]]
    assert related == [("model.py", 20), ("model.py", 17)]


@pytest.mark.parametrize(
    "body",
    [
        # A builder called again with reuse=True creates nothing.
        "def net(x, reuse=False):\n    with tf.variable_scope('net', reuse=reuse):\n        return tf.layers.dense(x, 3)\n\n"
        "x = tf.zeros([1, 3])\na = net(x)\nsaver = tf.train.Saver()\nb = net(x, reuse=True)\n",
        # The branch that builds the Saver returns before the model is built.
        "def main(mode):\n    w = tf.get_variable('w', [3])\n    if mode == 'export':\n        saver = tf.train.Saver()\n"
        "        saver.save(None, '/tmp/x')\n        return\n    b = tf.get_variable('b', [3])\n\nmain(FLAGS.mode)\n",
        # Only ever restores a subset: a deliberate partial restore.
        "w = tf.get_variable('backbone/w', [3])\nsaver = tf.train.Saver()\nhead = tf.get_variable('head/w', [3])\n"
        "sess = tf.Session()\nsaver.restore(sess, '/ckpt/backbone')\n",
    ],
)
def test_sl302_false_findings_seen_on_real_code(body: str) -> None:
    assert lint(HEADER + body, "SL302") == []


def test_sl302_a_saver_that_also_saves_is_reported() -> None:
    body = "w = tf.get_variable('w', [3])\nsaver = tf.train.Saver()\nb = tf.get_variable('b', [3])\nsaver.restore(None, 'a')\nsaver.save(None, 'b')\n"
    assert [d.line for d in lint(HEADER + body, "SL302")] == [4]


# ---------------------------------------------------------------- SL202 / SL104


CELL_THEN_RNN = HEADER + """\
cell = tf.nn.rnn_cell.BasicLSTMCell(4)
x = tf.zeros([2, 3])
state = cell.zero_state(2, tf.float32)
with tf.variable_scope("decoder"):
    output, state = cell(x, state)
with tf.variable_scope("decoder", reuse=True):
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.zeros([2, 5, 3]), dtype=tf.float32)
"""

LAYER_WITH_SCOPE = HEADER + """\
x = tf.zeros([2, 3])
y1 = tf.layers.dense(x, 3, name="fc")
with tf.variable_scope("", reuse=True):
    layer = tf.layers.Dense(3, _scope="fc", _reuse=True)
    y2 = layer(x)
"""


def test_sl202_cell_built_by_calling_it() -> None:
    assert lint(CELL_THEN_RNN, "SL202", "SL201") == []


def test_sl202_layer_object_with_scope_and_reuse() -> None:
    assert lint(LAYER_WITH_SCOPE, "SL202", "SL201") == []


GLOBAL_STEP_FILTER = HEADER + """\
global_step = tf.Variable(0, name="global_step", trainable=False)
step2 = tf.get_variable("gstep", [], trainable=False)
with tf.variable_scope("g"):
    w = tf.get_variable("w", [3])
g_vars = tf.trainable_variables(scope="g")
g_vars2 = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="g")
all_g = tf.global_variables(scope="g")
"""


def test_sl104_trainable_filters_skip_non_trainable_variables() -> None:
    found = lint(GLOBAL_STEP_FILTER, "SL104")
    assert [d.line for d in found] == [9]  # global_variables does take global_step and gstep
    assert "global_step" in found[0].message


# ---------------------------------------------------------------- TF proves it


@pytest.mark.tf
def test_tf_behaviours_the_model_relies_on() -> None:
    from tf_oracle import run_programs

    literal_true = HEADER + """\
x = tf.ones([4, 3]) * 5.0
h = tf.layers.batch_normalization(x, training=True)
mean = [v for v in tf.global_variables() if v.name.endswith("moving_mean:0")][0]
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    before = s.run(h)
    s.run(mean.assign([100.0, 100.0, 100.0]))
    print(bool((s.run(h) == before).all()))
"""
    partial_restore = HEADER + """\
import os, tempfile
w = tf.get_variable("backbone/w", [3], initializer=tf.ones_initializer())
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    path = tf.train.Saver().save(s, os.path.join(tempfile.mkdtemp(), "ckpt"))
tf.reset_default_graph()
w = tf.get_variable("backbone/w", [3])
saver = tf.train.Saver()
head = tf.get_variable("head/w", [3])
with tf.Session() as s:
    s.run(head.initializer)
    saver.restore(s, path)
    print(s.run(w).tolist())
"""
    dcgan = DCGAN + """
gan = DCGAN(tf.zeros([2, 3]))
op = gan.train()
print(len(gan.saver._var_list), len(tf.global_variables()))
"""
    global_step = HEADER + """\
with tf.variable_scope("g"):
    step = tf.train.get_or_create_global_step()
    w = tf.get_variable("w", [3])
print(step.name, [v.name for v in tf.trainable_variables(scope="g")], len(tf.global_variables(scope="g")))
"""
    update_dep_helper = HEADER + """\
is_training = tf.placeholder_with_default(True, [])
x = tf.ones([4, 3]) * 5.0
h = tf.layers.batch_normalization(x, training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
t = tf.group(tf.train.GradientDescentOptimizer(0.1).minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))
mean = [v for v in tf.global_variables() if v.name.endswith("moving_mean:0")][0]
with tf.Session() as s:
    s.run(tf.global_variables_initializer())
    s.run(t)
    print(s.run(mean)[0] > 0)
"""
    cell, layer, literal, restore, gan, step, group = run_programs(
        [CELL_THEN_RNN, LAYER_WITH_SCOPE, literal_true, partial_restore, dcgan, global_step, update_dep_helper])
    assert cell.error is None and cell.variable_names == ("decoder/basic_lstm_cell/kernel", "decoder/basic_lstm_cell/bias")
    assert layer.error is None and layer.variable_names == ("fc/kernel", "fc/bias")
    assert literal.error is None and literal.stdout.strip() == "True"  # training=True never reads moving_mean
    assert restore.error is None and restore.stdout.strip() == "[1.0, 1.0, 1.0]"
    # The Saver took the 4 discriminator variables; Adam then added slots it never saves.
    assert gan.error is None and gan.stdout.strip() == "2 8"
    assert step.error is None and step.stdout.strip() == "g/global_step:0 ['g/w:0'] 2"
    assert group.error is None and group.stdout.strip() == "True"
