"""What the person at the editor chose: the only place that can turn on
dynamic mode or inlay hints for the server.

A repository's pyproject.toml is deliberately not consulted here: opening a
file from a cloned repository must never make the server run that code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

SECTION = "scopelint"


@dataclass(frozen=True)
class ClientSettings:
    dynamic: bool = False  # run the file under TF on save (scopelint.dynamic)
    inlay_hints: bool = False  # predicted full name after each variable creation

    def merged(self, raw: Any) -> "ClientSettings":
        """Apply ``{"dynamic": true, "inlayHints": true}``, either bare or under a
        ``"scopelint"`` key (workspace/configuration and didChangeConfiguration
        send the section). Only real booleans count: ``"yes"`` or ``1`` change nothing."""
        if not isinstance(raw, Mapping):
            return self
        table = raw.get(SECTION, raw)
        if not isinstance(table, Mapping):
            return self
        changes: dict[str, bool] = {}
        for key, field_name in (("dynamic", "dynamic"), ("inlayHints", "inlay_hints"), ("inlay_hints", "inlay_hints")):
            value = table.get(key)
            if isinstance(value, bool):
                changes[field_name] = value
        return replace(self, **changes)
