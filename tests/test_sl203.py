"""SL203 reuse-leaks: the DCGAN and multi-GPU tower bugs (programs also run under TF)."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL203"

DCGAN = TF + """\
def discriminator(x, reuse=False):
    if reuse:
        tf.get_variable_scope().reuse_variables()
    w = tf.get_variable('d_w', [4, 1])
    return tf.matmul(x, w)
real = tf.placeholder(tf.float32, [None, 4])
fake = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(real, reuse=False)
d_fake = discriminator(fake, reuse=True)
loss = tf.reduce_mean(d_real - d_fake)
train_op = tf.train.AdamOptimizer(1e-4).minimize(loss)
"""

DCGAN_FIXED = TF + """\
def discriminator(x, reuse=False):
    with tf.variable_scope('discriminator') as scope:
        if reuse:
            scope.reuse_variables()
        w = tf.get_variable('d_w', [4, 1])
        return tf.matmul(x, w)
real = tf.placeholder(tf.float32, [None, 4])
fake = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(real, reuse=False)
d_fake = discriminator(fake, reuse=True)
loss = tf.reduce_mean(d_real - d_fake)
train_op = tf.train.AdamOptimizer(1e-4).minimize(loss)
"""

TOWERS = """\
def tower_loss(x):
    w = tf.get_variable('w', [4, 1])
    return tf.reduce_sum(tf.matmul(x, w))
x = tf.placeholder(tf.float32, [None, 4])
opt = tf.train.{opt}
grads = []
{loop}
train_op = opt.apply_gradients(grads[0])
"""
LOOP = """\
for i in range(2):
    with tf.device('/cpu:0'), tf.name_scope('tower_%d' % i):
        loss = tower_loss(x)
        tf.get_variable_scope().reuse_variables()
        grads.append(opt.compute_gradients(loss))"""
WRAPPED = "with tf.variable_scope(tf.get_variable_scope()):\n" + "\n".join("    " + line for line in LOOP.splitlines())

# The shape of carpedm20/DCGAN-tensorflow: a model class, helper layers opening their
# own variable scopes, the discriminator built twice from build_model().
DCGAN_CLASS = TF + """\
def linear(input_, output_size, scope=None):
    with tf.variable_scope(scope or 'Linear'):
        matrix = tf.get_variable('Matrix', [4, output_size])
        bias = tf.get_variable('bias', [output_size])
        return tf.matmul(input_, matrix) + bias
class DCGAN(object):
    def __init__(self):
        self.build_model()
    def discriminator(self, x, reuse=False):
{body}
    def build_model(self):
        self.real = tf.placeholder(tf.float32, [None, 4])
        self.fake = tf.placeholder(tf.float32, [None, 4])
        self.D = self.discriminator(self.real)
        self.D_ = self.discriminator(self.fake, reuse=True)
        self.d_loss = tf.reduce_mean(self.D - self.D_)
        self.d_optim = tf.train.AdamOptimizer(0.0002, beta1=0.5).minimize(self.d_loss)
dcgan = DCGAN()
"""
OWN_SCOPE = """\
        with tf.variable_scope('discriminator') as scope:
            if reuse:
                scope.reuse_variables()
            return linear(x, 1, 'd_h0_lin')"""
ROOT_SCOPE = """\
        if reuse:
            tf.get_variable_scope().reuse_variables()
        return linear(x, 1, 'd_h0_lin')"""

CASES = [
    Case("dcgan-class-own-scope", DCGAN_CLASS.format(body=OWN_SCOPE), (), "clean"),
    Case("dcgan-class-root-scope", DCGAN_CLASS.format(body=ROOT_SCOPE), (12,), "raises"),
    Case("dcgan", DCGAN, (4,), "raises"),
    Case("dcgan-fixed", DCGAN_FIXED, (), "clean"),
    Case("towers-adam", TF + TOWERS.format(opt="AdamOptimizer(1e-3)", loop=LOOP), (11,), "raises"),
    Case("towers-wrapped", TF + TOWERS.format(opt="AdamOptimizer(1e-3)", loop=WRAPPED), (), "clean"),
    Case("towers-sgd-has-no-slots", TF + TOWERS.format(opt="GradientDescentOptimizer(0.1)", loop=LOOP), (), "clean"),
    Case("towers-momentum", TF + TOWERS.format(opt="MomentumOptimizer(0.1, 0.9)", loop=LOOP), (11,), "raises"),
    Case("leak-then-new-variable", TF + """\
a = tf.get_variable('a', [1])
tf.get_variable_scope().reuse_variables()
b = tf.get_variable('b', [1])
""", (3,), "raises"),
    Case("leak-then-builder-creates", TF + """\
def head(x):
    return tf.matmul(x, tf.get_variable('out', [4, 1]))
x = tf.placeholder(tf.float32, [None, 4])
w = tf.get_variable('w', [4, 4])
tf.get_variable_scope().reuse_variables()
y = head(tf.matmul(x, w))
""", (6,), "raises"),
    Case("own-scope-then-optimizer-outside", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('model') as scope:
    w = tf.get_variable('w', [4, 1])
    scope.reuse_variables()
    w2 = tf.get_variable('w', [4, 1])
train_op = tf.train.AdamOptimizer().minimize(tf.reduce_sum(tf.matmul(x, w)))
""", (), "clean"),
    Case("auto-reuse-instead", TF + """\
def discriminator(x):
    with tf.variable_scope('d', reuse=tf.AUTO_REUSE):
        return tf.matmul(x, tf.get_variable('d_w', [4, 1]))
x = tf.placeholder(tf.float32, [None, 4])
loss = tf.reduce_mean(discriminator(x) - discriminator(x))
train_op = tf.train.AdamOptimizer().minimize(loss)
""", (), "clean"),
    Case("leak-but-nothing-created-after", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
w = tf.get_variable('w', [4, 1])
tf.get_variable_scope().reuse_variables()
y = tf.matmul(x, tf.get_variable('w', [4, 1]))
""", (), "clean"),
    Case("leak-in-expected-error", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
w = tf.get_variable('w', [4, 1])
tf.get_variable_scope().reuse_variables()
try:
    train_op = tf.train.AdamOptimizer().minimize(tf.reduce_sum(tf.matmul(x, w)))
except ValueError:
    pass
""", (), "clean"),
    Case("leak-into-callers-scope-then-new-variable", TF + """\
def build(x):
    w = tf.get_variable('w', [4, 1])
    tf.get_variable_scope().reuse_variables()
    return tf.matmul(x, w)
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('model'):
    y = build(x)
    b = tf.get_variable('b', [1])
""", (4,), "raises"),
    Case("leak-into-callers-scope-contained", TF + """\
def build(x):
    w = tf.get_variable('w', [4, 1])
    tf.get_variable_scope().reuse_variables()
    return tf.matmul(x, w)
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('model'):
    y = build(x)
train_op = tf.train.AdamOptimizer().minimize(tf.reduce_sum(y))
""", (), "clean"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_dcgan_message_points_at_the_optimizer() -> None:
    (found,) = lint_source(DCGAN, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "error"
    assert "root variable scope" in found.message and "AdamOptimizer" in found.message
    assert found.data["related"][0]["line"] == 12


def test_new_variable_after_leak_names_it_and_is_not_also_sl202() -> None:
    case = next(c for c in CASES if c.id == "leak-then-new-variable")
    (found,) = lint_source(case.source, "case.py", Config(select=(CODE, "SL202")))
    assert (found.code, found.line, found.data["predicted_name"]) == (CODE, 3, "b")
    assert found.data["related"][0]["line"] == 4 and "'b'" in found.message



def test_leak_into_callers_scope_then_new_variable_there() -> None:
    case = next(c for c in CASES if c.id == "leak-into-callers-scope-then-new-variable")
    (found,) = lint_source(case.source, "case.py", Config(select=(CODE,)))
    assert (found.line, found.data["predicted_name"]) == (4, "model/b")
    assert "enclosing variable scope 'model'" in found.message


def test_at_reuse_variables_with_the_statement_that_fails_and_the_creation_in_the_builder() -> None:
    case = next(c for c in CASES if c.id == "leak-then-builder-creates")
    (found,) = lint_source(case.source, "case.py", Config(select=(CODE, "SL202")))
    assert (found.code, found.line, found.column, found.data["predicted_name"]) == (CODE, 6, 1, "out")
    assert found.message.startswith(
        "`reuse_variables()` switches the root variable scope to reuse for everything built after it, "
        "so `tf.get_variable` at line 7 cannot create 'out' (TF raises 'does not exist')"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 7, "column": 5, "message": "fails under the leaked reuse"},
        {"path": "case.py", "line": 3, "column": 25, "message": "`tf.get_variable` fails here"},
    ]
