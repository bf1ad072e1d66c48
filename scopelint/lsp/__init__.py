"""``scopelint lsp``: the language server (stdio), a thin shell over :mod:`scopelint.api`.

pygls is imported only here, inside :func:`main`, so the static path
(``scopelint path/``, pre-commit) never pays for it or needs it installed.
"""

from __future__ import annotations

import argparse
from typing import Sequence

DEFAULT_DEBOUNCE_MS = 250


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scopelint lsp",
        description="Run the scopelint language server over stdio (for editors).",
    )
    parser.add_argument(
        "--debounce-ms",
        type=int,
        default=DEFAULT_DEBOUNCE_MS,
        help=f"wait this long after the last edit before linting (default {DEFAULT_DEBOUNCE_MS})",
    )
    args = parser.parse_args(list(argv))
    if args.debounce_ms < 0:
        parser.error("--debounce-ms must be >= 0")

    from scopelint.lsp.server import build_server

    server = build_server(debounce_s=args.debounce_ms / 1000)
    server.start_io()
    return 0
