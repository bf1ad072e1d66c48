"""``--write-baseline FILE`` / ``--baseline FILE``: adopt scopelint on legacy code
by recording today's findings and reporting only new ones.

The file is plain JSON, versioned::

    {"scopelint-baseline": 1, "scopelint-version": "0.1.0",
     "findings": [{"fingerprint": "...", "code": "SL201", "path": "train.py",
                   "line": 12, "message": "..."}, ...]}

Only ``fingerprint`` is matched (see :mod:`scopelint.report.fingerprints`: it
survives lines moving); the other fields are for people reviewing the file.
Paths, in the file and in the fingerprints, are relative to the baseline's own
folder, so a run from another working directory matches the same findings."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from scopelint import __version__
from scopelint.diagnostic import Diagnostic
from scopelint.report.fingerprints import fingerprints
from scopelint.report.locations import relative_path

KEY, VERSION = "scopelint-baseline", 1


class BaselineError(ValueError):
    """A baseline file that cannot be read or is not one."""


@dataclass(frozen=True)
class Baseline:
    path: str
    fingerprints: frozenset[str]

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


@dataclass(frozen=True)
class Filtered:
    new: list[Diagnostic]
    matched: int  # findings the baseline holds, not reported
    stale: int  # baseline entries that match no finding any more (fixed, or their line changed)


def _recorded(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if not d.data.get("suppressed")]


def baseline_json(diagnostics: Sequence[Diagnostic], path: str, texts: Mapping[str, str] | None = None) -> str:
    root = os.path.dirname(os.path.abspath(path))
    found = _recorded(diagnostics)
    rows: list[dict[str, Any]] = [
        {
            "fingerprint": fingerprint,
            "code": d.code,
            "path": relative_path(d.path, root) or d.path,
            **({"cell": d.cell} if d.cell is not None else {}),
            "line": d.line,
            "message": d.message,
        }
        for d, fingerprint in zip(found, fingerprints(found, root, texts))
    ]
    rows.sort(key=lambda r: (str(r["path"]), int(r.get("cell") or 0), int(r["line"]), str(r["code"]), str(r["fingerprint"])))
    document = {KEY: VERSION, "scopelint-version": __version__, "findings": rows}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(diagnostics: Sequence[Diagnostic], path: str, texts: Mapping[str, str] | None = None) -> int:
    """Write the baseline; returns how many findings it holds. OSError if it cannot be written."""
    text = baseline_json(diagnostics, path, texts)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)
    return len(_recorded(diagnostics))


def _parse(data: Any, path: str) -> frozenset[str]:
    if not isinstance(data, dict) or KEY not in data:
        raise BaselineError(f"{path}: not a scopelint baseline (no {KEY!r} key); write one with --write-baseline {path}")
    if data[KEY] != VERSION:
        raise BaselineError(f"{path}: baseline version {data[KEY]!r} is not supported (this scopelint reads version {VERSION})")
    rows = data.get("findings")
    if not isinstance(rows, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    found: set[str] = set()
    for number, row in enumerate(rows, start=1):
        fingerprint = row.get("fingerprint") if isinstance(row, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise BaselineError(f"{path}: finding {number} has no 'fingerprint' string")
        found.add(fingerprint)
    return frozenset(found)


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found; create it with --write-baseline {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: the baseline is not valid JSON: {exc}") from None
    return Baseline(path=path, fingerprints=_parse(data, path))


def filter_new(diagnostics: Sequence[Diagnostic], baseline: Baseline, texts: Mapping[str, str] | None = None) -> Filtered:
    """The findings the baseline does not hold (suppressed ones, shown by
    --show-suppressed, are kept as they are)."""
    active = _recorded(diagnostics)
    known = {id(d) for d, f in zip(active, fingerprints(active, baseline.root, texts)) if f in baseline.fingerprints}
    new = [d for d in diagnostics if id(d) not in known]
    return Filtered(new=new, matched=len(known), stale=len(baseline.fingerprints) - len(known))
