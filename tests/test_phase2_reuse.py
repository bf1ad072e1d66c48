"""After an edit, only the modules whose analysis reached the edited file are analysed
again; the rest keep their cached findings (issue 12). And a run that names some files
with others as context (the pre-commit hook, a file with its siblings) interprets only
the named ones. Every case checks the findings against a run without the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.api import lint_paths
from scopelint.config import Config
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions

OPS = 'import tensorflow as tf\n\n\ndef linear(x):\n    w = tf.get_variable("w", [3])\n    return x * w\n'
OPS_AUTO = (  # the same builder, sharing its variable on a second call
    "import tensorflow as tf\n\n\ndef linear(x):\n"
    "    with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):\n"
    '        w = tf.get_variable("w", [3])\n    return x * w\n'
)
MAIN = "import tensorflow as tf\nfrom ops import linear\n\nx = tf.zeros([3])\na = linear(x)\nb = linear(x)\n"
UNRELATED = 'import tensorflow as tf\n\nwith tf.variable_scope("u"):\n    v = tf.get_variable("v", [2])\nv2 = tf.get_variable("u/v", [2])\n'
USES_HELPERS = "import tensorflow as tf\nfrom helpers import block\n\nblock(tf.zeros([3]))\nblock(tf.zeros([3]))\n"
HELPERS = 'import tensorflow as tf\n\n\ndef block(x):\n    return tf.get_variable("k", [3])\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "ops.py").write_text(OPS)
    (root / "main.py").write_text(MAIN)
    (root / "unrelated.py").write_text(UNRELATED)
    (root / "uses_helpers.py").write_text(USES_HELPERS)
    return root


def lint(tree: Path, cache: Path | None, stats: dict[str, float] | None = None, paths: list[Path] | None = None,
         context: list[Path] | None = None) -> list[tuple[str, int, str]]:
    options = EngineOptions(jobs=1, cache_dir=str(cache)) if cache else EngineOptions(jobs=1, use_cache=False)
    found = lint_paths(paths or [tree], Config(root=str(tree)), options, stats, context=context or ())
    return [_row(d) for d in found]


def _row(d: Diagnostic) -> tuple[str, int, str]:
    return (Path(d.path).name, d.line, d.code)


def test_an_edit_reanalyses_only_the_modules_that_reach_it(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first: dict[str, float] = {}
    assert lint(tree, cache, first) == lint(tree, None)
    assert ("main.py", 6, "SL201") in lint(tree, None) and ("unrelated.py", 5, "SL201") in lint(tree, None)
    assert (first["analysed"], first["reused"]) == (4, 0)

    # ops.py changes: main.py (which follows linear()) and ops.py itself are analysed again;
    # unrelated.py and uses_helpers.py never asked for ops and keep their cached findings.
    (tree / "ops.py").write_text(OPS_AUTO)
    second: dict[str, float] = {}
    after = lint(tree, cache, second)
    assert (second["analysed"], second["reused"]) == (2, 2)
    assert after == lint(tree, None)
    assert ("main.py", 6, "SL201") not in after and ("unrelated.py", 5, "SL201") in after


def test_a_module_that_appears_invalidates_those_that_looked_for_it(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = lint(tree, cache)
    assert not [row for row in before if row[0] == "uses_helpers.py"]  # helpers.py absent: block() unresolved
    # uses_helpers.py asked for a module "helpers" that was not there; now it is.
    (tree / "helpers.py").write_text(HELPERS)
    stats: dict[str, float] = {}
    after = lint(tree, cache, stats)
    assert ("uses_helpers.py", 5, "SL201") in after
    assert after == lint(tree, None)
    assert (stats["analysed"], stats["reused"]) == (2, 3)  # helpers.py (new) and uses_helpers.py


def test_nothing_reached_changed_means_nothing_is_analysed(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint(tree, cache)
    # A new file no module asks for: the whole-run entry misses, but every module's own entry holds.
    (tree / "extra.py").write_text('import tensorflow as tf\nq = tf.get_variable("q", [1])\n')
    stats: dict[str, float] = {}
    assert lint(tree, cache, stats) == lint(tree, None)
    assert (stats["analysed"], stats["reused"]) == (1, 4)


def test_context_modules_lend_their_builders_but_are_not_interpreted(tree: Path, tmp_path: Path) -> None:
    stats: dict[str, float] = {}
    named = lint(tree, None, stats, paths=[tree / "main.py"], context=[tree])
    assert named == [row for row in lint(tree, None) if row[0] == "main.py"] == [("main.py", 6, "SL201")]
    assert stats["analysed"] == 1
    # With the cache, the same holds, and the named file's entry is shared with a whole-tree run.
    cache = tmp_path / "cache"
    assert lint(tree, cache, paths=[tree / "main.py"], context=[tree]) == named
    whole: dict[str, float] = {}
    lint(tree, cache, whole)
    assert (whole["analysed"], whole["reused"]) == (3, 1)


def test_an_edit_decodes_only_the_facts_its_analyses_need(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scopelint.cache import Cache

    cache = tmp_path / "cache"
    lint(tree, cache)
    decoded: list[str] = []
    real_get_facts = Cache.get_facts

    def counting(self: Cache, key: str, path: str) -> object:
        decoded.append(Path(path).name)
        return real_get_facts(self, key, path)

    monkeypatch.setattr(Cache, "get_facts", counting)
    # ops.py is parsed afresh; main.py, analysed again because it reached ops, needs its own
    # facts; unrelated.py and uses_helpers.py keep their findings and are never decoded.
    (tree / "ops.py").write_text(OPS_AUTO)
    assert lint(tree, cache) == lint(tree, None)
    assert decoded == ["main.py"]


def test_a_module_whose_cached_facts_vanished_is_not_trusted(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scopelint import engine
    from scopelint.cache import Cache

    cache = tmp_path / "cache"
    lint(tree, cache)
    (tree / "main.py").write_text(MAIN + "\n")  # main.py is analysed again and asks for ops
    # ops.py is unchanged, but its facts cannot be had (entry gone, and the re-parse gives none).
    with monkeypatch.context() as patch:
        real_get_facts, real_analyse = Cache.get_facts, engine.analyse_file_bytes
        patch.setattr(Cache, "get_facts", lambda self, key, path: None if path.endswith("ops.py") else real_get_facts(self, key, path))
        patch.setattr(engine, "analyse_file_bytes", lambda path, data, settings, force=False: (
            engine.FileResult(path=path) if path.endswith("ops.py") else real_analyse(path, data, settings, force)))
        without_ops = lint(tree, cache)
    assert ("main.py", 6, "SL201") not in without_ops  # linear() could not be followed
    # That result was computed without ops' facts: it is not cached as if it had them.
    stats: dict[str, float] = {}
    assert lint(tree, cache, stats) == lint(tree, None)
    assert ("main.py", 6, "SL201") in lint(tree, None)
    assert (stats["analysed"], stats["reused"]) == (1, 3)  # main.py only: ops.py's own entry held


def test_a_module_does_not_depend_on_the_modules_importing_it(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    lint(tree, cache)
    # main.py imports ops; editing main.py leaves ops.py's cached findings good (a --verbose
    # note on ops names its importers, but no finding of ops depends on them).
    (tree / "main.py").write_text(MAIN + "c = 1\n")
    stats: dict[str, float] = {}
    assert lint(tree, cache, stats) == lint(tree, None)
    assert (stats["analysed"], stats["reused"]) == (1, 3)
