"""tests/fidelity.py kept honest: its scoring, and a run on a few real nets under TF."""

from __future__ import annotations

import pytest

import fidelity


def test_score_counts_exact_wrong_and_missing() -> None:
    rows = [{"predicted_name": "a/w", "action": "create"}, {"predicted_name": "a/x", "action": "create"}]
    got = fidelity.score("n", "train", ["a/w", "a/b"], rows)
    assert (got.total, got.exact, got.wrong, got.missing) == (2, 1, 1, 1)


def test_reuse_score_wants_every_name_reused_by_the_second_build() -> None:
    rows = [{"predicted_name": "a/w", "action": "create"}, {"predicted_name": "a/w", "action": "reuse"}]
    assert fidelity.score("n", "reuse", ["a/w"], rows).pure_reuse is True
    copied = rows[:1] + [{"predicted_name": "a/w_1", "action": "create"}]
    got = fidelity.score("n", "reuse", ["a/w"], copied)
    assert (got.total, got.exact, got.wrong, got.missing, got.pure_reuse) == (2, 1, 1, 1, False)


def test_drivers_build_inside_the_arg_scope_and_reuse_the_second_time() -> None:
    net = next(n for n in fidelity.NETS if n.name == "slim vgg_16")
    text = fidelity.driver(net, "reuse")
    assert "with slim.arg_scope(vgg.vgg_arg_scope()):" in text
    assert text.count("vgg.vgg_16(images") == 2
    assert "with tf.variable_scope(tf.get_variable_scope(), reuse=True):" in text
    assert "AdamOptimizer(1e-3).minimize(loss)" in fidelity.driver(net, "train")


@pytest.mark.tf
def test_harness_counts_what_tf_creates_and_the_model_meets_the_bar() -> None:
    net = next(n for n in fidelity.NETS if n.name == "slim alexnet_v2")
    train, reuse = fidelity.measure((net,))
    # alexnet_v2: 8 layers of weights+biases; Adam adds two slots each and beta1/2_power.
    assert train.total == 16 * 3 + 2
    assert reuse.total == 2 * 16
    assert (train.exact, train.wrong, train.missing) == (train.total, 0, 0)
    assert (reuse.exact, reuse.wrong, reuse.missing, reuse.pure_reuse) == (reuse.total, 0, 0, True)


@pytest.mark.tf
def test_tensornets_nets_are_followed_through_their_decorators() -> None:
    """tensornets' own source (``@var_scope``, ``@set_args``, its layer wrappers) read from an
    unpacked sdist: every name TF gives, and the second build is reuse only."""
    source = fidelity.find_tensornets(None)
    if source is None:
        pytest.skip("tensornets source not found (pip download --no-deps tensornets; unpack it on sys.path)")
    nets = tuple(n for n in fidelity.NETS if n.name in ("tensornets VGG16", "tensornets MobileNet25"))
    scores = fidelity.measure(nets, source)
    assert [(s.net, s.kind) for s in scores] == [(n.name, kind) for n in nets for kind in ("train", "reuse")]
    for s in scores:
        assert (s.exact, s.wrong, s.missing) == (s.total, 0, 0), s
        assert s.pure_reuse in (None, True), s
    # VGG16: 16 layers of weights + biases, Adam's two slots each and beta1/2_power.
    assert scores[0].total == 32 * 3 + 2


@pytest.mark.tf
def test_the_fallback_table_names_variables_tf_creates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tensornets' source (linting a file never reads installed libraries) the model
    uses a table of three names per constructor: each must be one TF creates."""
    import os

    from scopelint.model import analyze, events, facts_from_source
    from tf_oracle import run_programs

    source = fidelity.find_tensornets(None)
    if source is None:
        pytest.skip("tensornets source not found (pip download --no-deps tensornets; unpack it on sys.path)")
    programs = {
        name: f"import tensorflow.compat.v1 as tf\nimport tensornets as nets\nx = tf.zeros([1, {size}, {size}, 3])\ny = nets.{name}(x)\n"
        for name, size in (("VGG16", 224), ("ResNet50v2", 224), ("Inception3", 299))
    }
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p))
    outcomes = run_programs(list(programs.values()), timeout=900)
    for (name, program), outcome in zip(programs.items(), outcomes):
        assert outcome.error is None, outcome.error
        table = [e.predicted_name for e in analyze(facts_from_source(program, path="p.py", module_name=None), {}).of_type(
            events.VariableCreated)]
        assert len(table) == 3 and set(table) <= set(outcome.variable_names), (name, table)
        assert table[0] == outcome.variable_names[0]


@pytest.mark.tf
def test_resnet_shortcuts_are_decided_by_the_input_depth() -> None:
    """bottleneck(): ``if depth == utils.last_dimension(inputs.get_shape())`` picks subsample or a
    1x1 conv 'shortcut'; tracked shapes decide it, so no unit lists both branches."""
    net = next(n for n in fidelity.NETS if n.name == "slim resnet_v1 own blocks")
    train, reuse = fidelity.measure((net,))
    assert (train.exact, train.wrong, train.missing) == (train.total, 0, 0)
    assert (reuse.exact, reuse.wrong, reuse.missing, reuse.pure_reuse) == (reuse.total, 0, 0, True)
