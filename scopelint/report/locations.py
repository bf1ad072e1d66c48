"""Paths as CI services want them: relative to the repository root (the
working directory a CI job runs in), with forward slashes.

Symlinks are never resolved: a file reached through ``link.py`` is reported as
``link.py`` in every format (and a broken link names the link), so text, JSON,
GitHub and SARIF output name the same path for the same finding."""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from typing import Any, Mapping


def relative_path(path: str, root: str | None = None) -> str | None:
    """``path`` relative to ``root`` (default: the working directory), or None
    when it lies outside it (or is not a file path, like ``<stdin>``)."""
    if path.startswith("<"):
        return None
    base = os.path.realpath(root or os.getcwd())
    target = os.path.abspath(path)  # normalises ``a/../b`` lexically; links stay links
    # Through a symlinked directory (``$PWD`` itself, say) the folder resolves;
    # the file's own name never does.
    for candidate in (target, os.path.join(os.path.realpath(os.path.dirname(target)), os.path.basename(target))):
        try:
            if os.path.commonpath([base, candidate]) == base:
                return PurePath(os.path.relpath(candidate, base)).as_posix()
        except ValueError:  # another drive
            pass
    return None


def relative_message(message: str, data: Mapping[str, Any], root: str | None = None) -> str:
    """``message`` with each other file it names (``created at /abs/models/gan.py:6``; the
    files of ``data["related"]``) spelled as :func:`relative_path` spells the primary
    path, for formats that name files relative to the working directory (or ``root``)."""
    related = data.get("related")
    if not isinstance(related, (list, tuple)):
        return message
    paths = {entry["path"] for entry in related if isinstance(entry, Mapping) and isinstance(entry.get("path"), str)}
    for path in sorted(paths, key=len, reverse=True):  # longest first: one path may end another
        shown = relative_path(path, root)
        if shown is not None and shown != path:
            message = re.sub(rf"(?<![\w./-]){re.escape(path)}:", lambda _: f"{shown}:", message)
    return message


def absolute_uri(path: str) -> str:
    """A ``file://`` URI for a path outside the working directory, links unresolved."""
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()
