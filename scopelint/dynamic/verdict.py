"""What a builder did on its second call: shares, collides or duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from scopelint.dynamic.records import FileTrace, ScopeError

SHARES, COLLIDES, DUPLICATES, NO_VARIABLES, NOT_RUN = "shares", "collides", "duplicates", "creates no variables", "not run"

SCENARIO_TITLES = {
    "twice": "called twice",
    "tower": "as a second tower (reuse=True, name_scope tower_1)",
}


@dataclass(frozen=True)
class ScenarioVerdict:
    scenario: str
    kind: str
    detail: str
    error: ScopeError | None = None
    created: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()


def judge(trace: FileTrace, scenario: str) -> ScenarioVerdict:
    first, second = f"{scenario}:1", f"{scenario}:2"
    made_first = [v.name for v in trace.variables if v.phase == first and v.kind == "create"]
    made = tuple(v.name for v in trace.variables if v.phase == second and v.kind == "create")
    reused = tuple(v.name for v in trace.variables if v.phase == second and v.kind == "reuse")
    broke_first = next((e for e in trace.errors if e.phase == first), None)
    broke = next((e for e in trace.errors if e.phase == second), None)
    if broke_first is not None:
        return ScenarioVerdict(scenario, NOT_RUN, f"the first call already raised {broke_first.code or 'ValueError'}: {broke_first.message}", broke_first)
    if broke is not None:
        return ScenarioVerdict(scenario, COLLIDES, f"the second call raised {broke.code or 'ValueError'}: {broke.message}", broke, made, reused)
    if made:
        shared = f"; shared {len(reused)}" if reused else ""
        return ScenarioVerdict(scenario, DUPLICATES, f"the second call created {len(made)} new variable(s): {', '.join(made[:6])}{' ...' if len(made) > 6 else ''}{shared}", None, made, reused)
    if reused:
        return ScenarioVerdict(scenario, SHARES, f"the second call reused all {len(reused)} variable(s) and created none", None, made, reused)
    if not made_first:
        return ScenarioVerdict(scenario, NO_VARIABLES, "neither call created a variable")
    return ScenarioVerdict(scenario, NOT_RUN, "the second call did not run (the trace ended first)")
