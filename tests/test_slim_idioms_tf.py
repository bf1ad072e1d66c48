"""tf-slim idioms the model follows, each compared with the names TF gives:
slim.repeat / slim.stack, an arg_scope returned by a function, namedtuple blocks
built by ``block.unit_fn(...)``, a tf-slim net read from the installed library."""

from __future__ import annotations

import pytest

from scopelint.api import describe_variables
from tf_oracle import run_programs

pytestmark = pytest.mark.tf

HEAD = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\nx = tf.zeros([2, 8, 8, 3])\n"

PROGRAMS: dict[str, str] = {
    "repeat-and-stack": HEAD + """\
net = slim.repeat(x, 2, slim.conv2d, 4, [3, 3], scope='conv1')
net = slim.repeat(net, 2, slim.conv2d, 4, [3, 3])
flat = slim.flatten(net)
y = slim.stack(flat, slim.fully_connected, [8, 4], scope='fc')
z = slim.stack(flat, slim.fully_connected, [(8,), (4,)])
""",
    "arg-scope-from-a-function": HEAD + """\
def my_arg_scope():
    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm):
        with slim.arg_scope([slim.batch_norm], scale=True) as sc:
            return sc

with slim.arg_scope(my_arg_scope()):
    net = slim.conv2d(x, 4, [3, 3])
plain = slim.conv2d(x, 4, [3, 3])
""",
    "namedtuple-blocks": HEAD + """\
import collections

class Block(collections.namedtuple('Block', ['scope', 'unit_fn', 'args'])):
    pass

def unit(inputs, depth, stride):
    return slim.conv2d(inputs, depth, [3, 3], stride=stride)

blocks = [Block('b1', unit, [{'depth': 4, 'stride': 1}] * 2), Block('b2', unit, [{'depth': 8, 'stride': 2}])]
net = x
for block in blocks:
    with tf.variable_scope(block.scope):
        for i, u in enumerate(block.args):
            with tf.variable_scope('unit_%d' % (i + 1)):
                net = block.unit_fn(net, **u)
""",
    "installed-vgg-net-twice": HEAD + """\
from tf_slim.nets import vgg
images = tf.zeros([1, 224, 224, 3])
with slim.arg_scope(vgg.vgg_arg_scope()):
    logits, _ = vgg.vgg_a(images, num_classes=5)
    with tf.variable_scope(tf.get_variable_scope(), reuse=True):
        again, _ = vgg.vgg_a(images, num_classes=5)
""",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_names_are_tfs(name: str, outcomes: dict[str, object]) -> None:
    outcome = outcomes[name]
    assert outcome.error is None  # type: ignore[attr-defined]
    infos = describe_variables(PROGRAMS[name], "prog.py")
    created = sorted(i.predicted_name for i in infos if i.action == "create")
    assert created == sorted(outcome.variable_names)  # type: ignore[attr-defined]
    if name.endswith("twice"):
        # The second build fetches every variable of the first, at the library's lines.
        reused = [i for i in infos if i.action == "reuse"]
        assert sorted(i.predicted_name for i in reused) == created
        assert all(i.path.endswith("tf_slim/nets/vgg.py") and i.site_line == 9 for i in reused)
