"""A hostile checkout must never make scopelint run its code.

Each payload writes a marker file if it is ever executed; every test asserts
that no marker appears *and* that the checkout's real bug is still reported.
The payloads: entries planted in the cache (pickles under the exact keys
scopelint looks up, JSON of the right shape without this user's HMAC, entries
of other files, symlinks, a FIFO, a huge file), Python files Python itself
would pick up from the working directory (``tensorflow.py``,
``sitecustomize.py``, ``conftest.py``, ``setup.py``, a ``.pth`` file, a stdlib
module shadowed by ``dataclasses.py``), and configs asking for dynamic mode.
They go through the CLI (console script and ``python -m``), the real
``pre-commit`` and the language server (pytest-lsp).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scopelint.cache import Cache, default_cache_dir, user_secret
from scopelint.config import Config
from scopelint.datacodec import Codec, CodecError
from scopelint.diagnostic import Diagnostic
from scopelint.engine import EngineOptions, lint_files
from scopelint.model import ModelSettings, fact_types

SCRIPT = str(Path(sys.executable).parent / "scopelint")
FINDING = "model.py:5:9: SL101 `tf.get_variable('w')` ignores the enclosing `name_scope('enc')`"
MAGIC = b"scopelint-cache-2\n"


def payload(marker: Path, who: str) -> str:
    return f"open({str(marker / who)!r}, 'w').write('executed')\n"


def write_model(repo: Path, markers: Path) -> Path:
    """The checkout's own code: buggy, and it would leave a marker if anything ran it."""
    model = repo / "model.py"
    model.write_text(
        "import tensorflow as tf\n"
        + payload(markers, "model.py")
        + "\n"
        + 'with tf.name_scope("enc"):\n'
        + '    w = tf.get_variable("w", [3])\n'
    )
    return model


@pytest.fixture
def checkout(tmp_path: Path) -> tuple[Path, Path]:
    repo, markers = tmp_path / "repo", tmp_path / "markers"
    repo.mkdir()
    markers.mkdir()
    (repo / "pyproject.toml").write_text("[project]\nname = 'victim'\n")
    write_model(repo, markers)
    return repo, markers


def lint(repo: Path, *args: str, command: tuple[str, ...] = (SCRIPT,), timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], cwd=repo, capture_output=True, text=True, timeout=timeout)


def assert_clean_run(result: subprocess.CompletedProcess[str], markers: Path) -> None:
    assert list(markers.iterdir()) == [], f"payload executed: {sorted(p.name for p in markers.iterdir())}"
    assert result.returncode == 1, result.stdout + result.stderr
    assert FINDING in result.stdout, result.stdout + result.stderr


class Exploit:
    """What an attacker writes: a pickle that runs a command when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore")


def phase1_key(cache: Path, model: Path) -> str:
    return Cache(cache).key(str(model), model.read_bytes(), ModelSettings())


# ---------------------------------------------------------------- the cache


@pytest.mark.parametrize("where", ["default", "in-checkout"])
def test_planted_pickles_under_the_real_keys_never_run(checkout: tuple[Path, Path], where: str) -> None:
    """The attack of issue 14: pickles under exactly the names scopelint reads."""
    repo, markers = checkout
    args = ["model.py"] if where == "default" else ["model.py", "--cache-dir", ".scopelint_cache"]
    cache = default_cache_dir(Config(root=str(repo))) if where == "default" else repo / ".scopelint_cache"
    assert_clean_run(lint(repo, *args), markers)  # a real run writes every entry it will look up
    planted = entries(cache)
    assert any(p.name == phase1_key(cache, repo / "model.py") for p in planted)
    for entry in planted:
        entry.write_bytes(pickle.dumps(Exploit(markers / f"pickle-{entry.name}")))
    assert_clean_run(lint(repo, *args), markers)
    if where == "default":  # the old location, as a checkout could ship it
        for entry in planted:
            old = repo / ".scopelint_cache" / entry.parent.name / entry.name
            old.parent.mkdir(parents=True, exist_ok=True)
            old.write_bytes(pickle.dumps(Exploit(markers / "old-location")))
        assert_clean_run(lint(repo, *args), markers)


def _retag(entry: Path, new_payload: bytes, secret: bytes) -> None:
    key = entry.name
    raw = entry.read_bytes()
    kind = next(k for k in ("result", "facts", "diagnostics", "run") if _mac(secret_of_user(), k, key, raw[len(MAGIC) + 65 :]) == raw[len(MAGIC) : len(MAGIC) + 64])
    entry.write_bytes(MAGIC + _mac(secret, kind, key, new_payload) + b"\n" + new_payload)


def _mac(secret: bytes, kind: str, key: str, payload_bytes: bytes) -> bytes:
    return hmac.new(secret, f"{kind}\0{key}\0".encode() + payload_bytes, hashlib.sha256).hexdigest().encode()


def secret_of_user() -> bytes:
    secret = user_secret()
    assert secret is not None
    return secret


def _is_diagnostics(entry: Path) -> bool:
    codec = Codec([*fact_types(), Diagnostic])
    try:
        codec.decode(json.loads(entry.read_bytes()[len(MAGIC) + 65 :]), tuple[Diagnostic, ...])
    except (CodecError, ValueError):
        return False
    return True


@pytest.mark.parametrize("signed_by", ["another key", "this user"])
def test_well_formed_entries_without_this_users_hmac_are_ignored(tmp_path: Path, checkout: tuple[Path, Path], signed_by: str) -> None:
    """An entry of exactly the right shape saying "no findings": ignored unless this
    user's own secret signed it (the second case shows the test can fail)."""
    repo, markers = checkout
    cache = tmp_path / "cache"
    assert_clean_run(lint(repo, "model.py", "--cache-dir", str(cache)), markers)
    forged = [e for e in entries(cache) if _is_diagnostics(e)]  # a file's findings, and the whole run's
    assert len(forged) == 2, "no phase-2 or run entry was written"
    secret = secrets.token_bytes(32) if signed_by == "another key" else secret_of_user()
    for entry in forged:
        _retag(entry, b"[]", secret)
    result = lint(repo, "model.py", "--cache-dir", str(cache))
    if signed_by == "another key":
        assert_clean_run(result, markers)
    else:
        assert result.returncode == 0 and FINDING not in result.stdout, result.stdout


def test_entries_of_another_file_are_not_served_for_this_one(tmp_path: Path, checkout: tuple[Path, Path]) -> None:
    repo, markers = checkout
    clean = repo / "clean.py"
    clean.write_text("import tensorflow as tf\n\nwith tf.variable_scope('m'):\n    v = tf.get_variable('v', [2])\n")
    cache = tmp_path / "cache"
    assert_clean_run(lint(repo, "model.py", "clean.py", "--cache-dir", str(cache)), markers)
    model_key, clean_key = phase1_key(cache, repo / "model.py"), phase1_key(cache, clean)
    for suffix in ("", "-facts"):
        source = cache / clean_key[:2] / (clean_key + suffix)
        target = cache / model_key[:2] / (model_key + suffix)
        target.write_bytes(source.read_bytes())  # validly signed, but for another key
    for entry in entries(cache):
        if _is_diagnostics(entry):
            entry.unlink()  # phase 2 must run again, from the (swapped) facts
    assert_clean_run(lint(repo, "model.py", "clean.py", "--cache-dir", str(cache)), markers)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")
@pytest.mark.parametrize("entry_kind", ["result", "facts", "diagnostics"])
@pytest.mark.parametrize("planted", ["symlink", "fifo", "huge"])
def test_symlinks_fifos_and_huge_files_in_the_cache(tmp_path: Path, checkout: tuple[Path, Path], entry_kind: str, planted: str) -> None:
    """In process (the engine the CLI runs), to keep nine cases cheap."""
    repo, markers = checkout
    cache = repo / ".scopelint_cache"
    model = str(repo / "model.py")

    def run() -> list[str]:
        found, _ = lint_files([model], Config(root=str(repo)), EngineOptions(jobs=1, cache_dir=str(cache)))
        return [f"{d.line}:{d.column}: {d.code}" for d in found]

    assert run() == ["5:9: SL101"]
    key = phase1_key(cache, repo / "model.py")
    diagnostics = [e for e in entries(cache) if _is_diagnostics(e)]
    if entry_kind == "diagnostics":
        [target] = diagnostics
    else:
        target = cache / key[:2] / (key if entry_kind == "result" else key + "-facts")
        for entry in diagnostics:
            entry.unlink()  # so that the phase-1 entries are read again
    outside = tmp_path / "outside.pickle"
    outside.write_bytes(pickle.dumps(Exploit(markers / "symlink")))
    if planted == "symlink":
        target.unlink()
        target.symlink_to(outside)
    elif planted == "fifo":
        target.unlink()
        os.mkfifo(target)  # reading it would block forever
    else:
        with open(target, "r+b") as handle:
            handle.truncate(4 * 1024**3)  # sparse: 4 GiB that a read would have to allocate
    started = time.monotonic()
    assert run() == ["5:9: SL101"]
    assert time.monotonic() - started < 30
    assert list(markers.iterdir()) == []
    assert outside.read_bytes() == pickle.dumps(Exploit(markers / "symlink"))  # never written through


def test_a_symlinked_cache_subdirectory_is_never_written_through(tmp_path: Path, checkout: tuple[Path, Path]) -> None:
    repo, markers = checkout
    cache, elsewhere = repo / ".scopelint_cache", tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache.mkdir()
    key = phase1_key(cache, repo / "model.py")
    (cache / key[:2]).symlink_to(elsewhere, target_is_directory=True)
    assert_clean_run(lint(repo, "model.py", "--cache-dir", str(cache)), markers)
    assert list(elsewhere.iterdir()) == []


def test_the_secret_is_private_and_the_default_cache_is_outside_the_checkout(checkout: tuple[Path, Path]) -> None:
    repo, markers = checkout
    assert_clean_run(lint(repo, "model.py"), markers)
    assert not (repo / ".scopelint_cache").exists()
    cache = default_cache_dir(Config(root=str(repo)))
    assert Path(os.environ["XDG_CACHE_HOME"]) in cache.parents and entries(cache)
    secret = Path(os.environ["XDG_CACHE_HOME"]) / "scopelint" / "secret"
    assert secret.stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------- files Python itself would pick up

SHADOWS = ("tensorflow", "sitecustomize", "usercustomize", "conftest", "setup", "dataclasses", "typing", "json", "libcst", "hmac")


def plant_python_payloads(repo: Path, markers: Path) -> None:
    for name in SHADOWS:
        (repo / f"{name}.py").write_text(payload(markers, name))
    (repo / "evil.pth").write_text(f"import os; os.system('touch {markers / 'pth'}')\n")
    (repo / "pyproject.toml").write_text("[project]\nname = 'victim'\n\n[tool.scopelint]\nselect = ['SL']\n")


@pytest.mark.parametrize("command", ["console script", "python -m"])
def test_python_files_in_the_checkout_never_run(checkout: tuple[Path, Path], command: str) -> None:
    repo, markers = checkout
    plant_python_payloads(repo, markers)
    argv = (SCRIPT,) if command == "console script" else (sys.executable, "-m", "scopelint")
    assert_clean_run(lint(repo, ".", command=argv), markers)
    result = lint(repo, "model.py", "--format", "json", command=argv)
    assert list(markers.iterdir()) == [] and json.loads(result.stdout)[0]["code"] == "SL101"


def test_a_checkout_config_asking_for_dynamic_mode_is_refused(checkout: tuple[Path, Path]) -> None:
    repo, markers = checkout
    (repo / "pyproject.toml").write_text("[tool.scopelint]\ndynamic = true\n")
    result = lint(repo, "model.py")
    assert result.returncode == 2 and "dynamic mode runs code" in result.stderr, result.stderr
    assert list(markers.iterdir()) == []


def test_pre_commit_hook_in_a_hostile_checkout(tmp_path: Path, checkout: tuple[Path, Path]) -> None:
    """The real pre-commit, running the hook as the manifest defines it (entry, types,
    require_serial), as a local system hook so that no network is needed."""
    import yaml

    repo, markers = checkout
    plant_python_payloads(repo, markers)
    [hook] = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    local = {**{k: hook[k] for k in ("id", "name", "types_or", "require_serial")}, "language": "system",
             "entry": str(Path(sys.executable).parent / hook["entry"])}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    # pre-commit's console script: ``python -m pre_commit`` in the checkout would let
    # Python import the checkout's typing.py into pre-commit itself, before any hook.
    result = subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "run", "--all-files", "--color", "never"],
                            cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    assert list(markers.iterdir()) == [], f"payload executed: {sorted(p.name for p in markers.iterdir())}"
    assert result.returncode == 1, result.stdout + result.stderr
    assert FINDING in result.stdout, result.stdout + result.stderr
