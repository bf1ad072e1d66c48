"""The checks: one small module per rule, each reading the model's events.

``ALL_CHECKS`` maps a rule code to the function that produces its
diagnostics. A test fails if a check exists without a catalog entry
(rules/SLxxx.md) or the reverse.
"""

from __future__ import annotations

from typing import Callable, Iterable

from scopelint.diagnostic import Diagnostic
from scopelint.model import ModelResult

Check = Callable[[ModelResult], Iterable[Diagnostic]]

# code -> check. SL900 (parse error) is produced by the engine, not by a check.
ALL_CHECKS: dict[str, Check] = {}

from scopelint.checks import sl301, sl302, sl401  # noqa: E402  (the checks import Check's module types only)
from scopelint.checks import sl101, sl102, sl103, sl104, sl201, sl202, sl203, sl204, sl205, sl206  # noqa: E402

ALL_CHECKS.update({"SL301": sl301.check, "SL302": sl302.check, "SL401": sl401.check})
ALL_CHECKS.update({
    "SL101": sl101.check, "SL102": sl102.check, "SL103": sl103.check, "SL104": sl104.check,
    "SL201": sl201.check, "SL202": sl202.check, "SL203": sl203.check, "SL204": sl204.check, "SL205": sl205.check,
    "SL206": sl206.check,
})


def run_checks(result: ModelResult, is_selected: Callable[[str], bool]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for code, check in ALL_CHECKS.items():
        if is_selected(code):
            found.extend(d for d in check(result) if is_selected(d.code))
    return found
