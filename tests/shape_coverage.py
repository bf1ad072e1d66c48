"""How many variable shapes does the model know on a real tree?  ``python tests/shape_coverage.py DIR...``

A measurement script, not a test. For every ``.py`` file under each DIR it runs the
model on the file alone and counts, per creation site through a variable scope
(``tf.get_variable``, ``tf.layers``, slim), whether the requested shape is fully
known, partly known (some dimensions ``?``) or unknown, and how many fetches under
reuse had both shapes known, so SL205 could compare them (and how many differed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tf_sources import tf_sources  # tests/ is on sys.path: this script is run as python tests/X.py
from scopelint.model import analyze, facts_from_source
from scopelint.model import events as ev

Site = tuple[str, int, int]


def _count(tree: Path) -> tuple[dict[Site, str], int, int]:
    """Shape state per creation site ('known' | 'partly' | 'unknown'), fetches compared, mismatches."""
    states: dict[Site, str] = {}
    compared = mismatched = 0
    for path, text in tf_sources(tree):
        try:
            result = analyze(facts_from_source(text, path=str(path), module_name=path.stem), {})
        except Exception as exc:  # a crash is a finding of its own: say so, go on
            print(f"{path}: crashed: {exc!r}", file=sys.stderr)
            continue
        for e in result.of_type(ev.VariableCreated):
            if not e.honours_reuse or e.slot_of is not None:
                continue
            state = "unknown" if e.shape is None else ("partly" if None in e.shape else "known")
            states.setdefault((e.path or str(path), e.node[0], e.node[1]), state)
            if e.outcome in (ev.FETCHED, ev.SHAPE_MISMATCH) and e.shape is not None and e.first_shape is not None:
                compared += 1
                mismatched += e.outcome == ev.SHAPE_MISMATCH
    return states, compared, mismatched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    print(f"{'tree':<28} {'sites':>6} {'known':>7} {'partly':>7} {'unknown':>8} {'fetches compared':>17} {'differ':>7}")
    for tree in args.trees:
        states, compared, mismatched = _count(tree)
        n = len(states)
        share = {s: _pct(sum(1 for x in states.values() if x == s), n) for s in ("known", "partly", "unknown")}
        print(f"{tree.name:<28} {n:>6} {share['known']:>7} {share['partly']:>7} {share['unknown']:>8} {compared:>17} {mismatched:>7}")
    return 0


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
