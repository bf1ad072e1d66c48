"""Precision regressions found by triage on real TF1 code (tensor2tensor, tflearn).

Each was a false positive or a wrong position; the programs that claim what TF
does also run under TF in ``test_tf_agrees_with_the_precision_cases``.

1. An exit the model cannot be sure of (``return`` under an unknown condition,
   ``continue`` / ``break`` in a loop, a ``raise`` that a ``try`` may catch) makes
   the rest of the body uncertain, the way an unknown ``if`` does; a definite exit
   skips it. A ``raise`` nothing catches is not a path the program goes on along:
   what follows an argument check stays certain.
2. A comparison with an unknown value is unknown; a TF object (tensor, variable)
   compared with a string literal by ``==`` is known False.
3. A collision through a builder of another module: the diagnostic sits on the
   call in the linted file, its related location carries the path of the file
   the line is in, and the message names that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

from scopelint.api import lint_paths, lint_source
from scopelint.config import Config
from scopelint.engine import EngineOptions
from scopelint.model import analyze, events, facts_from_source

TF = "import tensorflow.compat.v1 as tf\n"


class Case(NamedTuple):
    id: str
    source: str
    code: str
    expected: tuple[int, ...]  # lines flagged with ``code``
    tf: str  # "raises" | "clean" | "skip": what TF does with the program
    tf_check: str = ""  # appended under TF only: asserts proving the claim


def lint(source: str, code: str) -> list[int]:
    return [d.line for d in lint_source(source, path="case.py", config=Config(select=(code,)))]


def created(source: str) -> list[events.VariableCreated]:
    facts = facts_from_source(source, path="case.py", module_name=None)
    return analyze(facts, {}).of_type(events.VariableCreated)


# ---------------------------------------------------------------- 1. uncertain exits

CASES = [
    # fp_03_min.py (tensor2tensor basic_recurrent_test.py:31): the guard returns first.
    Case("early-return-unknown-guard", TF + """\
def maybe_state(enabled):
    if not enabled:
        return None
    return tf.get_variable('state', [2])
cfg = getattr(__import__('types'), 'SimpleNamespace')(use_state=False)
maybe_state(cfg.use_state)
maybe_state(cfg.use_state)
""", "SL201", (), "clean", "assert not tf.global_variables()\n"),
    # The mirror form (probe p18.py) stays silent.
    Case("return-inside-unknown-guard", TF + """\
def maybe_state(enabled):
    if enabled:
        return tf.get_variable('state', [2])
cfg = getattr(__import__('types'), 'SimpleNamespace')(use_state=False)
maybe_state(cfg.use_state)
maybe_state(cfg.use_state)
""", "SL201", (), "clean", "assert not tf.global_variables()\n"),
    # A guard the model can evaluate keeps the finding: both calls reach get_variable.
    Case("early-return-known-guard-taken-past", TF + """\
def maybe_state(enabled):
    if not enabled:
        return None
    return tf.get_variable('state', [2])
maybe_state(True)
maybe_state(True)
""", "SL201", (7,), "raises"),
    Case("early-return-known-guard-returns", TF + """\
def maybe_state(enabled):
    if not enabled:
        return None
    return tf.get_variable('state', [2])
maybe_state(False)
maybe_state(False)
""", "SL201", (), "clean", "assert not tf.global_variables()\n"),
    # The caller goes on for certain after the call: its own collision is still found.
    Case("caller-certain-after-uncertain-return", TF + """\
def maybe_state(enabled):
    if not enabled:
        return None
    return tf.get_variable('state', [2])
cfg = getattr(__import__('types'), 'SimpleNamespace')(use_state=False)
maybe_state(cfg.use_state)
a = tf.get_variable('w', [1])
b = tf.get_variable('w', [1])
""", "SL201", (9,), "raises"),
    # A builder's argument check: a raise that nothing catches ends the program, so
    # every run that goes on passed the check and the collision after it is certain.
    Case("argument-check-raise-then-collision", TF + """\
def build(x):
    if x.shape.ndims != 4:
        raise ValueError('expected NHWC input')
    with tf.variable_scope('net'):
        return tf.get_variable('w', [3])
x = tf.placeholder(tf.float32, [None, 8, 8, 3])
build(x)
build(x)
""", "SL201", (9,), "raises"),
    Case("argument-check-unknown-arg-then-collision", TF + """\
def build(x, data_format):
    if data_format not in ('NHWC', 'NCHW'):
        raise ValueError(data_format)
    return tf.get_variable('w', [3])
fmt = getattr(__import__('os'), 'environ').get('FMT', 'NHWC')
build(None, fmt)
build(None, fmt)
""", "SL201", (8,), "raises"),
    # raise under an unknown condition inside a try that catches it: the program may
    # go on without the rest of the body, so the rest is not certain.
    Case("early-raise-unknown-guard", TF + """\
def build(x):
    if x is not None and not hasattr(x, 'shape'):
        raise TypeError('x')
    return tf.get_variable('w', [1])
x = getattr(__import__('types'), 'SimpleNamespace')()
try:
    build(x)
except TypeError:
    pass
build(None)
""", "SL201", (), "clean"),
    # continue under an unknown condition: the rest of that iteration is uncertain.
    Case("continue-unknown", TF + """\
seen = []
for name in ['a', 'b', 'a']:
    if name in seen:
        continue
    seen.append(name)
    tf.get_variable(name, [1])
""", "SL201", (), "clean", "assert [v.op.name for v in tf.global_variables()] == ['a', 'b']\n"),
    # A continue the model can evaluate skips the rest of the iteration for certain.
    Case("continue-known-first-iteration", TF + """\
for i in range(2):
    if i == 0:
        continue
    tf.get_variable('w', [1])
""", "SL201", (), "clean", "assert [v.op.name for v in tf.global_variables()] == ['w']\n"),
    Case("continue-known-then-collision", TF + """\
for i in range(3):
    if i == 0:
        continue
    tf.get_variable('w', [1])
""", "SL201", (5,), "raises"),
    # break under an unknown condition: the rest of the loop is uncertain ...
    Case("break-unknown", TF + """\
seen = []
for name in ['a', 'a']:
    if name in seen:
        break
    seen.append(name)
    tf.get_variable(name, [1])
""", "SL201", (), "clean", "assert [v.op.name for v in tf.global_variables()] == ['a']\n"),
    # ... and after the loop, code runs for certain again.
    Case("certain-after-loop-with-unknown-break", TF + """\
seen = []
for name in ['a', 'a']:
    if name in seen:
        break
    seen.append(name)
tf.get_variable('w', [1])
tf.get_variable('w', [1])
""", "SL201", (8,), "raises"),
    # A break the model can evaluate ends the loop: no second creation.
    Case("break-known", TF + """\
for i in range(3):
    tf.get_variable('w', [1])
    if i == 0:
        break
""", "SL201", (), "clean", "assert [v.op.name for v in tf.global_variables()] == ['w']\n"),
    # `else` of a loop runs only when no break happened.
    Case("for-else-known-break", TF + """\
for i in range(2):
    if i == 1:
        break
else:
    tf.get_variable('w', [1])
tf.get_variable('w', [1])
""", "SL201", (), "clean", "assert [v.op.name for v in tf.global_variables()] == ['w']\n"),
    Case("for-else-no-break", TF + """\
for i in range(2):
    if i == 5:
        break
else:
    tf.get_variable('w', [1])
tf.get_variable('w', [1])
""", "SL201", (7,), "raises"),
    # A try body that returned: what follows runs only if it raised.
    Case("after-returning-try", TF + """\
def get_or_make(name):
    try:
        return make(name)
    except NameError:
        pass
    return tf.get_variable(name, [1])
def make(name):
    return tf.get_variable(name, [1])
get_or_make('w')
get_or_make('v')
""", "SL201", (), "clean"),

    # ---------------------------------------------------------------- 2. comparisons

    # fp_01.py (tflearn tests/test_layers.py:99): a tensor is never == 'default'.
    Case("tensor-eq-string-literal", TF + """\
def regression(incoming, placeholder='default', name=None):
    if placeholder == 'default':
        pscope = 'TargetsData' if not name else name
        with tf.name_scope(pscope):
            placeholder = tf.placeholder(shape=[None, 1], dtype=tf.float32, name='Y')
    return incoming - placeholder
x = tf.placeholder(tf.float32, [None, 1], name='x')
with tf.name_scope('Y'):
    Y_in = tf.placeholder(shape=[None, 1], dtype=tf.float32, name='Y')
regression(x, placeholder=Y_in, name='Y')
""", "SL103", (), "clean", """\
names = [op.name for op in tf.get_default_graph().get_operations()]
assert 'Y/Y' in names and not any(n.startswith('Y_1') for n in names), names
"""),
    # The default is taken: the branch runs and 'Y' is reopened as 'Y_1' (a true SL103).
    Case("string-default-eq-taken", TF + """\
def regression(incoming, placeholder='default', name=None):
    if placeholder == 'default':
        with tf.name_scope(name):
            placeholder = tf.placeholder(shape=[None, 1], dtype=tf.float32, name='Y')
    return incoming - placeholder
x = tf.placeholder(tf.float32, [None, 1], name='x')
with tf.name_scope('Y'):
    Y_in = tf.placeholder(shape=[None, 1], dtype=tf.float32, name='Y')
regression(x, name='Y')
""", "SL103", (4,), "clean", """\
names = [op.name for op in tf.get_default_graph().get_operations()]
assert 'Y_1/Y' in names, names
"""),
    # probe p5.py: a list argument -- Python says False, the model does not know lists' == .
    Case("list-eq-string-literal", TF + """\
def g(x, placeholder='default', name=None):
    if placeholder == 'default':
        with tf.name_scope(name):
            x = tf.identity(x)
    return x
x = tf.placeholder(tf.float32)
with tf.name_scope('B'):
    y = tf.identity(x)
g(x, placeholder=[1], name='B')
""", "SL103", (), "clean", """\
assert not any(op.name.startswith('B_1') for op in tf.get_default_graph().get_operations())
"""),
    # An unresolved call's result compared: unknown, so the branch is uncertain.
    Case("unknown-eq-string-literal", TF + """\
def g(x, placeholder='default', name=None):
    if placeholder == 'default':
        with tf.name_scope(name):
            x = tf.identity(x)
    return x
x = tf.placeholder(tf.float32)
with tf.name_scope('B'):
    y = tf.identity(x)
g(x, placeholder=getattr(__import__('types'), 'SimpleNamespace')(), name='B')
""", "SL103", (), "clean", """\
assert not any(op.name.startswith('B_1') for op in tf.get_default_graph().get_operations())
"""),
    # A variable compared with a string literal is False too; != is True, so the branch runs.
    Case("variable-ne-string-literal", TF + """\
def build(w, mode='default'):
    if mode == 'default':
        tf.get_variable('b', [1])
    if mode != 'default':
        tf.get_variable('w', [1])
w = tf.get_variable('w', [1])
build(w, mode=w)
""", "SL201", (8,), "raises"),
]

BY_ID = {case.id: case for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case) -> None:
    assert lint(case.source, case.code) == list(case.expected)


def test_early_return_leaves_the_creation_uncertain() -> None:
    made = created(BY_ID["early-return-unknown-guard"].source)
    assert [(e.predicted_name, e.outcome, e.certain) for e in made] == [
        ("state", events.CREATED, False), ("state", events.UNRESOLVED, False),
    ]


def test_definite_exits_keep_certainty() -> None:
    made = created(BY_ID["continue-known-then-collision"].source)
    assert [(e.outcome, e.certain) for e in made] == [(events.CREATED, True), (events.EXISTS, True)]
    made = created(BY_ID["early-return-known-guard-taken-past"].source)
    assert [(e.outcome, e.certain) for e in made] == [(events.CREATED, True), (events.EXISTS, True)]


def test_tensor_eq_string_is_known_false() -> None:
    source = TF + """\
def build(x, placeholder='default'):
    if placeholder == 'default':
        tf.get_variable('w', [1])
    return x
t = tf.placeholder(tf.float32, [1])
build(t, placeholder=t)
"""
    assert created(source) == []


def test_reopened_name_scope_in_an_uncertain_branch_is_not_reported() -> None:
    facts = facts_from_source(BY_ID["unknown-eq-string-literal"].source, path="case.py", module_name=None)
    entered = [e for e in analyze(facts, {}).of_type(events.ScopeEntered) if e.kind == "name_scope"]
    assert [(e.requested, e.reopened_from) for e in entered] == [("B", None), ("B", None)]


# ---------------------------------------------------------------- 3. positions across files

_MODEL = TF + """\


class Model(object):
    def __init__(self, hparams):
        self.hparams = hparams
        self.state = self.init_state()

    def init_state(self):
        # line 10
        with tf.variable_scope('clean_scope_for_internal_state'):
            v = tf.get_variable('state', [2, 3], trainable=False)
        return v
"""
_CALLER = TF + """\
# padding 2
# padding 3
# padding 4
# padding 5
# padding 6
# padding 7
# padding 8
from pkg import model


def build(hparams):
    return model.Model(hparams)


with tf.Graph().as_default():
    build(None)
    build(None)
"""


def _crossfile(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "model.py").write_text(_MODEL)
    (tmp_path / "test_model.py").write_text(_CALLER)


def test_crossfile_collision_positions(tmp_path: Path) -> None:
    _crossfile(tmp_path)
    found = lint_paths([tmp_path], Config(select=("SL201",), root=str(tmp_path)), EngineOptions(use_cache=False, jobs=1))
    assert len(found) == 1
    d = found[0]
    # The diagnostic itself: the second build(None) call, in the linted file.
    assert (Path(d.path).name, d.line, d.column) == ("test_model.py", 18, 5)
    # The related locations: line 12 of pkg/model.py, under that file's path, then the first build(None) call.
    rel, call = d.data["related"]
    assert (Path(rel["path"]).resolve(), rel["line"], rel["column"]) == ((tmp_path / "pkg" / "model.py").resolve(), 12, 17)
    assert (Path(call["path"]).resolve(), call["line"], call["column"]) == ((tmp_path / "test_model.py").resolve(), 17, 5)
    # Named as the run names files (here absolute, like the primary), never relative to test_model.py's folder.
    assert f"(created at {tmp_path / 'pkg' / 'model.py'}:12)" in d.message


def test_crossfile_related_path_relative_invocation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _crossfile(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = lint_paths(["."], Config(select=("SL201",), root="."), EngineOptions(use_cache=False, jobs=1))
    [d] = found
    rel, call = d.data["related"]
    assert os.path.normpath(d.path) == "test_model.py" and os.path.normpath(rel["path"]) == os.path.join("pkg", "model.py")
    assert os.path.normpath(call["path"]) == "test_model.py"
    assert "created at pkg" in d.message.replace(os.sep, "/")


def test_samefile_builder_message_says_line(tmp_path: Path) -> None:
    source = TF + "def f():\n    return tf.get_variable('w', [1])\nf()\nf()\n"
    [d] = lint_source(source, path="case.py", config=Config(select=("SL201",)))
    assert (d.line, d.column) == (5, 1) and "`tf.get_variable` via f() creates" in d.message and "(created at line 3)" in d.message
    assert d.data["related"] == [
        {"path": "case.py", "line": 3, "column": 12, "message": "'w' first created here"},
        {"path": "case.py", "line": 4, "column": 1, "message": "the call that first created 'w'"},
    ]


def test_crossfile_copy_of_path(tmp_path: Path) -> None:
    """SL204's related location (the first tf.Variable) lies in the builder's file too."""
    (tmp_path / "lib.py").write_text(TF + "def dense():\n    return tf.Variable(tf.zeros([1]), name='w')\n")
    (tmp_path / "main.py").write_text(
        TF + "import lib\nwith tf.variable_scope('s'):\n    lib.dense()\nwith tf.variable_scope('s', reuse=True):\n    lib.dense()\n"
    )
    found = lint_paths([tmp_path], Config(select=("SL204",), root=str(tmp_path)), EngineOptions(use_cache=False, jobs=1))
    [d] = found
    assert (Path(d.path).name, d.line) == ("main.py", 6)
    [rel] = d.data["related"]
    assert (Path(rel["path"]).name, rel["line"]) == ("lib.py", 3)
    assert f"created at {tmp_path / 'lib.py'}:3" in d.message  # as the run names files (absolute here)


# ---------------------------------------------------------------- TF agrees


TF_CASES = [case for case in CASES if case.tf != "skip"]


@pytest.mark.tf
def test_tf_agrees_with_the_precision_cases() -> None:
    from tf_oracle import run_programs

    outcomes = run_programs([case.source + case.tf_check for case in TF_CASES])
    for case, outcome in zip(TF_CASES, outcomes):
        if case.tf == "raises":
            assert outcome.error is not None, f"{case.id}: expected TF to raise"
        else:
            assert outcome.error is None, f"{case.id}: TF raised {outcome.error} at line {outcome.error_line}"


@pytest.mark.tf
def test_tf_tensor_and_variable_eq_string_is_false() -> None:
    from tf_oracle import run_programs

    program = TF + """\
t = tf.placeholder(tf.float32, [1])
w = tf.get_variable('w', [1])
assert (t == 'default') is False and (t != 'default') is True
assert (w == 'default') is False and (w != 'default') is True
"""
    [outcome] = run_programs([program])
    assert outcome.error is None, outcome.error
