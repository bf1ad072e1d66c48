"""``--add-noqa``'s edit of one text: a ``# noqa: CODE`` directive on each line
that has a finding, as ruff adds them.

A line edit, then proven harmless: the result must parse with libcst, give the
same ``ast`` (so only comments changed) and be read by
:func:`scopelint.suppressions.find_suppressions` as silencing every code asked
for; otherwise the text is left as it was. Codes join an existing directive on
the line (``# noqa: E501`` becomes ``# noqa: E501, SL201``, a ``# scopelint:
ignore[...]`` list grows): a comment holds one directive, so a second one would
not be read. A line that ends inside a multi-line string or with a backslash
cannot carry a comment and is skipped, with the reason.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Iterable, Mapping

from scopelint.fixes.edits import SAFE, Edit, Fix, apply_fixes
from scopelint.fixes.loop import libcst_parse_error
from scopelint.suppressions import Directive, covers, find_directives, find_suppressions

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class NoqaEdit:
    text: str  # the new text (the old one when nothing could be added)
    lines: int  # lines that got a new or longer directive
    skipped: tuple[tuple[int, str], ...]  # (line, why) left without one


@dataclass(frozen=True)
class _Lines:
    """What tokenize says about each line: its last comment, and whether it
    ends inside a token (a multi-line string) or with a backslash."""

    comments: Mapping[int, tokenize.TokenInfo]
    open_ended: Mapping[int, str]  # line -> why a comment cannot go at its end


def _scan(text: str) -> _Lines | None:
    comments: dict[int, tokenize.TokenInfo] = {}
    open_ended: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token
            elif token.type not in (tokenize.NL, tokenize.NEWLINE) and token.end[0] > token.start[0]:
                open_ended.update(dict.fromkeys(range(token.start[0], token.end[0]), "the line ends inside a multi-line string"))
    except (tokenize.TokenError, SyntaxError):
        return None
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if line.rstrip().endswith("\\") and number not in comments and number not in open_ended:
            open_ended[number] = "the line ends with a backslash continuation"
    return _Lines(comments, open_ended)


def _line_edit(line: int, source_line: str, codes: list[str], directive: Directive | None, comment: tokenize.TokenInfo | None) -> Edit | None:
    """The edit that makes ``line`` silence ``codes``; None if it already does."""
    if directive is not None:
        if directive.codes is None:
            return None
        missing = [c for c in codes if not covers(c, directive.codes)]
        if not missing:
            return None
        start = directive.comment_column + directive.start
        end = directive.comment_column + directive.end
        return Edit(line, start + 1, line, end + 1, directive.render((*directive.codes, *missing)))
    new = f"  # noqa: {', '.join(codes)}"
    # After another comment (``# why  # noqa: SL201``), else after the code; trailing blanks go.
    at = comment.start[1] + len(comment.string.rstrip()) if comment is not None else len(source_line.rstrip())
    return Edit(line, at + 1, line, len(source_line) + 1, new)


def _same_program(before: str, after: str) -> bool:
    if libcst_parse_error(after) is not None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.dump(ast.parse(before)) == ast.dump(ast.parse(after))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False


def add_noqa(text: str, wanted: Mapping[int, Iterable[str]]) -> NoqaEdit:
    """``wanted``: line -> codes to silence there."""
    def unchanged(why: str) -> NoqaEdit:
        return NoqaEdit(text, 0, tuple((line, why) for line in sorted(wanted)))

    scan = _scan(text)
    if scan is None or _LONE_CR.search(text):
        return unchanged("the file cannot be read line by line (tokenize fails, or lone CR line endings)")
    if libcst_parse_error(text) is not None:
        return unchanged("libcst cannot read the file")
    lines = _LINE_BREAK.split(text)
    directives = {d.line: d for d in find_directives(text)}
    edits: list[Edit] = []
    skipped: list[tuple[int, str]] = []
    for line in sorted(wanted):
        codes = sorted(set(wanted[line]))
        if not 1 <= line <= len(lines):
            skipped.append((line, "the line is not in the file"))
        elif line in scan.open_ended:
            skipped.append((line, f"{scan.open_ended[line]}, so it cannot carry a comment"))
        else:
            edit = _line_edit(line, lines[line - 1], codes, directives.get(line), scan.comments.get(line))
            if edit is not None:
                edits.append(edit)
    if not edits:
        return NoqaEdit(text, 0, tuple(skipped))
    after = apply_fixes(text, [Fix(SAFE, "add noqa", tuple(edits))])
    silenced = find_suppressions(after)
    left_out = {line for line, _ in skipped}
    done = all(covers(c, silenced.get(line, frozenset())) for line, codes in wanted.items() if line not in left_out for c in codes)
    if not done or not _same_program(text, after):
        return unchanged("the edited file would not parse to the same program; left as it was")
    return NoqaEdit(after, len(edits), tuple(skipped))


__all__ = ["NoqaEdit", "add_noqa"]
