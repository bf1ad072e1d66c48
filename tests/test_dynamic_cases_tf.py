"""`--dynamic` over the TF-labelled cases of the SL1xx/SL2xx tests (tests/test_sl1*.py,
tests/test_sl2*.py): every finding a case expects is confirmed by TF (or found by the
trace alone), and a clean case has nothing confirmed. All cases run in one worker."""

from __future__ import annotations

from pathlib import Path

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
from scopelint.api import lint_source
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.dynamic.options import DynamicOptions
from scopelint.dynamic.reconcile import reconcile
from scopelint.dynamic.runner import trace_files

pytestmark = pytest.mark.tf

MODULES = (test_sl101, test_sl102, test_sl103, test_sl104, test_sl201, test_sl202, test_sl203, test_sl204, test_sl205)
CASES = {f"{m.CODE}-{case.id}": (m.CODE, case) for m in MODULES for case in m.CASES if case.tf != "skip"}

# The assignment map is checked by init_from_checkpoint after a Session.run saved the
# checkpoint: the trace stops at that first Session.run, so TF never gets there.
NOT_REACHED = {"SL102-checkpoint-scope-map-under-name-scope", "SL102-checkpoint-variable-map-under-name-scope"}
# Running the file as a program never runs a tf.test.TestCase's methods nor a function nobody
# calls: the static finding there is right (TF-proven in its own tests) and the trace has not reached it.
NOT_RUN_BY_THE_PROGRAM = ("-graph-test-case-", "-test-case-method-", "-uncalled-builder-", "-uncalled-function-")
# The trace hooks TF's own variable filters, not tf_slim's get_variables: no verdict there (yet).
NOT_HOOKED = {"SL104-slim-get-variables-all-variables-takes-global-step"}
# TF raised there, and the case catches it on purpose: the trace reports what TF raised.
CAUGHT = {("SL201-expected-error", 4)}


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Diagnostic]]:
    folder = tmp_path_factory.mktemp("cases")
    paths = {}
    for key, (_, case) in CASES.items():
        paths[key] = str(folder / f"{key.replace('-', '_')}.py")
        Path(paths[key]).write_text(case.source, encoding="utf-8")
    traces = {t.path: t for t in trace_files(list(paths.values()), DynamicOptions(timeout_s=30))[0]}
    result = {}
    for key, (code, case) in CASES.items():
        config = Config(select=(code,))
        static = lint_source(case.source, paths[key], config)
        result[key] = reconcile(static, [traces[paths[key]]], keep=lambda d: config.is_selected(d.code))
    return result


def test_every_expected_finding_is_confirmed_and_nothing_else(reconciled: dict[str, list[Diagnostic]]) -> None:
    agreed, missed, extra = 0, [], []
    for key, (_, case) in CASES.items():
        verdicts = {d.line: d.data.get("dynamic") for d in reconciled[key]}
        for line in case.expected:
            unreached = key in NOT_REACHED or any(part in key for part in NOT_RUN_BY_THE_PROGRAM)
            wanted = {None} if key in NOT_HOOKED else {"not reached"} if unreached else {"confirmed", "trace-only"}
            if verdicts.get(line) in wanted:
                agreed += 1
            else:
                missed.append((key, line, verdicts.get(line)))
        extra += [(key, d.line, d.data.get("dynamic")) for d in reconciled[key]
                  if d.line not in case.expected and d.data.get("dynamic") in {"confirmed", "trace-only"} and (key, d.line) not in CAUGHT]  # fmt: skip
    assert (missed, extra) == ([], [])
    assert agreed >= 40
