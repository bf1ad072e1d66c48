"""The compiled build (README, Speed): the model compiled with mypyc gives the plain
package's findings, byte for byte.

Builds an sdist of this checkout and a wheel from it with the build hook on
(``HATCH_BUILD_HOOK_ENABLE_MYPYC=1``), installs the wheel into a clean virtualenv, and
lints the buggy programs of ``tests/dynamic_programs``, the DCGAN of ``tests/data`` and,
where the ``[dynamic]`` extra is installed, tf-slim's own sources (real TF1 code) with
both builds: cold with all cores and with ``--jobs 1``, then filling a cache and reading
it back. The build must leave no compiled file in the checkout (a stale one would shadow
its source there). ~2 min, most of it the C compiler.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from test_wheel import REPO, _run, _skip_if_offline, install_in_clean_venv

pytestmark = [pytest.mark.slow, pytest.mark.network]

COMPILED_SUFFIXES = (".so", ".pyd")


def _compiled_files_in_checkout() -> list[Path]:
    return sorted(p for p in (REPO / "scopelint").rglob("*") if p.suffix in COMPILED_SUFFIXES)


def _c_compiler() -> str | None:
    command = sysconfig.get_config_var("CC") or "cc"
    return shutil.which(shlex.split(command)[0])


@pytest.fixture(scope="module")
def compiled_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean virtualenv's python, with the compiled wheel installed."""
    if _c_compiler() is None:
        pytest.skip("no C compiler: the compiled build cannot be made here")
    scratch = tmp_path_factory.mktemp("compiled")
    before = _compiled_files_in_checkout()
    # From the sdist (what `python -m build` does by default): the wheel is compiled in a
    # temporary copy, not in the checkout.
    built = _run([sys.executable, "-m", "build", "--outdir", str(scratch / "dist"), str(REPO)], cwd=scratch, timeout=900,
                 HATCH_BUILD_HOOK_ENABLE_MYPYC="1")
    _skip_if_offline(built)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert _compiled_files_in_checkout() == before
    [wheel] = (scratch / "dist").glob("scopelint-*.whl")
    assert not wheel.name.endswith("-py3-none-any.whl"), wheel.name  # a platform wheel: it holds compiled code
    return install_in_clean_venv(wheel, scratch) / "python"


def test_the_wheel_runs_the_model_compiled_and_says_so(compiled_python: Path, tmp_path: Path) -> None:
    probe = _run([str(compiled_python), "-c", "import scopelint.model.interpret.core as core, scopelint.model.values as values, "
                  "scopelint.model.ir as ir; print(core.__file__); print(values.__file__); print(ir.__file__)"], cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    core, values, ir = probe.stdout.split()
    assert Path(core).suffix in COMPILED_SUFFIXES and Path(values).suffix in COMPILED_SUFFIXES
    assert Path(ir).suffix == ".py"  # the IR stays plain: phase 1 pickles it, the cache decodes it
    version = _run([str(compiled_python), "-m", "scopelint", "--version"], cwd=tmp_path)
    assert version.stdout.strip() == "scopelint 0.1.0 (model compiled with mypyc)"
    plain = _run([sys.executable, "-m", "scopelint", "--version"], cwd=tmp_path)
    assert plain.stdout.strip().endswith("(plain Python)")


def _corpus() -> list[str]:
    paths = [REPO / "tests" / "dynamic_programs", REPO / "tests" / "data" / "dcgan"]
    spec = importlib.util.find_spec("tf_slim")  # found, not imported: that would import TensorFlow
    if spec is not None and spec.submodule_search_locations:
        paths.append(Path(next(iter(spec.submodule_search_locations))))
    return [str(p) for p in paths]


def _lint(python: Path | str, cwd: Path, *options: str) -> str:
    done = _run([str(python), "-m", "scopelint", *options, "--format", "json", "--exit-zero", *_corpus()], cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_compiled_and_plain_find_the_same(compiled_python: Path, tmp_path: Path) -> None:
    plain = _lint(sys.executable, tmp_path, "--no-cache")
    findings = json.loads(plain)
    assert len(findings) >= 20 and {f["code"] for f in findings} >= {"SL101", "SL201"}  # not a vacuous comparison
    assert _lint(compiled_python, tmp_path, "--no-cache") == plain
    assert _lint(compiled_python, tmp_path, "--no-cache", "--jobs", "1") == plain
    cache = tmp_path / "cache"
    assert _lint(compiled_python, tmp_path, "--cache-dir", str(cache)) == plain
    assert _lint(compiled_python, tmp_path, "--cache-dir", str(cache)) == plain
