"""A finding seen from a caller, when the file that holds the problem reports it itself.

A module of the linted tree that runs another one's code (``main.py`` building
``model.DCGAN`` and calling ``train()``) sees that code's problems too, and reports
them on its own call that led there, with related locations in the other file. When
the other file reports the same rule at one of those related locations, and every
related location of its own finding is among the caller's, the caller's copy says
nothing the user does not see where the fix goes: it is dropped.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Sequence

from scopelint.diagnostic import Diagnostic

Location = tuple[str, int]


@lru_cache(maxsize=4096)
def _real(path: str) -> str:
    return os.path.realpath(path)


def _related(diagnostic: Diagnostic) -> set[Location]:
    found = set()
    for item in diagnostic.data.get("related") or ():
        if isinstance(item, dict) and isinstance(item.get("path"), str) and isinstance(item.get("line"), int):
            found.add((_real(item["path"]), item["line"]))
    return found


def drop_echoes(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The findings of one run (files as reported) without the callers' copies."""
    primaries: dict[tuple[str, Location], list[Diagnostic]] = {}
    for d in diagnostics:
        primaries.setdefault((d.code, (_real(d.path), d.line)), []).append(d)
    return [d for d in diagnostics if not _echo(d, primaries)]


def _echo(diagnostic: Diagnostic, primaries: dict[tuple[str, Location], list[Diagnostic]]) -> bool:
    related = _related(diagnostic)
    here = _real(diagnostic.path)
    for location in related:
        if location[0] == here:
            continue
        for other in primaries.get((diagnostic.code, location), ()):
            if _related(other) <= related:
                return True
    return False
