"""The cache's JSON codec: exact round trips of real facts, and data of the wrong shape refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scopelint.datacodec import Codec, CodecError
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.engine import FileResult, analyse_file_text
from scopelint.model import ModelSettings, ModuleFacts, fact_types
from scopelint.model import ir

SOURCE = '''\
import tensorflow as tf
from tensorflow.python.ops import variable_scope as vs

def build(x, name="net", *args, **kwargs):
    with tf.variable_scope(name, reuse=tf.AUTO_REUSE) as scope:
        w = tf.get_variable(f"w_{name}", [3, 1.5], initializer=None)
        for i in range(2):
            if i > 0 and not kwargs:
                scope.reuse_variables()
        return {"w": w, **kwargs}[x] if x else [v for v in args]

with vs.variable_op_scope([1], "legacy", "d"):  # noqa: SL204
    saver = tf.train.Saver()
    ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
'''

CODEC = Codec([*fact_types(), Diagnostic, FileResult])


def roundtrip(value: Any, hint: Any) -> Any:
    return CODEC.decode(json.loads(json.dumps(CODEC.encode(value, hint))), hint)


def test_real_facts_and_results_round_trip_exactly() -> None:
    result = analyse_file_text("m.py", SOURCE, ModelSettings(), "m")
    assert result.facts is not None and result.facts.body and result.suppressions == {12: frozenset({"SL204"})}
    assert any(dict(result.facts.extra).values())  # the deprecated-API extractor found variable_op_scope
    assert roundtrip(result.facts, ModuleFacts) == result.facts
    assert roundtrip(result, FileResult) == result
    diagnostic = Diagnostic("m.py", 3, 5, "SL201", "msg", Severity.WARNING, 3, 9,
                            {"related": [{"path": "x.py", "line": 1, "column": 2, "message": "m"}], "n": (1, None)})
    [back] = roundtrip((diagnostic,), tuple[Diagnostic, ...])
    assert back == diagnostic and back.data == diagnostic.data and back.severity is Severity.WARNING


@pytest.mark.parametrize(
    "data",
    [
        ["Const", 1, 2],  # too many fields
        ["Name"],  # too few
        ["Name", 3],  # an int where a str is declared
        ["Os", "system"],  # a type that is not registered
        ["Call", ["Name", "f"], [], [], [1, 2, 3, 4], 1],  # 1 is not a bool
        ["Call", ["Name", "f"], [], [], [1, 2, 3], False],  # a position of three numbers
        ["Call", ["Name", "f"], [], [], [1, True, 3, 4], False],  # a bool is not an int
        {"Name": "f"},
    ],
)
def test_data_of_the_wrong_shape_is_refused(data: Any) -> None:
    with pytest.raises(CodecError):
        CODEC.decode(data, ir.Expr)


def test_values_outside_the_registry_cannot_be_written() -> None:
    class Foreign:
        pass

    with pytest.raises(CodecError):
        CODEC.encode(ModuleFacts(path="m.py", extra=(("x", Foreign()),)), ModuleFacts)
