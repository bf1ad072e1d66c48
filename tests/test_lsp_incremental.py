"""A keystroke re-parses and re-lowers only the top-level statements it touched
(scopelint.lsp.incremental), and the facts it gets are those of parsing the whole
buffer: compared after every one of many random edits of real TF1 files. Once the
buffer settles, the editor's answer is the command line's."""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import random
from pathlib import Path

import pytest

from scopelint.api import lint_source
from scopelint.config import Config
from scopelint.engine import analyse_parsed, model_settings
from scopelint.lsp.documents import ConfigLoader, LintResult, Scheduler, Snapshot
from scopelint.lsp.incremental import BufferFacts, split_lines
from test_lsp_latency import tf_file

SETTINGS = model_settings(Config())
DCGAN = Path(__file__).parent / "data" / "dcgan" / "model.py"


def real_files() -> list[tuple[str, str]]:
    """(name, text): the latency test's file, the dcgan example and, where tf-slim is
    installed, a few of its modules (found without importing TF)."""
    dcgan = DCGAN.read_text()
    # Columns are characters, ast's are UTF-8 bytes: lines with non-ASCII text; and CRLF endings.
    accented = dcgan.replace("as tf\n", "as tf\n# é\nh = tf.get_variable('é', [1])  # ü\n", 1)
    # SL401's facts (deprecated spellings) come from the chunks' trees too.
    deprecated = accented.replace("tf.variable_scope(", "tf.variable_op_scope([], ") + "init = tf.initialize_all_variables()\n"
    files = [("tf_file", tf_file()), ("dcgan", dcgan), ("dcgan-crlf-accented", accented.replace("\n", "\r\n")),
             ("dcgan-deprecated", deprecated)]
    spec = importlib.util.find_spec("tf_slim")
    if spec is not None and spec.submodule_search_locations:
        root = Path(list(spec.submodule_search_locations)[0])
        for name in ("nets/resnet_v1.py", "nets/inception_v3.py"):
            if (root / name).is_file():
                files.append((name, (root / name).read_text()))
    return files


SNIPPETS = (
    "# a comment\n",
    "\n",
    "x = tf.get_variable('v', [1])\n",
    "    y = tf.get_variable('w', [2])\n",
    "        z = tf.layers.dense(x, 3)\n",
    "def f(a):\n    with tf.variable_scope('s'):\n        return tf.get_variable('k', [1])\n",
    "@decorated\n",
    "with tf.name_scope('enc'):\n",
    "import tensorflow as tf\n",
    "from tensorflow.contrib import slim as sl\n",
    "s = '''\n",
    "a = (1,\n",
    "a = 1; b = 2\n",
    "t = 1 \\\n",
    "w = tf.get_variable('ü', [1]); v = 'é'\n",
    "with tf.op_scope([x], 'old'):\n",
)


def edit(lines: list[str], rng: random.Random) -> None:
    """One random change, valid Python or not: what typing in a file does."""
    at = rng.randrange(len(lines) + 1)
    kind = rng.randrange(6)
    if kind == 0 or not lines:
        lines.insert(at, rng.choice(SNIPPETS))
    elif kind == 1:
        del lines[min(at, len(lines) - 1)]
    elif kind == 2:
        lines.insert(at, lines[min(at, len(lines) - 1)])
    elif kind == 3:  # a character typed or removed inside a line
        index = min(at, len(lines) - 1)
        line = lines[index]
        cut = rng.randrange(len(line) + 1)
        lines[index] = line[:cut] + rng.choice(["(", ")", "x", "'", ":", " ", ""]) + line[cut + 1 :]
    elif kind == 4:  # re-indented
        index = min(at, len(lines) - 1)
        lines[index] = rng.choice(["    ", ""]) + lines[index].lstrip(" ")
    else:  # an edit undone: back to a text that parses
        pass


def same_as_full(buffer: BufferFacts, text: str) -> bool:
    """Whether ``buffer`` gives ``text`` the facts, problems and tree of a full parse;
    returns whether they came from its chunks."""
    result, tree = buffer.analyse("/m/model.py", text, SETTINGS, "model", False)
    full, full_tree = analyse_parsed("/m/model.py", text, SETTINGS, "model", parser_check=False)
    assert result.facts == full.facts
    if "_op_scope(" in text:
        assert result.facts is None or result.facts.extra_facts("deprecated-api")
    assert result.problems == full.problems and result.suppressions == full.suppressions
    if callable(tree):
        assert full_tree is not None
        assert ast.dump(tree(), include_attributes=True) == ast.dump(full_tree, include_attributes=True)
        return True
    return False


@pytest.mark.parametrize("name,text", real_files(), ids=lambda v: v if len(v) < 40 else "")
def test_the_facts_after_each_edit_are_those_of_a_full_parse(name: str, text: str) -> None:
    rng = random.Random(name)
    buffer = BufferFacts()
    same_as_full(buffer, text)
    original = split_lines(text)
    lines = list(original)
    reused = 0
    for step in range(40):
        if step % 5 == 4:
            lines = list(original)  # the edits undone: valid again, far from the last text that parsed
        else:
            edit(lines, rng)
        reused += same_as_full(buffer, "".join(lines))
    assert reused >= 10  # most edits are handled by the chunks, not by parsing again


def test_an_edit_at_the_top_of_a_function_joins_the_statement_above() -> None:
    """An indented line inserted after a function is its body, not a statement of its own."""
    text = "import tensorflow as tf\n\ndef f():\n    return 1\n\nx = f()\n"
    buffer = BufferFacts()
    same_as_full(buffer, text)
    assert same_as_full(buffer, text.replace("\nx = f()", "    tf.get_variable('w', [1])\nx = f()"))
    assert same_as_full(buffer, text)


def test_a_lint_from_updated_facts_settles_on_the_command_lines_answer(tmp_path: Path) -> None:
    path = str(tmp_path / "model.py")
    before = tf_file(300)
    after = before.replace("            w = tf.get_variable('w', [3, 3, 64, 64])\n",
                           "            w = tf.get_variable('w', [3, 3, 64, 64])\n            w = tf.get_variable('w', [3])\n", 1)
    documents = {"u": Snapshot("u", path, before, 1, False)}
    published: list[LintResult] = []
    scheduler = Scheduler(documents.get, ConfigLoader(fallback_root=str(tmp_path), report=lambda m: None), published.append, 0.0)
    scheduler.parser_check_after_s = 0.0

    async def scenario() -> None:
        await scheduler.lint_now("u")
        documents["u"] = Snapshot("u", path, after, 2, False)
        keystroke = await scheduler.lint_now("u")
        assert keystroke is not None and not keystroke.from_scratch
        await scheduler._checks["u"]

    asyncio.run(scenario())
    assert [r.snapshot.version for r in published] == [1, 2]  # the settled lint agreed: not published again
    expected = lint_source(after, path)
    assert [d.code for d in expected] == ["SL201"]
    assert published[-1].diagnostics == tuple(expected)
