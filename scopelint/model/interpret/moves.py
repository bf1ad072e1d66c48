"""Moving a re-used standalone run's events with the statements they came from (lines
inserted above them in the editor): which events can be moved, and the move itself.
Used by :mod:`scopelint.model.interpret.memo`."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, overload

from scopelint.model import events as ev
from scopelint.model import ir

# Strings that spell a position of the analysed file ("... at line 12").
_SPELLED_LINE = re.compile(r"\bline\w* \d|\(\d+, \d+, \d+, \d+\)")


def _event_plans() -> dict[type, tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each event class: its position fields, and its fields that may hold strings."""
    plans: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for kind in vars(ev).values():
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__module__ == ev.__name__:
            found = dataclasses.fields(kind)
            positions = tuple(f.name for f in found if "Pos" in str(f.type))
            strings = tuple(f.name for f in found if "str" in str(f.type))
            plans[kind] = (positions, strings)
    return plans


_EVENT_PLANS = _event_plans()


def placed(events: Any, spans: tuple[tuple[int, int], ...]) -> bool | None:
    """True: every position in ``events`` lies in one of ``spans`` and no string spells a
    line (they can be moved); False: a string spells one (re-used only unmoved); None: an
    event of a kind not known here, or a position outside every span."""
    movable = True
    for event in events:
        plan = _EVENT_PLANS.get(type(event))
        if plan is None:
            return None
        for name in plan[0]:
            if not inside(getattr(event, name), spans):
                return None
        for name in plan[1]:
            value = getattr(event, name)
            texts = value if isinstance(value, tuple) else (value,)
            if any(isinstance(text, str) and _SPELLED_LINE.search(text) for text in texts):
                movable = False
    return movable


def inside(pos: ir.Pos | None, spans: tuple[tuple[int, int], ...]) -> bool:
    if pos is None or not pos[0]:
        return pos is None or not pos[2]
    return any(first <= pos[0] and pos[2] <= last for first, last in spans)


class Mover:
    def __init__(self, spans: tuple[tuple[int, int], ...], deltas: list[int]) -> None:
        self.spans, self.deltas = spans, deltas
        # All reached statements moved alike (the edit was above them all): one delta.
        self.delta = deltas[0] if len(set(deltas)) == 1 else None

    @overload
    def pos(self, pos: ir.Pos) -> ir.Pos: ...

    @overload
    def pos(self, pos: None) -> None: ...

    def pos(self, pos: ir.Pos | None) -> ir.Pos | None:
        if pos is None or not pos[0]:
            return pos
        delta = self.delta
        if delta is None:
            delta = next((d for (first, last), d in zip(self.spans, self.deltas) if first <= pos[0] <= last), None)
            if delta is None:
                raise AssertionError(f"position {pos} outside the statements it was recorded in")
        return (pos[0] + delta, pos[1], pos[2] + delta, pos[3]) if delta else pos

    def event(self, event: Any) -> Any:
        changes = {}
        for name in _EVENT_PLANS[type(event)][0]:
            old = getattr(event, name)
            if old is not None and old[0]:
                new = self.pos(old)
                if new is not old:
                    changes[name] = new
        if not changes:
            return event
        # A copy with the moved fields (through the constructor: a compiled event has no __dict__).
        return dataclasses.replace(event, **changes)
