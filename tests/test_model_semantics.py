"""The scope model without TF: import spellings, positions, symbolic names, IR facts."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from scopelint.api import describe_variables, lint_paths
from scopelint.config import Config
from scopelint.engine import EngineOptions
from scopelint.model import analyze, events, facts_from_source, ir
from scopelint.model.imports import canonical


def names(source: str, config: Config = Config()) -> list[tuple[int, str]]:
    return [(i.line, i.predicted_name) for i in describe_variables(source, "m.py", config)]


@pytest.mark.parametrize(
    "header, scope",
    [
        ("import tensorflow as tf", "tf.variable_scope"),
        ("import tensorflow.compat.v1 as tf", "tf.variable_scope"),
        ("from tensorflow.compat import v1 as tf", "tf.variable_scope"),
        ("from tensorflow import variable_scope", "variable_scope"),
        ("from tensorflow.compat.v1 import variable_scope as vs", "vs"),
        ("from tensorflow.python.ops import variable_scope", "variable_scope.variable_scope"),
        ("from tensorflow.python.ops import variable_scope as vs", "vs.variable_scope"),
    ],
)
def test_tf_import_spellings(header: str, scope: str) -> None:
    getter = scope.rsplit(".", 1)[0] + ".get_variable" if "." in scope else "get_variable"
    if "." not in scope:
        header += f"\nfrom tensorflow.compat.v1 import get_variable"
    source = f"{header}\nwith {scope}('a'):\n    w = {getter}('w', [1])\n"
    assert names(source) == [(source.count("\n") - 1 + 1, "a/w")]


@pytest.mark.parametrize(
    "header, call",
    [
        ("import tensorflow as tf\nslim = tf.contrib.slim", "slim.conv2d"),
        ("import tf_slim as slim", "slim.conv2d"),
        ("from tensorflow.contrib import slim", "slim.conv2d"),
        ("from tensorflow.contrib import layers", "layers.conv2d"),
        ("from tf_slim.layers import layers as layers_lib", "layers_lib.conv2d"),
    ],
)
def test_slim_import_spellings(header: str, call: str) -> None:
    source = f"{header}\nx = None\ny = {call}(x, 4, 3)\n"
    assert [n for _, n in names(source)] == ["Conv/weights", "Conv/biases"]


def test_ops_name_scope_and_variables_module() -> None:
    source = (
        "from tensorflow.python.framework import ops\nfrom tensorflow.python.ops import variables\n"
        "with ops.name_scope('n'):\n    v = variables.Variable(1.0, name='v')\n"
    )
    assert names(source) == [(4, "n/v")]


def test_tf_modules_setting_and_project_reexport(tmp_path: Path) -> None:
    (tmp_path / "compat.py").write_text("import tensorflow.compat.v1 as tfv1\n")
    (tmp_path / "model.py").write_text(
        "from compat import tfv1 as tf\nw = tf.get_variable('w', [1])\nw2 = tf.get_variable('w', [1])\n"
    )
    found = lint_paths([tmp_path], Config(select=("SL201",), root=str(tmp_path)), EngineOptions(use_cache=False, jobs=1))
    assert [(Path(d.path).name, d.line) for d in found] == [("model.py", 3)]
    configured = Config(tf_modules=("mycompany.tf",))
    assert names("import mycompany.tf as tf\nw = tf.get_variable('w', [1])\n", configured) == [(2, "w")]


def test_canonical_names() -> None:
    assert canonical("tensorflow.contrib.rnn.LSTMCell") == "tf.nn.rnn_cell.LSTMCell"
    assert canonical("tensorflow.python.ops.rnn.dynamic_rnn") == "tf.nn.dynamic_rnn"
    assert canonical("tensornets.ResNet50") == "nets.ResNet50"
    assert canonical("numpy.zeros") is None


def test_symbolic_names_from_unknown_loops_and_parameters() -> None:
    source = (
        "import tensorflow.compat.v1 as tf\nimport sys\n"
        "for i in range(int(sys.argv[1])):\n"
        "    with tf.variable_scope('tower_%d' % i):\n"
        "        w = tf.get_variable('w', [1])\n"
    )
    assert names(source) == [(5, "tower_{i}/w")]


def test_uncalled_function_gets_an_unknown_scope() -> None:
    source = "import tensorflow.compat.v1 as tf\ndef build():\n    with tf.variable_scope('m'):\n        return tf.get_variable('w', [1])\n"
    infos = describe_variables(source)
    assert [(i.predicted_name, i.action) for i in infos] == [("{scope}/m/w", "unknown")]


def test_fresh_graph_inside_uncalled_function_is_known() -> None:
    source = (
        "import tensorflow.compat.v1 as tf\nclass T:\n    def test_it(self):\n"
        "        with tf.Graph().as_default():\n            a = tf.get_variable('w', [1])\n            b = tf.get_variable('w', [1])\n"
    )
    infos = describe_variables(source)
    assert [(i.predicted_name, i.outcome) for i in infos] == [("w", "created"), ("w", "exists")]


def test_columns_are_characters_not_bytes() -> None:
    source = "import tensorflow.compat.v1 as tf\nnote = 'é'; w = tf.get_variable('w', [1])\n"
    (info,) = describe_variables(source)
    assert (info.line, info.column) == (2, source.splitlines()[1].index("tf.get_variable") + 1)


def test_facts_are_plain_picklable_data() -> None:
    facts = facts_from_source("import tensorflow.compat.v1 as tf\nwith tf.variable_scope('a'):\n    w = tf.get_variable('w', [1])\n",
                              path="m.py", module_name="m")
    again = pickle.loads(pickle.dumps(facts))
    assert again == facts
    assert isinstance(facts.body[0], ir.With)
    assert dict(facts.imports) == {"tf": "tensorflow.compat.v1"}


def test_python2_only_source_is_not_modelled_but_does_not_crash() -> None:
    facts = facts_from_source("import tensorflow as tf\nprint 'x'\n", path="m.py", module_name="m")
    assert facts.error is not None and analyze(facts, {}).events == ()


def test_recursion_is_cut() -> None:
    source = "import tensorflow.compat.v1 as tf\ndef f(n):\n    tf.get_variable('w', [1])\n    return f(n - 1)\nf(3)\n"
    result = analyze(facts_from_source(source, path="m.py", module_name=None), {})
    created = result.of_type(events.VariableCreated)
    assert [e.outcome for e in created] == ["created"]
    assert any("recursive" in e.reason for e in result.of_type(events.Unresolved))


def test_unknown_decorator_is_not_followed() -> None:
    source = (
        "import tensorflow.compat.v1 as tf\nimport mylib\n@mylib.scoped('x')\ndef f():\n    return tf.get_variable('w', [1])\n"
        "a = f()\nb = f()\n"
    )
    assert [e for e in analyze(facts_from_source(source, path="m.py", module_name=None), {}).of_type(events.VariableCreated)
            if e.outcome == events.EXISTS] == []


def test_big_loops_are_not_unrolled() -> None:
    source = "import tensorflow.compat.v1 as tf\nfor i in range(1000):\n    w = tf.get_variable('w_%d' % i, [1])\n"
    assert names(source) == [(3, "w_{i}")]
