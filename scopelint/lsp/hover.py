"""Hover text: a rule's "What it does / Why is this bad" for a diagnostic, and
the predicted full name, action and scope stack for a variable creation."""

from __future__ import annotations

from typing import Iterable, Sequence

from scopelint.catalog import CatalogError, Rule, load_catalog
from scopelint.model import VariableInfo

_ACTIONS = {
    "create": "created here",
    "reuse": "reused here (must already exist)",
    "create-or-reuse": "created here, or reused if it already exists (AUTO_REUSE)",
    "unknown": "created or reused: not known statically",
}


# What the model predicts TF does at this call (``VariableInfo.outcome``), when
# it is more than a plain creation.
_OUTCOMES = {
    "fetched": "at run time: fetches the existing variable (shared)",
    "exists": "at run time: TensorFlow raises `ValueError: Variable ... already exists, disallowed`",
    "missing": "at run time: TensorFlow raises `ValueError: Variable ... does not exist`",
    "shape-mismatch": "at run time: TensorFlow raises `ValueError: Trying to share variable ...` (shape differs)",
    "unresolved": "the name or the reuse setting could not be resolved statically",
}


def find_rule(code: str) -> Rule | None:
    try:
        return load_catalog().get(code)
    except (CatalogError, OSError):
        return None


def full_name(predicted_name: str) -> str:
    """The tensor name TF prints: ``discriminator/h0/w:0``."""
    return predicted_name if ":" in predicted_name else f"{predicted_name}:0"


def variable_markdown(info: VariableInfo) -> str:
    lines = [
        f"**`{full_name(info.predicted_name)}`**",
        "",
        f"{_ACTIONS.get(info.action, info.action)} by `{info.api}`",
    ]
    outcome = _OUTCOMES.get(str(getattr(info, "outcome", "")))
    if outcome:
        lines += ["", outcome]
    if info.scope_stack:
        lines += ["", "scope stack:", ""]
        lines += [f"- `{entry}`" for entry in info.scope_stack]
    return "\n".join(lines)


def rule_markdown(code: str, message: str, dynamic: object = None) -> str:
    """``dynamic``: the verdict dynamic mode gave the finding, if it ran."""
    rule = find_rule(code)
    verdict = f"\n\nDynamic mode: **{dynamic}**" if isinstance(dynamic, str) and dynamic else ""
    if rule is None:
        return f"**{code}** {message}{verdict}"
    parts = [f"**{rule.code} {rule.name}**: {message}{verdict}"]
    for title in ("What it does", "Why is this bad"):
        body = rule.section(title).strip()
        if body:
            parts.append(f"#### {title}\n\n{body}")
    parts.append(f"[{rule.code} documentation]({rule.help_uri})")
    return "\n\n".join(parts)


def contains(start: tuple[int, int], end: tuple[int, int], where: tuple[int, int]) -> bool:
    """Whether 1-based ``where`` lies in [start, end] (end inclusive, so the
    cursor just after a name still hovers it)."""
    return start <= where <= end


def variables_at(infos: Iterable[VariableInfo], line: int, column: int) -> list[VariableInfo]:
    """The variables created by the innermost call under the cursor (a layer
    call creates several: ``dense/kernel`` and ``dense/bias``)."""
    under = [i for i in infos if contains((i.line, i.column), (i.end_line, i.end_column), (line, column))]
    if not under:
        return []
    innermost = max((i.line, i.column, -i.end_line, -i.end_column) for i in under)
    return [i for i in under if (i.line, i.column, -i.end_line, -i.end_column) == innermost]


def hints(infos: Sequence[VariableInfo]) -> list[tuple[int, int, str, str]]:
    """(line, column, label, tooltip) per call, after its closing parenthesis."""
    grouped: dict[tuple[int, int], list[VariableInfo]] = {}
    for info in infos:
        grouped.setdefault((info.end_line, info.end_column), []).append(info)
    found = []
    for (line, column), group in sorted(grouped.items()):
        label = ", ".join(full_name(i.predicted_name) for i in group)
        tooltip = "; ".join(f"{full_name(i.predicted_name)}: {_ACTIONS.get(i.action, i.action)} by {i.api}" for i in group)
        found.append((line, column, label, tooltip))
    return found
