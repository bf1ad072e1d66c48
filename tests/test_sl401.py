"""SL401 deprecated-scope-api: what is flagged, what is not, and the safe fix.

The TF test runs every deprecated call and its fixed form under TF 2.21
(compat.v1) and proves the claims the messages make: the old spelling still
works and logs the quoted deprecation notice, and the fix changes no variable
or op name."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from scopelint.fixes import apply_fixes, fix_from_data
from scopelint.fixes.loop import fix_text

ONLY = Config().with_overrides(select=("SL401",))


def lint(source: str) -> list:
    return lint_source(source, "m.py", ONLY)


def fixed(source: str) -> str:
    return fix_text(source, lint(source), lint).text


BAD = '''\
import tensorflow.compat.v1 as tf

x = tf.placeholder(tf.float32, [None, 3])
with tf.variable_op_scope([x], None, default_name="block"):
    w = tf.get_variable("w", [3])
with tf.op_scope([x], "scaled"):
    y = x * w
with tf.op_scope([x], None, "dflt"):
    z = x * w
init = tf.initialize_all_variables()
local_init = tf.initialize_local_variables()
init_w = tf.initialize_variables([w])
tables = tf.initialize_all_tables()
every = tf.get_collection(tf.GraphKeys.VARIABLES)
names = [v.name for v in tf.all_variables()]
'''

GOOD = '''\
import tensorflow.compat.v1 as tf

x = tf.placeholder(tf.float32, [None, 3])
with tf.variable_scope(None, default_name="block", values=[x]):
    w = tf.get_variable("w", [3])
with tf.name_scope("scaled", values=[x]):
    y = x * w
with tf.name_scope(None, default_name="dflt", values=[x]):
    z = x * w
init = tf.global_variables_initializer()
local_init = tf.local_variables_initializer()
init_w = tf.variables_initializer([w])
tables = tf.tables_initializer()
every = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
names = [v.name for v in tf.global_variables()]
'''


def test_every_deprecated_api_is_flagged_where_it_is_spelled() -> None:
    found = [(d.code, d.line, d.column, d.end_column) for d in lint(BAD)]
    assert found == [
        ("SL401", 4, 6, 26),
        ("SL401", 6, 6, 17),
        ("SL401", 8, 6, 17),
        ("SL401", 10, 8, 35),
        ("SL401", 11, 14, 43),
        ("SL401", 12, 10, 33),
        ("SL401", 13, 10, 34),
        ("SL401", 14, 27, 49),
        ("SL401", 15, 26, 42),
    ]


def test_messages_say_what_tf_does_and_what_to_use() -> None:
    by_line = {d.line: d.message for d in lint(BAD)}
    assert by_line[6] == (
        "`tf.op_scope` is deprecated: compat.v1 still runs it as name_scope(name, default_name, values) "
        "and logs a deprecation warning, and TF 2 removed it; use `tf.name_scope` "
        "(`values` moves from first to third argument)"
    )
    assert by_line[14] == (
        "`tf.GraphKeys.VARIABLES` is deprecated: it is the same key ('variables') as GraphKeys.GLOBAL_VARIABLES; "
        "compat.v1 logs a deprecation warning (once per process), and TF 2 removed it; use `tf.GraphKeys.GLOBAL_VARIABLES`"
    )
    assert "returns global_variables_initializer()" in by_line[10]


def test_fix_rewrites_every_use_to_its_replacement() -> None:
    assert fixed(BAD) == GOOD
    assert lint(GOOD) == []


def test_fix_is_safe_and_rides_in_the_diagnostic() -> None:
    diagnostic = lint(BAD)[0]
    fix = fix_from_data(diagnostic.data["fix"])
    assert fix is not None and fix.safety == "safe" and fix.message == "Replace with `tf.variable_scope`"
    assert apply_fixes(BAD, [fix]).splitlines()[3] == 'with tf.variable_scope(None, default_name="block", values=[x]):'


@pytest.mark.parametrize(
    ("header", "call", "expected"),
    [
        ("import tensorflow as tf", "tf.op_scope(values=[x], name='a')", "tf.name_scope('a', values=[x])"),
        ("import tensorflow as tf", "tf.compat.v1.op_scope([x], 'a')", "tf.compat.v1.name_scope('a', values=[x])"),
        ("from tensorflow.compat import v1 as tf", "tf.op_scope([x], 'a')", "tf.name_scope('a', values=[x])"),
        ("from tensorflow.python.framework import ops", "ops.op_scope([x], name, 'dflt')", "ops.name_scope(name, default_name='dflt', values=[x])"),
        (
            "from tensorflow.python.ops import variable_scope as vs",
            "vs.variable_op_scope([x], scope, 'Conv',\n                     reuse=reuse)",
            "vs.variable_scope(scope, default_name='Conv', values=[x], reuse=reuse)",
        ),
        (
            "import tensorflow as tf",
            "tf.variable_op_scope([x], None, 'fc', tf.zeros_initializer())",
            "tf.variable_scope(None, default_name='fc', values=[x], initializer=tf.zeros_initializer())",
        ),
        ("from tensorflow.python.ops import variables", "variables.initialize_all_variables()", "variables.global_variables_initializer()"),
        ("from tensorflow.python.framework import ops", "ops.GraphKeys.VARIABLES", "ops.GraphKeys.GLOBAL_VARIABLES"),
    ],
)
def test_spellings_and_argument_orders(header: str, call: str, expected: str) -> None:
    source = f"{header}\nresult = {call}\n"
    assert [d.line for d in lint(source)] == [2]
    assert fixed(source) == f"{header}\nresult = {expected}\n"


@pytest.mark.parametrize(
    ("call", "why"),
    [
        ("tf.op_scope(*args)", "it passes *args or **kwargs"),
        ("tf.op_scope([x])", "it does not pass both `values` and `name`"),
        ("tf.op_scope([x], 'a', bogus=1)", "its arguments do not match the signature"),
        ("tf.op_scope(  # tensors\n    [x], 'a')", "its argument list holds comments that a rewrite would move"),
        ("tf.op_scope(inputs(), name())", "reordering would change the order in which its arguments' calls run"),
        ("tf.op_scope", "not called here, so its arguments cannot be reordered"),
    ],
)
def test_no_fix_unless_the_rewrite_is_exact(call: str, why: str) -> None:
    source = f"import tensorflow as tf\nresult = {call}\n"
    (diagnostic,) = lint(source)
    assert "fix" not in diagnostic.data
    assert diagnostic.message.endswith(f"; no automatic fix: {why}")
    assert fixed(source) == source


def test_imported_by_name_is_flagged_without_fix() -> None:
    source = "from tensorflow.python.framework.ops import op_scope\nwith op_scope([x], 'a'):\n    pass\n"
    (diagnostic,) = lint(source)
    assert (diagnostic.line, diagnostic.column) == (2, 6)
    assert diagnostic.message.endswith("no automatic fix: `op_scope` is imported by name; change the import too")


@pytest.mark.parametrize(
    "source",
    [
        "import tensorflow.compat.v1 as tf\nwith tf.name_scope('a', values=[x]):\n    pass\n",
        "import numpy as tf\nwith tf.op_scope([x], 'a'):\n    pass\n",
        "from mylib import ops\nk = ops.GraphKeys.VARIABLES\ni = ops.initialize_all_variables()\n",
        "import tensorflow as tf\n\ndef op_scope(values, name):\n    return tf.name_scope(name)\n\nwith op_scope([1], 'a'):\n    pass\n",
        "import tensorflow as tf\nclass GraphKeys:\n    VARIABLES = 'v'\nk = GraphKeys.VARIABLES\n",
        "import tensorflow as tf\nsess.run(tf.global_variables_initializer())\n",
        "import tensorflow as tf\nx = self.all_variables()\n",
    ],
)
def test_look_alikes_are_clean(source: str) -> None:
    assert lint(source) == []


def test_tf_modules_from_config_count_as_tensorflow() -> None:
    source = "from tensorpack.compat import tfv1 as tf\ninit = tf.initialize_all_variables()\n"
    assert lint(source) == []
    config = Config(tf_modules=("tensorpack.compat.tfv1",)).with_overrides(select=("SL401",))
    assert [d.line for d in lint_source(source, "m.py", config)] == [2]


# --- the CLI on files --------------------------------------------------------


def scopelint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "scopelint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_cli_fix_keeps_crlf_bom_and_mode_and_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "train.py"
    target.write_bytes(b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode())
    target.chmod(0o640)
    first = scopelint("--no-cache", "--fix", "train.py", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines()[-1] == "Fixed 9 problems in 1 file."
    assert target.read_bytes() == b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    second = scopelint("--no-cache", "--fix", "train.py", cwd=tmp_path)
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1] == "Fixed 0 problems in 0 files."
    assert target.read_bytes() == b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()


def test_cli_fix_keeps_a_latin1_coding_cookie(tmp_path: Path) -> None:
    target = tmp_path / "legacy.py"
    original = "# -*- coding: latin-1 -*-\nimport tensorflow as tf\nNAME = 'caf\xe9'\ninit = tf.initialize_all_variables()\n"
    target.write_bytes(original.encode("latin-1"))
    result = scopelint("--no-cache", "--fix", "legacy.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert target.read_bytes() == original.replace("initialize_all_variables", "global_variables_initializer").encode("latin-1")


def test_cli_diff_prints_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("import tensorflow as tf\ninit = tf.initialize_all_variables()\n")
    result = scopelint("--no-cache", "--diff", "m.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n import tensorflow as tf\n"
        "-init = tf.initialize_all_variables()\n+init = tf.global_variables_initializer()\n"
    )
    assert result.stderr.strip() == "Would fix 1 problem in 1 file."
    assert target.read_text() == "import tensorflow as tf\ninit = tf.initialize_all_variables()\n"


def test_cli_fix_reports_what_remains(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("import tensorflow as tf\ninit = tf.initialize_all_variables()\nf = tf.op_scope\n")
    result = scopelint("--no-cache", "--fix", "--fail-on", "info", "m.py", cwd=tmp_path)
    assert result.returncode == 1  # an info finding is left; by default (--fail-on warning) that exits 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("m.py:3:5: SL401 `tf.op_scope` is deprecated")
    assert lines[-1] == "Fixed 1 problem in 1 file."
    assert target.read_text() == "import tensorflow as tf\ninit = tf.global_variables_initializer()\nf = tf.op_scope\n"


def test_cli_fix_from_stdin_prints_the_fixed_source(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "scopelint", "--fix", "-"],
        input="import tensorflow as tf\nk = tf.GraphKeys.VARIABLES\n",
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "import tensorflow as tf\nk = tf.GraphKeys.GLOBAL_VARIABLES\n"


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n")
    result = scopelint("--unsafe-fixes", "m.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "--unsafe-fixes only applies with --fix or --diff" in result.stderr


# --- TF as the oracle ----------------------------------------------------------


INTERNAL = '''\
import tensorflow.compat.v1 as tf
import tensorflow as tf2
from tensorflow.python.framework import ops
from tensorflow.python.ops import lookup_ops, variable_scope, variables
missing = [n for n in ("op_scope", "variable_op_scope", "initialize_all_variables", "all_variables") if hasattr(tf2, n)]
assert not missing and not hasattr(tf2, "GraphKeys"), missing
assert ops.GraphKeys.VARIABLES == ops.GraphKeys.GLOBAL_VARIABLES == "variables"
for module, name in [(ops, "name_scope"), (variable_scope, "variable_scope"), (variables, "global_variables_initializer"),
                     (variables, "local_variables_initializer"), (variables, "variables_initializer"),
                     (variables, "global_variables"), (lookup_ops, "tables_initializer")]:
    assert hasattr(module, name), name
x = tf.placeholder(tf.float32, [None, 3])
with variable_scope.variable_op_scope([x], None, "blk"):
    a = tf.get_variable("a", [1])
with variable_scope.variable_scope(None, default_name="blk", values=[x]):
    b = tf.get_variable("a", [1])
with ops.op_scope([x], None, "n") as first:
    pass
with ops.name_scope(None, default_name="n", values=[x]) as second:
    pass
print(first, second)
'''


@pytest.fixture(scope="module")
def tf_outcomes() -> list:
    from tf_oracle import run_programs

    return run_programs([BAD, fixed(BAD), INTERNAL])


@pytest.mark.tf
def test_tf_runs_the_old_spellings_and_the_fix_names_everything_the_same(tf_outcomes: list) -> None:
    old, new, _ = tf_outcomes
    assert old.error is None and new.error is None
    assert old.variable_names == new.variable_names == ("block/w",)
    assert old.ops == new.ops
    assert {"scaled/mul", "dflt/mul", "init", "init_1", "init_2", "init_all_tables"} <= set(old.ops)
    logs = "\n".join(old.logs)
    for notice in (
        "tf.variable_op_scope(values, name, default_name) is deprecated, use tf.variable_scope(name, default_name, values)",
        "tf.op_scope(values, name, default_name) is deprecated, use tf.name_scope(name, default_name, values)",
        "initialize_all_variables (from tensorflow.python.ops.variables) is deprecated and will be removed after 2017-03-02",
        "initialize_local_variables (from tensorflow.python.ops.variables) is deprecated and will be removed after 2017-03-02",
        "initialize_variables (from tensorflow.python.ops.variables) is deprecated and will be removed after 2017-03-02",
        "all_variables (from tensorflow.python.ops.variables) is deprecated and will be removed after 2017-03-02",
        "initialize_all_tables (from tensorflow.python.ops.lookup_ops) is deprecated",
        "GraphKeys.VARIABLES (from tensorflow.python.framework.ops) is deprecated",
    ):
        assert notice in logs
    assert not any("deprecated" in line for line in new.logs if "disable_resource_variables" not in line)


@pytest.mark.tf
def test_tf_internal_modules_have_the_replacements_and_tf2_lacks_the_old_names(tf_outcomes: list) -> None:
    outcome = tf_outcomes[2]
    assert outcome.error is None
    assert outcome.variable_names == ("blk/a", "blk_1/a")
    assert outcome.stdout.split() == ["n/", "n_1/"]


def test_fallbacks_for_old_releases_are_not_flagged() -> None:
    """tflearn's idiom: the try body already uses the replacement, the handler
    keeps the old spelling for TF < 0.12. Found in tflearn 0.5.0 (trainer.py,
    variables.py, conv.py); modernising the handler would only duplicate the try."""
    source = (
        "import tensorflow.compat.v1 as tf\n"
        "try:\n"
        "    init = tf.global_variables_initializer()\n"
        "except AttributeError:\n"
        "    init = tf.initialize_all_variables()\n"
        "try:\n"
        "    c = tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)\n"
        "except Exception:\n"
        "    c = tf.get_collection(tf.GraphKeys.VARIABLES)\n"
        "try:\n"
        "    import foo\n"
        "except ImportError:\n"
        "    init2 = tf.initialize_all_variables()\n"
    )
    found = lint(source)
    assert [(d.code, d.line, d.column) for d in found] == [("SL401", 13, 13)]
