"""Code actions: the quick fix that rides in each diagnostic's ``data``, the
"suppress SLxxx on this line" comment, and "fix all safe fixes" for the file."""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types

from scopelint.diagnostic import Diagnostic
from scopelint.lsp import convert, edits
from scopelint.lsp.documents import Snapshot
from scopelint.lsp.positions import PositionMapper

QUICK_FIX = types.CodeActionKind.QuickFix.value
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.scopelint"


def wanted(kind: str, only: Sequence[object] | None) -> bool:
    """Kinds are hierarchical: a request for "source" or "source.fixAll" covers
    ``source.fixAll.scopelint``; one for "quickfix.x" does not cover "quickfix"."""
    if not only:
        return True
    for requested in only:
        prefix = str(getattr(requested, "value", requested))
        if prefix == "" or kind == prefix or kind.startswith(prefix + "."):
            return True
    return False


def quick_fixes(snapshot: Snapshot, diagnostics: Sequence[types.Diagnostic], mapper: PositionMapper) -> list[types.CodeAction]:
    """Per diagnostic the editor sent back: its fix (from ``data``, no second
    lint) and a suppression comment."""
    fixes: list[types.CodeAction] = []
    suppressions: list[types.CodeAction] = []
    seen_suppressions: set[tuple[int, str]] = set()
    for diagnostic in diagnostics:
        if diagnostic.source != convert.SOURCE or not isinstance(diagnostic.code, str):
            continue
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        fix = edits.parse_fix(data.get("fix"))
        # Fix positions belong to the text that was linted; after an edit they may not.
        if fix is not None and data.get("version") == snapshot.version:
            unsafe = fix.safety != "safe"
            fixes.append(
                types.CodeAction(
                    title=f"{fix.message} (unsafe fix: review it)" if unsafe else fix.message,
                    kind=QUICK_FIX,
                    diagnostics=[diagnostic],
                    is_preferred=not unsafe,
                    edit=workspace_edit(snapshot, [convert.text_edit(e, mapper) for e in fix.edits]),
                )
            )
        if diagnostic.code == "SL900":
            continue  # a file that does not parse is not analysed: nothing to silence
        line = diagnostic.range.start.line + 1
        if (line, diagnostic.code) in seen_suppressions:
            continue
        seen_suppressions.add((line, diagnostic.code))
        edit = edits.suppression_edit(snapshot.text, line, diagnostic.code)
        if edit is not None:
            suppressions.append(
                types.CodeAction(
                    title=f"Suppress {diagnostic.code} on this line",
                    kind=QUICK_FIX,
                    diagnostics=[diagnostic],
                    edit=workspace_edit(snapshot, [convert.text_edit(edit, mapper)]),
                )
            )
    # Safe fixes first, then unsafe ones, then suppressions: editors list them in order.
    fixes.sort(key=lambda action: not action.is_preferred)
    return fixes + suppressions


def workspace_edit(snapshot: Snapshot, text_edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    # Plain `changes` rather than versioned `documentChanges`: every client
    # supports it, and fix edits are already withheld when the version moved on.
    return types.WorkspaceEdit(changes={snapshot.uri: text_edits})


def fix_all(snapshot: Snapshot, diagnostics: Sequence[Diagnostic], mapper: PositionMapper) -> types.CodeAction | None:
    """Every safe fix of the file's current diagnostics at once (for "fix on save")."""
    fixes = [fix for d in diagnostics if (fix := edits.parse_fix(d.data.get("fix"))) is not None and fix.safety == "safe"]
    chosen = edits.non_overlapping(fixes)
    if not chosen:
        return None
    return types.CodeAction(
        title="Fix all safe scopelint fixes",
        kind=FIX_ALL,
        edit=workspace_edit(snapshot, [convert.text_edit(e, mapper) for e in chosen]),
    )
