"""Text edits a code action offers: the fix that rides in ``data["fix"]`` and
the "suppress SLxxx on this line" comment. Pure functions over the document
text, with 1-based code-point positions (end exclusive), as in the contracts."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Any, Mapping

from scopelint.fixes.edits import SAFE, UNSAFE, Edit, Fix, fix_from_data
from scopelint.lsp.positions import split_lines
from scopelint.suppressions import NOQA

_IGNORE = re.compile(r"#\s*scopelint:\s*ignore(?P<bracket>\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!:)", re.IGNORECASE)


def parse_fix(raw: Any) -> Fix | None:
    """``data["fix"]`` as a :class:`Fix`, or None when absent or malformed
    (a malformed fix must cost the quick fix, never the server). A fix without
    a valid safety label is offered, but as unsafe."""
    if isinstance(raw, Mapping) and raw.get("safety") not in (SAFE, UNSAFE):
        raw = {**raw, "safety": UNSAFE}
    return fix_from_data(raw)


@dataclass(frozen=True)
class _LineFacts:
    comment: tokenize.TokenInfo | None
    inside_string: bool  # a multi-line string continues past the end of the line


def _line_facts(text: str, line: int) -> _LineFacts | None:
    comment: tokenize.TokenInfo | None = None
    inside_string = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > line:
                break
            if token.type == tokenize.COMMENT and token.start[0] == line:
                comment = token
            elif token.start[0] <= line < token.end[0] and token.type not in (tokenize.NL, tokenize.NEWLINE):
                inside_string = True
    except (tokenize.TokenError, SyntaxError):
        return None
    return _LineFacts(comment, inside_string)


def suppression_edit(text: str, line: int, code: str) -> Edit | None:
    """The edit that adds ``code`` to line ``line``'s ``# scopelint: ignore[...]``
    comment (creating it when missing). None when the line cannot carry a
    comment (it ends inside a string or with a backslash) or is already silenced."""
    lines = split_lines(text)
    if not 1 <= line <= len(lines):
        return None
    facts = _line_facts(text, line)
    if facts is None or facts.inside_string:
        return None
    source_line = lines[line - 1]
    if facts.comment is not None:
        comment_text = facts.comment.string
        start = facts.comment.start[1]
        match = _IGNORE.search(comment_text)
        if match is not None:
            if match.group("bracket") is None:
                return None  # a bare `# scopelint: ignore` already covers every code
            codes = [c for c in re.split(r"[,\s]+", match.group("codes")) if c]
            if not codes:
                return None  # `ignore[]` is read as "every code" too
            if any(code.upper().startswith(c.upper()) for c in codes):
                return None
            close = start + match.start("codes") + len(match.group("codes").rstrip(" ,"))
            return Edit(line, close + 1, line, close + 1, f", {code}")
        if _BARE_NOQA.search(comment_text):
            return None
        grown = _extend_noqa(text, line, code)
        if grown is not None:
            return grown
        end = start + len(comment_text)
        return Edit(line, end + 1, line, len(source_line) + 1, f"  # scopelint: ignore[{code}]")
    stripped = source_line.rstrip()
    if stripped.endswith("\\"):
        return None
    return Edit(line, len(stripped) + 1, line, len(source_line) + 1, f"  # scopelint: ignore[{code}]")


def _extend_noqa(text: str, line: int, code: str) -> Edit | None:
    """``# noqa: SL101`` grows to ``# noqa: SL101, SL201``: a ``scopelint: ignore``
    appended to that comment would be the one directive read, and SL101 would be lost."""
    from scopelint.suppressions import covers, find_directives

    directive = next((d for d in find_directives(text) if d.line == line), None)
    if directive is None or directive.kind != NOQA or not any(c.startswith("SL") for c in directive.codes or ()):
        return None
    if covers(code, directive.codes):
        return None  # already silenced (a prefix covers it)
    start, end = directive.comment_column + directive.start, directive.comment_column + directive.end
    return Edit(line, start + 1, line, end + 1, directive.render((*(directive.codes or ()), code)))


def non_overlapping(fixes: list[Fix] | tuple[Fix, ...]) -> list[Edit]:
    """The edits of as many fixes as can apply together: a fix whose edits
    overlap an earlier chosen one is left for the next round, whole."""
    chosen: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: min((e.line, e.column) for e in f.edits)):
        if any(_overlap(edit, other) for edit in fix.edits for other in chosen):
            continue
        chosen.extend(fix.edits)
    return sorted(chosen, key=lambda e: (e.line, e.column))


def _overlap(a: Edit, b: Edit) -> bool:
    a_start, a_end = (a.line, a.column), (a.end_line, a.end_column)
    b_start, b_end = (b.line, b.column), (b.end_line, b.end_column)
    if a_start == b_start:
        return True  # two insertions at one point: their order would be arbitrary
    return a_start < b_end and b_start < a_end
