"""Paths as CI services want them: relative to the repository root (the
working directory a CI job runs in), with forward slashes."""

from __future__ import annotations

import os
from pathlib import Path


def relative_path(path: str, root: str | None = None) -> str | None:
    """``path`` relative to ``root`` (default: the working directory), or None
    when it lies outside it (or is not a file path, like ``<stdin>``)."""
    if path.startswith("<"):
        return None
    base = Path(root or os.getcwd()).resolve()
    try:
        return Path(path).resolve().relative_to(base).as_posix()
    except (ValueError, OSError):
        return None
