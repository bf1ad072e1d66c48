"""Reconciliation of static findings with a trace, on constructed traces (no TF).

The traces here are what the child reports for real programs (see
tests/test_dynamic_trace.py, which proves those facts against TF).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import pytest

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.dynamic import records
from scopelint.dynamic.reconcile import name_pattern, reconcile
from scopelint.dynamic.verdict import COLLIDES, DUPLICATES, SHARES, judge

SOURCE = """import tensorflow as tf
def build(x):
    w = tf.get_variable("w", [3, 4])
    return w
with tf.variable_scope("d"):
    build(1)
with tf.variable_scope("d"):
    build(1)
print("after")
"""


@pytest.fixture()
def program(tmp_path: Path) -> str:
    path = tmp_path / "prog.py"
    path.write_text(SOURCE)
    return str(path)


def _var(path: str, name: str, stack: list[int], seq: int, kind: str = "create", via: str = "get_variable", reuse: str = "false", phase: str = "") -> records.VariableEvent:
    real = records.real(path)
    return records.VariableEvent(kind, name, (3, 4), via, reuse, "get_variable", tuple((real, n) for n in stack), phase, seq)


def _trace(
    path: str,
    outcome: records.Outcome,
    variables: Sequence[records.VariableEvent] = (),
    errors: Sequence[records.ScopeError] = (),
    reached: Sequence[int] = (),
) -> records.FileTrace:
    real = records.real(path)
    return records.FileTrace(path, outcome, tuple(variables), tuple(errors), {(real, n): i for i, n in enumerate(reached)})


def _collision_trace(path: str) -> records.FileTrace:
    real = records.real(path)
    error = records.ScopeError("SL201", "d/w", "Variable d/w already exists, disallowed.", ((real, 3), (real, 8)), "", 9)
    return _trace(
        path,
        records.Outcome(records.RAISED, "ValueError: ...", (real, 3)),
        variables=[_var(path, "d/w", [3, 6], 4)],
        errors=[error],
        reached=[1, 2, 5, 6, 3, 4, 7, 8],
    )


def _diag(path: str, line: int, code: str, **data: object) -> Diagnostic:
    return Diagnostic(path, line, 5, code, "static message", Severity.ERROR, data=data)


def test_error_at_call_site_is_confirmed_through_the_stack(program: str) -> None:
    static = [_diag(program, 8, "SL201", predicted_name="d/w")]
    [result] = reconcile(static, [_collision_trace(program)])
    assert (result.line, result.code, result.data["dynamic"]) == (8, "SL201", "confirmed")
    assert result.message == "static message"


def test_error_matched_by_predicted_name_with_symbolic_parts(program: str) -> None:
    static = [_diag(program, 2, "SL201", predicted_name="{scope}/w")]
    [result] = reconcile(static, [_collision_trace(program)])
    assert result.data["dynamic"] == "confirmed"


def test_a_different_code_at_the_same_line_is_not_confirmation(program: str) -> None:
    static = [_diag(program, 8, "SL202", predicted_name="d/w")]
    result = reconcile(static, [_collision_trace(program)])
    by_code = {d.code: d for d in result}
    assert by_code["SL202"].data["dynamic"] == "not reached"
    # the SL201 TF raised is not covered by the SL202 finding: it is reported on its own
    assert by_code["SL201"].data["dynamic"] == "trace-only"


def test_reached_line_without_the_error_is_refuted_when_the_trace_completed(program: str) -> None:
    real = records.real(program)
    trace = _trace(program, records.Outcome(records.OK), variables=[_var(program, "d/w", [3, 6], 1)], reached=[1, 2, 3, 5, 6, 9])
    [result] = reconcile([_diag(program, 6, "SL201", predicted_name="d/w")], [trace])
    assert result.data["dynamic"] == "refuted"
    assert (real, 6) in trace.reached


def test_reached_line_in_an_incomplete_trace_is_not_refuted(program: str) -> None:
    trace = _trace(program, records.Outcome(records.TIMED_OUT, "after 1 s"), reached=[1, 2, 3, 5, 6])
    [result] = reconcile([_diag(program, 6, "SL201")], [trace])
    assert result.data["dynamic"] == "not reached"
    assert result.data["dynamic_note"].startswith("the line ran, but the trace timed out")


def test_line_after_the_error_is_not_reached(program: str) -> None:
    found, result = reconcile([_diag(program, 9, "SL201")], [_collision_trace(program)])
    assert (found.line, found.data["dynamic"]) == (3, "trace-only")  # the line-9 finding does not cover line 3's error
    assert (result.line, result.data["dynamic"]) == (9, "not reached")
    assert "dynamic_note" not in result.data


def test_trace_only_collision_names_the_line_the_first_creation_and_the_caller(program: str) -> None:
    [finding] = reconcile([], [_collision_trace(program)])
    assert (finding.path, finding.line, finding.column, finding.code) == (program, 3, 5, "SL201")
    assert finding.severity is Severity.ERROR
    assert finding.message == "TensorFlow raised: Variable d/w already exists, disallowed. (called from line 8) (seen by the trace only)"
    assert finding.data["dynamic"] == "trace-only"
    assert finding.data["predicted_name"] == "d/w"
    assert finding.data["related"] == [
        {"path": program, "line": 3, "column": 5, "message": "d/w first created here (called from line 6)"}
    ]
    json.dumps(finding.to_json())  # serialisable as the JSON report needs


def test_trace_only_findings_obey_keep(program: str) -> None:
    assert reconcile([], [_collision_trace(program)], keep=lambda d: d.code != "SL201") == []


def test_silent_copy_under_reuse_is_a_trace_only_sl204(program: str) -> None:
    first = _var(program, "tower/fc/kernel", [3], 1, via="Variable")
    copy = _var(program, "tower_1/fc/kernel", [5], 2, via="Variable", reuse="true")
    trace = _trace(program, records.Outcome(records.OK), variables=[first, copy], reached=[1, 2, 3, 4, 5])
    [finding] = reconcile([], [trace])
    assert (finding.line, finding.code, finding.severity) == (5, "SL204", Severity.WARNING)
    assert "'tower_1/fc/kernel', a copy of 'tower/fc/kernel'" in finding.message
    assert finding.data["related"][0]["line"] == 3


def test_static_sl204_is_confirmed_by_the_copy(program: str) -> None:
    first = _var(program, "tower/fc/kernel", [3], 1, via="Variable")
    copy = _var(program, "tower_1/fc/kernel", [5], 2, via="Variable", reuse="true")
    trace = _trace(program, records.Outcome(records.OK), variables=[first, copy], reached=[1, 2, 3, 4, 5])
    [result] = reconcile([_diag(program, 5, "SL204")], [trace])
    assert result.data["dynamic"] == "confirmed"


def test_a_uniquified_name_without_reuse_is_not_a_copy(program: str) -> None:
    first = _var(program, "dense/kernel", [3], 1, via="Variable")
    second = _var(program, "dense_1/kernel", [5], 2, via="Variable", reuse="false")
    trace = _trace(program, records.Outcome(records.OK), variables=[first, second], reached=[3, 5])
    assert reconcile([], [trace]) == []


def test_sl101_confirmed_by_the_name_tf_gave(program: str) -> None:
    """TF named it 'w' while name scope 'block' was open: the prefix was ignored."""
    created = replace(_var(program, "w", [3], 1), name_scope="block")
    trace = _trace(program, records.Outcome(records.OK), variables=[created], reached=[3])
    [confirmed] = reconcile([_diag(program, 3, "SL101", predicted_name="w")], [trace])
    [refuted] = reconcile([_diag(program, 3, "SL101", predicted_name="block/w")], [trace])
    assert confirmed.data["dynamic"] == "confirmed"
    assert refuted.data["dynamic"] == "refuted"
    prefixed = _trace(program, records.Outcome(records.OK), variables=[replace(created, name="block/w")], reached=[3])
    [carried] = reconcile([_diag(program, 3, "SL101")], [prefixed])
    assert carried.data["dynamic"] == "refuted"  # the variable did get the name scope's prefix


def test_sl203_confirmed_by_a_later_does_not_exist_which_it_explains(program: str) -> None:
    real = records.real(program)
    error = records.ScopeError("SL202", "model/w/Adam/", "Variable model/w/Adam/ does not exist", ((real, 9),), "", 20)
    trace = _trace(program, records.Outcome(records.RAISED, "ValueError"), errors=[error], reached=[1, 2, 7, 9])
    result = reconcile([_diag(program, 7, "SL203")], [trace])
    assert [(d.line, d.code, d.data["dynamic"]) for d in result] == [(7, "SL203", "confirmed")]


def test_a_does_not_exist_before_the_leak_is_not_explained_by_it(program: str) -> None:
    real = records.real(program)
    error = records.ScopeError("SL202", "x/w", "Variable x/w does not exist", ((real, 3),), "", 2)
    trace = _trace(program, records.Outcome(records.OK), errors=[error], reached=[1, 2, 3, 7, 9])
    result = reconcile([_diag(program, 7, "SL203")], [trace])
    assert [(d.line, d.code, d.data["dynamic"]) for d in result] == [(3, "SL202", "trace-only"), (7, "SL203", "refuted")]


def test_unobservable_rules_are_only_marked_when_not_reached(program: str) -> None:
    trace = _trace(program, records.Outcome(records.OK), reached=[1, 2])
    reached, unreached = reconcile([_diag(program, 2, "SL103"), _diag(program, 9, "SL103")], [trace])
    assert "dynamic" not in reached.data
    assert unreached.data["dynamic"] == "not reached"


def test_files_no_trace_touched_stay_unmarked(program: str, tmp_path: Path) -> None:
    other = tmp_path / "other.py"
    other.write_text("x = 1\n")
    [result] = [d for d in reconcile([_diag(str(other), 1, "SL201")], [_collision_trace(program)]) if d.path == str(other)]
    assert "dynamic" not in result.data


def test_a_file_the_worker_never_ran_is_no_evidence(program: str) -> None:
    trace = _trace(program, records.Outcome(records.NOT_RUN, "TensorFlow could not be imported"))
    static = [_diag(program, 3, "SL201"), _diag(program, 9, "SL103")]
    assert [dict(d.data) for d in reconcile(static, [trace])] == [{}, {}]


def test_name_pattern() -> None:
    assert name_pattern("tower_{i}/w").match("tower_3/w")
    assert not name_pattern("tower_{i}/w").match("tower_3/x/w")
    assert not name_pattern("a.b/w").match("aXb/w")


def _builder_trace(path: str, events: Sequence[records.VariableEvent], errors: Sequence[records.ScopeError] = ()) -> records.FileTrace:
    return _trace(path, records.Outcome(records.OK), variables=events, errors=errors)


def test_builder_verdicts(program: str) -> None:
    shares = _builder_trace(program, [_var(program, "w", [3], 1, phase="tower:1"), _var(program, "w", [3], 2, kind="reuse", phase="tower:2")])
    assert judge(shares, "tower").kind == SHARES
    copies = _builder_trace(program, [_var(program, "dense/kernel", [3], 1, phase="twice:1"), _var(program, "dense_1/kernel", [3], 2, phase="twice:2")])
    verdict = judge(copies, "twice")
    assert (verdict.kind, verdict.created) == (DUPLICATES, ("dense_1/kernel",))
    error = records.ScopeError("SL201", "w", "Variable w already exists, disallowed.", (), "twice:2", 3)
    collides = _builder_trace(program, [_var(program, "w", [3], 1, phase="twice:1")], [error])
    assert judge(collides, "twice").kind == COLLIDES
    assert judge(collides, "twice").detail == "the second call raised SL201: Variable w already exists, disallowed."


def test_parse_events_drops_a_torn_last_line() -> None:
    lines = [
        records.encode({"t": "line", "path": "/p.py", "line": 3}),
        records.encode({"t": "var", "kind": "create", "name": "w", "shape": [2, None], "via": "get_variable", "reuse": "false", "stack": [["/p.py", 3]]}),
        b'{"t": "err", "code": "SL2',
    ]
    log = records.parse_events(lines)
    assert log.reached == {("/p.py", 3): 0}
    assert [(v.name, v.shape, v.where) for v in log.variables] == [("w", (2, None), ("/p.py", 3))]
    assert log.errors == [] and log.end is None


@pytest.mark.parametrize("absolute", [True, False])
def test_trace_only_findings_in_unnamed_files_use_the_runs_path_form(tmp_path: Path, absolute: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """One path form per run: a finding in a module the traced file imported is spelled like the rest."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text("import layers\nlayers.build()\n")
    (tmp_path / "pkg" / "layers.py").write_text("def build():\n    w = 1\n")
    train, layers = records.real("pkg/train.py"), records.real("pkg/layers.py")
    error = records.ScopeError("SL201", "enc/w", "Variable enc/w already exists, disallowed.", ((layers, 2), (train, 2)), "", 3)
    named = train if absolute else "pkg/train.py"
    trace = records.FileTrace(named, records.Outcome(records.RAISED, "ValueError", (layers, 2)), (), (error,), {(train, 2): 1, (layers, 2): 2})
    static = [_diag(named, 1, "SL103")]
    paths = {d.path for d in reconcile(static, [trace])}
    assert paths == ({train, layers} if absolute else {"pkg/train.py", os.path.join("pkg", "layers.py")})
