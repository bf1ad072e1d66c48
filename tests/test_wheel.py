"""The catalog round trip from an installed wheel.

Builds the wheel, installs it into a clean virtualenv (no system site-packages;
libcst comes from the package index, or pip's local cache), and runs
`scopelint rules` / `scopelint explain SL201` from outside the checkout, so the
text can only come from the packaged ``scopelint/_rules``. ~10 s.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scopelint.catalog import load_catalog

pytestmark = [pytest.mark.slow, pytest.mark.network]

REPO = Path(__file__).resolve().parent.parent
# pip's words for "could not reach the index", as opposed to a broken wheel.
OFFLINE_SIGNS = ("No matching distribution found for", "NewConnectionError", "Network is unreachable", "Temporary failure in name resolution")


def _run(command: list[str], cwd: Path, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    env.update(extra_env)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def _skip_if_offline(process: subprocess.CompletedProcess[str]) -> None:
    output = process.stdout + process.stderr
    if process.returncode != 0 and any(sign in output for sign in OFFLINE_SIGNS):
        pytest.skip(f"offline: pip could not reach the package index ({output.strip().splitlines()[-1]})")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the built wheel, the clean venv's bin directory)."""
    scratch = tmp_path_factory.mktemp("wheel")
    # Without hatchling at hand, build fetches it into an isolated environment.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-isolation"]
    built = _run([sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(scratch / "dist"), str(REPO)], cwd=scratch, timeout=300)
    _skip_if_offline(built)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [wheel] = (scratch / "dist").glob("scopelint-*.whl")
    return wheel, install_in_clean_venv(wheel, scratch)


def install_in_clean_venv(wheel: Path, scratch: Path) -> Path:
    """``wheel`` installed into a new virtualenv under ``scratch`` (its dependencies from the
    package index); the virtualenv's bin directory. Skips the test when the index is out of reach."""
    venv = scratch / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=scratch)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    install = _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--find-links", str(wheel.parent), "scopelint"],
        cwd=scratch,
        timeout=300,
    )
    _skip_if_offline(install)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    return bin_dir


def test_wheel_carries_every_rule_file_unchanged(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        packaged = {Path(n).name: archive.read(n) for n in archive.namelist() if n.startswith("scopelint/_rules/")}
    in_tree = {p.name: p.read_bytes() for p in (REPO / "rules").glob("SL*.md")}
    assert packaged == in_tree


def test_installed_package_reads_its_own_catalog(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    probe = _run(
        [str(bin_dir / "python"), "-c", "import scopelint, scopelint.catalog as c; print(scopelint.__file__); print(c.rules_dir())"],
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    package_file, rules_dir = probe.stdout.splitlines()
    venv = bin_dir.parent.resolve()
    assert Path(package_file).resolve().is_relative_to(venv), "scopelint was imported from outside the clean venv"
    assert Path(rules_dir).resolve().is_relative_to(venv) and Path(rules_dir).name == "_rules"


def test_rules_and_explain_from_the_wheel(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    catalog = load_catalog()
    listed = _run([str(bin_dir / "scopelint"), "rules"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(catalog)

    explained = _run([str(bin_dir / "scopelint"), "explain", "SL201"], cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    assert explained.stdout == catalog["SL201"].text
    assert explained.stdout.startswith("# SL201 variable-already-exists\n")


USER_CODE = """\
from scopelint.api import Diagnostic, lint_source

found: list[Diagnostic] = lint_source("import tensorflow as tf\\n", "m.py")
lines: list[int] = [d.line for d in found]
wrong: str = found[0].line
"""


def test_wheel_is_typed_for_users_mypy(installed: tuple[Path, Path], tmp_path: Path) -> None:
    """py.typed ships, so mypy in a user's project reads scopelint's own annotations."""
    wheel, bin_dir = installed
    with zipfile.ZipFile(wheel) as archive:
        assert "scopelint/py.typed" in archive.namelist()
    (tmp_path / "user.py").write_text(USER_CODE)
    checked = _run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(bin_dir / "python"), "user.py"],
        cwd=tmp_path, timeout=300,
    )
    output = checked.stdout + checked.stderr
    assert "missing library stubs or py.typed marker" not in output, output
    # The one error is the user's: scopelint's types reached mypy.
    assert 'user.py:5: error: Incompatible types in assignment (expression has type "int", variable has type "str")' in output, output
    assert checked.stdout.strip().endswith("Found 1 error in 1 file (checked 1 source file)"), output
