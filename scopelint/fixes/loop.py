"""Apply a document's fixes: non-overlapping ones first, re-lint, repeat.

Pure text in, text out: the caller supplies the re-lint function, so the loop
is the same for the CLI (files on disk) and for anything holding text in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.fixes.edits import SAFE, EditError, Fix, TextIndex, apply_fixes, conflicts, fix_from_data, fix_spans

Relint = Callable[[str], Sequence[Diagnostic]]
ParseCheck = Callable[[str], "str | None"]  # None when the text parses, else the parser's complaint

# Each round applies every fix that does not overlap another; a fix that had to
# wait lands in the next round. Ten rounds is far beyond what nested fixes need.
MAX_ROUNDS = 10


@dataclass(frozen=True)
class FixOutcome:
    text: str
    fixed: tuple[Diagnostic, ...]  # findings whose fix was applied (positions as first reported)
    remaining: tuple[Diagnostic, ...]  # findings in the final text
    dropped: tuple[str, ...] = field(default_factory=tuple)  # why a fix was not applied


def libcst_parse_error(text: str) -> str | None:
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid syntax"
    except RecursionError:
        return "too deeply nested to parse"
    return None


def compile_error(text: str) -> str | None:
    """What CPython's compiler rejects beyond the grammar libcst checks
    (a repeated keyword argument, a duplicate parameter)."""
    from scopelint.pyast import no_source_warnings

    try:
        with no_source_warnings():
            compile(text, "<fixed>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return str(exc) or type(exc).__name__
    return None


def parse_check_for(original: str) -> ParseCheck:
    """libcst must parse the result; CPython must compile it too when it compiled the original."""
    if compile_error(original) is not None:
        return libcst_parse_error
    return lambda text: libcst_parse_error(text) or compile_error(text)


def wanted_fix(diagnostic: Diagnostic, unsafe: bool) -> Fix | None:
    if diagnostic.data.get("suppressed"):
        return None
    fix = fix_from_data(diagnostic.data.get("fix"))
    if fix is None or (fix.safety != SAFE and not unsafe):
        return None
    return fix


def _pending(diagnostics: Sequence[Diagnostic], unsafe: bool, refused: set[tuple[str, object]]) -> bool:
    for diagnostic in diagnostics:
        fix = wanted_fix(diagnostic, unsafe)
        if fix is not None and (diagnostic.code, fix.key) not in refused:
            return True
    return False


def _where(d: Diagnostic) -> str:
    return f"{d.path}:{d.line}:{d.column}"


@dataclass
class _Round:
    chosen: list[tuple[Diagnostic, Fix]]
    dropped: list[tuple[Diagnostic, Fix, str]]


def _choose(text: str, diagnostics: Sequence[Diagnostic], unsafe: bool, refused: set[tuple[str, object]]) -> _Round:
    """The largest first-come set of fixes whose edits do not overlap."""
    index = TextIndex(text)
    result = _Round([], [])
    taken: list[tuple[int, int]] = []
    seen: set[tuple[tuple[int, int, int, int, str], ...]] = set()
    for diagnostic in sorted(diagnostics, key=lambda d: d.sort_key):
        fix = wanted_fix(diagnostic, unsafe)
        if fix is None or (diagnostic.code, fix.key) in refused:
            continue
        try:
            spans = fix_spans(index, fix)
        except EditError as exc:
            result.dropped.append((diagnostic, fix, f"its edits do not fit the file ({exc})"))
            continue
        identity = tuple(sorted((e.line, e.column, e.end_line, e.end_column, e.content) for e in fix.edits))
        if identity in seen:
            result.chosen.append((diagnostic, fix))  # the same edits fix two findings
            continue
        if conflicts(spans, taken):
            continue  # overlaps an earlier fix: retried after the re-lint
        seen.add(identity)
        taken.extend(spans)
        result.chosen.append((diagnostic, fix))
    return result


def _unique(fixes: Sequence[Fix]) -> list[Fix]:
    found: list[Fix] = []
    for fix in fixes:
        if fix not in found:
            found.append(fix)
    return found


def _parsing_subset(text: str, chosen: list[tuple[Diagnostic, Fix]], parse: ParseCheck) -> tuple[str, list[tuple[Diagnostic, Fix]], list[tuple[Diagnostic, Fix, str]]]:
    """Apply the chosen fixes; if the result does not parse, keep them one by one while it does."""
    candidate = apply_fixes(text, _unique([f for _, f in chosen]))
    if parse(candidate) is None:
        return candidate, chosen, []
    kept: list[tuple[Diagnostic, Fix]] = []
    dropped: list[tuple[Diagnostic, Fix, str]] = []
    current = text
    for diagnostic, fix in chosen:
        attempt = apply_fixes(text, _unique([f for _, f in kept] + [fix]))
        problem = parse(attempt)
        if problem is None:
            kept.append((diagnostic, fix))
            current = attempt
        else:
            dropped.append((diagnostic, fix, f"the result would not parse ({problem})"))
    return current, kept, dropped


def fix_text(
    text: str,
    diagnostics: Sequence[Diagnostic],
    relint: Relint,
    *,
    unsafe: bool = False,
    parse: ParseCheck | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Fix ``text`` whose findings are ``diagnostics``; ``relint`` finds the next round's."""
    parse = parse or parse_check_for(text)
    fixed: list[Diagnostic] = []
    messages: list[str] = []
    refused: set[tuple[str, object]] = set()
    current = list(diagnostics)
    for _ in range(max_rounds):
        round_ = _choose(text, current, unsafe, refused)
        text_after, kept, unparsable = _parsing_subset(text, round_.chosen, parse) if round_.chosen else (text, [], [])
        for diagnostic, fix, why in round_.dropped + unparsable:
            refused.add((diagnostic.code, fix.key))
            messages.append(f"{_where(diagnostic)}: {diagnostic.code} fix dropped ({fix.message}): {why}")
        if not kept:
            if not round_.dropped and not unparsable:
                break
            continue
        fixed.extend(d for d, _ in kept)
        text = text_after
        current = list(relint(text))
    else:
        if _pending(current, unsafe, refused):
            messages.append(f"fixes still pending after {max_rounds} rounds; run --fix again")
    return FixOutcome(text=text, fixed=tuple(fixed), remaining=tuple(current), dropped=tuple(messages))
