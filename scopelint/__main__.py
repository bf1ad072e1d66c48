"""``python -m scopelint``. Python puts the working directory first on sys.path for
``-m``; when that is a checkout being linted, a ``json.py`` or ``libcst.py`` in it
would be imported (run) instead of the real module. Take that entry off before
anything else is imported: scopelint itself is already found, and its own
modules load through the package, not through sys.path."""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()) and not getattr(sys.flags, "safe_path", False):
    del sys.path[0]

# A repeated run with nothing changed is answered before the rest of scopelint loads.
from scopelint.warm import main  # noqa: E402 - after the sys.path fix on purpose

raise SystemExit(main())
