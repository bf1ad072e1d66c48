"""``parsing 120/850 files`` on a terminal's stderr while a long run works.

Only for a person watching: never when stderr is not a terminal (CI logs,
pipes, editors), never with ``-q`` / ``--silent``, and only once the run has
taken ``SCOPELINT_PROGRESS_AFTER`` seconds (default 1; 0 shows it at once).
The line is redrawn in place and erased when the run ends, so the report --
on stdout or in ``--output`` -- never contains it.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

AFTER_ENV = "SCOPELINT_PROGRESS_AFTER"
_DEFAULT_AFTER_S = 1.0
_REDRAW_S = 0.1


def progress_after() -> float:
    """Seconds before the meter shows (``SCOPELINT_PROGRESS_AFTER``; a bad value: the default)."""
    try:
        return max(0.0, float(os.environ.get(AFTER_ENV, _DEFAULT_AFTER_S)))
    except ValueError:
        return _DEFAULT_AFTER_S


class StderrProgress:
    """The engine's ``progress(step, done, total)`` callback, drawing on ``stream``."""

    def __init__(self, stream: TextIO, after_s: float) -> None:
        self._stream = stream
        self._clock = time.monotonic
        self._show_from = self._clock() + after_s
        self._drawn_at = float("-inf")
        self._shown = False

    def __call__(self, step: str, done: int, total: int) -> None:
        now = self._clock()
        if now < self._show_from or (done < total and now - self._drawn_at < _REDRAW_S):
            return
        self._drawn_at = now
        self._shown = True
        self._write(f"\rscopelint: {step} {done}/{total} files\x1b[K")

    def finish(self) -> None:
        """Erase the line (when one was drawn)."""
        if self._shown:
            self._write("\r\x1b[K")
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # a closed terminal must not fail the run
            pass


def for_stderr(stream: TextIO, quiet: bool) -> StderrProgress | None:
    """The meter for this run, or None (not a terminal, or asked to be quiet)."""
    if quiet or not getattr(stream, "isatty", lambda: False)():
        return None
    return StderrProgress(stream, progress_after())
