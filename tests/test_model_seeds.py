"""The seed documents (shared/seeds) through every rule: the names they assert agree
with the model (no SL102), and what is reported is exactly TF's documented behaviour.
The same programs run under TF in tests/test_explain_names_tf.py."""

from __future__ import annotations

from scopelint.api import lint_source
from test_explain_names_tf import PROGRAMS


def test_seed_asserts_agree_and_findings_are_pinned() -> None:
    found = [
        (name, d.line, d.code)
        for name, source in PROGRAMS.items()
        if name.startswith("seed-")
        for d in lint_source(source, f"{name}.py")
    ]
    # Only the re-opened name_scope('nsc1') of seed 001, which the seed itself shows
    # becoming 'nsc1_1'; the try/except collision of seed 000 is expected, so silent.
    assert found == [("seed-001-name-and-variable-scope", 10, "SL103")]


SEED_TENSORNETS = """\
import tensorflow as tf
import tensornets as nets
with tf.name_scope('xoo'):
    with tf.variable_scope('yoo'):
        with tf.name_scope('zoo'):
            x1 = tf.placeholder(tf.float32, [None, 224, 224, 3], name='x1')
            model1 = nets.ResNet50(x1)
            assert model1.get_weights()[-1].name == 'yoo/resnet50/logits/biases:0'
            assert model1.name == 'xoo/yoo/zoo/resnet50/probs:0'
            try:
                x2 = tf.placeholder(tf.float32, [None, 224, 224, 3], name='x2')
                model2 = nets.ResNet50(x2)
            except ValueError as e:
                print(e)
with tf.variable_scope('koo', reuse=tf.AUTO_REUSE):
    model1 = nets.ResNet50(x1)
    model2 = nets.ResNet50(x2)
    for (a, b) in zip(model1.get_weights(), model2.get_weights()):
        assert a == b
    assert model1.get_weights()[-1].name == 'koo/resnet50/logits/biases:0'
"""


def test_seed_tensornets_asserts_agree() -> None:
    """tensornets' ResNet50 modelled as a builder opening variable_scope('resnet50', reuse=reuse)."""
    from scopelint.api import describe_variables
    from scopelint.model import analyze, events, facts_from_source

    result = analyze(facts_from_source(SEED_TENSORNETS, path="seed.py", module_name=None), {})
    compared = [(e.text, e.agrees) for e in result.of_type(events.NameReferenced)]
    assert compared == [("yoo/resnet50/logits/biases:0", True), ("koo/resnet50/logits/biases:0", True)]
    assert lint_source(SEED_TENSORNETS, "seed.py") == []
    wrong = SEED_TENSORNETS.replace("'yoo/resnet50/logits/biases:0'", "'xoo/yoo/resnet50/logits/biases:0'")
    assert [(d.code, d.line) for d in lint_source(wrong, "seed.py")] == [("SL102", 8)]
    assert [i.outcome for i in describe_variables(SEED_TENSORNETS) if i.predicted_name == "yoo/resnet50/conv1/conv/weights"] == ["created", "exists"]
