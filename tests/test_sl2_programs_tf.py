"""TF is the oracle for the SL1xx/SL2xx test programs: every case that says TF
raises does, every case that says it is clean runs without raising (asserts on
names included). All programs run in one TF process."""

from __future__ import annotations

import pytest

import test_sl101
import test_sl102
import test_sl103
import test_sl104
import test_sl201
import test_sl202
import test_sl203
import test_sl204
import test_sl205
from tf_oracle import Outcome, run_programs

pytestmark = pytest.mark.tf

MODULES = (test_sl101, test_sl102, test_sl103, test_sl104, test_sl201, test_sl202, test_sl203, test_sl204, test_sl205)
CASES = {f"{m.CODE}-{case.id}": case for m in MODULES for case in m.CASES if case.tf != "skip"}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    return dict(zip(CASES, run_programs([case.source + case.tf_check for case in CASES.values()])))


@pytest.mark.parametrize("key", sorted(CASES))
def test_tf_agrees(key: str, outcomes: dict[str, Outcome]) -> None:
    case, outcome = CASES[key], outcomes[key]
    if case.tf == "raises":
        assert outcome.error is not None, f"{key}: expected TF to raise, it ran cleanly"
    else:
        assert outcome.error is None, f"{key}: TF raised {outcome.error} at line {outcome.error_line}"


def test_error_cases_flagged_where_tf_raises() -> None:
    """An error-severity finding is claimed only by cases TF is said to reject."""
    for key, case in CASES.items():
        code = key.split("-")[0]
        if code in ("SL201", "SL202", "SL203", "SL205") and case.expected:
            assert case.tf == "raises", key


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.startswith("SL201-graph-") and CASES[k].expected))
def test_graph_cases_flag_the_call_that_raises(key: str, outcomes: dict[str, Outcome]) -> None:
    """Which graph a block builds in decides the collision: TF raises 'already exists' from the line flagged."""
    case, outcome = CASES[key], outcomes[key]
    assert outcome.error is not None and "already exists" in outcome.error
    assert set(case.expected) <= set(outcome.error_trace), (case.expected, outcome.error_trace)
