"""SL201 variable-already-exists: model + check, with clean look-alikes.

Every program here also runs under TF in tests/test_sl2_programs_tf.py: a case
expecting an error-severity finding must make TF raise, a clean one must not.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from scopelint.api import lint_paths, lint_source
from scopelint.config import Config
from scopelint.engine import EngineOptions

CODE = "SL201"
TF = "import tensorflow.compat.v1 as tf\n"


class Case(NamedTuple):
    id: str
    source: str
    expected: tuple[int, ...]  # lines flagged with CODE
    tf: str  # "raises" | "clean" | "skip": what TF does with the program
    # Appended to the program when it runs under TF (not linted): asserts proving
    # what the case claims TF does, where an assert in the linted program would
    # itself tell the checks that the author knows.
    tf_check: str = ""


def every_caller(builder: str, reuse_parameter: str = "") -> str:
    """Under TF, call the program's uncalled ``builder`` as every kind of caller would: at the
    root and in a scope, with reuse=tf.AUTO_REUSE, with reuse=True after filling the store
    first, and with its own reuse argument (when it has one) None, False, True and AUTO_REUSE;
    each must raise ValueError. Then build once more at the root of a fresh graph, which
    raises as the case expects. Its tensor arguments are placeholders of shape [None, 4]."""
    arguments = f"[dict({reuse_parameter}=r) for r in (None, False, True, tf.AUTO_REUSE)]" if reuse_parameter else "[dict()]"
    return f"""
def _raises(build):
    try:
        build()
    except ValueError:
        return True
    return False
def _inputs(count):
    return [tf.placeholder(tf.float32, [None, 4]) for _ in range(count)]
for _kwargs in {arguments}:
    _build = lambda: {builder}(*_inputs({builder}.__code__.co_argcount - len(_kwargs)), **_kwargs)
    for _scope, _reuse in (('', None), ('caller', None), ('caller', tf.AUTO_REUSE), ('caller', True)):
        tf.reset_default_graph()
        if _reuse is True:
            with tf.variable_scope(_scope, reuse=tf.AUTO_REUSE):
                _raises(_build)  # the caller made what it could first
        with tf.variable_scope(_scope or tf.get_variable_scope(), reuse=_reuse):
            assert _raises(_build), (_scope, _reuse, _kwargs)
tf.reset_default_graph()
_kwargs = {arguments}[0]
{builder}(*_inputs({builder}.__code__.co_argcount - len(_kwargs)), **_kwargs)
"""


# A builder the graph cases call (lines 2-4 of each program).
MODEL = """\
def model(x):
    with tf.variable_scope('net'):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
"""

# Under TF, run each test method of a tf.test.TestCase program as unittest would
# (setUp, the method, tearDown); an error escapes with its traceback.
RUN_TESTS = """
for _name in sorted(n for n in vars({0}) if n.startswith('test')):
    _case = {0}(_name)
    _case.setUp()
    try:
        getattr(_case, _name)()
    finally:
        _case.tearDown()
"""


def lint(source: str, code: str = CODE) -> list:
    return lint_source(source, path="case.py", config=Config(select=(code,)))


# A base class whose __init__ makes m/w (lines 2-5 after TF).
BASE_MAKES_M_W = """\
class Base:
    def __init__(self):
        with tf.variable_scope('m'):
            self.w = tf.get_variable('w', [3])
"""

CASES = [
    Case("duplicate-get-variable", TF + "a = tf.get_variable('w', [1])\nb = tf.get_variable('w', [1])\n", (3,), "raises"),
    Case("builder-twice-same-scope", TF + """\
def dense(x):
    return tf.matmul(x, tf.get_variable('w', [4, 4]))
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('layer'):
    h = dense(x)
with tf.variable_scope('layer'):
    y = dense(h)
""", (8,), "raises"),
    Case("named-tf-layer-twice", TF + """\
def discriminator(x):
    with tf.variable_scope('discriminator'):
        return tf.layers.dense(x, 1, name='out')
x = tf.placeholder(tf.float32, [None, 4])
a = discriminator(x)
b = discriminator(x)
""", (7,), "raises"),
    Case("tower-loop-without-reuse", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
for i in range(2):
    with tf.variable_scope('net'):
        y = tf.layers.dense(x, 2, name='fc')
""", (5,), "raises"),
    Case("slim-scope-twice", TF + """\
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
a = slim.conv2d(x, 4, 3, scope='c1')
b = slim.conv2d(x, 4, 3, scope='c1')
""", (5,), "raises"),
    Case("dynamic-rnn-twice", TF + """\
x = tf.placeholder(tf.float32, [None, 5, 3])
o1, s1 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), x, dtype=tf.float32)
o2, s2 = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(4), x, dtype=tf.float32)
""", (4,), "raises"),
    Case("resnet-twice-without-reuse", TF + """\
import tensornets as nets
x = tf.placeholder(tf.float32, [None, 224, 224, 3])
with tf.variable_scope('yoo'):
    m1 = nets.ResNet50(x)
    m2 = nets.ResNet50(x)
""", (6,), "skip"),
    # Clean look-alikes a naive check would flag.
    Case("reuse-true-second", TF + """\
def dense(x):
    return tf.matmul(x, tf.get_variable('w', [4, 4]))
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope('layer'):
    h = dense(x)
with tf.variable_scope('layer', reuse=True):
    y = dense(h)
""", (), "clean"),
    Case("auto-reuse", TF + """\
def tower(x):
    with tf.variable_scope('tower', reuse=tf.AUTO_REUSE):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
x = tf.placeholder(tf.float32, [None, 4])
a = tower(x)
b = tower(x)
""", (), "clean"),
    Case("reuse-parameter", TF + """\
def discriminator(x, reuse=False):
    with tf.variable_scope('discriminator', reuse=reuse):
        return tf.layers.dense(x, 1, name='out')
x = tf.placeholder(tf.float32, [None, 4])
a = discriminator(x)
b = discriminator(x, reuse=True)
""", (), "clean"),
    Case("captured-scope-object", TF + """\
with tf.variable_scope('enc') as scope:
    a = tf.get_variable('w', [1])
with tf.variable_scope('other'):
    with tf.variable_scope(scope, reuse=True):
        b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("captured-scope-reuse-variables", TF + """\
with tf.variable_scope('image_filters') as scope:
    a = tf.get_variable('w', [1])
    scope.reuse_variables()
    b = tf.get_variable('w', [1])
""", (), "clean"),
    Case("make-template", TF + """\
def f(x):
    return tf.matmul(x, tf.get_variable('w', [4, 1]))
net = tf.make_template('net', f)
x = tf.placeholder(tf.float32, [None, 4])
a = net(x)
b = net(x)
""", (), "clean"),
    Case("reuse-i-greater-than-zero", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
for i in range(3):
    with tf.variable_scope('net', reuse=(i > 0)):
        y = tf.layers.dense(x, 2, name='fc')
""", (), "clean"),
    Case("seed-clone-name-scopes-auto-reuse", TF + """\
import tensornets as nets
x1 = tf.placeholder(tf.float32, [None, 224, 224, 3])
x2 = tf.placeholder(tf.float32, [None, 224, 224, 3])
with tf.name_scope('clone0'):
    model1 = nets.ResNet50(x1, reuse=tf.AUTO_REUSE)
with tf.name_scope('clone1'):
    model2 = nets.ResNet50(x2, reuse=tf.AUTO_REUSE)
""", (), "skip"),
    Case("partial-with-auto-reuse", TF + """\
import functools
import tensornets as nets
x = tf.placeholder(tf.float32, [None, 224, 224, 3])
resnet = functools.partial(nets.ResNet50, reuse=tf.AUTO_REUSE)
m1 = resnet(x)
m2 = resnet(x)
""", (), "skip"),
    Case("fresh-graph-each-time", TF + """\
for _ in range(2):
    with tf.Graph().as_default():
        w = tf.get_variable('w', [1])
""", (), "clean"),
    Case("expected-error", TF + """\
a = tf.get_variable('w', [1])
try:
    b = tf.get_variable('w', [1])
except ValueError as e:
    print(e)
""", (), "clean"),
    Case("default-named-layers-uniquify", TF + """\
x = tf.placeholder(tf.float32, [None, 4])
a = tf.layers.dense(x, 3)
b = tf.layers.dense(x, 3)
with tf.variable_scope('m'):
    c = tf.layers.dense(x, 3)
with tf.variable_scope('m', reuse=True):
    d = tf.layers.dense(x, 3)
""", (), "clean"),
    Case("tf-variable-is-not-in-the-variable-store", TF + "a = tf.Variable(1.0, name='w')\nb = tf.get_variable('w', [1])\n", (), "clean"),
    Case("tf-variable-never-collides", TF + "a = tf.Variable(1.0, name='w')\nb = tf.Variable(1.0, name='w')\n", (), "clean"),
    # Scripts: the `__main__` guard is true when the file runs; app.run calls main(argv).
    Case("main-guard-builder-twice", TF + """\
def model(x):
    with tf.variable_scope('net'):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
def main():
    x = tf.placeholder(tf.float32, [None, 4])
    a = model(x)
    b = model(x)
if __name__ == "__main__":
    main()
""", (8,), "raises"),
    Case("tf-app-run-main-builder-twice", TF + """\
def model(x):
    with tf.variable_scope('net'):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
def main(_):
    x = tf.placeholder(tf.float32, [None, 4])
    a = model(x)
    b = model(x)
if __name__ == '__main__':
    tf.app.run(main)
""", (8,), "raises"),
    Case("absl-app-run-builder-twice", TF + """\
from absl import app
def model(x):
    with tf.variable_scope('net'):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
def main(argv):
    x = tf.placeholder(tf.float32, [None, 4])
    a = model(x)
    b = model(x)
if __name__ == '__main__':
    app.run(main)
""", (9,), "raises"),
    Case("tf-app-run-calls-the-module-main", TF + """\
def model(x):
    with tf.variable_scope('net'):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
def main(_):
    x = tf.placeholder(tf.float32, [None, 4])
    a = model(x)
    b = model(x)
if __name__ == '__main__':
    tf.app.run()
""", (8,), "skip"),  # the oracle exec()s programs: its own module is sys.modules['__main__'], whose main TF would call
    Case("main-guard-reuse-second", TF + """\
def model(x, reuse=False):
    with tf.variable_scope('net', reuse=reuse):
        return tf.matmul(x, tf.get_variable('w', [4, 4]))
def main():
    x = tf.placeholder(tf.float32, [None, 4])
    a = model(x)
    b = model(x, reuse=True)
if __name__ == "__main__":
    main()
""", (), "clean"),
    # Reported where the second creation's call chain leaves the first's: the second
    # linear() inside mlp(), not the mlp() call at the top.
    Case("chain-leaves-inside-builder", TF + """\
def linear(x, n):
    return tf.matmul(x, tf.get_variable('w', [4, n]))
def mlp(x):
    h = linear(x, 4)
    return linear(h, 10)
x = tf.placeholder(tf.float32, [None, 4])
logits = mlp(x)
""", (6,), "raises"),
    # A tower loop calling a builder again: at that call, on the loop's second turn.
    Case("tower-loop-calls-builder-again", TF + """\
def tower_loss(x):
    return tf.reduce_sum(tf.matmul(x, tf.get_variable('w', [4, 1])))
x = tf.placeholder(tf.float32, [None, 4])
for i in range(2):
    with tf.name_scope('tower_%d' % i):
        loss = tower_loss(x)
""", (7,), "raises"),
    # Two builders create the same name: at the call of the second, via the calls there.
    Case("two-builders-one-name", TF + """\
def conv(x):
    return tf.get_variable('w', [1])
def fc(x):
    return tf.get_variable('w', [1])
def net(x):
    with tf.variable_scope('net'):
        a = conv(x)
        return fc(a)
y = net(tf.placeholder(tf.float32, [None, 1]))
""", (9,), "raises"),
    # tensor2tensor common_video.basic_lstm: a new cell object each time step, sharing
    # through the cell's own reuse=tf.AUTO_REUSE (its test counts 46,800 parameters).
    Case("cell-with-its-own-auto-reuse-per-step", TF + """\
def basic_lstm(inputs, state, num_units, name=None):
    cell = tf.nn.rnn_cell.BasicLSTMCell(num_units, name=name, reuse=tf.AUTO_REUSE)
    if state is None:
        state = cell.zero_state(32, tf.float32)
    return cell(inputs, state)
state = None
for _ in range(3):
    inputs = tf.random_uniform(shape=(32, 16))
    _, state = basic_lstm(inputs, state, num_units=100, name="basic")
""", (), "clean", "assert sorted(v.name for v in tf.global_variables()) == ['basic/bias:0', 'basic/kernel:0']\n"),
    Case("unknown-branch", TF + """\
import sys
if len(sys.argv) > 5:
    w = tf.get_variable('w', [1])
else:
    w = tf.get_variable('w', [1])
""", (), "clean"),
    # Graphs: a fresh graph starts a fresh variable store (tfgraphs.py); one default graph is shared.
    Case("graph-test-case-session-fresh-graph-per-block", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_twice(self):
        with self.session(graph=tf.Graph()):
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.session(graph=tf.Graph()) as sess:
            model(tf.placeholder(tf.float32, [None, 4]))
    def test_again(self):
        with self.session(graph=tf.Graph()):
            model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-test-session-fresh-graph-per-block", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_twice(self):
        with self.test_session(graph=tf.Graph()):
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.test_session(graph=tf.Graph()):
            model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-session-on-a-graph-the-model-cannot-see", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.graph = tf.Graph()
    def test_default_then_other(self):
        model(tf.placeholder(tf.float32, [None, 4]))
        with self.session(graph=self.graph):
            model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-session-default-graph-twice", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_twice(self):
        with self.session():
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.session():
            model(tf.placeholder(tf.float32, [None, 4]))
""", (10,), "raises", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-cached-session-twice", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_twice(self):
        with self.cached_session():
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.cached_session() as sess:
            model(tf.placeholder(tf.float32, [None, 4]))
""", (10,), "raises", RUN_TESTS.format("ModelTest")),
    # Each test method has its own cached session, in its own default graph (tf-slim's vgg_test).
    Case("graph-test-case-cached-session-in-every-method", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_a(self):
        with self.cached_session():
            model(tf.placeholder(tf.float32, [None, 4]))
    def test_b(self):
        with self.cached_session():
            model(tf.placeholder(tf.float32, [None, 4]))
    def test_c(self):
        with self.cached_session() as sess:
            model(tf.placeholder(tf.float32, [None, 4]))
    def test_d(self):
        with self.test_session():
            model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-test-session-default-graph-twice", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_twice(self):
        with self.test_session():
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.test_session():
            model(tf.placeholder(tf.float32, [None, 4]))
""", (10,), "raises", RUN_TESTS.format("ModelTest")),
    # cached_session() keeps the session of its first call: the second enters that graph again.
    Case("graph-test-case-cached-session-keeps-its-first-graph", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_sticky(self):
        with tf.Graph().as_default():
            with self.cached_session():
                model(tf.placeholder(tf.float32, [None, 4]))
        with self.cached_session():
            model(tf.placeholder(tf.float32, [None, 4]))
""", (11,), "raises", RUN_TESTS.format("ModelTest")),
    Case("graph-test-case-session-on-a-graph-built-before", TF + MODEL + """\
class ModelTest(tf.test.TestCase):
    def test_reused_graph(self):
        g = tf.Graph()
        with g.as_default():
            model(tf.placeholder(tf.float32, [None, 4]))
        with self.session(graph=g):
            model(tf.placeholder(tf.float32, [None, 4]))
""", (11,), "raises", RUN_TESTS.format("ModelTest")),
    Case("graph-session-on-one-graph-twice", TF + MODEL + """\
g = tf.Graph()
with tf.Session(graph=g):
    model(tf.placeholder(tf.float32, [None, 4]))
with tf.Session('', g):
    model(tf.placeholder(tf.float32, [None, 4]))
""", (9,), "raises"),
    Case("graph-session-on-a-fresh-graph-each-time", TF + MODEL + """\
for _ in range(2):
    with tf.Session(graph=tf.Graph()):
        model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean"),
    Case("graph-reset-default-graph-between-builds", TF + MODEL + """\
model(tf.placeholder(tf.float32, [None, 4]))
tf.reset_default_graph()
model(tf.placeholder(tf.float32, [None, 4]))
""", (), "clean"),
    # Notebook style: the default graph outlives the fresh one; building there again collides.
    # Functions nobody calls run under an unknown caller ({scope}, reuse unknown): only what
    # raises whatever the caller's scope and reuse is reported (every_caller() proves it under TF).
    Case("uncalled-builder-calls-a-helper-twice-with-unsharable-shapes", TF + """\
def linear(x, n):
    return tf.matmul(x, tf.get_variable('w', [x.get_shape()[-1], n]))
def mlp(x):
    h = linear(x, 32)
    return linear(h, 10)
""", (6,), "raises", every_caller("mlp")),
    Case("uncalled-builder-one-name-twice-with-unsharable-shapes", TF + """\
def block():
    with tf.variable_scope('fc'):
        a = tf.get_variable('w', [3, 4])
    with tf.variable_scope('fc'):
        b = tf.get_variable('w', [4, 4])
    return a, b
""", (6,), "raises", every_caller("block")),
    Case("uncalled-builder-with-a-reuse-parameter-and-unsharable-shapes", TF + """\
def block(reuse):
    with tf.variable_scope('m', reuse=reuse):
        a = tf.get_variable('w', [3])
        b = tf.get_variable('w', [4])
""", (5,), "raises", every_caller("block", "reuse")),
    # A caller with reuse=tf.AUTO_REUSE shares one variable between the two: not for every caller.
    Case("uncalled-builder-one-name-twice-with-one-shape", TF + """\
def block():
    with tf.variable_scope('fc'):
        a = tf.get_variable('w', [3, 4])
    with tf.variable_scope('fc'):
        b = tf.get_variable('w', [3, 4])
    return a, b
""", (), "clean", "with tf.variable_scope('caller', reuse=tf.AUTO_REUSE):\n    a, b = block()\nassert a is b\n"),
    # Default names are uniquified against what the caller opened before: b, b_1 (or b_3, b_4).
    Case("uncalled-builder-default-named-scopes", TF + """\
def block():
    with tf.variable_scope(None, default_name='b'):
        a = tf.get_variable('w', [3])
    with tf.variable_scope(None, default_name='b'):
        b = tf.get_variable('w', [4])
    return a, b
""", (), "clean", "a, b = block()\nassert (a.name, b.name) == ('b/w:0', 'b_1/w:0')\n"),
    # __init__ and a method may run under two callers' scopes: not one {scope}.
    Case("uncalled-method-and-init-under-two-scopes", TF + """\
class Model:
    def __init__(self):
        self.w = tf.get_variable('w', [3])
    def build(self):
        return tf.get_variable('w', [4])
""", (), "clean", "m = Model()\nwith tf.variable_scope('tower'):\n    w = m.build()\nassert w.name == 'tower/w:0'\n"),
    Case("graph-default-graph-outlives-a-fresh-one", TF + MODEL + """\
model(tf.placeholder(tf.float32, [None, 4]))
with tf.Graph().as_default():
    model(tf.placeholder(tf.float32, [None, 4]))
model(tf.placeholder(tf.float32, [None, 4]))
""", (8,), "raises"),
    # super().__init__() runs the base's __init__ on the same object: its variables exist.
    Case("class-super-init-made-the-name-already", TF + BASE_MAKES_M_W + """\
class Sub(Base):
    def __init__(self):
        super().__init__()
        with tf.variable_scope('m'):
            self.v = tf.get_variable('w', [3])
Sub()
""", (10,), "raises"),
    Case("class-super-init-then-reuse", TF + BASE_MAKES_M_W + """\
class Sub(Base):
    def __init__(self):
        super(Sub, self).__init__()
        with tf.variable_scope('m', reuse=True):
            self.v = tf.get_variable('w', [3])
        assert self.v is self.w
Sub()
""", (), "clean"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    assert sorted(d.line for d in lint(case.source)) == sorted(case.expected)


def test_message_names_variable_and_first_creation() -> None:
    case = next(c for c in CASES if c.id == "builder-twice-same-scope")
    (found,) = lint(case.source)
    assert found.code == CODE and found.severity.value == "error"
    assert found.data["predicted_name"] == "layer/w"
    assert found.message.startswith("`tf.get_variable` via dense() creates variable 'layer/w', which already exists (created at line 3): ")
    assert found.data["related"] == [
        {"path": "case.py", "line": 3, "column": 25, "message": "'layer/w' first created here"},
        {"path": "case.py", "line": 6, "column": 9, "message": "the call that first created 'layer/w'"},
    ]


def test_chain_in_the_message_and_the_way_to_both_creations() -> None:
    """mlp() calls linear(x, 4) then linear(h, 10): at the second linear(...), the calls
    named, and related: the get_variable in the builder and the first linear(...) call."""
    (found,) = lint(next(c for c in CASES if c.id == "chain-leaves-inside-builder").source)
    assert (found.line, found.column, found.end_line, found.end_column) == (6, 12, 6, 25)
    assert found.message == (
        "`tf.get_variable` via mlp() -> linear() creates variable 'w', which already exists (created at line 3): "
        "TF raises 'already exists, disallowed'; pass reuse=True or reuse=tf.AUTO_REUSE to share it, or use another scope"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 3, "column": 25, "message": "'w' first created here"},
        {"path": "case.py", "line": 5, "column": 9, "message": "the call that first created 'w'"},
    ]


def test_two_builders_one_name_point_at_both_creations() -> None:
    (found,) = lint(next(c for c in CASES if c.id == "two-builders-one-name").source)
    assert (found.line, found.data["predicted_name"]) == (9, "net/w")
    assert "`tf.get_variable` via net() -> fc() creates variable 'net/w'" in found.message
    assert [(r["line"], r["message"]) for r in found.data["related"]] == [
        (3, "'net/w' first created here"),
        (8, "the call that first created 'net/w'"),
        (5, "`tf.get_variable` creates 'net/w' again here"),
    ]


def test_no_chain_no_via() -> None:
    (found,) = lint(CASES[0].source)
    assert found.message.startswith("`tf.get_variable` creates variable 'w', which already exists (created at line 2)")
    assert found.data["related"] == [{"path": "case.py", "line": 2, "column": 5, "message": "'w' first created here"}]


def test_layer_collision_names_first_variable() -> None:
    case = next(c for c in CASES if c.id == "named-tf-layer-twice")
    (found,) = lint(case.source)
    assert found.data["predicted_name"] == "discriminator/out/kernel"


def test_unknown_reuse_in_uncalled_function_is_silent() -> None:
    source = TF + "def model(x, reuse):\n    with tf.variable_scope('m', reuse=reuse):\n        a = tf.get_variable('w', [1])\n        b = tf.get_variable('w', [1])\n"
    assert lint(source) == []


def test_builder_imported_from_another_module(tmp_path: Path) -> None:
    (tmp_path / "layers_lib.py").write_text(TF + "def dense(x):\n    return tf.matmul(x, tf.get_variable('w', [4, 4]))\n")
    (tmp_path / "train.py").write_text(
        TF + "from layers_lib import dense\nx = tf.placeholder(tf.float32, [None, 4])\n"
        "with tf.variable_scope('a'):\n    h = dense(x)\n    y = dense(h)\n"
    )
    found = lint_paths([tmp_path], Config(select=(CODE,), root=str(tmp_path)), EngineOptions(use_cache=False, jobs=1))
    assert [(Path(d.path).name, d.line, d.data["predicted_name"]) for d in found] == [("train.py", 6, "a/w")]


def test_method_builder_called_twice() -> None:
    source = TF + """\
class Model:
    def build(self, x):
        with tf.variable_scope('model'):
            return tf.layers.dense(x, 2)
    def __call__(self, x):
        return self.build(x)
m = Model()
x = tf.placeholder(tf.float32, [None, 4])
a = m(x)
b = m.build(x)
"""
    # tf.layers default names uniquify: model/dense, then model/dense again
    # (sub-scope counts reset when "model" closes) -> TF raises on the second.
    assert [(d.line, d.data["predicted_name"]) for d in lint(source)] == [(11, "model/dense/kernel")]


def test_tower_loop_relates_the_builder_not_its_own_call_again() -> None:
    """The same call in the loop's next turn: related is the creation in the builder, not the call again."""
    (found,) = lint(next(c for c in CASES if c.id == "tower-loop-calls-builder-again").source)
    assert (found.line, found.column) == (7, 16)
    assert found.message.startswith("`tf.get_variable` via tower_loss() creates variable 'w', which already exists (created at line 3)")
    assert found.data["related"] == [{"path": "case.py", "line": 3, "column": 39, "message": "'w' first created here"}]


def test_uncalled_builder_collision_says_it_raises_for_every_caller() -> None:
    case = next(c for c in CASES if c.id == "uncalled-builder-calls-a-helper-twice-with-unsharable-shapes")
    (found,) = lint(case.source)
    assert (found.code, found.line, found.data["predicted_name"]) == (CODE, 6, "{scope}/w")
    assert found.message == (
        "`tf.get_variable` via linear() asks for variable '{scope}/w' with shape (?, 10), which line 3 already asked for with shape "
        "(?, 32) ({scope}: the caller's variable scope): whatever scope and reuse it is called with, TF raises "
        "('already exists, disallowed' without reuse, 'Trying to share variable' under reuse); give one of them another "
        "name or scope"
    )
    assert found.data["related"] == [
        {"path": "case.py", "line": 3, "column": 25, "message": "'{scope}/w' first created here"},
        {"path": "case.py", "line": 5, "column": 9, "message": "the call that first created '{scope}/w'"},
    ]
