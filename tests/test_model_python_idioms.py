"""Python the model follows across modules, as tensornets is written: ``from .ops import *``,
module-level ``relu = wrap(tf.nn.relu)`` through a wrapper factory, decorators that
return wrappers. The names are TF's (tf.layers under variable scopes, proven in
tests/test_explain_names_tf.py; the decorated builders in tests/test_python_idioms_tf.py)."""

from __future__ import annotations

from scopelint.model import analyze, describe, events, facts_from_source

TF = "import tensorflow.compat.v1 as tf\n"

UTIL = TF + """\
def var_scope(name):
    def decorator(func):
        def wrapper(*args, **kwargs):
            with tf.variable_scope(kwargs.get('scope', name), reuse=kwargs.get('reuse', None)):
                return func(*args, **kwargs)
        return wrapper
    return decorator

def wrap(func):
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper
"""
OPS = TF + """\
from .util import wrap
dense = wrap(tf.layers.dense)
relu = wrap(tf.nn.relu)
"""
NETS = TF + """\
from .ops import *
from .util import var_scope

@var_scope('net')
def net(x, scope=None, reuse=None):
    return relu(dense(x, 4, name='fc'))
"""
MAIN = TF + """\
from pkg.nets import net
x = tf.placeholder(tf.float32, [None, 3])
y = net(x)
z = net(x, scope='b')
again = net(x, reuse=True)
"""


def _project() -> dict:
    return {
        name: facts_from_source(text, path=f"pkg/{name.split('.')[-1]}.py", module_name=name)
        for name, text in (("pkg", ""), ("pkg.util", UTIL), ("pkg.ops", OPS), ("pkg.nets", NETS))
    }


def test_star_import_and_wrapper_factories_reach_the_layer() -> None:
    main = facts_from_source(MAIN, path="main.py", module_name=None)
    rows = [(i.predicted_name, i.action, i.site_line) for i in describe(main, _project())]
    assert rows == [
        ("net/fc/kernel", "create", 4), ("net/fc/bias", "create", 4),
        ("b/fc/kernel", "create", 5), ("b/fc/bias", "create", 5),
        ("net/fc/kernel", "reuse", 6), ("net/fc/bias", "reuse", 6),
    ]
    assert analyze(main, _project()).of_type(events.Unresolved) == []


def test_private_names_are_not_star_imported() -> None:
    nets = NETS.replace("relu(dense(", "_relu(dense(")
    ops = OPS + "_relu = wrap(tf.nn.relu)\n"
    project = {**_project(), "pkg.ops": facts_from_source(ops, path="pkg/ops.py", module_name="pkg.ops"),
               "pkg.nets": facts_from_source(nets, path="pkg/nets.py", module_name="pkg.nets")}
    main = facts_from_source(MAIN, path="main.py", module_name=None)
    reasons = [e.reason for e in analyze(main, project).of_type(events.Unresolved)]
    assert "unresolved call (name _relu)" in reasons


def test_a_decorator_the_model_cannot_read_keeps_the_call_opaque() -> None:
    source = TF + """\
import somewhere
@somewhere.magic
def build(x):
    return tf.layers.dense(x, 4)
y = build(tf.placeholder(tf.float32, [None, 3]))
"""
    result = analyze(facts_from_source(source, path="m.py", module_name=None), {})
    assert [e.reason for e in result.of_type(events.Unresolved)] == [
        "call of build through a decorator the model does not follow"]
    # Only the body run on its own, in an unknown scope: nothing at the call (line 6).
    infos = describe(facts_from_source(source, path="m.py", module_name=None))
    assert [(i.predicted_name, i.site_line) for i in infos] == [("{scope}/dense/kernel", 5), ("{scope}/dense/bias", 5)]


def test_contextmanager_body_runs_in_the_scope_the_generator_opened() -> None:
    source = TF + """\
import contextlib
@contextlib.contextmanager
def tower(i):
    with tf.variable_scope('tower_%d' % i):
        yield i
for i in range(2):
    with tower(i) as k:
        w = tf.get_variable('w', [1])
v = tf.get_variable('v', [1])
"""
    rows = [(i.predicted_name, i.line) for i in describe(facts_from_source(source, path="m.py", module_name=None))]
    assert rows == [("tower_0/w", 9), ("tower_1/w", 9), ("v", 10)]


def test_a_definition_under_a_module_level_if_is_found() -> None:
    ops = TF + """\
import distutils.version
def later(v):
    return distutils.version.LooseVersion(tf.__version__) > distutils.version.LooseVersion(v)
if later('1.5'):
    _mean = tf.reduce_mean
else:
    def _mean(x, axis=None):
        return tf.reduce_mean(x, axis)
def mean(x):
    return _mean(x, [1]) if later('1.0') else None
"""
    main = facts_from_source(TF + "from pkg.ops import mean\ny = mean(tf.zeros([2, 3]))\nw = tf.get_variable('w', [1])\n",
                             path="main.py", module_name=None)
    project = {"pkg": facts_from_source("", path="pkg/__init__.py", module_name="pkg"),
               "pkg.ops": facts_from_source(ops, path="pkg/ops.py", module_name="pkg.ops")}
    assert analyze(main, project).of_type(events.Unresolved) == []
