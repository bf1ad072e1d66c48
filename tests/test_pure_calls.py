"""Pure calls answered from a record (scopelint/model/interpret/pure.py).

The programs here are the cases a record could get wrong: a global rebound between two
calls, a list the caller changes, a mutable global, a closure handed over again. Each is
linted with the memo and without it (``memo`` parameter), and what a user sees -- findings
and predicted names -- must be right both ways. ``body_runs`` says how often a function's
body really ran, so the tests also show the memo answering the calls it should, and only
those.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from scopelint.api import describe_variables, lint_source
from scopelint.model import values as v
from scopelint.model.interpret import calls, pure

HEADER = "import tensorflow.compat.v1 as tf\n"


@pytest.fixture
def body_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many times each function's body really ran (a call answered from a record does not)."""
    runs: dict[str, int] = {}
    original = calls.Calls._run_function

    def counted(self: Any, func: Any, *rest: Any) -> Any:
        runs[func.definition.qualname] = runs.get(func.definition.qualname, 0) + 1
        return original(self, func, *rest)

    monkeypatch.setattr(calls.Calls, "_run_function", counted)
    yield runs


def without_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pure.PureCalls, "key", lambda *args: None)


@pytest.fixture(params=[True, False], ids=["memo", "no-memo"])
def memo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """The test runs twice: with the memo, and with every call run afresh."""
    if not request.param:
        without_memo(monkeypatch)
    return bool(request.param)


def findings(source: str) -> list[tuple[int, str, str]]:
    return [(d.line, d.code, d.message) for d in lint_source(HEADER + source, "m.py")]


def names(source: str) -> list[tuple[int, str]]:
    return [(i.line, i.predicted_name) for i in describe_variables(HEADER + source, "m.py")]


SHAPE_HELPER = """\
def last_dim(x):
    dims = x.get_shape().as_list()
    return dims[-1]

def dense(x, units, name):
    with tf.variable_scope(name):
        return tf.get_variable("kernel", [last_dim(x), units])

def build():
    x = tf.zeros([8, 16])
    a = dense(x, 4, "a")
    b = dense(x, 4, "b")
    c = dense(x, 4, "a")

build()
"""


def test_a_pure_helper_runs_once_and_a_builder_every_time(body_runs: dict[str, int]) -> None:
    got = findings(SHAPE_HELPER)
    assert [(line, code) for line, code, _ in got] == [(14, "SL201")]
    assert "creates variable 'a/kernel', which already exists" in got[0][2]
    # last_dim(x) is asked three times with equal tensors: its body runs once; dense()
    # creates a variable, so it runs each time (the third call's collision is found).
    assert body_runs == {"build": 1, "dense": 3, "last_dim": 1}


def test_the_memo_changes_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    with_memo = findings(SHAPE_HELPER), names(SHAPE_HELPER)
    without_memo(monkeypatch)
    assert (findings(SHAPE_HELPER), names(SHAPE_HELPER)) == with_memo


REBOUND_GLOBAL = """\
def scope_name(suffix):
    return PREFIX + suffix

PREFIX = "a"
with tf.variable_scope(scope_name("x")):
    u = tf.get_variable("w", [1])
PREFIX = "b"
with tf.variable_scope(scope_name("x")):
    v = tf.get_variable("w", [1])
"""


def test_a_global_rebound_between_calls_is_read_again(memo: bool) -> None:
    # A record of the first call would name both 'a/x/w': a collision that is not there.
    assert names(REBOUND_GLOBAL) == [(7, "ax/w"), (10, "bx/w")]
    assert findings(REBOUND_GLOBAL) == []


SHARED_LIST = """\
def parts():
    return ["enc"]

def build():
    first = parts()
    first.append("dec")
    second = parts()
    for part in second:
        with tf.variable_scope("model"):
            w = tf.get_variable("w", [1])

build()
"""


def test_each_call_gets_its_own_list(memo: bool) -> None:
    # The list the second call returns is a new one: appending to the first one's does
    # not make the loop run twice (which would create model/w twice).
    assert findings(SHARED_LIST) == []
    assert names(SHARED_LIST) == [(11, "model/w")]


GLOBAL_DICT = """\
SIZES = {}

def size(key):
    return SIZES.get(key, "small")

def register(key, value):
    SIZES[key] = value

def build():
    first = size("enc")
    register("enc", "large")
    with tf.variable_scope(size("enc")):
        w = tf.get_variable("w", [1])

build()
"""


def test_a_helper_reading_a_mutable_global_is_not_recorded(body_runs: dict[str, int]) -> None:
    assert names(GLOBAL_DICT) == [(14, "large/w")]
    assert body_runs["size"] == 2


CREATES_IN_HELPER = """\
def bias(n):
    return tf.get_variable("b", [n])

with tf.variable_scope("layer"):
    one = bias(3)
    two = bias(3)
"""


def test_a_helper_that_creates_a_variable_is_never_replayed(body_runs: dict[str, int]) -> None:
    got = findings(CREATES_IN_HELPER)
    assert [(line, code) for line, code, _ in got] == [(7, "SL201")]
    assert "creates variable 'layer/b', which already exists" in got[0][2]
    assert body_runs["bias"] == 2


CLOSURE_ARGUMENT = """\
def call(fn):
    return fn()

def build():
    name = "a"
    scope = lambda: name
    with tf.variable_scope(call(scope)):
        u = tf.get_variable("w", [1])
    name = "b"
    with tf.variable_scope(call(scope)):
        v = tf.get_variable("w", [1])

build()
"""


def test_a_closure_passed_again_reads_its_names_again(memo: bool) -> None:
    # The same lambda both times, but the name it reads was rebound in between: a record
    # of the first call would put both variables in 'a' (a collision that is not there).
    assert names(CLOSURE_ARGUMENT) == [(9, "a/w"), (12, "b/w")]
    assert findings(CLOSURE_ARGUMENT) == []


def test_one_object_passed_twice_is_another_call_than_two_equal_ones() -> None:
    # A body returning its second argument gives the caller's first object back when
    # both are one object; a record of that call must not answer a call with two.
    memo = pure.PureCalls(enabled=True)
    definition = object()
    x, y = v.Tensor((2,), "float32"), v.Tensor((2,), "float32")
    assert x == y
    assert memo.key(definition, [x, x], {}, False) != memo.key(definition, [x, y], {}, False)
    assert memo.key(definition, [x, y], {}, False) == memo.key(definition, [y, x], {}, False)
