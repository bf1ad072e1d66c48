"""How many variable names does ``--explain-names`` resolve on a real tree?  ``python tests/name_coverage.py DIR...``

A measurement script, not a test. For every ``.py`` file under each DIR it asks the
model for the file's variable creations (what ``scopelint --explain-names FILE``
lists) and counts the rows whose predicted name still has an unresolved part (``{scope}``,
``{name}``, ...) and the rows whose action is ``unknown``. Rows are counted once per
creation site (file:line:column of the creation), so a builder called from many
files is not counted many times: ``resolved`` is the share of sites whose name the
first file that reaches them resolves (``--explain-names`` on the builder's own
file, as a reader would run it), ``anywhere`` the share some file's run resolves
(``--explain-names main.py`` showing the builder in ``ops.py`` with its full name).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scopelint.api import describe_variables
from tf_sources import tf_sources  # tests/ is on sys.path: this script is run as python tests/X.py


Site = tuple[str, int, int]  # (path, line, column) of a creation


def _sites(tree: Path) -> tuple[dict[Site, tuple[str, str]], set[Site]]:
    """Each creation site -> (predicted name, action) of the first run that reaches it; and
    the sites some run resolves."""
    sites: dict[Site, tuple[str, str]] = {}
    resolved_somewhere: set[Site] = set()
    for path, text in tf_sources(tree):
        try:
            infos = describe_variables(text, str(path), follow_callers=True)  # as --explain-names does
        except Exception as exc:  # a crash is a finding of its own: say so, go on
            print(f"{path}: crashed: {exc!r}", file=sys.stderr)
            continue
        for info in infos:
            site = (str(Path(info.path).resolve()) if info.path else str(path.resolve()), info.line, info.column)
            sites.setdefault(site, (info.predicted_name, info.action))
            if "{" not in info.predicted_name and info.action != "unknown":
                resolved_somewhere.add(site)
    return sites, resolved_somewhere


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(f"{'tree':<50} {'sites':>6} {'resolved':>9} {'unresolved':>11} {'unknown':>8} {'anywhere':>9}")
    totals = [0, 0, 0, 0]
    for tree in args.trees:
        sites, somewhere = _sites(tree)
        counts = [
            len(sites),
            sum(1 for name, _ in sites.values() if "{" in name),
            sum(1 for _, action in sites.values() if action == "unknown"),
            len(somewhere),
        ]
        totals = [t + c for t, c in zip(totals, counts)]
        _row(tree.name, *counts)
    _row("all", *totals)
    return 0


def _row(label: str, n: int, unresolved: int, unknown: int, somewhere: int) -> None:
    print(f"{label:<50} {n:>6} {_pct(n - unresolved, n):>9} {_pct(unresolved, n):>11} {_pct(unknown, n):>8} {_pct(somewhere, n):>9}")


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
