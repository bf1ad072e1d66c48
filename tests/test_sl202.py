"""SL202 variable-does-not-exist (programs also run under TF: tests/test_sl2_programs_tf.py)."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from test_sl201 import RUN_TESTS, TF, Case

CODE = "SL202"


def lint(source: str) -> list:
    return lint_source(source, path="case.py", config=Config(select=(CODE,)))


# A TestCase whose setUp() makes model/w; the test method reuses under model (line 8).
SETUP_MADE_W = """\
class ModelTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        with tf.variable_scope('model'):
            self.w = tf.get_variable('w', [3])
    def test_shares(self):
        with tf.variable_scope('model', reuse=True):
{}"""

CASES = [
    # In a function nobody calls, names asked for under reuse=True may be the caller's: silent.
    Case("uncalled-function-reuses-names-its-caller-may-have-made", TF + """\
def decoder():
    with tf.variable_scope('enc'):
        a = tf.get_variable('w', [3, 4])
    with tf.variable_scope('encc', reuse=True):
        b = tf.get_variable('w', [3, 4])
""", (), "clean", "with tf.variable_scope('model'):\n    tf.get_variable('encc/w', [3, 4])\n    decoder()\n"),
    # A fresh graph starts at its root scope, without the reuse of the scope the `with` sits in.
    Case("graph-session-on-a-fresh-graph-starts-without-reuse", TF + """\
with tf.variable_scope('model', reuse=True):
    with tf.Session(graph=tf.Graph()):
        w = tf.get_variable('w', [3])
        assert w.name == 'w:0'
""", (), "clean"),
    # A test method runs after its TestCase's setUp(): the variables setUp made can be reused.
    Case("test-case-method-reuses-what-setup-made", TF + SETUP_MADE_W.format("""\
            w = tf.get_variable('w', [3])
        assert w is self.w
"""), (), "clean", RUN_TESTS.format("ModelTest")),
    # ... and what setUp did not make is still missing there.
    Case("test-case-method-reuses-what-setup-did-not-make", TF + SETUP_MADE_W.format("""\
            b = tf.get_variable('b', [3])
"""), (8,), "raises", RUN_TESTS.format("ModelTest")),
    # Reported at the reuse=True request, not at the creation that fails (related).
    Case("reuse-before-create", TF + "with tf.variable_scope('model', reuse=True):\n    w = tf.get_variable('w', [3])\n", (2,), "raises"),
    Case("builder-first-call-reuses", TF + """\
def net(x, reuse):
    with tf.variable_scope('net', reuse=reuse):
        return tf.layers.dense(x, 2)
x = tf.placeholder(tf.float32, [None, 3])
y = net(x, reuse=True)
""", (6,), "raises"),
    Case("reuse-false-does-not-undo", TF + """\
with tf.variable_scope('r'):
    a = tf.get_variable('w', [1])
with tf.variable_scope('r', reuse=True):
    with tf.variable_scope('q', reuse=False):
        b = tf.get_variable('w', [1])
""", (4,), "raises"),
    Case("scope-name-typo", TF + """\
with tf.variable_scope('encoder'):
    a = tf.get_variable('w', [1])
with tf.variable_scope('encoders', reuse=True):
    b = tf.get_variable('w', [1])
""", (4,), "raises"),
    Case("slim-layer-reuse-first", TF + """\
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
y = slim.conv2d(x, 4, 3, scope='c1', reuse=True)
""", (4,), "raises"),
    Case("reuse-of-a-tf-variable", TF + """\
a = tf.Variable(1.0, name='w')
with tf.variable_scope(tf.get_variable_scope(), reuse=True):
    b = tf.get_variable('w', [1])
""", (3,), "raises"),
    # The misspelled scope inside a builder: at that scope, not at the builder's call.
    Case("typo-scope-in-a-builder", TF + """\
def encode(x):
    with tf.variable_scope('encoder'):
        return tf.matmul(x, tf.get_variable('w', [3, 3]))
def decode(x):
    with tf.variable_scope('encodr', reuse=True):
        return tf.matmul(x, tf.get_variable('w', [3, 3]))
x = tf.placeholder(tf.float32, [None, 3])
h = encode(x)
y = decode(h)
""", (6,), "raises"),
    # reuse=True passed down through two builders: at the call that passes it.
    Case("reuse-passed-through-builders", TF + """\
def net(x, reuse):
    with tf.variable_scope('net', reuse=reuse):
        return tf.layers.dense(x, 2)
def model(x, reuse=False):
    return net(x, reuse)
def tower(x):
    return model(x, reuse=True)
x = tf.placeholder(tf.float32, [None, 3])
y = tower(x)
""", (8,), "raises"),
    # The block's own scope switched to reuse before anything was created: at reuse_variables().
    Case("own-scope-reuse-variables-first", TF + """\
with tf.variable_scope('d') as scope:
    scope.reuse_variables()
    w = tf.get_variable('w', [1])
""", (3,), "raises"),
    # Clean look-alikes.
    Case("create-then-reuse", TF + """\
def net(x, reuse):
    with tf.variable_scope('net', reuse=reuse):
        return tf.layers.dense(x, 2)
x = tf.placeholder(tf.float32, [None, 3])
y = net(x, reuse=False)
z = net(x, reuse=True)
""", (), "clean"),
    Case("auto-reuse-creates", TF + "with tf.variable_scope('model', reuse=tf.AUTO_REUSE):\n    w = tf.get_variable('w', [3])\n", (), "clean"),
    Case("inherited-reuse-existing", TF + """\
with tf.variable_scope('outer'):
    with tf.variable_scope('inner'):
        a = tf.get_variable('w', [1])
with tf.variable_scope('outer', reuse=True):
    with tf.variable_scope('inner'):
        b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("opaque-call-may-create", TF + """\
import mylib
mylib.build()
with tf.variable_scope('model', reuse=True):
    w = tf.get_variable('w', [3])
""", (), "skip"),
    Case("reuse-variables-then-fetch", TF + """\
with tf.variable_scope('d') as scope:
    a = tf.get_variable('w', [1])
    scope.reuse_variables()
    b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("unknown-context-function", TF + """\
def tower(x):
    with tf.variable_scope('t', reuse=True):
        return tf.get_variable('w', [1])
""", (), "clean"),
    Case("template-second-call", TF + """\
def f(x):
    return tf.matmul(x, tf.get_variable('w', [4, 1]))
t = tf.make_template('net', f)
x = tf.placeholder(tf.float32, [None, 4])
a = t(x)
b = t(x)
""", (), "clean"),
]


def case(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint(case.source)) == sorted(case.expected)


def test_message_and_predicted_name() -> None:
    (found,) = lint(case("builder-first-call-reuses").source)
    assert found.severity.value == "error"
    assert found.data["predicted_name"] == "net/dense/kernel"
    assert "'net/dense/kernel'" in found.message and "reuse=True" in found.message


def test_reuse_false_inside_reuse_names_inner_scope() -> None:
    (found,) = lint(case("reuse-false-does-not-undo").source)
    assert found.data["predicted_name"] == "r/q/w"


def test_at_the_misspelled_scope_with_the_failing_creation_related() -> None:
    (found,) = lint(case("typo-scope-in-a-builder").source)
    assert (found.line, found.column, found.end_line, found.end_column) == (6, 10, 6, 49)
    assert found.message == (
        "`tf.get_variable` at line 7 via decode() asks for variable 'encodr/w' under the reuse=True requested here, "
        "but nothing created it before: TF raises 'does not exist'; create it first (the first call without reuse) "
        "or use reuse=tf.AUTO_REUSE"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 7, "column": 29, "message": "`tf.get_variable` fails here: 'encodr/w' does not exist"},
        {"path": "case.py", "line": 10, "column": 5, "message": "the call that leads to `tf.get_variable`"},
    ]


def test_at_the_call_that_passes_reuse_true() -> None:
    (found,) = lint(case("reuse-passed-through-builders").source)
    assert (found.line, found.column, found.data["predicted_name"]) == (8, 12, "net/dense/kernel")
    assert [(r["line"], r["message"]) for r in found.data["related"]] == [
        (4, "`tf.layers.dense` fails here: 'net/dense/kernel' does not exist"),
        (10, "the call that leads to `tf.layers.dense`"),
    ]


def test_creation_on_the_request_line_names_no_other_line() -> None:
    (found,) = lint(case("slim-layer-reuse-first").source)
    assert found.line == 4 and "related" not in found.data
    assert found.message.startswith("`slim.conv2d` asks for variable 'c1/weights' under reuse=True, but nothing created it before")


@pytest.mark.parametrize("call", ["super().setUp()", "super(ModelTest, self).setUp()", "tf.test.TestCase.setUp(self)"])
def test_test_case_setup_calling_its_base_is_followed(call: str) -> None:
    # The base TestCase.setUp() makes no variables: the test method's reuse of a name setUp
    # never made is still reported (an unfollowed call there would silence it).
    source = case("test-case-method-reuses-what-setup-did-not-make").source.replace("super().setUp()", call)
    assert [d.line for d in lint(source)] == [8]
