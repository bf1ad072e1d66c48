"""How many variable names does ``--explain-names`` resolve on a real tree?  ``python tests/name_coverage.py DIR...``

A measurement script, not a test. For every ``.py`` file under each DIR it asks the
model for the file's variable creations (what ``scopelint --explain-names FILE``
lists) and counts the rows whose predicted name still has an unresolved part (``{scope}``,
``{name}``, ...) and the rows whose action is ``unknown``. Rows are counted once per
creation site (file:line:column of the creation), so a builder called from many
files is not counted many times.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scopelint.api import describe_variables
from scopelint.files import FileProblem, decode, read_bytes


def _sites(tree: Path) -> dict[tuple[str, int, int], tuple[str, str]]:
    """(path, line, column) of each creation -> (predicted name, action); the first seen wins."""
    sites: dict[tuple[str, int, int], tuple[str, str]] = {}
    for path in sorted(tree.rglob("*.py")):
        try:
            text = decode(str(path), read_bytes(str(path)))
        except FileProblem:
            continue
        if "tf" not in text and "tensorflow" not in text:
            continue
        try:
            infos = describe_variables(text, str(path))
        except Exception as exc:  # a crash is a finding of its own: say so, go on
            print(f"{path}: crashed: {exc!r}", file=sys.stderr)
            continue
        for info in infos:
            sites.setdefault((info.path or str(path), info.line, info.column), (info.predicted_name, info.action))
    return sites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(f"{'tree':<40} {'sites':>6} {'resolved':>9} {'unresolved':>11} {'unknown':>8}")
    totals = [0, 0, 0]
    for tree in args.trees:
        sites = _sites(tree)
        unresolved = sum(1 for name, _ in sites.values() if "{" in name)
        unknown = sum(1 for _, action in sites.values() if action == "unknown")
        n = len(sites)
        totals = [totals[0] + n, totals[1] + unresolved, totals[2] + unknown]
        print(f"{tree.name:<40} {n:>6} {_pct(n - unresolved, n):>9} {_pct(unresolved, n):>11} {_pct(unknown, n):>8}")
    n, unresolved, unknown = totals
    print(f"{'all':<40} {n:>6} {_pct(n - unresolved, n):>9} {_pct(unresolved, n):>11} {_pct(unknown, n):>8}")
    return 0


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
