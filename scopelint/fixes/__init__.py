"""Fixes: the edits a check attaches to its diagnostic, and applying them.

A check puts ``make_fix(SAFE | UNSAFE, message, edits)`` into
``Diagnostic.data["fix"]``; the CLI (``--fix``, ``--unsafe-fixes``,
``--diff``) and the LSP code actions read it back, so no second lint is
needed. ``safe`` fixes keep every variable name and checkpoint key;
``unsafe`` ones may change them.

* :mod:`scopelint.fixes.edits` -- the data and text-level edit application;
* :mod:`scopelint.fixes.loop` -- apply, re-parse, re-lint, repeat (bounded);
* :mod:`scopelint.fixes.sourcefile` -- encoding-preserving reads, atomic writes;
* :mod:`scopelint.fixes.run` -- the CLI's driver over many files;
* :mod:`scopelint.fixes.command` -- the ``--fix`` / ``--diff`` branch of ``scopelint check``;
* :mod:`scopelint.fixes.attach` -- edits for the scope-model rules (SL101, SL103, SL201,
  SL203), computed from the source after the lint so that those checks stay small.

SL401's edits are built by its model extension (:mod:`scopelint.model.legacy`).
"""

from __future__ import annotations

from scopelint.fixes.edits import SAFE, UNSAFE, Edit, Fix, apply_fixes, fix_from_data, make_fix

__all__ = ["SAFE", "UNSAFE", "Edit", "Fix", "apply_fixes", "fix_from_data", "make_fix"]
