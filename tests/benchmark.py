"""Benchmark: scopelint on real TF1 trees (not a test; run it by hand).

    python tests/benchmark.py                # downloads tf-slim 1.1.0 and tensornets 0.4.6
    python tests/benchmark.py path/to/tree   # or any tree you have

For each tree it times, as separate processes (best of --repeat):
  cold   no cache, prefilter on, all cores
  noprefilter  no cache, every file parsed
  serial no cache, --jobs 1
  warm   second run with a populated cache
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

SDISTS = ("tf-slim==1.1.0", "tensornets==0.4.6")


def fetch(spec: str, into: Path) -> Path:
    """Unpacked sources of a release. tf-slim 1.1.0 ships only a (pure-Python)
    wheel on PyPI, tensornets 0.4.6 only an sdist: take whichever exists."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(into)], check=True, capture_output=True)
    name = spec.split("==")[0].replace("-", "_").lower()
    archive = next(p for p in into.iterdir() if p.name.lower().replace("-", "_").startswith(name))
    target = into / name
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(target)
    else:
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return target


def timed(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scopelint", *args, "--exit-zero"], capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def count_lines(tree: Path) -> tuple[int, int]:
    files = [p for p in tree.rglob("*.py")]
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def bench(tree: Path, repeat: int) -> None:
    files, lines = count_lines(tree)
    cache = Path(tempfile.mkdtemp(prefix="scopelint-bench-cache-"))
    rows = {
        "cold (prefilter, all cores)": timed([str(tree), "--no-cache"], repeat),
        "cold, no prefilter": timed([str(tree), "--no-cache", "--no-prefilter"], repeat),
        "cold, --jobs 1": timed([str(tree), "--no-cache", "--jobs", "1"], repeat),
    }
    timed([str(tree), "--cache-dir", str(cache)], 1)
    rows["warm cache"] = timed([str(tree), "--cache-dir", str(cache)], repeat)
    print(f"\n{tree.name}: {files} files, {lines} lines, {os.cpu_count()} cores")
    for label, seconds in rows.items():
        print(f"  {label:<30} {seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    trees = args.trees
    if not trees:
        workdir = Path(tempfile.mkdtemp(prefix="scopelint-bench-"))
        trees = [fetch(spec, workdir) for spec in SDISTS]
    for tree in trees:
        bench(tree, args.repeat)


if __name__ == "__main__":
    main()
