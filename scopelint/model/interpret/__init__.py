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
from scopelint.model.interpret.calls import Calls
from scopelint.model.interpret.classes import Classes
from scopelint.model.interpret.entries import EntryPoints
from scopelint.model.interpret.expressions import Expressions
from scopelint.model.interpret.generators import Generators
from scopelint.model.interpret.names import Names
from scopelint.model.interpret.statements import Statements
from scopelint.model.tfcalls import TfCalls


class Interpreter(EntryPoints, Classes, Calls, Generators, Names, Expressions, Statements):
    def __init__(self, modules: dict[str, ModuleInfo], main: str, tf_modules: tuple[str, ...]) -> None:
        super().__init__(modules, main, tf_modules)
        self.tf = TfCalls(self)


__all__ = ["Interpreter", "ModuleInfo", "Ctx", "Frame"]
