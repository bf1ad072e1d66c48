"""``scopelint --fix --unsafe-fixes`` over real trees, measured: ``python tests/fix_tree.py DIR...``

A measurement script, not a test (tests/test_fix_files.py checks the same properties on
small files). Each DIR is copied to a temporary directory first (the original is never
written); on the copy it checks that

- every file CPython and libcst could parse before still parses (0 left unparseable),
- a second run changes nothing (same bytes, and no file rewritten: same mtimes),
- each rewritten file keeps its encoding (BOM, coding cookie), its line endings (no
  CRLF/CR introduced into an LF file, none lost) and its mode bits,
- with one fixable file made read-only (mode 0444) and one directory holding a fixable
  file made read-only (0555), the run exits 2, names both in one line each, and leaves
  their bytes, modes and mtimes as they were,
- the fixable files turned into CRLF, BOM + CRLF and latin-1-cookie variants with odd
  modes, fixed alone, keep all of that, parse, and a second run changes nothing.

Prints one line per tree and a JSON summary; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import tokenize
import warnings
from pathlib import Path
from typing import Any

Snapshot = dict[str, tuple[bytes, int, int]]


def snapshot(root: Path) -> Snapshot:
    files: Snapshot = {}
    for path in sorted(root.rglob("*.py")):
        if path.is_file() and not path.is_symlink():
            status = path.stat()
            files[str(path.relative_to(root))] = (path.read_bytes(), stat.S_IMODE(status.st_mode), status.st_mtime_ns)
    return files


def parses(data: bytes) -> bool:
    import libcst

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
        libcst.parse_module(data)
    except Exception:  # SyntaxError, ValueError (NUL), libcst.ParserSyntaxError, RecursionError
        return False
    return True


def encoding_of(data: bytes) -> str:
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError:
        return "?"


def endings(data: bytes) -> tuple[bool, bool, bool]:
    """(has CRLF, has a lone CR, has a lone LF)."""
    crlf = data.count(b"\r\n")
    return crlf > 0, data.count(b"\r") > crlf, data.count(b"\n") > crlf


def scopelint(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "--no-cache", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "NO_COLOR": "1"}, timeout=3600,
    )  # fmt: skip
    return done, time.monotonic() - start


def fixable(root: Path) -> list[str]:
    """Files (relative) with at least one fix, safe or unsafe, from a JSON report."""
    done, _ = scopelint("--format", "json", ".", cwd=root)
    found = json.loads(done.stdout)
    return sorted({d["path"] for d in found if d.get("data", {}).get("fix")})


def measure(tree: Path, scratch: Path) -> dict[str, Any]:
    work = scratch / tree.name
    shutil.copytree(tree, work, symlinks=True)
    before = snapshot(work)
    parsed_before = {name for name, (data, _, _) in before.items() if parses(data)}
    candidates = fixable(work)

    first, first_s = scopelint("--fix", "--unsafe-fixes", ".", cwd=work)
    after = snapshot(work)
    changed = sorted(name for name in before if after[name][0] != before[name][0])
    problems: list[str] = []
    unparseable = sorted(name for name in parsed_before if not parses(after[name][0]))
    problems += [f"{name}: parsed before the fix, not after" for name in unparseable]
    for name in changed:
        old, new = before[name][0], after[name][0]
        if encoding_of(old) != encoding_of(new) or old.startswith(b"\xef\xbb\xbf") != new.startswith(b"\xef\xbb\xbf"):
            problems.append(f"{name}: encoding {encoding_of(old)} became {encoding_of(new)}")
        old_end, new_end = endings(old), endings(new)
        if any(n and not o for o, n in zip(old_end, new_end)) or (old_end != new_end and sum(old_end) == 1):
            problems.append(f"{name}: line endings {old_end} became {new_end} (CRLF, CR, LF)")
        if before[name][1] != after[name][1]:
            problems.append(f"{name}: mode {before[name][1]:04o} became {after[name][1]:04o}")
    if sorted(after) != sorted(before):
        problems.append(f"files appeared or vanished: {sorted(set(after) ^ set(before))}")

    second, second_s = scopelint("--fix", "--unsafe-fixes", ".", cwd=work)
    again = snapshot(work)
    rewritten = sorted(name for name in after if again[name] != after[name])
    problems += [f"{name}: changed by the second run" for name in rewritten]
    if second.returncode == 2:
        problems.append(f"second run exited 2: {second.stderr.strip()[-300:]}")

    locked = _read_only_run(tree, scratch, candidates)
    problems += locked.pop("problems")
    variants = _variants_run(before, scratch, tree.name, candidates)
    problems += variants.pop("problems")
    return {
        "tree": str(tree), "files": len(before), "parsed_before": len(parsed_before), "fixable_files": len(candidates),
        "changed_files": len(changed), "tally": first.stdout.strip().splitlines()[-1] if first.stdout.strip() else "",
        "first_exit": first.returncode, "first_s": round(first_s, 1), "second_exit": second.returncode,
        "second_s": round(second_s, 1), "second_tally": second.stdout.strip().splitlines()[-1] if second.stdout.strip() else "",
        "unparseable_after": len(unparseable), "rewritten_by_second_run": len(rewritten),
        "crlf_files": sum(endings(data)[0] for data, _, _ in before.values()),
        "non_utf8_files": sum(encoding_of(data) not in ("utf-8", "utf-8-sig") for data, _, _ in before.values()),
        **locked, **variants, "problems": problems,
    }  # fmt: skip


def _variant(index: int, data: bytes) -> tuple[bytes, int]:
    """The file as CRLF, BOM + CRLF, or with a latin-1 coding cookie and mode 0751
    (CRLF and 0751 for a file that has a cookie of its own)."""
    text = data.decode("utf-8")
    if index % 3 == 2:
        if data.isascii() and b"coding" not in b"\n".join(data.split(b"\n")[:2]):
            return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1"), 0o751
        return text.replace("\n", "\r\n").encode(), 0o751
    if index % 3 == 1:
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(), 0o600
    return text.replace("\n", "\r\n").encode(), 0o640


def _variants_run(originals: Snapshot, scratch: Path, name_of_tree: str, candidates: list[str]) -> dict[str, Any]:
    """The fixable files again, each turned into a variant (CRLF / BOM / latin-1
    cookie / odd modes) and fixed alone: encodings, line endings and modes must
    survive, the result must parse and a second run must change nothing."""
    problems: list[str] = []
    work = scratch / f"{name_of_tree}-variants"
    made: dict[str, tuple[bytes, int]] = {}
    for index, name in enumerate(candidates):
        source = originals[name][0]
        if b"\r" in source or source.startswith(b"\xef\xbb\xbf") or encoding_of(source) != "utf-8":
            continue
        data, mode = _variant(index, source)
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(mode)
        made[name] = (data, mode)
    if not made:
        return {"variant_files": 0, "variants_changed": 0, "problems": problems}
    scopelint("--fix", "--unsafe-fixes", ".", cwd=work)
    after = snapshot(work)
    changed = 0
    for name, (data, mode) in made.items():
        new, new_mode, _ = after[name]
        changed += new != data
        if not parses(new):
            problems.append(f"variant {name}: unparseable after the fix")
        if encoding_of(new) != encoding_of(data) or new.startswith(b"\xef\xbb\xbf") != data.startswith(b"\xef\xbb\xbf"):
            problems.append(f"variant {name}: encoding {encoding_of(data)} became {encoding_of(new)}")
        if endings(new) != endings(data):
            problems.append(f"variant {name}: line endings {endings(data)} became {endings(new)}")
        if new_mode != mode:
            problems.append(f"variant {name}: mode {mode:04o} became {new_mode:04o}")
    scopelint("--fix", "--unsafe-fixes", ".", cwd=work)
    problems += [f"variant {name}: changed by the second run" for name, entry in snapshot(work).items() if entry != after[name]]
    return {"variant_files": len(made), "variants_changed": changed, "problems": problems}


def _read_only_run(tree: Path, scratch: Path, candidates: list[str]) -> dict[str, Any]:
    """A fresh copy with one fixable file 0444 and the directory of another 0555
    (with a single fixable file, only the file is made read-only)."""
    problems: list[str] = []
    if not candidates:
        return {"read_only_exit": None, "read_only_refused": 0, "problems": problems}
    work = scratch / f"{tree.name}-locked"
    shutil.copytree(tree, work, symlinks=True)
    locked_file = candidates[0]
    locked_dir = next((str(Path(c).parent) for c in candidates[1:] if str(Path(c).parent) not in (".", str(Path(locked_file).parent))), None)
    (work / locked_file).chmod(0o444)
    if locked_dir is not None:
        (work / locked_dir).chmod(0o555)
    try:
        before = snapshot(work)
        done, _ = scopelint("--fix", "--unsafe-fixes", ".", cwd=work)
        after = snapshot(work)
    finally:
        if locked_dir is not None:
            (work / locked_dir).chmod(0o755)
    guarded = [locked_file] + [name for name in before if locked_dir is not None and str(Path(name).parent) == locked_dir]
    for name in guarded:
        if after[name] != before[name]:
            problems.append(f"read-only {name} was changed")
    expected = [f"{locked_file}: not written: the file is read-only (mode 0444)"]
    if locked_dir is not None:
        expected += [f"{name}: not written: its directory is read-only (mode 0555)" for name in guarded[1:] if name in candidates]
    errors = done.stderr.splitlines()
    for line in expected:
        if sum(error.startswith(line) for error in errors) != 1:
            problems.append(f"expected one error line {line!r}; stderr: {done.stderr.strip()[-300:]}")
    if done.returncode != 2:
        problems.append(f"read-only run exited {done.returncode}, not 2")
    return {"read_only_exit": done.returncode, "read_only_refused": len(expected), "problems": problems}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="scopelint-fix-tree-") as scratch:
        for tree in args.trees:
            result = measure(tree.resolve(), Path(scratch))
            results.append(result)
            print(
                f"{tree}: {result['files']} files, {result['changed_files']} changed ({result['tally']}) in {result['first_s']} s; "
                f"unparseable after: {result['unparseable_after']}; second run: {result['rewritten_by_second_run']} rewritten, "
                f"exit {result['second_exit']}, {result['second_s']} s; read-only run exit {result['read_only_exit']}; "
                f"{result['variant_files']} CRLF/BOM/latin-1 variants, {result['variants_changed']} fixed; "
                f"{len(result['problems'])} problem(s)",
                flush=True,
            )
            for problem in result["problems"]:
                print(f"    {problem}", flush=True)
    print(json.dumps(results, indent=1))
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
