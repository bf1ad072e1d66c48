"""A few seconds of the fuzzer (tests/fuzz.py runs the full 10,000 + 2,000):
generated programs and mutants of real TF1 files never crash the API and the
CLI always prints the documented JSON."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

hypothesmith = pytest.importorskip("hypothesmith")
from hypothesis import HealthCheck, given, settings  # noqa: E402

import fuzz  # noqa: E402  (tests/fuzz.py)

FAST = settings(max_examples=50, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def _assert_clean(source: str) -> None:
    _, problems, diagnostics = fuzz.check_api(source, "fuzzed.py", limit=30)
    assert problems == [], source
    if fuzz.cpython_accepts(source):
        assert not any(d.code == "SL900" and "syntax error" in d.message for d in diagnostics), source


@FAST
@given(hypothesmith.from_grammar())
def test_grammar_programs_with_tf_never_crash(source: str) -> None:
    _assert_clean(fuzz.TF_PREFIX + source)


@settings(FAST, max_examples=8)
@given(hypothesmith.from_node())
def test_node_programs_with_tf_never_crash(source: str) -> None:
    _assert_clean(fuzz.TF_PREFIX + source)


def test_mutants_of_real_files_through_the_api_and_a_cli_batch(tmp_path: Path) -> None:
    sources = [s for s in fuzz.real_sources() if len(s[1]) < 20000]
    if not sources:
        pytest.skip("tf_slim is not installed")
    rng = random.Random(7)
    for n in range(12):
        name, text = sources[rng.randrange(len(sources))]
        _, mutant = fuzz.mutate(text, rng)
        _assert_clean(mutant)
        (tmp_path / f"m{n}_{name}").write_text(mutant)
    problems, report = fuzz.run_cli_batch(tmp_path, timeout=300)
    assert problems == []
    assert {Path(str(d["path"])).name for d in report} <= {p.name for p in tmp_path.iterdir()}


def test_cli_output_checker_catches_what_it_should() -> None:
    assert fuzz.check_cli_output("[]", "", 0) == ([], [])
    assert fuzz.check_cli_output("[", "", 0)[0][0].startswith("CLI printed invalid JSON")
    assert fuzz.check_cli_output("[]", "Traceback (most recent call last):", 2)[0][0].startswith("CLI exit code 2")
    assert "not a list of findings" in fuzz.check_cli_output('{"a": 1}', "", 0)[0][0]


def test_the_script_runs_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(Path(fuzz.__file__)), "--programs", "4", "--mutants", "0", "--batch", "3",
         "--keep", str(tmp_path / "failures")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "programs: 4 inputs" in done.stdout
    assert done.stdout.rstrip().endswith("0 failures")
