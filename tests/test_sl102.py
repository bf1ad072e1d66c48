"""SL102 name-reference-mismatch."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case

CODE = "SL102"

SAVE = TF + """\
import os
import tempfile
with tf.Graph().as_default():
    with tf.variable_scope('enc'):
        saved = tf.get_variable('w', [3], initializer=tf.ones_initializer())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        ckpt = tf.train.Saver().save(sess, os.path.join(tempfile.mkdtemp(), 'model'))
"""
# SAVE is 9 lines long.
READ = "with tf.Session() as sess:\n    sess.run(tf.global_variables_initializer())\n    value = sess.run(v).tolist()\n"

CASES = [
    Case("lookup-with-name-scope-prefix", TF + """\
with tf.name_scope('encoder'):
    w = tf.get_variable('w', [3, 3])
w_again = tf.get_default_graph().get_tensor_by_name('encoder/w:0')
""", (4,), "raises"),
    Case("assert-with-name-scope-prefix", TF + "with tf.name_scope('decoder'):\n    v = tf.get_variable('v', [2])\nassert v.name == 'decoder/v:0'\n", (4,), "raises"),
    Case("filter-matches-nothing", TF + "with tf.name_scope('encoder'):\n    w = tf.get_variable('w', [3])\nvs = tf.trainable_variables(scope='encoder')\n", (4,), "clean"),
    Case("assert-expects-no-suffix", TF + """\
a = tf.Variable(1.0, name='v')
b = tf.Variable(1.0, name='v')
assert b.name == 'v:0'
""", (4,), "raises"),
    Case("get-collection-filter", TF + """\
with tf.name_scope('gen'):
    w = tf.get_variable('w', [3])
g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope='gen')
""", (4,), "clean"),
    Case("checkpoint-scope-map-under-name-scope", SAVE + """\
with tf.name_scope('encoder'):
    v = tf.get_variable('w', [3], initializer=tf.zeros_initializer())
tf.train.init_from_checkpoint(ckpt, {'enc/': 'encoder/'})
""", (12,), "clean", READ + "assert value == [0.0, 0.0, 0.0]\n"),
    Case("checkpoint-variable-map-under-name-scope", SAVE + """\
with tf.name_scope('encoder'):
    v = tf.get_variable('w', [3], initializer=tf.zeros_initializer())
tf.train.init_from_checkpoint(ckpt, {'enc/w': 'encoder/w'})
""", (12,), "raises"),
    # Clean look-alikes.
    Case("checkpoint-maps-that-match", SAVE + """\
with tf.variable_scope('encoder'):
    v = tf.get_variable('w', [3], initializer=tf.zeros_initializer())
tf.train.init_from_checkpoint(ckpt, {'enc/': 'encoder/'})
tf.train.init_from_checkpoint(ckpt, {'enc/w': 'encoder/w'})
""", (), "clean", READ + "assert value == [1.0, 1.0, 1.0]\n"),
    Case("variable-scope-lookups", TF + """\
with tf.variable_scope('encoder'):
    w = tf.get_variable('w', [3, 3])
w_again = tf.get_default_graph().get_tensor_by_name('encoder/w:0')
assert w.name == 'encoder/w:0'
vs = tf.trainable_variables(scope='encoder/')
""", (), "clean"),
    Case("suffix-regex-like-tf-slim", TF + """\
with tf.variable_scope('fully_connected'):
    w = tf.get_variable('weights', [3])
found = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, '.*/weights:|^weights:')
assert len(found) == 1
""", (), "clean"),
    Case("graph-not-fully-known", TF + """\
import mylib
mylib.build_encoder()
vs = tf.trainable_variables(scope='encoder')
""", (), "skip"),
    Case("seed-assert-agrees", TF + """\
with tf.variable_scope('boo', reuse=tf.AUTO_REUSE):
    w1 = tf.get_variable('w', [1])
    w2 = tf.get_variable('w', [1])
    assert w1.name == 'boo/w:0'
""", (), "clean"),
    Case("tensor-names-are-not-judged", TF + """\
with tf.name_scope('foo'):
    s = tf.constant(-1.0)
    assert s.name == 'foo/Const:0'
""", (), "clean"),
    Case("update-ops-collection-is-not-variables", TF + """\
with tf.name_scope('gen'):
    w = tf.get_variable('w', [3])
ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope='gen')
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def test_lookup_message_names_the_real_variable() -> None:
    (found,) = lint_source(case("lookup-with-name-scope-prefix").source, "case.py", Config(select=(CODE,)))
    assert found.severity.value == "error"
    assert found.data["predicted_name"] == "w"
    assert "'encoder/w:0'" in found.message and "'w:0'" in found.message
    assert found.data["related"][0]["line"] == 3


def test_uniquified_variable_assert() -> None:
    (found,) = lint_source(case("assert-expects-no-suffix").source, "case.py", Config(select=(CODE,)))
    assert found.data["predicted_name"] == "v_1"


def test_filter_message_mentions_name_scope() -> None:
    (found,) = lint_source(case("filter-matches-nothing").source, "case.py", Config(select=(CODE,)))
    assert "name_scope" in found.message and "'encoder'" in found.message


def test_checkpoint_map_messages() -> None:
    scope_case = next(c for c in CASES if c.id == "checkpoint-scope-map-under-name-scope")
    (found,) = lint_source(scope_case.source, "case.py", Config(select=(CODE,)))
    assert "'encoder/'" in found.message and "restores nothing" in found.message
    variable_case = next(c for c in CASES if c.id == "checkpoint-variable-map-under-name-scope")
    (found,) = lint_source(variable_case.source, "case.py", Config(select=(CODE,)))
    assert found.data["predicted_name"] == "w" and "'encoder/w'" in found.message
