"""Fuzz scopelint: generated programs and mutants of real TF1 files through the
CLI and the API. Not a test (it takes minutes); the regular suite runs a small
smoke sample of it (tests/test_fuzz_smoke.py).

    python tests/fuzz.py --programs 10000 --mutants 2000     # the full run
    python tests/fuzz.py --programs 200 --mutants 50 --seed 3 # a quick one

Programs come from ``hypothesmith`` (half from the grammar strategy, half from
the libcst node strategy; every other one with ``import tensorflow as tf`` in
front so the prefilter keeps it); mutants from the sources of the installed
``tf_slim`` package (line deletion, duplication, re-indentation and spliced
``variable_scope`` / ``get_variable`` / ``reuse_variables()`` snippets).

Every input goes through ``scopelint.api.lint_source`` (timed alone, limit
--file-timeout seconds) and, in batches of --batch files, through
``python -m scopelint --format json --no-cache --isolated --no-prefilter``.
A failure is: an exception out of the API, an ``internal error`` diagnostic,
a file over the time limit, a CLI exit code other than 0/1, a traceback on
stderr, or stdout that is not the JSON list the README documents. Failing
inputs are copied to --keep (default ``fuzz-failures/``). Exit 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

TF_PREFIX = "import tensorflow as tf\n"
JSON_KEYS = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "data"}

SNIPPETS = (
    "with tf.variable_scope('fuzz'):\n    w = tf.get_variable('w', [3])\n",
    "with tf.variable_scope('fuzz', reuse=True):\n    w = tf.get_variable('w', [3])\n",
    "w = tf.get_variable('w', [3])\n",
    "tf.get_variable_scope().reuse_variables()\n",
    "with tf.name_scope('fuzz'):\n    v = tf.get_variable('v', [2])\n",
    "with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):\n    pass\n",
    "scope.reuse_variables()\n",
    "with tf.variable_scope(None, default_name='fz') as sc:\n    sc.reuse_variables()\n",
)


@dataclass
class Tally:
    inputs: int = 0
    api_seconds_max: float = 0.0
    api_slowest: str = ""
    cli_batches: int = 0
    cli_findings: int = 0
    sl900: int = 0
    parser_disagreements: int = 0  # CPython accepts, libcst rejects
    parsed: int = 0  # inputs CPython accepts
    failures: list[str] = field(default_factory=list)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout()


def cpython_accepts(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def check_api(source: str, path: str, limit: float) -> tuple[float, list[str], list[object]]:
    """Lint one input through the API; (seconds, problems, diagnostics)."""
    from scopelint.api import lint_source

    problems: list[str] = []
    diagnostics: list[object] = []
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        diagnostics = list(lint_source(source, path))
    except _Timeout:
        problems.append(f"hang: over {limit:.0f} s in the API")
    except Exception as exc:  # a crash is what we are looking for
        problems.append(f"API raised {exc!r}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - start
    for diagnostic in diagnostics:
        message = getattr(diagnostic, "message", "")
        if "internal error" in message:
            problems.append(f"API: {message}")
    return elapsed, problems, diagnostics


def check_cli_output(stdout: str, stderr: str, returncode: int) -> tuple[list[str], list[dict[str, object]]]:
    problems: list[str] = []
    if returncode not in (0, 1):
        problems.append(f"CLI exit code {returncode}: {stderr.strip()[-500:]}")
    if "Traceback" in stderr:
        problems.append(f"CLI traceback: {stderr.strip()[-800:]}")
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as exc:
        return [*problems, f"CLI printed invalid JSON ({exc}): {stdout[:200]!r}"], []
    if not isinstance(report, list) or not all(isinstance(d, dict) and JSON_KEYS <= d.keys() for d in report):
        return [*problems, f"CLI JSON is not a list of findings: {stdout[:200]!r}"], []
    for finding in report:
        if "internal error" in str(finding["message"]):
            problems.append(f"CLI: {finding['path']}: {finding['message']}")
    return problems, report


def run_cli_batch(directory: Path, timeout: float) -> tuple[list[str], list[dict[str, object]]]:
    command = [sys.executable, "-m", "scopelint", "--format", "json", "--no-cache", "--isolated", "--no-prefilter",
               "--exit-zero", str(directory)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return [f"hang: CLI batch over {timeout:.0f} s"], []
    problems, report = check_cli_output(done.stdout, done.stderr, done.returncode)
    if done.returncode == 1:
        problems.append("CLI exited 1 despite --exit-zero")
    return problems, report


# ------------------------------------------------------------------ inputs


def hypothesmith_programs(count: int, seed: int, only: str = "") -> Iterator[tuple[str, str]]:
    """(strategy name, source) pairs, unique, half grammar and half node (or all from ``only``)."""
    import hypothesmith
    from hypothesis import HealthCheck, given, seed as hseed, settings

    warnings.simplefilter("ignore")
    seen: set[str] = set()
    strategies: list[tuple[str, Callable[[], object]]] = [
        ("grammar", hypothesmith.from_grammar), ("node", hypothesmith.from_node),
    ]
    if only:
        strategies = [(name, make) for name, make in strategies if name == only]
    for name, make in strategies:
        want = count if only else count // 2 if name == "grammar" else count - count // 2
        got = 0
        round_ = 0
        while got < want and round_ < 50:
            batch: list[str] = []

            @hseed(seed * 1000 + round_)
            @settings(max_examples=min(2000, 2 * (want - got)), database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(make())
            def collect(source: str) -> None:
                batch.append(source)

            collect()
            round_ += 1
            for source in batch:
                if source in seen or got >= want:
                    continue
                seen.add(source)
                got += 1
                yield name, (TF_PREFIX + source) if got % 2 else source


def real_sources() -> list[tuple[str, str]]:
    """(name, text) of every module of the installed tf_slim package, plus tests/data."""
    files: list[Path] = []
    spec = importlib.util.find_spec("tf_slim")
    if spec is not None and spec.origin:
        files += sorted(Path(spec.origin).parent.rglob("*.py"))
    files += sorted((Path(__file__).parent / "data").rglob("*.py"))
    out = []
    for file in files:
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text.strip():
            out.append((file.name, text))
    return out


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def mutate(text: str, rng: random.Random) -> tuple[str, str]:
    """One to three random edits of a real file; (description, mutant)."""
    lines = text.splitlines(keepends=True)
    done: list[str] = []
    for _ in range(rng.randint(1, 3)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        kind = rng.choice(("delete", "duplicate", "reindent", "splice", "splice"))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "reindent":
            body = lines[i].lstrip(" \t")
            indent = rng.choice(("", "  ", "    ", "\t", _indent_of(lines[i]) + "    ", _indent_of(lines[i])[:-4]))
            lines[i] = indent + body
        else:
            indent = _indent_of(lines[i]) if lines[i].strip() else ""
            snippet = rng.choice(SNIPPETS)
            lines[i:i] = [indent + s + "\n" for s in snippet.splitlines()]
        done.append(f"{kind}@{i + 1}")
    return ",".join(done), "".join(lines)


def mutants(count: int, seed: int) -> Iterator[tuple[str, str]]:
    rng = random.Random(seed)
    sources = real_sources()
    if not sources:
        raise SystemExit("no real TF1 sources found: install tf-slim (the [dynamic] extra)")
    for n in range(count):
        name, text = sources[n % len(sources)]
        description, mutant = mutate(text, rng)
        yield f"{name}:{description}", mutant


# ------------------------------------------------------------------ driver


def fuzz(inputs: Iterator[tuple[str, str]], label: str, args: argparse.Namespace, tally: Tally) -> None:
    keep = Path(args.keep)
    with tempfile.TemporaryDirectory(prefix=f"scopelint-fuzz-{label}-") as tmp:
        batch_dir = Path(tmp) / "batch"
        batch: dict[str, str] = {}

        def flush() -> None:
            if not batch:
                return
            problems, report = run_cli_batch(batch_dir, args.batch_timeout)
            tally.cli_batches += 1
            tally.cli_findings += len(report)
            if problems:
                tally.failures.extend(f"CLI batch {tally.cli_batches}: {p}" for p in problems[:3])
                # Rerun each file alone so the failure names its input.
                for file, origin in batch.items():
                    alone = Path(tmp) / "alone"
                    shutil.rmtree(alone, ignore_errors=True)
                    alone.mkdir()
                    shutil.copy(batch_dir / file, alone / file)
                    single, _ = run_cli_batch(alone, args.file_timeout + 10)
                    if single:
                        _record(tally, keep, batch_dir / file, origin, single)
            shutil.rmtree(batch_dir)
            batch.clear()

        for origin, source in inputs:
            tally.inputs += 1
            if not batch:
                batch_dir.mkdir()
            name = f"{label}_{tally.inputs:06d}.py"
            (batch_dir / name).write_text(source, "utf-8", errors="surrogatepass")
            batch[name] = origin
            accepted = cpython_accepts(source)
            tally.parsed += accepted
            elapsed, problems, diagnostics = check_api(source, name, args.file_timeout)
            if elapsed > tally.api_seconds_max:
                tally.api_seconds_max, tally.api_slowest = elapsed, f"{name} ({origin})"
            sl900 = [d for d in diagnostics if getattr(d, "code", "") == "SL900"]
            tally.sl900 += bool(sl900)
            if accepted and any("syntax error" in getattr(d, "message", "") for d in sl900):
                problems.append("SL900 says syntax error for a file CPython accepts")
            if accepted and any(getattr(d, "data", {}).get("parser_disagreement") for d in sl900):
                tally.parser_disagreements += 1
            if problems:
                _record(tally, keep, batch_dir / name, origin, problems)
            if len(batch) >= args.batch:
                flush()
            if tally.inputs % args.progress == 0:
                print(f"  {label}: {tally.inputs} inputs, {len(tally.failures)} failures, "
                      f"slowest {tally.api_seconds_max:.2f} s", file=sys.stderr, flush=True)
        flush()


def _record(tally: Tally, keep: Path, file: Path, origin: str, problems: list[str]) -> None:
    keep.mkdir(parents=True, exist_ok=True)
    target = keep / file.name
    shutil.copy(file, target)
    for problem in problems:
        tally.failures.append(f"{target} [{origin}]: {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=10000, help="hypothesmith programs")
    parser.add_argument("--mutants", type=int, default=2000, help="mutants of real TF1 files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--strategy", choices=["grammar", "node"], default="",
                        help="programs from one hypothesmith strategy only (node is ~10x slower to generate: "
                             "a full run can be split into chunks)")
    parser.add_argument("--batch", type=int, default=500, help="files per CLI run")
    parser.add_argument("--file-timeout", type=float, default=30.0, help="seconds one file may take")
    parser.add_argument("--batch-timeout", type=float, default=900.0, help="seconds one CLI batch may take")
    parser.add_argument("--keep", default="fuzz-failures", help="where failing inputs are copied")
    parser.add_argument("--progress", type=int, default=500)
    args = parser.parse_args(argv)

    results: dict[str, Tally] = {}
    started = time.time()
    for label, inputs in (("program", hypothesmith_programs(args.programs, args.seed, args.strategy)),
                          ("mutant", mutants(args.mutants, args.seed))):
        tally = results[label] = Tally()
        fuzz(inputs, label, args, tally)
    failed = 0
    for label, tally in results.items():
        print(f"{label}s: {tally.inputs} inputs ({tally.parsed} valid Python), {tally.cli_batches} CLI batches, "
              f"{tally.cli_findings} findings, {tally.sl900} with SL900, {tally.parser_disagreements} parser "
              f"disagreements; slowest file {tally.api_seconds_max:.2f} s ({tally.api_slowest}); "
              f"{len(tally.failures)} failures")
        for failure in tally.failures[:50]:
            print(f"  FAIL {failure}")
        failed += len(tally.failures)
    print(f"total {sum(t.inputs for t in results.values())} inputs in {time.time() - started:.0f} s, "
          f"{failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
