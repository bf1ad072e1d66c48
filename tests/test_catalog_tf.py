"""TF is the oracle for what the catalog claims (all programs in one TF process).

Directives inside a catalog python block:

* ``# tf-raises: ValueError: Variable w already exists`` -- the block raises, and
  this text is a substring of ``f"{type(exc).__name__}: {exc}"``;
* ``# tf-logs: ...`` -- TF logs this text (e.g. a deprecation notice) while the
  block runs;
* ``# tf-skip: reason`` -- the block is not run under TF.

Every other "Example" block and every "Use instead" block must run without
raising: a block that raises must say so. SL900's blocks (Python 2 on purpose)
are not run. The claims a rule's prose makes about TF beyond raising
(statistics that never update, checkpoints that miss variables) are proven by
the programs in ``CLAIMS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from scopelint import api
from scopelint.api import lint_source
from scopelint.catalog import load_catalog
from scopelint.checks import ALL_CHECKS
from scopelint.config import Config
from scopelint.fixes.edits import SAFE, fix_from_data
from test_catalog import fix_example
from tf_oracle import Outcome, run_programs

pytestmark = pytest.mark.tf

NOT_RUN_UNDER_TF = frozenset({"SL900"})
# SL901 (unused suppression) is produced by the engine and names no variable; its blocks
# still run under TF (none may raise: their suppressed findings are ones TF only logs).
NAMES_NO_VARIABLE = frozenset({"SL901"})
# The name TF puts in the errors that SL201 / SL202 / SL205 predict.
_ERROR_VARIABLE = re.compile(r"^ValueError: (?:Variable (?P<a>\S+) (?:already exists|does not exist)|Trying to share variable (?P<b>[^,]+),)")
_DIRECTIVE = re.compile(r"^\s*#\s*tf-(?P<kind>raises|logs|skip):\s*(?P<text>.+?)\s*$", re.M)


@dataclass(frozen=True)
class Block:
    id: str
    code: str  # rule code
    source: str
    bad: bool
    raises: str | None
    logs: tuple[str, ...]
    skip: str | None


def _blocks() -> list[Block]:
    blocks: list[Block] = []
    for rule in load_catalog().values():
        if rule.status != "active" or rule.code in NOT_RUN_UNDER_TF:
            continue
        counts = {True: 0, False: 0}
        for example in rule.examples:
            counts[example.bad] += 1
            directives: dict[str, list[str]] = {"raises": [], "logs": [], "skip": []}
            for match in _DIRECTIVE.finditer(example.code):
                directives[match.group("kind")].append(match.group("text"))
            blocks.append(
                Block(
                    id=f"{rule.code}-{'bad' if example.bad else 'good'}-{counts[example.bad]}",
                    code=rule.code,
                    source=example.code,
                    bad=example.bad,
                    raises=directives["raises"][0] if directives["raises"] else None,
                    logs=tuple(directives["logs"]),
                    skip=directives["skip"][0] if directives["skip"] else None,
                )
            )
    return blocks


BLOCKS = _blocks()

# Claims from the rules' "Why is this bad" sections that are not about raising.
# Each program prints what the test compares.
CLAIMS: dict[str, str] = {
    "SL301-stats-frozen-without-update-ops": """\
import numpy as np
import tensorflow.compat.v1 as tf
x = tf.placeholder(tf.float32, [None, 3])
h = tf.layers.batch_normalization(x, training=True)
loss = tf.reduce_mean(tf.square(h - 1.0))
plain = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    guarded = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
mean, variance = [v for v in tf.global_variables() if 'moving' in v.name]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(plain, {x: np.full((4, 3), 5.0)})
    print(sess.run(mean).tolist(), sess.run(variance).tolist())
    sess.run(guarded, {x: np.full((4, 3), 5.0)})
    print([round(m, 4) for m in sess.run(mean).tolist()])
""",
    "SL301-collection-read-when-called": """\
import tensorflow.compat.v1 as tf
x = tf.placeholder(tf.float32, [None, 3])
h1 = tf.layers.batch_normalization(x, training=True)
early = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
h2 = tf.layers.batch_normalization(h1, training=True)
print(len(early), len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)))
""",
    "SL301-silent-cases-add-no-update-ops": """\
import tensorflow.compat.v1 as tf
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 3])
a = tf.layers.batch_normalization(x, training=False)
b = slim.batch_norm(x, is_training=True, updates_collections=None)
print(len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)))
""",
    "SL301-create-train-op-runs-update-ops": """\
import numpy as np
import tensorflow.compat.v1 as tf
import tf_slim as slim
x = tf.placeholder(tf.float32, [None, 3])
h = slim.batch_norm(x, is_training=True)
loss = tf.reduce_mean(tf.square(h - 1.0))
train_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
mean = [v for v in tf.global_variables() if 'moving_mean' in v.name][0]
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train_op, {x: np.full((4, 3), 5.0)})
    print([round(m, 4) for m in sess.run(mean).tolist()])
""",
    "SL302-checkpoint-misses-later-variables": """\
import os
import tempfile
import tensorflow.compat.v1 as tf
w = tf.get_variable('w', [3])
saver = tf.train.Saver()
b = tf.get_variable('b', [3])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    path = saver.save(sess, os.path.join(tempfile.mkdtemp(), 'model'))
print([name for name, _ in tf.train.list_variables(path)])
with tf.Session() as sess:
    saver.restore(sess, path)
    sess.run(w)
    try:
        sess.run(b)
    except tf.errors.FailedPreconditionError as exc:
        print('FailedPreconditionError', 'uninitialized' in exc.message.lower())
""",
    "SL401-same-meaning": """\
import tensorflow.compat.v1 as tf
print(tf.GraphKeys.VARIABLES == tf.GraphKeys.GLOBAL_VARIABLES)
names = []
for _ in range(2):
    with tf.variable_op_scope([], None, default_name='blk'):
        names.append(tf.get_variable('w', [1]).name)
    with tf.variable_scope(None, default_name='blk'):
        names.append(tf.get_variable('w', [1]).name)
with tf.op_scope([], 'ns'):
    names.append(tf.constant(1).name)
with tf.name_scope('ns'):
    names.append(tf.constant(1).name)
print(names)
""",
    "SL401-gone-from-tf2-namespace": """\
import tensorflow as tf2
print([hasattr(tf2, n) for n in ('op_scope', 'variable_op_scope', 'initialize_all_variables', 'all_variables')])
""",
}

CLAIMED_STDOUT = {
    "SL301-stats-frozen-without-update-ops": "[0.0, 0.0, 0.0] [1.0, 1.0, 1.0]\n[0.05, 0.05, 0.05]\n",
    "SL301-collection-read-when-called": "2 4\n",
    "SL301-silent-cases-add-no-update-ops": "0\n",
    "SL301-create-train-op-runs-update-ops": "[0.005, 0.005, 0.005]\n",
    "SL302-checkpoint-misses-later-variables": "['w']\nFailedPreconditionError True\n",
    "SL401-same-meaning": "True\n['blk/w:0', 'blk_1/w:0', 'blk_2/w:0', 'blk_3/w:0', 'ns/Const:0', 'ns_1/Const:0']\n",
    "SL401-gone-from-tf2-namespace": "[False, False, False, False]\n",
}


@dataclass(frozen=True)
class Fixed:
    block: Block
    source: str  # the block after `--fix --unsafe-fixes`
    safe_only: bool  # every applied fix was safe

    @property
    def id(self) -> str:
        return f"{self.block.id}-fixed"


def _fixed() -> list[Fixed]:
    fixed: list[Fixed] = []
    for block in BLOCKS:
        if not block.bad or block.skip is not None or (block.code not in ALL_CHECKS and block.code not in NAMES_NO_VARIABLE):
            continue
        found, outcome = fix_example(block.source, block.code)
        if not outcome.fixed:
            continue
        safeties = {fix.safety for fix in (fix_from_data(d.data.get("fix")) for d in outcome.fixed) if fix is not None}
        fixed.append(Fixed(block, outcome.text, safe_only=safeties <= {SAFE}))
    return fixed


FIXED = _fixed()


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    """Every catalog block, every fixed bad block and every claim, run in one TF subprocess."""
    runnable = [block for block in BLOCKS if block.skip is None]
    programs = [block.source for block in runnable] + [f.source for f in FIXED] + list(CLAIMS.values())
    results = run_programs(programs)
    return dict(zip([block.id for block in runnable] + [f.id for f in FIXED] + list(CLAIMS), results))


def _params(selector: str) -> list[object]:
    chosen = {
        "raises": [b for b in BLOCKS if b.raises is not None],
        "clean": [b for b in BLOCKS if b.raises is None],
        "logs": [b for b in BLOCKS if b.logs],
    }[selector]
    return [
        pytest.param(b, id=b.id, marks=[pytest.mark.skip(reason=f"tf-skip: {b.skip}")] if b.skip else [])
        for b in chosen
    ]


@pytest.mark.parametrize("block", _params("raises"))
def test_block_raises_what_it_claims(block: Block, outcomes: dict[str, Outcome]) -> None:
    assert block.bad, f"{block.id}: a 'Use instead' block must not raise"
    assert block.raises is not None
    error = outcomes[block.id].error
    assert error is not None, f"{block.id} claims TF raises {block.raises!r}, but it ran cleanly"
    assert block.raises in error, f"{block.id}: TF raised {error!r}"


@pytest.mark.parametrize("block", _params("clean"))
def test_block_runs_without_raising(block: Block, outcomes: dict[str, Outcome]) -> None:
    error = outcomes[block.id].error
    assert error is None, f"{block.id} raised under TF (line {outcomes[block.id].error_line}): {error}; mark it '# tf-raises:'"


@pytest.mark.parametrize("block", _params("logs"))
def test_block_logs_what_it_claims(block: Block, outcomes: dict[str, Outcome]) -> None:
    logged = outcomes[block.id].logs
    missing = [text for text in block.logs if not any(text in record for record in logged)]
    assert missing == [], f"{block.id}: not logged by TF: {missing}; TF logged {list(logged)}"


def test_error_rules_show_tf_raising() -> None:
    """Severity 'error' means TF raises: at least one example of such a rule proves it."""
    for rule in load_catalog().values():
        if rule.severity != "error" or rule.status != "active" or rule.code in NOT_RUN_UNDER_TF:
            continue
        assert any(b.raises for b in BLOCKS if b.code == rule.code and b.bad), f"{rule.code}: no '# tf-raises:' example"


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_claim_holds_under_tf(claim: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[claim]
    assert outcome.error is None, outcome.error
    assert outcome.stdout == CLAIMED_STDOUT[claim]


def _names_created_on(outcome: Outcome, first: int, last: int) -> list[str]:
    """Variables created by these lines, directly or through a builder called there."""
    return [v.name for v in outcome.variables if any(first <= line <= last for line in v.trace)]


def _matches(predicted: str, names: list[str]) -> bool:
    """A layer's prediction may be its scope ("dense") where TF names its variables ("dense/kernel")."""
    return any(name == predicted or name.startswith(predicted + "/") for name in names)


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS if b.bad and b.skip is None])
def test_predicted_names_in_diagnostics_are_what_tf_names(block: Block, outcomes: dict[str, Outcome]) -> None:
    """A diagnostic's ``predicted_name`` is the name in TF's error on that line (or a related one), or of a variable TF created there."""
    if block.code in NAMES_NO_VARIABLE:
        pytest.skip(f"{block.code} is about comments: it predicts no variable name")
    if block.code not in ALL_CHECKS:
        pytest.skip(f"{block.code} has no check yet (arrives with a later issue)")
    outcome = outcomes[block.id]
    compared = 0
    for diagnostic in lint_source(block.source, path=f"{block.id}.py", config=Config(select=(block.code,))):
        predicted = diagnostic.data.get("predicted_name")
        if not isinstance(predicted, str) or "{" in predicted:
            continue
        error = _ERROR_VARIABLE.match(outcome.error or "")
        # SL202 sits on the reuse=True request; the creation TF rejects is a related location.
        lines = [diagnostic.line, *(r["line"] for r in diagnostic.data.get("related") or () if r["path"] == diagnostic.path)]
        if error is not None and any(line in outcome.error_trace for line in lines):
            assert predicted == (error.group("a") or error.group("b")), f"{block.id}:{diagnostic.line}: TF says {outcome.error!r}"
            compared += 1
            continue
        created = _names_created_on(outcome, diagnostic.line, diagnostic.end_line or diagnostic.line)
        if created:
            assert _matches(predicted, created), f"{block.id}:{diagnostic.line}: predicted {predicted!r}, TF created {created}"
            compared += 1
    if compared == 0:
        pytest.skip(f"{block.id}: no diagnostic names a variable TF creates or rejects on its line")


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS if b.skip is None])
def test_explain_names_agree_with_tf(block: Block, outcomes: dict[str, Outcome]) -> None:
    """Where TF created variables on a line, the model's concrete prediction for a
    creation there (describe_variables, as `--explain-names` prints it) names one of them."""
    describe = getattr(api, "describe_variables", None)
    if describe is None:
        pytest.skip("scopelint.api.describe_variables has not landed yet (scope-model issue)")
    outcome = outcomes[block.id]
    for info in describe(block.source, path=f"{block.id}.py"):
        if info.action != "create" or "{" in info.predicted_name:
            continue
        created = _names_created_on(outcome, info.line, info.end_line)
        if not created:
            continue  # the line never ran (TF raised first, or its function is not called)
        assert _matches(info.predicted_name, created), (
            f"{block.id}:{info.line}: model predicts {info.api} creates {info.predicted_name!r}; TF created {created}"
        )


@pytest.mark.parametrize("fixed", [pytest.param(f, id=f.id) for f in FIXED])
def test_fixed_example_behaves_as_its_fix_safety_promises(fixed: Fixed, outcomes: dict[str, Outcome]) -> None:
    """A safe fix leaves TF's result unchanged (same variables, ops and error); an unsafe one
    may change names, but the program it leaves must run."""
    before, after = outcomes[fixed.block.id], outcomes[fixed.id]
    if fixed.safe_only:
        assert (after.variables, after.ops, after.error) == (before.variables, before.ops, before.error), fixed.source
    else:
        assert after.error is None, f"{fixed.id} still raises under TF: {after.error}\n{fixed.source}"
