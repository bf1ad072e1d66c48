"""Valid Python that libcst cannot parse (found by tests/fuzz.py): SL900 says so
(not "syntax error"), the scope rules still run from CPython's ast, and no fix
is offered or applied."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from scopelint.api import lint_source

BUGGY = """\
import tensorflow as tf

with tf.name_scope("enc"):
    w = tf.get_variable("w", [3])
"""

# Found by fuzzing: a backslash continuation before a block's next clause.
TAILS = {
    "except": "try:\n    pass\n\\\nexcept ValueError:\n    pass\n",
    "finally": "try:\n    pass\n\\\nfinally:\n    pass\n",
    "else": "if w:\n    pass\n\\\nelse:\n    pass\n",
}


@pytest.mark.parametrize("clause", sorted(TAILS))
def test_the_parsers_really_disagree(clause: str) -> None:
    source = BUGGY + TAILS[clause]
    ast.parse(source)
    with pytest.raises(libcst.ParserSyntaxError):
        libcst.parse_module(source)


@pytest.mark.parametrize("clause", sorted(TAILS))
def test_still_analysed_and_sl900_says_valid_python(clause: str) -> None:
    found = lint_source(BUGGY + TAILS[clause], "model.py")
    assert [(d.code, d.line, d.column) for d in found if d.code != "SL900"] == [("SL101", 4, 9)]
    (sl900,) = [d for d in found if d.code == "SL900"]
    assert "valid Python that libcst" in sl900.message
    assert "syntax error" not in sl900.message
    assert all("fix" not in d.data for d in found)
    assert sl900.data["parser_disagreement"] is True


def test_a_real_syntax_error_is_still_called_one() -> None:
    (sl900,) = lint_source(BUGGY + "try:\n    pass\nexcept ValueError\n    pass\n", "model.py")
    assert sl900.code == "SL900" and "syntax error" in sl900.message
    assert "parser_disagreement" not in sl900.data


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scopelint", "--no-cache", "--isolated", *args],
                          capture_output=True, text=True, timeout=120)


def test_cli_json_and_fix_leave_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "model.py"
    source = BUGGY + TAILS["except"]
    target.write_text(source)
    done = run("--format", "json", str(target))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [(d["code"], d["line"]) for d in report] == [("SL101", 4), ("SL900", len(source.splitlines()))]
    assert report[1]["data"]["parser_disagreement"] is True

    fixed = run("--fix", "--unsafe-fixes", str(target))
    assert fixed.returncode == 1
    assert target.read_text() == source
    assert "Fixed 0 problems in 0 files." in fixed.stdout


def test_sl401_is_reported_without_its_fix() -> None:
    # SL401 reads CPython's ast in phase 1 and carries its edits from there: in a file
    # libcst rejects it is reported like the scope rules, and its edits are dropped.
    source = "import tensorflow as tf\n\ninit = tf.initialize_all_variables()\n" + TAILS["except"]
    found = lint_source(source, "model.py")
    assert [(d.code, d.line, d.column) for d in found if d.code != "SL900"] == [("SL401", 3, 8)]
    assert all("fix" not in d.data for d in found)
    assert [d.data.get("parser_disagreement") for d in found if d.code == "SL900"] == [True]
    # Where libcst reads the file, the same finding carries its fix.
    (readable,) = lint_source(source.replace("\\\n", ""), "model.py")
    assert readable.code == "SL401" and "fix" in readable.data
