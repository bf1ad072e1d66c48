"""CPython's own parser on the user's source, without its warnings.

Compiling source that has ``"\\d"`` makes CPython warn (``DeprecationWarning``
up to 3.11, ``SyntaxWarning`` from 3.12). Those warnings are about the
user's code, which scopelint only reads, and printed from inside scopelint
they look like scopelint's own noise, so every parse of user code goes
through here.
"""

from __future__ import annotations

import ast
import warnings
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def no_source_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def parse(source: str) -> ast.Module:
    with no_source_warnings():
        return ast.parse(source)
