"""SL205 shared-shape-mismatch (programs also run under TF: tests/test_sl2_programs_tf.py
says each raises or runs clean as claimed; here the TF-marked test checks that TF's
error names the two shapes or dtypes the finding names)."""

from __future__ import annotations

import re

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import TF, Case, every_caller
from tf_oracle import run_programs

CODE = "SL205"

EMB = TF + """\
def embed(dim):
    with tf.variable_scope('emb', reuse=tf.AUTO_REUSE):
        return tf.get_variable('table', [100, dim])
a = embed(16)
b = embed({second})
"""

# The classic: a builder whose kernel takes its width from the input.
FC = TF + """\
def fc(x, n, reuse=None):
    with tf.variable_scope("fc", reuse=reuse):
        w = tf.get_variable("w", [x.get_shape()[-1], n])
        b = tf.get_variable("b", [n])
        return tf.matmul(x, w) + b
x = tf.placeholder(tf.float32, [None, {width}])
h = fc(x, 64)
y = fc({second}, {units}, reuse=True)
"""

# A loop whose number of passes the model cannot know: x may keep its shape or not.
UNCOUNTED = TF + """\
import os
x = tf.placeholder(tf.float32, [None, 32])
with tf.variable_scope("head"):
    w = tf.get_variable("w", [x.get_shape()[-1], 8])
for _ in range(int(os.environ.get("DEPTH", "0"))):
    x = tf.layers.dense(x, 64)
with tf.variable_scope("head", reuse=True):
    w2 = tf.get_variable("w", [x.get_shape()[-1], 8])
"""

CASES = [
    Case("literal-shapes", TF + """\
with tf.variable_scope('emb'):
    t = tf.get_variable('table', [100, 16])
with tf.variable_scope('emb', reuse=True):
    t2 = tf.get_variable('table', [100, 32])
""", (5,), "raises"),
    Case("shape-through-parameter", EMB.format(second=32), (6,), "raises"),
    Case("rank-differs", TF + """\
with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
    a = tf.get_variable('b', [4])
    c = tf.get_variable('b', shape=(4, 1))
""", (4,), "raises"),
    # At the mismatching request: the second embed() inside encoder(), not encoder()'s call.
    Case("mismatch-inside-a-builder", TF + """\
def embed(dim):
    with tf.variable_scope('emb', reuse=tf.AUTO_REUSE):
        return tf.get_variable('table', [100, dim])
def encoder():
    a = embed(16)
    return embed(32)
e = encoder()
""", (7,), "raises"),
    Case("fc-idiom", FC.format(width=32, second="x", units=16), (9,), "raises"),
    Case("fc-idiom-other-input", FC.format(width=32, second="tf.placeholder(tf.float32, [None, 48])", units=64), (9,), "raises"),
    Case("dense-units-partly-known-input", TF + """\
x = tf.sign(tf.placeholder(tf.float32, [None, 32]))  # an op whose shape the model does not track
a = tf.layers.dense(x, 64, name="proj")
b = tf.layers.dense(x, 16, name="proj", reuse=True)
""", (4,), "raises"),
    Case("conv2d-input-channels", TF + """\
import tf_slim as slim
def tower(images, reuse=None):
    return slim.conv2d(images, 32, [3, 3], scope="conv1", reuse=reuse)
rgb = tf.placeholder(tf.float32, [None, 64, 64, 3])
gray = tf.placeholder(tf.float32, [None, 64, 64, 1])
a = tower(rgb)
b = tower(gray, reuse=True)
""", (8,), "raises"),
    Case("dense-after-flatten", TF + """\
x = tf.placeholder(tf.float32, [None, 28, 28, 1])
c = tf.layers.conv2d(x, 8, 5, strides=2, padding="same", name="c")
logits = tf.layers.dense(tf.layers.flatten(c), 10, name="out")
again = tf.layers.dense(tf.layers.flatten(x), 10, name="out", reuse=True)
""", (5,), "raises"),
    Case("slim-fc-width", TF + """\
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 100])
with tf.variable_scope("mlp", reuse=tf.AUTO_REUSE):
    h = slim.fully_connected(x, 50, scope="fc")
    h2 = slim.fully_connected(h, 50, scope="fc")
""", (6,), "raises"),
    Case("dtype-fetched-as-int64", TF + """\
with tf.variable_scope("counter"):
    total = tf.get_variable("total", [], initializer=tf.zeros_initializer())
with tf.variable_scope("counter", reuse=True):
    again = tf.get_variable("total", [], dtype=tf.int64)
""", (5,), "raises"),
    # TF compares the scope's dtype (float32) with the variable's: an initial int64 tensor is not asked for.
    Case("dtype-initial-value-shared", TF + """\
with tf.variable_scope("step", reuse=tf.AUTO_REUSE):
    a = tf.get_variable("count", initializer=tf.constant(0, tf.int64))
    b = tf.get_variable("count", initializer=tf.constant(0, tf.int64))
""", (4,), "raises"),
    # Re-entering a scope by name does not bring back its dtype= (a captured scope does).
    Case("dtype-scope-reentered-by-name", TF + """\
with tf.variable_scope("half", dtype=tf.float16):
    a = tf.get_variable("w", [2])
with tf.variable_scope("half", reuse=True):
    b = tf.get_variable("w", [2])
""", (5,), "raises"),
    Case("reuse-flag-bool-of-index", TF + """\
for i in range(3):
    with tf.variable_scope("tower", reuse=bool(i)):
        w = tf.get_variable("w", [i + 1])
""", (4,), "raises"),
    # In a function nobody calls: the first request made or fetched a (3,) variable, whatever
    # the caller's scope and reuse; the reuse=True request with (4,) cannot share it.
    Case("uncalled-function-reuses-its-own-variable-with-another-shape", TF + """\
def block():
    with tf.variable_scope('m'):
        a = tf.get_variable('w', [3])
    with tf.variable_scope('m', reuse=True):
        b = tf.get_variable('w', [4])
""", (6,), "raises", every_caller("block")),
    # Clean look-alikes.
    Case("fc-idiom-same-width", FC.format(width=32, second="tf.placeholder(tf.float32, [None, 32])", units=64), (), "clean"),
    Case("shape-differs-between-branches", TF + """\
import os
x = tf.placeholder(tf.float32, [None, 32])
with tf.variable_scope("head"):
    w = tf.get_variable("w", [x.get_shape()[-1], 8])
if os.environ.get("WIDE"):
    x = tf.concat([x, x], 1)
with tf.variable_scope("head", reuse=True):
    w2 = tf.get_variable("w", [x.get_shape()[-1], 8])
""", (), "clean"),
    Case("shape-through-uncounted-loop", UNCOUNTED, (), "clean"),
    Case("unknown-dimension", TF + """\
x = tf.placeholder(tf.float32, [None, 32])
y = tf.placeholder(tf.float32, [None, None])
with tf.variable_scope("s"):
    w = tf.get_variable("w", [x.get_shape()[-1], 8])
with tf.variable_scope("s", reuse=True):
    w2 = tf.get_variable("w", [y.get_shape()[-1], 8])
""", (), "clean"),
    Case("reshape-minus-one", TF + """\
x = tf.placeholder(tf.float32, [None, 7, 7, 64])
flat = tf.reshape(x, [-1, 7 * 7 * 64])
a = tf.layers.dense(flat, 10, name="out")
b = tf.layers.dense(tf.reshape(x, [-1, 3136]), 10, name="out", reuse=True)
""", (), "clean"),
    Case("reuse-flags-from-the-index", TF + """\
for i in range(3):
    with tf.variable_scope("a", reuse=i > 0):
        w = tf.get_variable("w", [4])
    with tf.variable_scope("b", reuse=bool(i)):
        w = tf.get_variable("w", [4])
    with tf.variable_scope("c", reuse=(i != 0)):
        w = tf.get_variable("w", [4])
""", (), "clean"),
    Case("dtype-same", TF + """\
with tf.variable_scope("counter", reuse=tf.AUTO_REUSE):
    a = tf.get_variable("n", [], dtype=tf.int64, initializer=tf.zeros_initializer())
    b = tf.get_variable("n", [], dtype="int64")
""", (), "clean"),
    Case("dtype-captured-scope", TF + """\
with tf.variable_scope("half", dtype=tf.float16) as scope:
    a = tf.get_variable("w", [2])
with tf.variable_scope(scope, reuse=True):
    b = tf.get_variable("w", [2])
""", (), "clean"),
    Case("dtype-under-custom-getter", TF + """\
def float32_getter(getter, *args, **kwargs):
    kwargs["dtype"] = tf.float32
    return getter(*args, **kwargs)
with tf.variable_scope("g", custom_getter=float32_getter, reuse=tf.AUTO_REUSE):
    a = tf.get_variable("w", [2], dtype=tf.float32)
    b = tf.get_variable("w", [2], dtype=tf.float16)
""", (), "clean"),
    Case("dtype-from-scope", TF + """\
with tf.variable_scope("half", dtype=tf.float16):
    a = tf.get_variable("w", [2])
with tf.variable_scope("half", reuse=True, dtype=tf.float16):
    b = tf.get_variable("w", [2])
""", (), "clean"),
    Case("same-shape", EMB.format(second=16), (), "clean"),
    Case("shape-slice", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('s'):
    a = tf.get_variable('w', [4, 2])
with tf.variable_scope('s', reuse=True):
    b = tf.get_variable('w', x.get_shape()[1:])
""", (6,), "raises"),
    Case("shape-not-known", TF + """\
x = tf.sign(tf.placeholder(tf.float32, [None, 4]))  # an op whose shape the model does not track
with tf.variable_scope('s'):
    a = tf.get_variable('w', [4, 2])
with tf.variable_scope('s', reuse=True):
    b = tf.get_variable('w', x.get_shape()[1:])
""", (), "skip"),
    Case("different-names", TF + """\
with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
    a = tf.get_variable('w16', [16])
    b = tf.get_variable('w32', [32])
""", (), "clean"),
    Case("fresh-graph", TF + """\
with tf.Graph().as_default():
    a = tf.get_variable('w', [16])
with tf.Graph().as_default():
    b = tf.get_variable('w', [32])
""", (), "clean"),
    Case("no-shape-on-reuse", TF + """\
with tf.variable_scope('s'):
    a = tf.get_variable('w', [16])
with tf.variable_scope('s', reuse=True):
    b = tf.get_variable('w')
""", (), "clean"),
    Case("reuse-unknown", TF + """\
def f(reuse):
    with tf.variable_scope('s', reuse=reuse):
        return tf.get_variable('w', [16])
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint_source(case.source, "case.py", Config(select=(CODE,)))) == sorted(case.expected)


def findings(case_id: str) -> list:
    return lint_source(case(case_id).source, "case.py", Config(select=(CODE,)))


def test_fc_idiom_message_names_both_kernels() -> None:
    (found,) = findings("fc-idiom")
    assert found.line == 9 and found.data["predicted_name"] == "fc/w"
    assert "with shape (32, 16), but it was created with shape (32, 64) at line 4" in found.message
    assert found.data["related"][0]["line"] == 4


def test_partly_known_kernels_differ_where_known() -> None:
    (found,) = findings("dense-units-partly-known-input")
    assert "'proj/kernel' with shape (?, 16), but it was created with shape (?, 64)" in found.message


def test_dtype_message() -> None:
    (found,) = findings("dtype-fetched-as-int64")
    assert found.line == 5 and found.data["predicted_name"] == "counter/total"
    assert "with dtype int64, but it was created with dtype float32 at line 3" in found.message


def _pair(text: str, pattern: str) -> tuple[str, str, str]:
    match = re.search(pattern, text)
    assert match, text
    kind, first, second = match.groups()
    return kind, first.replace("None", "?"), second.removesuffix("_ref")


def _agrees(model: str, tf: str) -> bool:
    """The model's ``(?, 16)`` names TF's ``(32, 16)``: each dimension it knows is TF's."""
    if not model.startswith("("):
        return model == tf
    ours, theirs = (re.findall(r"[?\d]+", text) for text in (model, tf))
    return len(ours) == len(theirs) and all(a in ("?", b) for a, b in zip(ours, theirs))


@pytest.mark.tf
def test_tf_error_names_what_the_finding_names() -> None:
    """TF's 'specified ... and found ...' against the finding's 'with ..., but it was created with ...'."""
    raising = [c for c in CASES if c.expected and c.tf == "raises"]
    for c, outcome in zip(raising, run_programs([c.source + c.tf_check for c in raising])):
        assert outcome.error is not None and "Trying to share variable" in outcome.error, c.id
        (found,) = lint_source(c.source, "case.py", Config(select=(CODE,)))
        kind, specified, existing = _pair(outcome.error.splitlines()[0], r"specified (shape|dtype) (.+?) and found \1 (.+?)\.?$")
        ours = _pair(found.message, r"with (shape|dtype) (.+?), but it was created with \1 (.+?) at ")
        assert ours[0] == kind and _agrees(ours[1], specified) and _agrees(ours[2], existing), (c.id, outcome.error, found.message)
        assert found.line in outcome.error_trace, c.id  # a line on TF's traceback: the request that fails


@pytest.mark.tf
def test_tf_dtype_error_text() -> None:
    (outcome,) = run_programs([case("dtype-fetched-as-int64").source])
    assert outcome.error is not None and outcome.error.startswith(
        "ValueError: Trying to share variable counter/total, but specified dtype int64 and found dtype float32_ref")


def test_message_gives_both_shapes() -> None:
    (found,) = lint_source(case("shape-through-parameter").source, "case.py", Config(select=(CODE,)))
    assert found.data["predicted_name"] == "emb/table"
    assert "(100, 32)" in found.message and "(100, 16)" in found.message
    assert found.data["related"][0]["line"] == 4


def test_at_the_mismatching_request_with_the_first_creation_related() -> None:
    (found,) = lint_source(case("mismatch-inside-a-builder").source, "case.py", Config(select=(CODE,)))
    assert (found.line, found.column) == (7, 12)
    assert found.message == (
        "`tf.get_variable` via encoder() -> embed() shares 'emb/table' with shape (100, 32), but it was created with "
        "shape (100, 16) at line 4: TF raises 'Trying to share variable'"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 4, "column": 16, "message": "'emb/table' created here with shape (100, 16)"},
        {"path": "case.py", "line": 6, "column": 9, "message": "the call that created 'emb/table' with shape (100, 16)"},
    ]
