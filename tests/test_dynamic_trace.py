"""Dynamic mode against TensorFlow itself: every program in tests/dynamic_programs/
is traced once (one worker, one TF import, one fork per file) and each test
reads its part of that run. Names are checked against tests/tf_oracle.py,
which runs the same programs through TF by a different route."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scopelint.dynamic import records
from scopelint.dynamic.options import DynamicOptions
from scopelint.dynamic.runner import trace_files

pytestmark = pytest.mark.tf

PROGRAMS = Path(__file__).parent / "dynamic_programs"
# Traced by the CLI containment test instead: it costs its whole timeout.
SLOW = {"hang.py"}


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("marker") / "training-ran"


@pytest.fixture(scope="module")
def traces(marker: Path) -> dict[str, records.FileTrace]:
    paths = sorted(str(p) for p in PROGRAMS.glob("*.py") if p.name not in SLOW) + [str(PROGRAMS / "pkg" / "train.py")]
    options = DynamicOptions(timeout_s=30, memory_mb=512, args=("--width", "7", "--marker", str(marker)))
    found, stats = trace_files(paths, options)
    assert stats.import_seconds is not None
    return {Path(t.path).name: t for t in found}


def _line(trace: records.FileTrace, frame: records.Frame | None) -> int | None:
    return None if frame is None else frame[1]


# program -> (outcome kind, line it ended at, [(code, innermost line, variable name)])
EXPECTED = {
    "collide_builder.py": (records.RAISED, 8, [("SL201", 8, "discriminator/w")]),
    "reuse_missing.py": (records.RAISED, 9, [("SL202", 9, "decoder/w")]),
    "shape_mismatch.py": (records.RAISED, 9, [("SL205", 9, "layer/w")]),
    "internal_modules.py": (records.RAISED, 10, [("SL201", 10, "block/kernel")]),
    "rnn_twice.py": (records.RAISED, 8, [("SL201", 8, "rnn/basic_lstm_cell/kernel")]),
    "optimizer_leak.py": (records.RAISED, 13, [("SL202", 13, "model/w/Adam/")]),
    "caught_error.py": (records.OK, None, [("SL201", 9, "goo/w")]),
    "name_scope_get_variable.py": (records.OK, None, []),
    "keras_under_reuse.py": (records.OK, None, []),
    "clean_auto_reuse.py": (records.OK, None, []),
    "clean_reuse_true.py": (records.OK, None, []),
    "clean_new_graph.py": (records.OK, None, []),
    "clean_reset_graph.py": (records.OK, None, []),
    "slim_contrib.py": (records.OK, None, []),
    "main_block.py": (records.OK, None, []),
    "builders.py": (records.OK, None, []),
    "train.py": (records.RAISED, 12, [("SL201", 6, "enc/w")]),  # pkg/train.py, raising in pkg/layers.py
    "training_loop.py": (records.STOPPED, 16, []),
    "keras_fit.py": (records.STOPPED, 9, []),
    "monitored_training.py": (records.STOPPED, 9, []),
    "contrib_missing.py": (records.UNSUPPORTED, 5, []),
    "raises.py": (records.RAISED, 5, []),
    "needs_arguments.py": (records.EXITED, 10, []),
    "exit_early.py": (records.EXITED_EARLY, None, []),
    "allocates.py": (records.OUT_OF_MEMORY, 4, []),
    "crashes.py": (records.CRASHED, None, []),
    "silent_name_scope_reopened.py": (records.OK, None, []),
    "silent_lookups.py": (records.RAISED, 13, []),
    "silent_scope_filters.py": (records.OK, None, []),
    "silent_update_ops.py": (records.OK, None, []),
    "silent_tower_update_ops.py": (records.OK, None, []),
    "silent_saver.py": (records.OK, None, []),
    "silent_deprecated.py": (records.OK, None, []),
    "silent_auto_reuse_copies.py": (records.OK, None, []),
    "clean_update_ops.py": (records.STOPPED, 16, []),
}

# What `--dynamic` must say about each program, per family: (file, line, code) -> verdict.
# Every other finding must be neither confirmed nor trace-only, and nothing may be refuted.
AGREEMENT = {
    ("collide_builder.py", 16, "SL201"): "confirmed",
    ("internal_modules.py", 10, "SL201"): "confirmed",
    ("rnn_twice.py", 8, "SL201"): "confirmed",
    ("caught_error.py", 9, "SL201"): "trace-only",
    ("layers.py", 6, "SL201"): "trace-only",  # raised in pkg/layers.py, called from pkg/train.py
    ("reuse_missing.py", 8, "SL202"): "confirmed",  # at the reuse=True scope; TF raises at line 9
    ("optimizer_leak.py", 9, "SL203"): "confirmed",
    ("shape_mismatch.py", 9, "SL205"): "confirmed",
    ("keras_under_reuse.py", 10, "SL204"): "trace-only",
    ("silent_auto_reuse_copies.py", 17, "SL204"): "confirmed",  # tf.Variable under AUTO_REUSE
    ("silent_auto_reuse_copies.py", 20, "SL204"): "confirmed",  # unnamed tf.layers.dense under AUTO_REUSE: head(x) run twice
    ("name_scope_get_variable.py", 5, "SL101"): "confirmed",
    ("silent_scope_filters.py", 8, "SL101"): "confirmed",
    ("silent_lookups.py", 13, "SL102"): "confirmed",
    ("silent_scope_filters.py", 11, "SL102"): "confirmed",
    ("silent_name_scope_reopened.py", 5, "SL103"): "confirmed",
    ("silent_scope_filters.py", 10, "SL104"): "confirmed",
    ("silent_update_ops.py", 7, "SL301"): "confirmed",
    ("silent_tower_update_ops.py", 7, "SL301"): "confirmed",
    ("silent_saver.py", 4, "SL302"): "confirmed",
    ("silent_saver.py", 6, "SL302"): "confirmed",  # Adam's slots come after it
    ("silent_deprecated.py", 4, "SL401"): "confirmed",
    ("silent_deprecated.py", 6, "SL401"): "confirmed",
    ("silent_deprecated.py", 8, "SL401"): "confirmed",
    ("silent_deprecated.py", 9, "SL401"): "confirmed",
    ("silent_deprecated.py", 10, "SL401"): "confirmed",
}


def test_every_program_has_an_expectation() -> None:
    assert {p.name for p in PROGRAMS.glob("*.py")} - SLOW == set(EXPECTED) - {"train.py"}
    assert len(EXPECTED) + len(SLOW) >= 15


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_outcome_and_scope_errors(traces: dict[str, records.FileTrace], name: str) -> None:
    kind, line, errors = EXPECTED[name]
    trace = traces[name]
    assert trace.outcome.kind == kind, trace.outcome.describe()
    assert _line(trace, trace.outcome.where) == line
    assert [(e.code, _line(trace, e.where), e.name) for e in trace.errors] == errors


def test_collision_is_reported_at_the_inner_line_with_the_callers(traces: dict[str, records.FileTrace]) -> None:
    [error] = traces["collide_builder.py"].errors
    path = records.real(str(PROGRAMS / "collide_builder.py"))
    assert error.stack == ((path, 8), (path, 16))
    assert error.message == (
        "Variable discriminator/w already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?"
    )
    [created] = traces["collide_builder.py"].variables
    assert (created.name, created.shape, created.stack) == ("discriminator/w", (4, 1), ((path, 8), (path, 14)))


def test_package_module_runs_with_relative_imports_and_stacks_cross_files(traces: dict[str, records.FileTrace]) -> None:
    [error] = traces["train.py"].errors
    layers, train = records.real(str(PROGRAMS / "pkg" / "layers.py")), records.real(str(PROGRAMS / "pkg" / "train.py"))
    assert error.stack == ((layers, 6), (train, 12))
    assert traces["train.py"].reached_line(str(PROGRAMS / "pkg" / "layers.py"), 6)


def test_rest_of_file_after_an_error_is_not_reached(traces: dict[str, records.FileTrace]) -> None:
    trace = traces["collide_builder.py"]
    assert trace.reached_line(str(PROGRAMS / "collide_builder.py"), 16)
    assert not trace.reached_line(str(PROGRAMS / "collide_builder.py"), 17)
    assert trace.outcome.describe().endswith("the rest of the file was not reached")


def test_variable_and_get_variable_are_told_apart(traces: dict[str, records.FileTrace]) -> None:
    found = [(v.name, v.via, v.api, _line(traces["name_scope_get_variable.py"], v.where)) for v in traces["name_scope_get_variable.py"].variables]
    assert found == [("w", "get_variable", "get_variable", 5), ("block/v", "Variable", "Variable", 6)]


def test_reuse_is_recorded(traces: dict[str, records.FileTrace]) -> None:
    events = [(v.kind, v.name, _line(traces["clean_reuse_true.py"], v.where)) for v in traces["clean_reuse_true.py"].variables]
    assert events == [
        ("create", "discriminator/h0/kernel", 9), ("create", "discriminator/h0/bias", 9),
        ("create", "discriminator/out/kernel", 10), ("create", "discriminator/out/bias", 10),
        ("reuse", "discriminator/h0/kernel", 9), ("reuse", "discriminator/h0/bias", 9),
        ("reuse", "discriminator/out/kernel", 10), ("reuse", "discriminator/out/bias", 10),
    ]  # fmt: skip


def test_keras_layers_under_reuse_make_copies(traces: dict[str, records.FileTrace]) -> None:
    found = [(v.name, v.via, v.reuse) for v in traces["keras_under_reuse.py"].variables]
    assert found == [
        ("tower/fc/kernel", "Variable", "false"), ("tower/fc/bias", "Variable", "false"),
        ("tower_1/fc/kernel", "Variable", "true"), ("tower_1/fc/bias", "Variable", "true"),
    ]  # fmt: skip


def test_new_graphs_and_reset_give_fresh_stores(traces: dict[str, records.FileTrace]) -> None:
    assert [v.name for v in traces["clean_new_graph.py"].variables] == ["w", "w"]
    assert [v.name for v in traces["clean_reset_graph.py"].variables] == ["w", "w"]


def test_contrib_shims_and_batch_norm_alias(traces: dict[str, records.FileTrace]) -> None:
    names = [v.name for v in traces["slim_contrib.py"].variables]
    assert names == [
        "conv1/weights", "conv1/biases", "bn1/beta", "bn1/moving_mean", "bn1/moving_variance",
        "Conv/weights", "Conv/biases", "logits/weights", "logits/biases",
    ]  # fmt: skip
    assert traces["contrib_missing.py"].outcome.detail.startswith("tf.contrib.learn is not available under TF 2.x")
    assert [v.name for v in traces["contrib_missing.py"].variables] == ["w"]


def test_main_block_runs_with_dynamic_args(traces: dict[str, records.FileTrace]) -> None:
    assert [(v.name, v.shape) for v in traces["main_block.py"].variables] == [("model/w7", (7,))]


def test_training_stops_at_the_first_session_run(traces: dict[str, records.FileTrace], marker: Path) -> None:
    trace = traces["training_loop.py"]
    assert trace.outcome.detail == "Session.run"
    assert [v.name for v in trace.variables] == ["w"]
    assert not marker.exists()
    assert traces["keras_fit.py"].outcome.detail == "Model.fit"
    assert traces["monitored_training.py"].outcome.detail == "MonitoredSession"
    assert [v.name for v in traces["monitored_training.py"].variables] == ["global_step", "w"]
    assert [v.name for v in traces["keras_fit.py"].variables] == ["hidden/kernel", "hidden/bias"]


def test_containment_outcomes(traces: dict[str, records.FileTrace]) -> None:
    assert traces["exit_early.py"].outcome.exit_code == 3
    assert [v.name for v in traces["exit_early.py"].variables] == ["w"]  # streamed before the process vanished
    assert traces["crashes.py"].outcome.signal == 11
    assert traces["raises.py"].outcome.detail == "RuntimeError: data directory not found"
    assert "limit 512 MiB" in traces["allocates.py"].outcome.describe()
    assert traces["needs_arguments.py"].outcome.exit_code == 2
    assert traces["needs_arguments.py"].outcome.describe() == (
        "called sys.exit(2) at line 10; the rest of the file was not reached (does it need arguments? --dynamic-args)"
    )


ORACLE_PROGRAMS = [
    "collide_builder.py", "reuse_missing.py", "shape_mismatch.py", "internal_modules.py", "rnn_twice.py",
    "optimizer_leak.py", "caught_error.py", "name_scope_get_variable.py", "keras_under_reuse.py",
    "clean_auto_reuse.py", "clean_reuse_true.py", "slim_contrib.py",
]  # fmt: skip


def test_trace_names_equal_the_oracle(traces: dict[str, records.FileTrace]) -> None:
    """The names and lines `scopelint trace` reports are the ones TF gives by another route."""
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        from tf_oracle import run_programs
    finally:
        sys.path.pop(0)
    # The oracle has no shims: spell the TF1 names the way the shims resolve them (same line numbers).
    shims = {
        "import tensorflow as tf\n": "import tensorflow.compat.v1 as tf\n",
        "tf.contrib.slim": "__import__('tf_slim')",
        "tf.contrib.layers.": "__import__('tf_slim').",
        "tf.contrib.rnn.": "tf.nn.rnn_cell.",
    }
    sources = []
    for name in ORACLE_PROGRAMS:
        text = (PROGRAMS / name).read_text()
        for old, new in shims.items():
            text = text.replace(old, new)
        sources.append(text)
    for name, outcome in zip(ORACLE_PROGRAMS, run_programs(sources)):
        created = [(v.name, _line(traces[name], v.where)) for v in traces[name].variables if v.kind == "create"]
        assert created == [(v.name, v.line) for v in outcome.variables], name
        ended = traces[name].outcome
        if outcome.error is None:
            assert ended.complete, name
        else:
            assert outcome.error.startswith(ended.detail.split(" Did you mean")[0]), name
            assert _line(traces[name], ended.where) == outcome.error_line, name


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scopelint", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_builder_mode_reports_shares_collides_duplicates() -> None:
    functions = ["shared_by_get_variable", "default_named_layers", "keras_layers", "auto_reuse", "no_variables"]
    targets = [f"{PROGRAMS / 'builders.py'}:{f}" for f in functions]
    done = _cli("trace", "--format", "json", *targets, "--input-shape", "2,8")
    assert done.returncode == 1, done.stderr  # a scope error was raised
    report = json.loads(done.stdout)
    verdicts = {t["function"]: (t["builder"]["twice"]["verdict"], t["builder"]["tower"]["verdict"]) for t in report["traces"]}
    assert verdicts == {
        "shared_by_get_variable": ("collides", "shares"),
        "default_named_layers": ("duplicates", "collides"),
        "keras_layers": ("duplicates", "duplicates"),
        "auto_reuse": ("shares", "shares"),
        "no_variables": ("creates no variables", "creates no variables"),
    }
    layers = next(t for t in report["traces"] if t["function"] == "default_named_layers")
    assert layers["builder"]["tower"]["detail"].startswith("the second call raised SL202: Variable dense_1/kernel does not exist")
    assert [v["name"] for v in layers["variables"] if v["phase"] == "twice:2"] == ["dense_1/kernel", "dense_1/bias"]


def test_trace_text_lists_names_by_line(traces: dict[str, records.FileTrace]) -> None:
    from scopelint.dynamic.cli import render_text

    trace = traces["collide_builder.py"]
    lines = render_text(trace, None).splitlines()
    assert lines[0].startswith(f"{trace.path}: raised at line 8: ValueError: Variable discriminator/w already exists")
    assert lines[1].split() == [f"{trace.path}:8", "create", "discriminator/w", "[4,", "1]", "get_variable"]
    assert lines[2].split()[:3] == [f"{trace.path}:8", "SL201", "Variable"]
    assert len(lines) == 3


@pytest.fixture(scope="module")
def checked() -> tuple[int, list[dict[str, Any]], str]:
    """`scopelint --dynamic --format json` over every program, the hanging one included."""
    names = sorted(p.name for p in PROGRAMS.glob("*.py")) + ["pkg/train.py"]
    done = _cli("--dynamic", "--dynamic-timeout", "3", "--dynamic-memory", "256", "--no-cache", "--isolated", "--format", "json", *names, cwd=PROGRAMS)
    report = json.loads(done.stdout)
    assert set(report) == {"findings", "traces"}, "with --dynamic the JSON report is an object"
    assert len(report["traces"]) == len(names)
    return done.returncode, report["findings"], done.stderr + "\n" + json.dumps(report["traces"])


def test_check_dynamic_contains_every_failure_and_still_prints(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    code, findings, err = checked
    assert code == 1, err
    assert findings, "the report (static findings plus the trace's) is printed whatever the children did"
    assert "hang.py: timed out after 3 s (--dynamic-timeout); the rest of the file was not reached" in err
    assert "exit_early.py: exited early with code 3" in err
    assert "raises.py: raised at line 5: RuntimeError: data directory not found" in err
    assert "allocates.py: ran out of memory (limit 256 MiB" in err
    assert "crashes.py: crashed with signal 11 (SIGSEGV" in err
    assert "training_loop.py: stopped at line 16 at Session.run" in err
    assert "clean_reuse_true.py: ran to the end" in err
    assert "(TensorFlow import" in err and "once)" in err


def _by_file(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        grouped.setdefault(Path(str(finding["path"])).name, []).append(finding)
    return grouped


def test_every_static_error_is_confirmed_by_the_trace(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    _, findings, _ = checked
    static_errors = [f for f in findings if f["severity"] == "error" and f["data"].get("dynamic") != "trace-only"]
    for finding in static_errors:
        assert finding["data"].get("dynamic") == "confirmed", finding
    # TF refutes nothing the static pass says about these programs (a refuted finding is a false positive)
    assert [f for f in findings if f["data"].get("dynamic") == "refuted"] == []


def test_every_tf_error_is_reported_with_its_code(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    _, findings, _ = checked
    grouped = _by_file(findings)
    for name, (_, _, errors) in EXPECTED.items():
        for code, line, variable in errors:
            where = "layers.py" if name == "train.py" else name  # pkg/train.py's error is raised in pkg/layers.py
            # A slot that "does not exist" is explained by the leaked reuse (SL203) when the static pass saw it.
            codes = {code, "SL203"} if code == "SL202" else {code}
            matching = [f for f in grouped.get(where, []) if f["code"] in codes and f["data"].get("dynamic") in {"confirmed", "trace-only"}]
            assert matching, f"{name}: TF raised {code} at line {line} ({variable}) but no finding says so"
    [copy] = [f for f in grouped["keras_under_reuse.py"] if f["code"] == "SL204"]
    # the static SL204 confirmed, or (without it) the trace's own finding: one finding either way
    assert (copy["line"], copy["severity"], copy["data"]["dynamic"] in {"confirmed", "trace-only"}) == (10, "warning", True)


def test_clean_look_alikes_have_no_dynamic_findings(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    _, findings, _ = checked
    grouped = _by_file(findings)
    for name in ["clean_auto_reuse.py", "clean_reuse_true.py", "clean_new_graph.py", "clean_reset_graph.py", "slim_contrib.py", "builders.py", "main_block.py", "clean_update_ops.py"]:
        assert [f for f in grouped.get(name, []) if f["data"].get("dynamic") in {"trace-only", "confirmed"}] == [], name


def test_every_family_agrees_with_tf(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    """Each program's bug is confirmed (or found by the trace alone) with its code, at its line;
    nothing else is, and nothing is refuted."""
    _, findings, _ = checked
    said = {(Path(str(f["path"])).name, f["line"], f["code"]): f["data"].get("dynamic") for f in findings}
    agreed = [key for key, verdict in AGREEMENT.items() if said.get(key) == verdict]
    assert len(agreed) == len(AGREEMENT), {key: said.get(key) for key in AGREEMENT if key not in agreed}
    extra = {key: v for key, v in said.items() if v in {"confirmed", "trace-only"} and key not in AGREEMENT}
    assert extra == {}
    assert {code for _, _, code in AGREEMENT} >= {"SL101", "SL102", "SL103", "SL104", "SL201", "SL202", "SL203", "SL204", "SL205", "SL301", "SL302", "SL401"}


def test_silent_facts_name_what_tf_built(traces: dict[str, records.FileTrace]) -> None:
    """The facts behind the verdicts, as TF reported them."""
    def facts(name: str, kind: str) -> list[tuple[int | None, dict[str, Any]]]:
        return [(_line(traces[name], f.where), dict(f.detail)) for f in traces[name].facts if f.kind == kind]

    assert [(line, d["requested"], d["opened"]) for line, d in facts("silent_name_scope_reopened.py", "name_scope")] == [
        (3, "summaries", "summaries"), (5, "summaries", "summaries_1"), (8, "tower", "tower"), (8, "tower", "tower_1"), (10, "logs", "logs"),
    ]  # fmt: skip  (re-entering the captured "logs/" is absolute: not a new scope)
    [(line, lookup)] = facts("silent_lookups.py", "lookup")[1:]
    assert (line, lookup["name"]) == (13, "decoder/v:0") and lookup["error"].startswith("KeyError: The name 'decoder/v:0' refers to a Tensor which does not exist")
    assert facts("silent_lookups.py", "lookup")[0][0] == 8  # the caught miss is recorded too, but not reported
    filters = {line: (d["scope"], d["returned"]) for line, d in facts("silent_scope_filters.py", "collection")}
    assert filters == {9: ("d/", ["d/w"]), 10: ("d", ["d/w", "decoder/v"]), 11: ("gen", []), 12: ("d", ["d/w", "decoder/v"])}
    [(line, train)] = facts("silent_update_ops.py", "train_op")
    assert (line, train["api"], train["update_ops"], len(train["missing"])) == (7, "minimize", 2, 2)
    assert [(line, d["api"], d["missing"]) for line, d in facts("clean_update_ops.py", "train_op")] == [
        (9, "minimize", []), (10, "minimize", []), (13, "create_train_op", []),
    ]  # fmt: skip  (line 10's op is grouped with the updates at line 11)
    savers = [(line, d["default_var_list"], d["missing"]) for line, d in facts("silent_saver.py", "saver")]
    assert savers[0] == (4, True, ["b", "beta1_power", "beta2_power", "w/Adam", "w/Adam_1", "b/Adam", "b/Adam_1"])
    assert savers[2][:2] == (7, False)
    assert [line for line, _ in facts("silent_deprecated.py", "warning") if "deprecated" in _["message"]] == [4, 6, 8, 9, 10]


def test_json_report_carries_each_files_outcome(checked: tuple[int, list[dict[str, Any]], str]) -> None:
    """The per-file outcomes printed on stderr are also in the JSON report, with the same paths."""
    _, findings, err = checked
    traces = {t["path"]: t for t in json.loads(err.rsplit("\n", 1)[1])}
    assert traces["training_loop.py"] == {
        "path": "training_loop.py", "outcome": "stopped", "line": 16, "seconds": traces["training_loop.py"]["seconds"],
        "description": "stopped at line 16 at Session.run: graph construction is done, training does not run",
    }  # fmt: skip
    assert (traces["hang.py"]["outcome"], traces["hang.py"]["line"]) == ("timed out", None)
    assert (traces["raises.py"]["outcome"], traces["raises.py"]["line"]) == ("raised", 5)
    assert traces["clean_reuse_true.py"]["description"] == "ran to the end"
    assert {Path(f["path"]).is_absolute() for f in findings} == {False}  # one path form: as given, relative
