"""SL104 scope-filter-too-broad."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL104"
SLIM = "import tf_slim as slim\n"

CASES = [
    Case("prefix-of-another-scope", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
d_vars = tf.trainable_variables(scope='d')
""", (6,), "clean", "assert len(d_vars) == 2\n"),
    Case("uniquified-default-scopes", TF + """\
for _ in range(2):
    with tf.variable_scope(None, default_name='d'):
        w = tf.get_variable('w', [3])
d_vars = tf.global_variables(scope='d')
""", (5,), "clean", "assert len(d_vars) == 2\n"),
    Case("get-collection", TF + """\
with tf.variable_scope('gen'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('generator_head'):
    v = tf.get_variable('v', [3])
g = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='gen')
""", (6,), "clean", "assert len(g) == 2\n"),
    # A trainable=False variable (global_step) is not in the trainable collection the filter reads.
    Case("slim-get-variables-trainable-collection-leaves-global-step-out", TF + SLIM + """\
global_step = tf.Variable(0, name='global_step', trainable=False)
with tf.variable_scope('global'):
    w = tf.get_variable('w', [3])
g = slim.get_variables(scope='global', collection=tf.GraphKeys.TRAINABLE_VARIABLES)
""", (), "clean", "assert len(g) == 1\n"),
    Case("slim-get-variables-all-variables-takes-global-step", TF + SLIM + """\
global_step = tf.Variable(0, name='global_step', trainable=False)
with tf.variable_scope('global'):
    w = tf.get_variable('w', [3])
g = slim.get_variables(scope='global')
""", (6,), "clean", "assert len(g) == 2\n"),
    # Clean look-alikes.
    Case("trailing-slash", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
d_vars = tf.trainable_variables(scope='d/')
""", (), "clean", "assert len(d_vars) == 1\n"),
    Case("only-own-scope-exists-yet", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
d_vars = tf.trainable_variables(scope='d')
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
assert len(d_vars) == 1
""", (), "clean"),
    Case("regex-filter", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
d_vars = tf.trainable_variables(scope='d(/|$)')
""", (), "clean", "assert len(d_vars) == 1\n"),
    Case("update-ops-not-variables", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope='d')
""", (), "clean"),
    Case("over-match-checked-by-an-assertion", TF + """\
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
assert len(tf.trainable_variables(scope='d')) == 2
""", (), "clean"),
    Case("unknown-filter", TF + """\
import sys
with tf.variable_scope('d'):
    w = tf.get_variable('w', [3])
with tf.variable_scope('decoder'):
    v = tf.get_variable('v', [3])
d_vars = tf.trainable_variables(scope=sys.argv[1])
""", (), "skip"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_message_names_a_stray() -> None:
    (found,) = lint_source(case("prefix-of-another-scope").source, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "warning"
    assert "'decoder/v'" in found.message and "'d/'" in found.message
    assert found.data["matches"] == ["decoder/v"]
