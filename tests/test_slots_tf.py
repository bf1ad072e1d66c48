"""Optimizer slots, EMA shadows and the global step: the names the model predicts are TF's."""

from __future__ import annotations

import pytest

from scopelint.api import describe_variables, lint_source
from scopelint.model import analyze, facts_from_source
from scopelint.model import events as ev
from tf_oracle import run_programs

TF = "import tensorflow.compat.v1 as tf\n"

PROGRAMS: dict[str, str] = {
    # Two slots per variable (w/Adam, w/Adam_1); a second Adam uniquifies them (w/Adam_2)
    # and its own beta1_power_1; slots follow the variable's full name.
    "adam-twice": TF + """\
w = tf.get_variable('w', [3])
with tf.variable_scope('enc'):
    b = tf.layers.dense(tf.zeros([2, 3]), 4)
loss = tf.reduce_sum(w) + tf.reduce_sum(b)
tf.train.AdamOptimizer(0.1).minimize(loss)
tf.train.AdamOptimizer(0.1).minimize(loss)
""",
    # Every optimizer's slots; name=, centered=, var_list=; tf.Variable and a non-trainable
    # get_variable; the global step; EMA shadows; one Adam object minimizing twice
    # makes its beta powers once.
    "every-optimizer": TF + """\
w = tf.get_variable('w', [3])
c = tf.Variable(1.0, name='c')
n = tf.get_variable('n', [3], trainable=False)
loss = tf.reduce_sum(w) * c
step = tf.train.get_or_create_global_step()
tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss, global_step=step)
tf.train.RMSPropOptimizer(0.1).minimize(loss)
tf.train.RMSPropOptimizer(0.1, centered=True, name='R').minimize(loss)
tf.train.AdagradOptimizer(0.1).minimize(loss)
tf.train.FtrlOptimizer(0.1).minimize(loss)
tf.train.AdadeltaOptimizer(0.1).minimize(loss)
tf.train.GradientDescentOptimizer(0.1).minimize(loss)
opt = tf.train.AdamOptimizer(0.1, name='G')
opt.minimize(loss, var_list=[w])
opt.minimize(loss, var_list=[c])
ema = tf.train.ExponentialMovingAverage(0.99)
ema.apply([w, c])
""",
    # Moving statistics are not trainable (no slots); slots live under the current variable scope.
    "batch-norm-under-a-scope": TF + """\
y = tf.layers.batch_normalization(tf.zeros([2, 4]), training=True)
with tf.variable_scope('train'):
    opt = tf.train.AdamOptimizer(0.1)
    grads = opt.compute_gradients(tf.reduce_sum(y))
    opt.apply_gradients(grads)
""",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_predicted_names_are_tfs(name: str, outcomes: dict[str, object]) -> None:
    outcome = outcomes[name]
    assert outcome.error is None  # type: ignore[attr-defined]
    predicted = sorted(info.predicted_name for info in describe_variables(PROGRAMS[name], "prog.py"))
    assert predicted == sorted(outcome.variable_names)  # type: ignore[attr-defined]


@pytest.mark.tf
def test_slots_fail_under_a_leaked_reuse_and_only_sl203_says_so() -> None:
    source = TF + """\
def discriminator(x):
    with tf.variable_scope('d'):
        return tf.layers.dense(x, 1)
real = discriminator(tf.zeros([2, 3]))
tf.get_variable_scope().reuse_variables()
fake = discriminator(tf.ones([2, 3]))
train_op = tf.train.AdamOptimizer(1e-4).minimize(tf.reduce_mean(real - fake))
"""
    outcome = run_programs([source])[0]
    assert outcome.error is not None and outcome.error.startswith("ValueError: Variable d/dense/kernel/Adam/ does not exist")
    assert outcome.error_line == 8
    events = analyze(facts_from_source(source, path="gan.py", module_name=None), {}).of_type(ev.VariableCreated)
    slots = [e for e in events if e.slot_of is not None]
    assert {e.slot_of for e in slots} == {"d/dense/kernel", "d/dense/bias"}
    assert all(e.outcome == ev.MISSING and e.leaked_from == (6, 1, 6, 42) for e in slots)
    codes = [(d.code, d.line) for d in lint_source(source, "gan.py")]
    assert codes == [("SL203", 6)]
