"""Session-wide test isolation."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The default cache and the per-user cache secret live under the user's cache
    # directory: keep the suite (and every scopelint it starts) out of the real one.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="scopelint-test-xdg-")
