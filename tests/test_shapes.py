"""Shapes the model does not know stay unknown (TF's own shapes: tests/test_shapes_tf.py)."""

from __future__ import annotations

from scopelint.model import analyze, facts_from_source
from scopelint.model import events as ev
from scopelint.model.shapes import differ, text

TF = "import tensorflow.compat.v1 as tf\n"


def created(source: str) -> dict[str, tuple[int | None, ...] | None]:
    result = analyze(facts_from_source(TF + source, path="case.py", module_name="case"), {})
    return {e.predicted_name: e.shape for e in result.of_type(ev.VariableCreated) if e.outcome != ev.FETCHED}


def test_name_from_an_unknown_dimension_is_not_spelled() -> None:
    names = created("""\
y = tf.placeholder(tf.float32, [None, None])
a = tf.get_variable("c%d" % int(y.get_shape()[-1]), [1])
b = tf.get_variable("d_{}".format(y.shape[0]), [1])
""")
    assert sorted(names) == ["c{?}", "d_{?}"]


def test_unknown_dimensions_stay_unknown() -> None:
    shapes = created("""\
x = tf.placeholder(tf.float32, [None, 8])
u = tf.sign(x)
w = tf.get_variable("w", [x.get_shape()[0], x.get_shape()[-1], u.get_shape()[-1]])
r = tf.reshape(x, [-1, 4])
w2 = tf.get_variable("w2", [r.get_shape()[0], r.get_shape()[1]])
h = tf.layers.dense(u, 3, name="h")
""")
    assert shapes["w"] == (None, 8, None)
    assert shapes["w2"] == (None, 4)
    assert shapes["h/kernel"] == (None, 3)


def test_branches_keep_what_they_agree_on() -> None:
    shapes = created("""\
import os
x = tf.placeholder(tf.float32, [None, 8, 3])
if os.environ.get("A"):
    x = tf.placeholder(tf.float32, [None, 8, 5])
w = tf.get_variable("w", [x.get_shape()[1], x.get_shape()[2]])
""")
    assert shapes["w"] == (8, None)


def test_shapes_differ_only_where_both_are_known() -> None:
    assert differ((None, 16), (None, 64))
    assert differ((4,), (4, 1))
    assert not differ((None, 16), (32, 16))
    assert not differ(None, (3,))
    assert text((None, 16)) == "(?, 16)" and text((16,)) == "(16,)"
