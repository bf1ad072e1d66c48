"""SL301 update-ops-not-run: flagged cases, clean look-alikes, and TF proving the
claims (which layers add UPDATE_OPS, that minimize ignores them, that
create_train_op runs them, that an unscoped read in a tower loop takes all towers')."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config

ONLY = Config().with_overrides(select=("SL301",))
HEADER = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\n"
LOSS = "loss = tf.reduce_mean(tf.square(h - 1.0))\n"


def lint(body: str) -> list:
    return lint_source(HEADER + body, "train.py", ONLY)


def test_layers_batch_norm_and_minimize() -> None:
    body = "h = tf.layers.batch_normalization(x, training=is_training)\n" + LOSS + "train_op = tf.train.AdamOptimizer(0.1).minimize(loss)\n"
    (d,) = lint(body)
    assert (d.code, d.line, d.column) == ("SL301", 5, 12)
    assert d.message.startswith("`minimize()` does not run the UPDATE_OPS that `tf.layers.batch_normalization` (line 3) adds")
    assert d.data["related"][0]["line"] == 3


def test_builder_in_another_function_and_apply_gradients() -> None:
    body = (
        "def net(x, is_training):\n    return slim.batch_norm(x, is_training=is_training)\n\n"
        "def train(x, is_training):\n    h = net(x, is_training)\n" + "    " + LOSS + "    opt = tf.train.MomentumOptimizer(0.1, 0.9)\n"
        "    return opt.apply_gradients(opt.compute_gradients(loss))\n"
    )
    (d,) = lint(body)
    assert d.line == 10 and d.message.startswith("`apply_gradients()` does not run the UPDATE_OPS that `slim.batch_norm` (line 4)")


def test_methods_of_one_class() -> None:
    body = (
        "class Model:\n    def build(self, x):\n        self.h = tf.layers.batch_normalization(x, training=self.training)\n"
        "        self.opt = tf.train.AdamOptimizer(1e-3)\n\n"
        "    def train_op(self, x):\n        self.build(x)\n        return self.opt.minimize(self.loss)\n"
    )
    (d,) = lint(body)
    assert d.line == 10


@pytest.mark.parametrize(
    "body",
    [
        # The documented remedy.
        "h = tf.layers.batch_normalization(x, training=is_training)\n" + LOSS
        + "with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        # Grouped after the fact.
        "h = tf.layers.batch_normalization(x, training=is_training)\n" + LOSS
        + "t = tf.group(tf.train.AdamOptimizer(0.1).minimize(loss), *tf.get_collection(tf.GraphKeys.UPDATE_OPS))\n",
        # Dependencies gathered elsewhere.
        "h = tf.layers.batch_normalization(x, training=is_training)\n" + LOSS + "with tf.control_dependencies(deps):\n    t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        # No update ops: training defaults to False; in-place updates; inference mode.
        "h = tf.layers.batch_normalization(x)\n" + LOSS + "t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "h = slim.batch_norm(x, is_training=is_training, updates_collections=None)\n" + LOSS + "t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "h = slim.batch_norm(x, is_training=False)\n" + LOSS + "t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        "h = slim.conv2d(x, 8, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={'is_training': False})\n" + LOSS + "t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        # create_train_op runs them itself.
        "h = slim.batch_norm(x, is_training=is_training)\n" + LOSS + "t = slim.learning.create_train_op(loss, tf.train.AdamOptimizer(0.1))\n",
        # arg_scope decides batch_norm's arguments where we cannot see them.
        "with slim.arg_scope(my_scope()):\n    h = slim.batch_norm(x, is_training=is_training)\n" + LOSS + "t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
        # Unknown receiver: not provably an optimizer.
        "h = tf.layers.batch_normalization(x, training=is_training)\n" + LOSS + "t = make_optimizer().minimize(loss)\n",
        "from scipy import optimize\nh = tf.layers.batch_normalization(x, training=is_training)\nr = optimize.minimize(f, x0)\n",
        # The batch norm lives in a function the train op's code never calls.
        "def eval_net(x):\n    return tf.layers.batch_normalization(x, training=is_training)\n\ndef train():\n    t = tf.train.AdamOptimizer(0.1).minimize(loss)\n",
    ],
)
def test_clean(body: str) -> None:
    assert lint(body) == []


def test_unscoped_read_inside_a_tower_loop() -> None:
    body = (
        "for i in range(2):\n    with tf.name_scope('tower_%d' % i):\n"
        "        h = tf.layers.batch_normalization(x, training=True, name='bn', reuse=tf.AUTO_REUSE)\n"
        "        ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
        "        scoped = tf.get_collection(tf.GraphKeys.UPDATE_OPS, 'tower_%d' % i)\n"
    )
    (d,) = lint(body)
    assert (d.line, d.column) == (6, 15)
    assert d.message.startswith("`get_collection(UPDATE_OPS)` without `scope` inside a tower loop returns the update ops of every tower")


def test_unscoped_read_outside_towers_is_clean() -> None:
    body = "for step in range(3):\n    with tf.name_scope('train'):\n        ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
    assert lint(body) == []


@pytest.mark.tf
def test_tf_update_ops_semantics() -> None:
    from tf_oracle import run_programs

    count = """\
import tensorflow.compat.v1 as tf
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 3])
counts = []
for build in (lambda: tf.layers.batch_normalization(x), lambda: tf.layers.batch_normalization(x, training=True),
              lambda: slim.batch_norm(x), lambda: slim.batch_norm(x, updates_collections=None),
              lambda: slim.batch_norm(x, is_training=False),
              lambda: slim.conv2d(tf.zeros([1, 4, 4, 3]), 2, [3, 3], normalizer_fn=slim.batch_norm, normalizer_params={"is_training": True})):
    before = len(tf.get_collection(tf.GraphKeys.UPDATE_OPS))
    build()
    counts.append(len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) - before)
print(counts)
"""
    step = """\
import tensorflow.compat.v1 as tf
import tf_slim as slim
x = tf.ones([4, 3]) * 5.0
h = {layer}
loss = tf.reduce_mean(tf.square(h - 1.0))
opt = tf.train.GradientDescentOptimizer(0.1)
{train}
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    session.run(train_op)
    mean = [v for v in tf.global_variables() if v.name.endswith("moving_mean:0")][0]
    print(session.run(mean)[0] > 0)
"""
    plain = step.format(layer="tf.layers.batch_normalization(x, training=True)", train="train_op = opt.minimize(loss)")
    deps = step.format(
        layer="tf.layers.batch_normalization(x, training=True)",
        train="with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):\n    train_op = opt.minimize(loss)",
    )
    slim_train = step.format(layer="slim.batch_norm(x, is_training=True)", train="train_op = slim.learning.create_train_op(loss, opt)")
    towers = """\
import tensorflow.compat.v1 as tf
for i in range(2):
    with tf.name_scope("tower_%d" % i):
        x = tf.placeholder(tf.float32, [None, 3])
        h = tf.layers.batch_normalization(x, training=True, name="bn", reuse=tf.AUTO_REUSE)
        print(len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)), len(tf.get_collection(tf.GraphKeys.UPDATE_OPS, "tower_%d" % i)))
"""
    outcomes = run_programs([count, plain, deps, slim_train, towers])
    assert [o.error for o in outcomes] == [None] * 5
    assert outcomes[0].stdout.strip() == "[0, 2, 2, 0, 0, 2]"
    assert [o.stdout.strip() for o in outcomes[1:4]] == ["False", "True", "True"]
    assert outcomes[4].stdout.split("\n")[:2] == ["2 2", "4 2"]
