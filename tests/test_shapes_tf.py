"""Static shapes as the model tracks them, against the shapes TF gives.

Each program builds tensors through the ops the model knows (placeholders,
``tf.zeros``/``ones``/``constant``, conv2d with padding and strides, pooling,
flatten, dense, reshape with -1, concat, matmul, transpose, slim layers) and
turns their static shapes into variables (``probe4('valid', c1)`` asks for a
variable of ``c1``'s shape) or into names (``"c%d" % int(x.get_shape()[-1])``).
TF records every variable's name and shape; the model's prediction of each must
be the same name with the same shape, dimension for dimension.
"""

from __future__ import annotations

import pytest

from scopelint.model import analyze, facts_from_source
from scopelint.model import events as ev
from tf_oracle import Outcome, run_programs

pytestmark = pytest.mark.tf

HEADER = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\n"
OPS = "from tensorflow.python.ops import array_ops, nn_ops\nfrom tf_slim.layers import utils as slim_utils\n"

PROGRAMS: dict[str, str] = {
    "ops-and-layers": HEADER + OPS + """\

def probe2(name, t):
    s = t.get_shape()
    return tf.get_variable(name, [s[0], s[1]])

def probe4(name, t):
    s = t.get_shape()
    return tf.get_variable(name, [s[0], s[1], s[2], s[3]])

x = tf.placeholder(tf.float32, [8, 28, 28, 3])
c1 = tf.layers.conv2d(x, 16, 3, name="c1")
probe4("valid", c1)
c2 = tf.layers.conv2d(x, 16, (5, 3), strides=2, padding="same", name="c2")
probe4("same_strided", c2)
c3 = slim.conv2d(x, 8, [3, 3], stride=2, padding="VALID", scope="c3")
probe4("slim_valid", c3)
c4 = slim.conv2d(x, 8, 3, scope="c4")
probe4("slim_same", c4)
p1 = tf.layers.max_pooling2d(c1, 2, 2)
probe4("pool", p1)
p2 = slim.max_pool2d(x, [3, 3], stride=2, padding="SAME")
probe4("slim_pool", p2)
p3 = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
probe4("nn_pool", p3)
f = tf.layers.flatten(p1)
probe2("flat", f)
d = tf.layers.dense(f, 10, name="d")
probe2("dense_out", d)
fc = slim.fully_connected(slim.flatten(c3), 7, scope="fc")
probe2("slim_fc", fc)
r = tf.reshape(x, [-1, 28 * 28 * 3])
probe2("rs_out", r)
r2 = tf.reshape(x, [8, -1, 3, 1])
probe4("rs4_out", r2)
cat = tf.concat([d, tf.zeros([8, 5])], 1)
probe2("cat_out", cat)
m = tf.matmul(d, tf.ones([10, 4]))
probe2("mm_out", m)
mt = tf.matmul(tf.ones([8, 3]), d, transpose_a=True)
probe2("mm_t", mt)
t = tf.transpose(x, [0, 3, 1, 2])
probe4("tr_out", t)
k = tf.constant([[1.0, 2.0, 3.0]])
probe2("k_out", k)
e = tf.nn.relu(tf.layers.dense(d, 6, name="e")) * 2.0
probe2("activation", e)
dims = c1.get_shape().as_list()
w = tf.get_variable("as_list", [dims[1], dims[-1]])
w2 = tf.get_variable("shape_attr", [x.shape[-1], int(c2.get_shape()[1]), c3.get_shape()[2].value])
named = tf.get_variable("c%d" % int(x.get_shape()[-1]), [1])
named2 = tf.get_variable("w_{}x{}".format(c4.shape[1], c4.shape[-1]), [1])
ph = tf.placeholder(tf.float32, [None, 32])
h = tf.layers.dense(ph, 64, name="h")
conv_cf = tf.layers.conv2d(tf.placeholder(tf.float32, [8, 3, 28, 28]), 4, 3, data_format="channels_first", name="cf")
probe4("channels_first", conv_cf)
with slim.arg_scope([slim.convolution2d], padding="VALID", stride=2):
    c5 = slim.conv2d(x, 4, [3, 3], scope="c5")  # conv2d is convolution2d: the scope applies
probe4("alias_scope", c5)
dense_layer = tf.layers.Dense(5, name="dl")
probe2("dense_class", dense_layer(d))
percent = tf.get_variable("p%d" % x.shape[-1], [1])
z = tf.placeholder(tf.float32, [8, 7, 7, 32])
g1 = tf.layers.conv2d_transpose(z, 16, 5, strides=2, padding="same", name="g1")
probe4("deconv_same", g1)
g2 = tf.layers.conv2d_transpose(z, 16, (3, 5), strides=(2, 1), name="g2")
probe4("deconv_valid", g2)
g3 = slim.conv2d_transpose(g1, 3, [4, 4], stride=2, scope="g3")
probe4("slim_deconv", g3)
g4 = tf.layers.conv2d_transpose(z, 4, 2, strides=3, name="g4")
probe4("deconv_wide_stride", g4)
padded = array_ops.pad(x, [[0, 0], [1, 2], [3, 3], [0, 0]])
probe4("padded", padded)
bn = slim.batch_norm(c4, scale=True, scope="bn")
probe4("bn_out", nn_ops.relu(bn + bn))
bn2 = tf.layers.batch_normalization(d, name="bn2")
probe2("bn2_out", bn2)
depth = slim_utils.last_dimension(c4.get_shape(), min_rank=4)
by_depth = tf.get_variable("depth_%d" % depth, [1] if depth == 8 else [2])
collected = slim_utils.collect_named_outputs(None, "c4", c4)
probe4("collected", collected)
sliced = tf.get_variable("sliced", c1.get_shape()[1:])
_, height, width, channels = c2.get_shape()
unpacked = tf.get_variable("unpacked", [height, width, channels])
iterated = tf.get_variable("iterated", [int(d) * 2 for d in c3.get_shape()[1:]])
sliced_list = tf.get_variable("sliced_list", c1.get_shape().as_list()[-2:])
sliced_name = tf.get_variable("prefix_scope"[:6] + "s", x.get_shape()[::3])
""",
    "unknown-batch": HEADER + """\
x = tf.placeholder(tf.float32, [None, 32, 32, 1])
c = slim.conv2d(x, 4, [5, 5], padding="VALID", scope="c")
f = slim.flatten(c)
w = tf.get_variable("w", [f.get_shape()[1], 3])
r = tf.reshape(c, [-1, 28 * 28 * 4])
w2 = tf.get_variable("w2", [r.get_shape()[-1], int(c.get_shape()[1])])
fc = tf.layers.dense(r, 5, name="fc")
""",
}


def predictions(source: str) -> dict[str, tuple[int | None, ...] | None]:
    result = analyze(facts_from_source(source, path="case.py", module_name="case"), {})
    return {e.predicted_name: e.shape for e in result.of_type(ev.VariableCreated) if e.outcome == ev.CREATED}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_shape_is_tfs(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert outcome.error is None, outcome.error
    predicted = predictions(PROGRAMS[name])
    assert sorted(predicted) == sorted(outcome.variable_names)
    for variable in outcome.variables:
        assert predicted[variable.name] == variable.shape, variable.name
