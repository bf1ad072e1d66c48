"""The abstract interpreter: runs a module's IR with TF1 naming semantics.

Python is followed as far as naming depends on it: assignments, calls of
functions and methods of the linted tree (their bodies are interpreted at each
call site with the arguments bound, which is how a builder's behaviour is
applied where it is called), ``functools.partial``, loops over small constant
ranges (unrolled), branches whose test is known. Anything else becomes
:class:`~scopelint.model.values.Unknown`; a call that might create variables
the model cannot see marks the graph incomplete, and checks that need the
whole graph stay silent.

TF's own APIs are handled in :mod:`scopelint.model.tfcalls`; this module is
the Python half.

The Python half is split by concern: :mod:`.statements`, :mod:`.expressions`,
:mod:`.names` (lookups and attributes), :mod:`.calls` (calls and parameter
binding), :mod:`.classes` (classes and instances), :mod:`.generators`
(``@contextmanager`` bodies entered by ``with``), :mod:`.entries` (what runs
first: the module body, then functions nobody called). TF's half is handed this
interpreter as a :class:`~scopelint.model.context.Host`.
"""

from __future__ import annotations

from scopelint.model.context import Ctx, Frame, ModuleInfo
from scopelint.model.interpret.entries import EntryPoints


class Interpreter(EntryPoints):
    """The whole interpreter: the last of the chain of concerns (see :mod:`.core`)."""


__all__ = ["Interpreter", "ModuleInfo", "Ctx", "Frame"]
