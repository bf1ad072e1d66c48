"""tf.layers layer objects against TF: ``name=`` of an object is the base of a default
name (TF opens ``variable_scope(None, default_name=name)`` on its first call), so a
second ``Dense(name='m')`` in the same scope builds ``m_1``; with ``_reuse=`` the name is
the scope itself; a scope entered again counts default names afresh (TF closes the
sub-scopes' counts when a scope ends), so re-entering ``dec`` under reuse shares."""

from __future__ import annotations

import pytest

from scopelint.api import describe_variables, lint_source
from tf_oracle import run_programs

pytestmark = pytest.mark.tf

HEAD = "import tensorflow.compat.v1 as tf\nx = tf.zeros([2, 3])\n"

PROGRAMS: dict[str, str] = {
    "two-objects-one-name": HEAD + """\
a = tf.layers.Dense(4, name='m')(x)
b = tf.layers.Dense(4, name='m')(x)
c = tf.layers.Dense(4)(x)
d = tf.layers.Dense(4)(x)
""",
    "object-in-a-scope-entered-again-under-reuse": HEAD + """\
with tf.variable_scope('dec'):
    a = tf.layers.Dense(4, name='memory_layer')(x)
with tf.variable_scope('dec', reuse=True):
    b = tf.layers.Dense(4, name='memory_layer')(x)
""",
    "object-with-reuse-argument": HEAD + """\
a = tf.layers.Dense(4, name='m')(x)
b = tf.layers.Dense(4, name='m', _reuse=True)(x)
""",
    "unnamed-calls-in-a-loop-under-auto-reuse": HEAD + """\
for i in range(3):
    with tf.variable_scope('s', reuse=tf.AUTO_REUSE):
        y = tf.layers.dense(x, 4)
with tf.variable_scope('t', reuse=tf.AUTO_REUSE):
    for i in range(3):
        z = tf.layers.dense(x, 4)
""",
    "slim-unnamed-in-a-loop-under-auto-reuse": HEAD + """\
import tf_slim as slim
with tf.variable_scope('u', reuse=tf.AUTO_REUSE):
    for i in range(2):
        q = slim.fully_connected(x, 4)
        r = slim.fully_connected(x, 4, scope='fc')
""",
    "stacked-unnamed-layers-in-a-loop-under-auto-reuse": HEAD + """\
with tf.variable_scope('stack', reuse=tf.AUTO_REUSE):
    h = x
    for i in range(3):
        h = tf.layers.dense(h, 3)
""",
    "object-after-reuse-variables": HEAD + """\
with tf.variable_scope('dec') as sc:
    a = tf.layers.Dense(4, name='memory_layer')(x)
    sc.reuse_variables()
    b = tf.layers.Dense(4, name='memory_layer')(x)
    c = tf.layers.dense(x, 4, name='memory_layer')
""",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, object]:
    return dict(zip(PROGRAMS, run_programs(list(PROGRAMS.values()))))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_created_names_are_tfs(name: str, outcomes: dict[str, object]) -> None:
    created = [(i.predicted_name, i.line) for i in describe_variables(PROGRAMS[name], "prog.py") if i.action == "create"]
    assert created == [(r.name, r.line) for r in outcomes[name].variables]  # type: ignore[attr-defined]


def test_a_second_object_of_the_same_name_is_a_new_layer_not_a_collision(outcomes: dict[str, object]) -> None:
    names = [i.predicted_name for i in describe_variables(PROGRAMS["two-objects-one-name"], "prog.py")]
    assert names[:4] == ["m/kernel", "m/bias", "m_1/kernel", "m_1/bias"]
    assert outcomes["two-objects-one-name"].error is None  # type: ignore[attr-defined]
    assert lint_source(PROGRAMS["two-objects-one-name"], "prog.py") == []


def test_objects_share_where_tf_shares(outcomes: dict[str, object]) -> None:
    for name in ("object-in-a-scope-entered-again-under-reuse", "object-with-reuse-argument"):
        infos = describe_variables(PROGRAMS[name], "prog.py")
        reused = [i.predicted_name for i in infos if i.action == "reuse"]
        assert reused == [r.name for r in outcomes[name].variables]  # type: ignore[attr-defined]
        assert lint_source(PROGRAMS[name], "prog.py") == []


def test_a_second_object_under_reuse_variables_asks_for_a_name_that_does_not_exist(outcomes: dict[str, object]) -> None:
    program = PROGRAMS["object-after-reuse-variables"]
    error = outcomes["object-after-reuse-variables"].error  # type: ignore[attr-defined]
    assert error.startswith("ValueError: Variable dec/memory_layer_1/kernel does not exist")
    assert outcomes["object-after-reuse-variables"].error_line == 6  # type: ignore[attr-defined]
    (found,) = lint_source(program, "prog.py")
    # Reported where reuse was asked for (sc.reuse_variables()), pointing at the failing line.
    assert (found.code, found.data["predicted_name"]) == ("SL202", "dec/memory_layer_1/kernel")
    assert 6 in (found.line, *(r["line"] for r in found.data["related"]))


def test_an_unnamed_layer_run_again_in_one_auto_reuse_scope_is_a_silent_copy(outcomes: dict[str, object]) -> None:
    loop = PROGRAMS["unnamed-calls-in-a-loop-under-auto-reuse"]
    names = [r.name for r in outcomes["unnamed-calls-in-a-loop-under-auto-reuse"].variables]  # type: ignore[attr-defined]
    assert names == ["s/dense/kernel", "s/dense/bias"] + [f"t/dense{k}/{v}" for k in ("", "_1", "_2") for v in ("kernel", "bias")]
    (found,) = lint_source(loop, "prog.py")
    assert (found.code, found.line, found.data["predicted_name"]) == ("SL204", 8, "t/dense_1/kernel")
    assert "instead of sharing 't/dense/kernel'" in found.message
    slim_loop = PROGRAMS["slim-unnamed-in-a-loop-under-auto-reuse"]
    (found,) = lint_source(slim_loop, "prog.py")
    assert (found.code, found.line, found.data["predicted_name"]) == ("SL204", 6, "u/fully_connected_1/weights")


def test_a_loop_that_stacks_unnamed_layers_on_their_own_outputs_is_not_a_copy(outcomes: dict[str, object]) -> None:
    # Each pass feeds the last pass's output: three layers, built on purpose (TF: dense, dense_1, dense_2).
    program = PROGRAMS["stacked-unnamed-layers-in-a-loop-under-auto-reuse"]
    names = [r.name for r in outcomes["stacked-unnamed-layers-in-a-loop-under-auto-reuse"].variables]  # type: ignore[attr-defined]
    assert names == [f"stack/dense{k}/{v}" for k in ("", "_1", "_2") for v in ("kernel", "bias")]
    assert [(d.code, d.line) for d in lint_source(program, "prog.py")] == []
