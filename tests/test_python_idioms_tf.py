"""Python idioms model libraries build their nets with, followed by the model and
compared with the names TF gives: decorators that return wrappers (tensornets'
``@var_scope``), ``*args``/``**kwargs`` forwarding with ``kwargs.pop('scope')``,
``@contextmanager`` generators that yield inside a scope or enter arg scopes by
hand (tensornets' ``set_args``/``arg_scopes``), ``sum(lists, [])``, and
``separable_conv2d(x, None, ...)`` (depthwise only)."""

from __future__ import annotations

import pytest

from scopelint.api import describe_variables
from tf_oracle import run_programs

pytestmark = pytest.mark.tf

HEAD = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\nx = tf.zeros([2, 8, 8, 3])\n"

DECORATOR = """\
import functools

def var_scope(name):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            scope = kwargs.get('scope', name)
            with tf.variable_scope(scope, reuse=kwargs.get('reuse', None)):
                return func(*args, **kwargs)
        return wrapper
    return decorator

@var_scope('block')
def block(x, depth, scope=None, reuse=None):
    return slim.conv2d(x, depth, 3, scope='conv')

@var_scope('net')
def net(x, scope=None, reuse=None):
    x = block(x, 4, scope='b1')
    x = block(x, 4)
    return slim.fully_connected(slim.flatten(x), 2, scope='logits')
"""

PROGRAMS: dict[str, str] = {
    # The same decorator on the net and its blocks: each wrapper is its own closure.
    "decorator-returns-a-wrapper": HEAD + DECORATOR + """\
y = net(x)
y2 = net(x, reuse=True)
y3 = net(x, scope='other')
""",
    "args-and-kwargs-forwarded": HEAD + """\
def convbn(*args, **kwargs):
    scope = kwargs.pop('scope', None)
    kwargs['biases_initializer'] = None
    with tf.variable_scope(scope):
        return slim.batch_norm(slim.conv2d(*args, **kwargs))

def two(inputs, *rest, **options):
    inputs = convbn(inputs, *rest, scope='first', **options)
    return convbn(inputs, *rest, **dict(options, scope='second'))

y = two(x, 4, 3, stride=2)
""",
    "contextmanager-generators": HEAD + """\
from contextlib import contextmanager

@contextmanager
def tower(name):
    with tf.variable_scope(name):
        yield

@contextmanager
def arg_scopes(scopes):
    for s in scopes:
        s.__enter__()
    yield

def largs(is_training):
    return [([slim.batch_norm], {'scale': True, 'is_training': is_training}),
            ([slim.conv2d], {'activation_fn': None, 'scope': 'conv'})]

with tower('t0'):
    a = slim.conv2d(x, 4, 3)
layers = sum([ops for (ops, _) in largs(False)], [])
with slim.arg_scope(layers, outputs_collections='outs'):
    with arg_scopes([slim.arg_scope(ops, **kw) for (ops, kw) in largs(False)]):
        with tf.variable_scope('b'):
            b = slim.batch_norm(slim.conv2d(x, 4, 3))
c = slim.conv2d(x, 4, 3)
""",
    "separable-without-pointwise": HEAD + """\
d = slim.separable_conv2d(x, None, 3, 1, scope='dw')
p = slim.separable_conv2d(x, 8, 3, 1, scope='sep')
""",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_names_are_tfs(name: str, outcomes: dict[str, object]) -> None:
    outcome = outcomes[name]
    assert outcome.error is None, outcome.error  # type: ignore[attr-defined]
    infos = describe_variables(PROGRAMS[name], "prog.py")
    created = sorted(i.predicted_name for i in infos if i.action == "create")
    assert created == sorted(set(outcome.variable_names))  # type: ignore[attr-defined]


def _line(program: str, statement: str) -> int:
    return program.splitlines().index(statement) + 1


def test_a_decorated_builder_opens_its_scope_and_shares_under_reuse(outcomes: dict[str, object]) -> None:
    program = PROGRAMS["decorator-returns-a-wrapper"]
    first, again, other = (_line(program, s) for s in ("y = net(x)", "y2 = net(x, reuse=True)", "y3 = net(x, scope='other')"))
    infos = describe_variables(program, "prog.py")
    by_line = {(i.site_line, i.predicted_name, i.action) for i in infos}
    assert {(first, "net/b1/conv/weights", "create"), (first, "net/block/conv/weights", "create"),
            (again, "net/b1/conv/weights", "reuse"), (other, "other/logits/weights", "create")} <= by_line
    assert [i.predicted_name for i in infos if i.site_line == again and i.action != "reuse"] == []


def test_kwargs_popped_and_forwarded(outcomes: dict[str, object]) -> None:
    names = [i.predicted_name for i in describe_variables(PROGRAMS["args-and-kwargs-forwarded"], "prog.py")]
    assert names[:2] == ["first/Conv/weights", "first/BatchNorm/beta"]
    assert "second/Conv/weights" in names and not any("biases" in n or "{" in n for n in names)


def test_the_with_body_runs_where_the_generator_yields(outcomes: dict[str, object]) -> None:
    names = {i.predicted_name for i in describe_variables(PROGRAMS["contextmanager-generators"], "prog.py")}
    assert {"t0/Conv/weights", "b/conv/weights", "b/BatchNorm/gamma", "Conv/weights"} <= names
    # activation_fn=None from the hand-entered arg scope; biases stay (no normalizer_fn)
    assert "b/conv/biases" in names
    assert "Conv/biases" in names


def test_separable_conv_without_outputs_has_no_pointwise_weights(outcomes: dict[str, object]) -> None:
    names = {i.predicted_name for i in describe_variables(PROGRAMS["separable-without-pointwise"], "prog.py")}
    assert names == {"dw/depthwise_weights", "dw/biases", "sep/depthwise_weights", "sep/pointwise_weights", "sep/biases"}
