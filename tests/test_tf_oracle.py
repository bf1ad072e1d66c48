"""The TF oracle reports what TF really names and raises: the seeds' claims, run.

All programs run in one TF child process (one import of TF for the module).
"""

from __future__ import annotations

import pytest

from tf_oracle import Outcome, VariableRecord, run_programs

pytestmark = pytest.mark.tf

PROGRAMS: dict[str, str] = {
    # seed 000 (tensornets notes): get_variable ignores name_scope, ops take both.
    "name_and_variable_scope": """\
import tensorflow.compat.v1 as tf
with tf.name_scope('foo'):
    with tf.variable_scope('goo'):
        with tf.name_scope('hoo'):
            w = tf.get_variable('w', [1])
            s = tf.constant(-1.0)
            y = s * w
            w2 = tf.get_variable('w', [1])
""",
    "auto_reuse": """\
import tensorflow.compat.v1 as tf
with tf.variable_scope('boo', reuse=tf.AUTO_REUSE):
    w1 = tf.get_variable('w', [1])
    w2 = tf.get_variable('w', [1])
    assert w1 is w2
    s = tf.constant(-1.0)
    y1 = s * w1
    y2 = s * w2
""",
    # seed 002: name_scope reopened becomes nsc1_1; tf.Variable takes vsc1 as a name scope.
    "reopened_name_scope": """\
import tensorflow.compat.v1 as tf
with tf.name_scope('nsc1'):
    v1 = tf.Variable([1], name='v1')
    with tf.variable_scope('vsc1'):
        v2 = tf.Variable([1], name='v2')
        v3 = tf.get_variable(name='v3', shape=[])
with tf.name_scope('nsc1'):
    v4 = tf.Variable([1], name='v4')
""",
    # seed 002: tf.Variable uniquifies, get_variable collides.
    "variable_uniquifies": """\
import tensorflow.compat.v1 as tf
a = tf.Variable([1, 2], dtype=tf.float32)
b = tf.Variable([1, 2], dtype=tf.float32, name='V')
c = tf.Variable([1, 2], dtype=tf.float32, name='V')
gv = tf.get_variable(name='gv', shape=[])

gv2 = tf.get_variable(name='gv', shape=[2])
""",
    # seed 001: get_variable under a name_scope is not prefixed; tf.Variable is.
    "get_variable_ignores_name_scope": """\
import tensorflow.compat.v1 as tf
with tf.name_scope("my_scope"):
    v1 = tf.get_variable("var1", [1], dtype=tf.float32)
    v2 = tf.Variable(1, name="var2", dtype=tf.float32)
    a = tf.add(v1, v2)
""",
    "reuse_missing": """\
import tensorflow.compat.v1 as tf
with tf.variable_scope('enc', reuse=True):
    w = tf.get_variable('w', [3])
""",
    "shape_mismatch": """\
import tensorflow.compat.v1 as tf
with tf.variable_scope('a'):
    tf.get_variable('w', [3])
with tf.variable_scope('a', reuse=True):
    tf.get_variable('w', [4])
""",
    "builder_called_twice": """\
import tensorflow.compat.v1 as tf

def dense(x):
    w = tf.get_variable("w", [4, 4])
    return tf.matmul(x, w)

x = tf.placeholder(tf.float32, [None, 4])
h = dense(x)
y = dense(h)
""",
    "contrib_is_gone": """\
import tensorflow.compat.v1 as tf
layers = tf.contrib.layers
""",
    # The DESIGN.md wrinkles: both batch-norm spellings work in the oracle.
    "batch_norm_workarounds": """\
import tensorflow.compat.v1 as tf
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 3])
y = tf.layers.batch_normalization(x, training=True)
z = slim.batch_norm(x, is_training=True)
""",
    "deprecated_api_logs": """\
import tensorflow.compat.v1 as tf
init = tf.initialize_all_variables()
""",
    # Notebook style: a reset starts a fresh variable store; the oracle keeps recording.
    "reset_default_graph": """\
import tensorflow.compat.v1 as tf
w = tf.get_variable('w', [1])
tf.reset_default_graph()
w = tf.get_variable('w', [2])
c = tf.constant(0)
""",
    "reset_inside_nested_graph": """\
import tensorflow.compat.v1 as tf
with tf.Graph().as_default():
    tf.reset_default_graph()
""",
    "prints_and_fresh_graph": """\
import tensorflow.compat.v1 as tf
print(len(tf.global_variables()))
w = tf.get_variable('w', [1])
""",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    results = run_programs(list(PROGRAMS.values()))
    return dict(zip(PROGRAMS, results))


def test_get_variable_ignores_name_scope_ops_do_not(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["name_and_variable_scope"]
    assert result.variables == (VariableRecord(name="goo/w", shape=(1,), line=5),)
    assert "foo/goo/hoo/Const" in result.ops
    assert "foo/goo/hoo/mul" in result.ops
    assert result.error is not None and result.error.startswith("ValueError: Variable goo/w already exists, disallowed.")
    assert result.error_line == 8


def test_auto_reuse_shares_and_ops_uniquify(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["auto_reuse"]
    assert result.error is None
    assert result.variable_names == ("boo/w",)
    assert [op for op in result.ops if op.startswith("boo/mul")] == ["boo/mul", "boo/mul_1"]


def test_reopened_name_scope_is_uniquified(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["reopened_name_scope"]
    assert result.error is None
    assert [(v.name, v.line) for v in result.variables] == [
        ("nsc1/v1", 3),
        ("nsc1/vsc1/v2", 5),
        ("vsc1/v3", 6),
        ("nsc1_1/v4", 8),
    ]


def test_tf_variable_uniquifies_get_variable_collides(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["variable_uniquifies"]
    assert result.variable_names == ("Variable", "V", "V_1", "gv")
    assert result.variables[3].shape == ()
    assert result.error is not None and result.error.startswith("ValueError: Variable gv already exists, disallowed.")
    assert result.error_line == 7


def test_name_scope_prefixes_tf_variable_only(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["get_variable_ignores_name_scope"]
    assert result.variable_names == ("var1", "my_scope/var2")
    assert "my_scope/Add" in result.ops


def test_reuse_of_missing_variable_raises(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["reuse_missing"]
    assert result.variables == ()
    assert result.error is not None
    assert result.error.startswith("ValueError: Variable enc/w does not exist, or was not created with tf.get_variable().")
    assert result.error_line == 3


def test_shape_mismatch_under_reuse(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["shape_mismatch"]
    assert result.variable_names == ("a/w",)
    assert result.error == "ValueError: Trying to share variable a/w, but specified shape (4,) and found shape (3,)."
    assert result.error_line == 5


def test_tf_contrib_is_absent_not_fatal(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["contrib_is_gone"]
    assert result.error is not None
    assert result.error.startswith("AttributeError:") and "'contrib'" in result.error
    assert result.error_line == 2
    # The programs after it still ran.
    assert outcomes["batch_norm_workarounds"].error is None


def test_batch_norm_runs_with_the_workarounds(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["batch_norm_workarounds"]
    assert result.error is None, result.error
    assert [(v.name, v.line) for v in result.variables] == [
        ("batch_normalization/gamma", 4),
        ("batch_normalization/beta", 4),
        ("batch_normalization/moving_mean", 4),
        ("batch_normalization/moving_variance", 4),
        ("BatchNorm/beta", 5),
        ("BatchNorm/moving_mean", 5),
        ("BatchNorm/moving_variance", 5),
    ]


def test_deprecation_warnings_are_captured(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["deprecated_api_logs"]
    assert result.error is None
    assert result.ops == ("init",)
    assert any("initialize_all_variables" in log and "tf.global_variables_initializer" in log for log in result.logs)


def test_each_program_gets_a_fresh_graph_and_its_own_stdout(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["prints_and_fresh_graph"]
    assert result.stdout == "0\n"
    assert result.variable_names == ("w",)
    assert result.error is None


def test_no_programs_no_subprocess() -> None:
    assert run_programs([]) == []


def test_program_may_reset_the_default_graph(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["reset_default_graph"]
    assert result.error is None
    assert result.variables == (VariableRecord("w", (1,), 2), VariableRecord("w", (2,), 4))
    assert result.ops[-1] == "Const" and result.ops.count("w") == 1


def test_reset_inside_a_nested_graph_fails_as_in_tf(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["reset_inside_nested_graph"]
    assert result.error is not None
    assert result.error.startswith("AssertionError: Do not use tf.reset_default_graph() to clear nested graphs.")
    assert result.error_line == 3
    # ...and the next program still gets a fresh, tracked graph.
    assert outcomes["prints_and_fresh_graph"].variable_names == ("w",)


def test_error_trace_holds_the_call_and_the_creation(outcomes: dict[str, Outcome]) -> None:
    result = outcomes["builder_called_twice"]
    assert result.error is not None and result.error.startswith("ValueError: Variable w already exists, disallowed.")
    assert result.error_trace == (9, 4)
    assert result.error_line == 4
    assert result.variables == (VariableRecord("w", (4, 4), 4),)
    assert result.variables[0].trace == (8, 4)
    assert outcomes["variable_uniquifies"].error_trace == (7,)
    assert outcomes["auto_reuse"].error_trace == ()
