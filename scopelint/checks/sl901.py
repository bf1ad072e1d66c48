"""SL901 unused-suppression: a ``# noqa: SL201`` / ``# scopelint: ignore[...]``
that silences nothing, with a safe fix that removes it (or just the unused codes).

Produced by the engine, like SL900: it reads a file's suppression comments and
the findings the run made there, not the scope model. A code is unused only
when this run could have produced it -- its rules are all selected (ruff's
RUF100 also reports "non-enabled" codes; a narrowed run here never does) -- or
when it matches no rule at all. Other tools' codes
(``E501``) and a bare ``# noqa`` (flake8's too) are never reported; a bare
``# scopelint: ignore`` is, when every rule ran and none fired on its line.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from scopelint.diagnostic import Diagnostic, Severity
from scopelint.fixes.edits import SAFE, Edit, make_fix
from scopelint.suppressions import NOQA, Directive, covers

CODE = "SL901"
_OURS = re.compile(r"^SL\d*$")


def unused_codes(
    directive: Directive, fired: Iterable[str], is_selected: Callable[[str], bool], active: Sequence[str]
) -> tuple[str, ...] | None:
    """The directive's codes that silence nothing here ((): all used or unknowable);
    None for a bare directive that silences nothing."""
    fired = set(fired)
    if directive.codes is None:
        if directive.kind == NOQA or fired or not all(is_selected(code) for code in active):
            return ()
        return None
    if any(covers(CODE, (code,)) for code in directive.codes):
        return ()  # `# noqa: SL201, SL901` keeps the comment on purpose
    unused = []
    for code in directive.codes:
        if not _OURS.match(code) or any(f.startswith(code) for f in fired):
            continue
        rules = [rule for rule in active if rule.startswith(code)]
        if not rules or all(is_selected(rule) for rule in rules):
            unused.append(code)
    return tuple(unused)


def removal(directive: Directive, unused: tuple[str, ...] | None) -> Edit:
    """The edit dropping ``unused`` codes from the directive, or the directive itself
    when none would be left (the comment's other text stays)."""
    line, base = directive.line, directive.comment_column
    kept = tuple(c for c in directive.codes or () if c not in (unused or ()))
    if kept:
        return Edit(line, base + directive.start + 1, line, base + directive.end + 1, directive.render(kept))
    before = directive.comment[: directive.start].rstrip()
    after = directive.comment[directive.end :].strip(" \t,")
    comment_end = base + len(directive.comment) + 1
    if not before and not after:
        return Edit(line, directive.code_end + 1, line, comment_end, "")
    if not before:
        return Edit(line, base + 1, line, comment_end, after if after.startswith("#") else f"# {after}")
    return Edit(line, base + 1, line, comment_end, f"{before} {after}" if after else before)


def _message(directive: Directive, unused: tuple[str, ...] | None, active: Sequence[str]) -> str:
    written = directive.comment[directive.start : directive.end]
    if unused is None:
        return f"unused suppression `{written}`: no finding on this line; remove it"
    unknown = [c for c in unused if not any(rule.startswith(c) for rule in active)]
    parts = []
    if len(unknown) < len(unused):
        parts.append(f"no {' or '.join(c for c in unused if c not in unknown)} finding on this line")
    if unknown:
        parts.append(f"{', '.join(unknown)} {'matches' if len(unknown) == 1 else 'match'} no rule")
    return f"unused suppression `{written}`: {'; '.join(parts)}; remove {'it' if len(unused) == len(directive.codes or ()) else 'the unused codes'}"


def check(
    path: str,
    directives: Sequence[Directive],
    fired: Mapping[int, Iterable[str]],
    is_selected: Callable[[str], bool],
    active: Sequence[str],
    fixable: bool = True,
) -> Iterator[Diagnostic]:
    """``fired``: line -> codes of every finding the run made there, silenced or not."""
    for directive in directives:
        unused = unused_codes(directive, fired.get(directive.line, ()), is_selected, active)
        if unused == ():
            continue
        start = directive.comment_column + directive.start + 1
        data: dict[str, object] = {"unused": list(unused or ())}
        if fixable:
            data["fix"] = make_fix(SAFE, "Remove the unused suppression", [removal(directive, unused)])
        yield Diagnostic(
            path=path, line=directive.line, column=start, code=CODE, message=_message(directive, unused, active),
            severity=Severity.INFO, end_line=directive.line, end_column=directive.comment_column + directive.end + 1, data=data,
        )
