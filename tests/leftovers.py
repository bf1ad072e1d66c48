"""Finding processes a test's programs left behind: each process they start carries
a marker, in its argv or as SCOPELINT_TEST_MARK in its environment, looked for in /proc."""

from __future__ import annotations

import os

# Processes that would sleep for 11 days, marked in their environment (cheap to start: no Python).
# Source text for the test programs, which bind MARK.
SLEEPER = "['sleep', '1000000'], env={**os.environ, 'SCOPELINT_TEST_MARK': MARK}"
EXEC_SLEEPER = "os.execvpe('sleep', ['sleep', '1000000'], {**os.environ, 'SCOPELINT_TEST_MARK': MARK})"


def marked(marker: str) -> list[int]:
    """Every process but this one whose argv or environment holds ``marker``."""
    wanted = marker.encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
            with open(f"/proc/{name}/environ", "rb") as handle:
                environ = handle.read().split(b"\0")
        except OSError:
            continue
        if wanted in argv or b"SCOPELINT_TEST_MARK=" + wanted in environ:
            found.append(int(name))
    return found
