"""Installed model libraries the model reads the source of: tf-slim's nets.

``vgg.vgg_16(images)`` creates 32 variables inside tf-slim; the API table cannot
list them all, so the model interprets the library's own code, as it does a
builder of the linted tree. The source is found on ``sys.path`` by file name
and lowered like any module: nothing is imported (tf-slim imports TensorFlow),
nothing is executed. Only modules under :data:`FOLLOWED` are read, and only
those the analysed file imports (and what they import in turn).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Iterable, Mapping

from scopelint.model import ModelSettings, ModuleFacts, facts_from_source

# Package prefixes whose source is followed. tf-slim's layers stay in the API table
# (slim.conv2d); its nets are plain Python over them. tensornets' models are Python over
# tf.contrib.layers (slim) through decorators of its own (var_scope, set_args).
FOLLOWED: tuple[str, ...] = ("tf_slim.nets", "tensornets")
MAX_MODULES = 64


def _followed(module: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in FOLLOWED)


def find_source(module: str, search: Iterable[str] | None = None) -> str | None:
    """The ``.py`` file that holds ``module`` on ``sys.path`` (a package's ``__init__.py``)."""
    relative = module.replace(".", os.sep)
    for entry in search if search is not None else sys.path:
        base = os.path.join(entry or os.curdir, relative)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
    return None


@lru_cache(maxsize=256)
def _lowered(path: str, mtime: float, module: str, settings: ModelSettings) -> ModuleFacts:
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    return facts_from_source(source, path=path, module_name=module, settings=settings)


def _candidates(origin: str) -> list[str]:
    """``tf_slim.nets.vgg.vgg_16`` may be the function of module ``tf_slim.nets.vgg``."""
    parts = origin.split(".")
    return [".".join(parts[:cut]) for cut in range(len(parts), 0, -1)]


def library_facts(facts: ModuleFacts, settings: ModelSettings, known: Mapping[str, ModuleFacts] | None = None) -> dict[str, ModuleFacts]:
    """Facts of every followed library module ``facts`` reaches through its imports."""
    found: dict[str, ModuleFacts] = {}
    pending = [origin for _, origin in facts.imports]
    while pending and len(found) < MAX_MODULES:
        origin = pending.pop()
        for module in _candidates(origin):
            if not _followed(module) or module in found or (known is not None and module in known):
                continue
            path = find_source(module)
            if path is None:
                continue
            lowered = _lowered(path, os.path.getmtime(path), module, settings)
            found[module] = lowered
            pending.extend(o for _, o in lowered.imports)
            # A package's submodules reached as attributes (nets.vgg after `from tf_slim import nets`).
            break
    return found


__all__ = ["FOLLOWED", "find_source", "library_facts"]
