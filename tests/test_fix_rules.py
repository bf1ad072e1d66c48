"""The unsafe fixes for the scope-model rules (SL101, SL103, SL201): each on its
own, the cases where no fix is offered, idempotence, and TF proving that the
fixed program does what the fix message says."""

from __future__ import annotations

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from scopelint.fixes.loop import fix_text

HEADER = "import tensorflow.compat.v1 as tf\n\n"


def lint(source: str, code: str) -> list:
    return lint_source(source, "m.py", Config().with_overrides(select=(code,)))


def fixed(source: str, code: str) -> str:
    outcome = fix_text(source, lint(source, code), lambda t: lint(t, code), unsafe=True)
    again = fix_text(outcome.text, lint(outcome.text, code), lambda t: lint(t, code), unsafe=True)
    assert again.text == outcome.text and again.fixed == ()  # idempotent
    return outcome.text


BUILDER = HEADER + '''\
def discriminator(x):
    with tf.variable_scope("discriminator"):
        w = tf.get_variable("w", [3])
        return x * w


real = discriminator(tf.ones([3]))
fake = discriminator(tf.zeros([3]))
'''

LOOP = HEADER + '''\
for i in range(2):
    with tf.variable_scope("loop", reuse=False):
        u = tf.get_variable("u", [1])
'''

ENCODER = HEADER + '''\
with tf.name_scope("encoder"):
    v = tf.get_variable("v", [2])
    c = tf.constant(1.0)
    t = tf.Variable(0.0, name="t")
'''

REOPENED = HEADER + '''\
with tf.name_scope("summaries"):
    a = tf.constant(1.0)
with tf.name_scope("summaries"):
    b = tf.constant(2.0)
'''


def test_sl201_adds_auto_reuse_to_the_builders_scope() -> None:
    (d,) = lint(BUILDER, "SL201")
    assert d.data["fix"]["safety"] == "unsafe"
    assert d.data["fix"]["message"] == "Add reuse=tf.AUTO_REUSE to the variable_scope on line 4"
    assert fixed(BUILDER, "SL201") == BUILDER.replace('("discriminator")', '("discriminator", reuse=tf.AUTO_REUSE)')


GAN = HEADER + '''\
def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        return tf.layers.dense(x, 1, name="out")


real = discriminator(tf.ones([2, 3]))
fake = discriminator(tf.zeros([2, 3]))
'''


def test_sl201_passes_reuse_true_when_the_builder_takes_the_flag() -> None:
    (d,) = lint(GAN, "SL201")
    assert d.data["fix"]["message"] == "Pass reuse=True to this second call of discriminator()"
    assert fixed(GAN, "SL201") == GAN.replace("discriminator(tf.zeros([2, 3]))", "discriminator(tf.zeros([2, 3]), reuse=True)")


def test_sl201_replaces_reuse_false() -> None:
    assert fixed(LOOP, "SL201") == LOOP.replace("reuse=False", "reuse=tf.AUTO_REUSE")


def test_sl201_is_not_fixed_without_unsafe_fixes() -> None:
    outcome = fix_text(BUILDER, lint(BUILDER, "SL201"), lambda t: lint(t, "SL201"))
    assert outcome.text == BUILDER and len(outcome.remaining) == 1


@pytest.mark.parametrize(
    "source",
    [
        # Two creations in one block: which should share is the author's decision.
        HEADER + 'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [1])\n    w2 = tf.get_variable("w", [1])\n',
        # Two separate blocks of straight-line code: AUTO_REUSE on the first would not help the second.
        HEADER + 'with tf.variable_scope("a"):\n    w = tf.get_variable("w", [1])\nwith tf.variable_scope("a"):\n    w2 = tf.get_variable("w", [1])\n',
        # No variable scope around the first creation.
        HEADER + 'def f():\n    return tf.get_variable("w", [1])\n\nf()\nf()\n',
        # **kwargs might already carry reuse.
        HEADER + 'def f(**kw):\n    with tf.variable_scope("a", **kw):\n        return tf.get_variable("w", [1])\n\nf()\nf()\n',
    ],
)
def test_sl201_without_fix(source: str) -> None:
    found = lint(source, "SL201")
    assert found and all("fix" not in d.data for d in found)


def test_sl101_turns_the_name_scope_into_a_variable_scope() -> None:
    (d,) = lint(ENCODER, "SL101")
    assert d.data["fix"]["message"] == "Use variable_scope('encoder') so that get_variable names get the prefix"
    assert fixed(ENCODER, "SL101") == ENCODER.replace("tf.name_scope", "tf.variable_scope")


@pytest.mark.parametrize(
    "source",
    [
        HEADER + 'with tf.name_scope("encoder") as scope:\n    v = tf.get_variable("v", [2])\n',  # `scope` is a string there
        HEADER + 'from tensorflow.python.framework import ops\nwith ops.name_scope("encoder"):\n    v = tf.get_variable("v", [2])\n',
    ],
)
def test_sl101_without_fix(source: str) -> None:
    found = lint(source, "SL101")
    assert found and all("fix" not in d.data for d in found)


def test_sl103_captures_the_first_scope_and_reenters_it() -> None:
    (d,) = lint(REOPENED, "SL103")
    assert d.data["fix"]["message"] == "Re-enter the first name_scope('summaries') through its captured name"
    assert fixed(REOPENED, "SL103") == HEADER + '''\
with tf.name_scope("summaries") as summaries_scope:
    a = tf.constant(1.0)
with tf.name_scope(summaries_scope):
    b = tf.constant(2.0)
'''


def test_sl103_reuses_an_existing_capture() -> None:
    source = REOPENED.replace('tf.name_scope("summaries"):\n    a', 'tf.name_scope("summaries") as s:\n    a')
    assert fixed(source, "SL103").splitlines()[-2] == "with tf.name_scope(s):"


def test_sl103_not_across_functions() -> None:
    source = HEADER + 'def f():\n    with tf.name_scope("x"):\n        a = tf.constant(1.0)\n\nf()\nwith tf.name_scope("x"):\n    b = tf.constant(1.0)\n'
    found = lint(source, "SL103")
    assert found and all("fix" not in d.data for d in found)


def test_crlf_file_keeps_crlf_through_a_rule_fix() -> None:
    source = ENCODER.replace("\n", "\r\n")
    assert fixed(source, "SL101") == ENCODER.replace("tf.name_scope", "tf.variable_scope").replace("\n", "\r\n")


LEAK = HEADER + '''\
def net(x):
    return tf.layers.dense(x, 3, name="fc")


x = tf.ones([2, 3])
a = net(x)
tf.get_variable_scope().reuse_variables()
b = net(x)

c = net(
    x)
loss = tf.reduce_sum(a + b + c)
train = tf.train.AdamOptimizer(0.1).minimize(loss)
'''


def test_sl203_limits_the_reuse_to_the_statements_before_the_victim() -> None:
    (d,) = lint(LEAK, "SL203")
    assert d.data["fix"]["message"] == "Limit the reuse to lines 10-14 with a variable_scope of their own"
    assert fixed(LEAK, "SL203") == LEAK.replace(
        "tf.get_variable_scope().reuse_variables()\nb = net(x)\n\nc = net(\n    x)\nloss",
        "with tf.variable_scope(tf.get_variable_scope(), reuse=True):\n    b = net(x)\n\n    c = net(\n        x)\n    loss",
    )


@pytest.mark.parametrize(
    "source",
    [
        # Indenting would change the string's content.
        LEAK.replace("c = net(\n    x)", 'c = net(x)\ndoc = """one\ntwo"""'),
        # Nothing between the leak and the victim.
        LEAK.replace(
            "tf.get_variable_scope().reuse_variables()\nb = net(x)\n\nc = net(\n    x)\nloss = tf.reduce_sum(a + b + c)\n",
            "loss = tf.reduce_sum(a)\ntf.get_variable_scope().reuse_variables()\n",
        ),
    ],
)
def test_sl203_without_fix(source: str) -> None:
    found = lint(source, "SL203")
    assert found and all("fix" not in d.data for d in found)


@pytest.mark.tf
def test_tf_confirms_what_each_fix_does() -> None:
    from tf_oracle import run_programs

    programs = [BUILDER, fixed(BUILDER, "SL201"), LOOP, fixed(LOOP, "SL201"), ENCODER, fixed(ENCODER, "SL101"), REOPENED, fixed(REOPENED, "SL103"),
                LEAK, fixed(LEAK, "SL203"), GAN, fixed(GAN, "SL201")]
    builder, builder_fixed, loop, loop_fixed, encoder, encoder_fixed, reopened, reopened_fixed, leak, leak_fixed, gan, gan_fixed = run_programs(programs)
    assert gan.error is not None and "Variable discriminator/out/kernel already exists" in gan.error
    assert gan_fixed.error is None and gan_fixed.variable_names == ("discriminator/out/kernel", "discriminator/out/bias")
    assert leak.error is not None and "Variable fc/kernel/Adam/ does not exist" in leak.error
    assert leak_fixed.error is None
    assert leak_fixed.variable_names[:2] == ("fc/kernel", "fc/bias") and "fc/kernel/Adam" in leak_fixed.variable_names
    # Re-entering the root variable scope opens no name scope: the shared layer's ops keep their names.
    assert {op for op in leak.ops if op.startswith(("fc/", "fc_1/"))} <= set(leak_fixed.ops)
    assert builder.error is not None and builder.error.startswith("ValueError: Variable discriminator/w already exists")
    assert builder_fixed.error is None and builder_fixed.variable_names == ("discriminator/w",)
    assert loop.error is not None and "Variable loop/u already exists" in loop.error
    assert loop_fixed.error is None and loop_fixed.variable_names == ("loop/u",)
    assert encoder.variable_names == ("v", "encoder/t") and encoder_fixed.variable_names == ("encoder/v", "encoder/t")
    # Only get_variable names change: the name scope, its ops and tf.Variable names stay.
    assert "encoder/Const" in encoder.ops and "encoder/Const" in encoder_fixed.ops
    assert {"summaries/Const", "summaries_1/Const"} <= set(reopened.ops)
    assert {"summaries/Const", "summaries/Const_1"} <= set(reopened_fixed.ops)
    assert not any(op.startswith("summaries_1/") for op in reopened_fixed.ops)
