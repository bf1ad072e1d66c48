"""Shared by the SL1xx/SL2xx checks: turning model events into diagnostics."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from scopelint.diagnostic import Diagnostic, Severity, related
from scopelint.model import ModelResult
from scopelint.model.ir import Pos


def at(result: ModelResult, pos: Pos, code: str, message: str, severity: Severity, **data: Any) -> Diagnostic:
    line, column, end_line, end_column = pos
    return Diagnostic(
        path=result.path, line=line, column=column, code=code, message=message, severity=severity,
        end_line=end_line, end_column=end_column, data={k: value for k, value in data.items() if value is not None},
    )


def related_at(result: ModelResult, pos: Pos | None, message: str, path: str | None = None) -> list[dict[str, Any]] | None:
    """A related location; ``path``: the file ``pos`` lies in, when not the analysed one."""
    if pos is None or pos[0] == 0:
        return None
    return [related(path or result.path, pos[0], pos[1], message)]


def related_many(
    result: ModelResult, *entries: tuple[Pos | None, str, str | None], skip: Pos | None = None
) -> list[dict[str, Any]] | None:
    """Related locations ``(pos, message, path)`` in order, each place once (the first
    message wins); ``skip``: the primary position, when pointing back at it says nothing."""
    out: list[dict[str, Any]] = []
    seen = {(result.path, skip[0], skip[1])} if skip else set()
    for pos, message, path in entries:
        if pos is None or not pos[0]:
            continue
        key = (path or result.path, pos[0], pos[1])
        if key not in seen:
            seen.add(key)
            out.append(related(key[0], key[1], key[2], message))
    return out or None


def via(names: tuple[str, ...]) -> str:
    """`` via mlp() -> linear()``: the calls from the entry point down to a creation ("" for none)."""
    return " via " + " -> ".join(f"{name.replace('.<locals>.', '.')}()" for name in names) if names else ""


def once(diagnostics: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
    """One finding per rule and position: a builder called in a loop or a layer with
    several variables reports its first problem once."""
    seen: set[tuple[str, int, int]] = set()
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.line, diagnostic.column)
        if key not in seen:
            seen.add(key)
            yield diagnostic


def where(result: ModelResult, pos: Pos | None, path: str | None = None) -> str:
    """``line 12`` in the analysed file, ``pkg/model.py:12`` in another one: that
    file's path in the form the run names every file (the primary location's
    form), never relative to the analysed file's folder."""
    if not pos or not pos[0]:
        return "an earlier line"
    if path is None or path == result.path:
        return f"line {pos[0]}"
    return f"{path}:{pos[0]}"
