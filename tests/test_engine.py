"""The engine: prefilter, parallel workers, cache, the per-file error boundary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scopelint import engine
from scopelint.config import Config
from scopelint.engine import EngineOptions, lint_files, might_hold_tf, model_settings
from scopelint.model import ModelSettings

PY2_TF = "import tensorflow as tf\nprint 'x'\n"


def make_tree(root: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = root / f"m{i:02d}.py"
        path.write_text(PY2_TF if i % 3 == 0 else f"import tensorflow as tf\nx{i} = tf.constant({i})\n")
        paths.append(str(path))
    return paths


def test_prefilter_keeps_tf_and_configured_aliases() -> None:
    settings = ModelSettings()
    assert might_hold_tf(b"import tensorflow.compat.v1 as tf\n", settings)
    assert might_hold_tf(b"from tf_slim import layers\n", settings)
    assert not might_hold_tf(b"import numpy as np\nprint(np.zeros(3))\n", settings)
    assert might_hold_tf(b"from tensorpack.compat import tfv1\n", ModelSettings(tf_modules=("tensorpack.compat",)))


def test_files_importing_a_kept_module_are_parsed_too(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text("import tensorflow as tf\n")
    (tmp_path / "train.py").write_text("from models import build\nbuild()\nprint 'x'\n")
    (tmp_path / "other.py").write_text("import json\nprint 'x'\n")
    _, results = lint_files(sorted(str(p) for p in tmp_path.iterdir()), Config(), EngineOptions(use_cache=False))
    skipped = {Path(r.path).name for r in results if r.skipped}
    assert skipped == {"other.py"}  # train.py calls into a TF module: analysed (and here: SL900)
    assert {Path(r.path).name for r in results if r.problems} == {"train.py"}


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, 20)
    serial, _ = lint_files(paths, Config(), EngineOptions(jobs=1, use_cache=False))
    parallel, _ = lint_files(paths, Config(), EngineOptions(jobs=2, use_cache=False))
    assert serial == parallel
    assert [Path(d.path).name for d in serial] == [f"m{i:02d}.py" for i in range(0, 20, 3)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_leaves_the_collector_as_it_found_it(tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run freezes phase 1's IR for the cyclic collector while it lasts and pauses the
    # collector around building it; a program calling the API must get both back, also
    # when the run fails half-way.
    import gc

    paths = make_tree(tmp_path, 20)
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    found, _ = lint_files(paths, Config(), EngineOptions(jobs=jobs, use_cache=False))
    assert len(found) == 7
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before

    def fail(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run_phase2", fail)
    with pytest.raises(KeyboardInterrupt):
        lint_files(paths, Config(), EngineOptions(jobs=jobs, use_cache=False))
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


def test_cache_hit_gives_the_same_result(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    paths = make_tree(source, 4)
    options = EngineOptions(cache_dir=str(tmp_path / "cache"))
    first, _ = lint_files(paths, Config(), options)
    assert any((tmp_path / "cache").rglob("*"))
    second, results = lint_files(paths, Config(), options)
    assert first == second and len(first) == 2


def test_warm_cached_run_does_not_import_libcst(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, 3)
    program = (
        "import sys\nfrom scopelint.cli import main\n"
        f"code = main({paths!r} + ['--cache-dir', {str(tmp_path / 'c')!r}])\n"
        "print(code, 'libcst' in sys.modules)\n"
    )
    cold = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert cold.stdout.splitlines()[-1] == "1 True"
    assert warm.stdout.splitlines()[-1] == "1 False"


def test_cache_notices_changed_content(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(PY2_TF)
    options = EngineOptions(cache_dir=str(tmp_path / "cache"))
    assert len(lint_files([str(path)], Config(), options)[0]) == 1
    path.write_text("import tensorflow as tf\nprint('x')\n")
    assert lint_files([str(path)], Config(), options)[0] == []


def test_an_internal_error_costs_one_file_not_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scopelint import model

    real_extract = model.facts_from_source

    def flaky_extract(source, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs["path"].endswith("boom.py"):
            raise RuntimeError("model bug")
        return real_extract(source, **kwargs)

    monkeypatch.setattr(model, "facts_from_source", flaky_extract)
    (tmp_path / "boom.py").write_text("import tensorflow as tf\n")
    (tmp_path / "legacy.py").write_text(PY2_TF)
    found, _ = lint_files([str(tmp_path / "boom.py"), str(tmp_path / "legacy.py")], Config(), EngineOptions(jobs=1, use_cache=False))
    assert [(Path(d.path).name, d.code) for d in found] == [("boom.py", "SL900"), ("legacy.py", "SL900")]
    assert "internal error: RuntimeError('model bug')" in found[0].message


def test_settings_come_from_config() -> None:
    assert model_settings(Config(tf_modules=("myproj.tf",))).tf_modules == ("myproj.tf",)
    assert engine._PARALLEL_THRESHOLD > 1


def test_cache_directory_ignores_itself_in_git(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, 1)
    lint_files(paths, Config(), EngineOptions(cache_dir=str(tmp_path / "cache")))
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"


COLLIDING_BUILDER = "import tensorflow.compat.v1 as tf\n\ndef build():\n    return tf.get_variable('w', [1])\n"
CALLER = "import tensorflow.compat.v1 as tf\nfrom models import build\n\nbuild()\nbuild()\n"


def test_warm_run_reuses_phase2_and_a_change_elsewhere_invalidates_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scopelint import model

    (tmp_path / "models.py").write_text(COLLIDING_BUILDER)
    (tmp_path / "train.py").write_text(CALLER)
    paths = [str(tmp_path / "models.py"), str(tmp_path / "train.py")]
    options = EngineOptions(jobs=1, cache_dir=str(tmp_path / "cache"))
    first, _ = lint_files(paths, Config(), options)
    assert [(Path(d.path).name, d.code, d.line) for d in first] == [("train.py", "SL201", 5)]

    calls: list[str] = []
    real_analyze = model.analyze
    monkeypatch.setattr(model, "analyze", lambda facts, project: calls.append(facts.path) or real_analyze(facts, project))
    again, _ = lint_files(paths, Config(), options)
    assert again == first and calls == []  # nothing re-analysed

    # The builder changes (now shares): train.py itself did not change, yet its finding must go.
    (tmp_path / "models.py").write_text(
        "import tensorflow.compat.v1 as tf\n\ndef build():\n"
        "    with tf.variable_scope('m', reuse=tf.AUTO_REUSE):\n        return tf.get_variable('w', [1])\n"
    )
    after, _ = lint_files(paths, Config(), options)
    assert after == [] and sorted(Path(p).name for p in calls) == ["models.py", "train.py"]


def test_warm_run_never_unpickles_facts_and_lost_facts_are_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scopelint.cache import Cache

    (tmp_path / "models.py").write_text(COLLIDING_BUILDER)
    (tmp_path / "train.py").write_text(CALLER)
    paths = [str(tmp_path / "models.py"), str(tmp_path / "train.py")]
    options = EngineOptions(jobs=1, cache_dir=str(tmp_path / "cache"))
    first, _ = lint_files(paths, Config(), options)

    def no_facts(self: Cache, key: str) -> None:
        raise AssertionError("a fully cached run must not load the IR")

    with monkeypatch.context() as patch:
        patch.setattr(Cache, "get_facts", no_facts)
        assert lint_files(paths, Config(), options)[0] == first

    # train.py changes, models.py's facts were lost from the cache: they are rebuilt from source.
    for lost in (tmp_path / "cache").rglob("*-facts"):
        lost.unlink()
    (tmp_path / "train.py").write_text(CALLER + "\n")
    again, _ = lint_files(paths, Config(), options)
    assert [(Path(d.path).name, d.code, d.line) for d in again] == [("train.py", "SL201", 5)]


# CPython accepts a backslash continuation before `except`; libcst (the parser fixes use) does not.
_LIBCST_REJECTS = '''import tensorflow as tf
try:
    import numpy
\\
except ImportError:
    pass
with tf.name_scope("enc"):
    w = tf.get_variable("w", [3])
w2 = tf.get_variable("w", [3])
'''


def test_a_file_libcst_cannot_read_keeps_its_findings_and_says_it_has_no_fixes(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(_LIBCST_REJECTS)
    found, _ = lint_files([str(tmp_path / "m.py")], Config(), EngineOptions(jobs=1, use_cache=False))
    codes = sorted((d.code, d.line) for d in found)
    assert ("SL201", 9) in codes and ("SL101", 8) in codes
    [note] = [d for d in found if d.code == "SL900"]
    assert 4 <= note.line <= 6 and note.severity.value == "warning"  # libcst's own position of its failure
    assert "valid Python that libcst" in note.message and "no fix" in note.message
    assert all("fix" not in d.data for d in found)


def test_files_without_findings_are_never_parsed_by_libcst(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst

    parsed: list[str] = []
    real_parse = libcst.parse_module

    def counting_parse(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(source if isinstance(source, str) else source.decode())
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting_parse)
    (tmp_path / "clean.py").write_text("import tensorflow as tf\nwith tf.variable_scope('a'):\n    w = tf.get_variable('w', [1])\n")
    (tmp_path / "buggy.py").write_text("import tensorflow as tf\nw = tf.get_variable('w', [1])\nw = tf.get_variable('w', [1])\n")
    found, _ = lint_files([str(tmp_path / "clean.py"), str(tmp_path / "buggy.py")], Config(), EngineOptions(jobs=1, use_cache=False))
    assert [(Path(d.path).name, d.code) for d in found] == [("buggy.py", "SL201")]
    assert parsed and all("with tf.variable_scope('a')" not in text for text in parsed)


def test_newer_syntax_than_this_python_is_unmodelled_not_a_syntax_error(tmp_path: Path) -> None:
    import sys

    if sys.version_info >= (3, 12):
        pytest.skip("PEP 695 syntax is native here")
    (tmp_path / "m.py").write_text("import tensorflow as tf\ntype Alias = int\n")
    found, _ = lint_files([str(tmp_path / "m.py")], Config(), EngineOptions(jobs=1, use_cache=False))
    [note] = found
    assert note.code == "SL900" and "cannot read" in note.message and "syntax error" not in note.message


def test_parallel_phase2_puts_each_modules_findings_on_its_own_file(tmp_path: Path) -> None:
    """Phase 2 hands modules out largest file first: each finding still lands on the file
    whose analysis found it, in the order of a serial run."""
    paths = []
    for i in range(12):
        path = tmp_path / f"n{i:02d}.py"
        padding = "# padding\n" * ((i * 7) % 12 * 40)  # sizes out of path order
        path.write_text(f"import tensorflow.compat.v1 as tf\n{padding}a = tf.get_variable('v{i}', [1])\n"
                        f"b = tf.get_variable('v{i}', [1])\n")
        paths.append(str(path))
    serial, _ = lint_files(paths, Config(), EngineOptions(jobs=1, use_cache=False))
    parallel, _ = lint_files(paths, Config(), EngineOptions(jobs=2, use_cache=False))
    assert parallel == serial
    assert [(Path(d.path).name, d.code, d.line) for d in parallel] == [
        (f"n{i:02d}.py", "SL201", 3 + (i * 7) % 12 * 40) for i in range(12)]
    assert all(f"'v{int(Path(d.path).stem[1:])}'" in d.message for d in parallel)
