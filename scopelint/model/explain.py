"""``scopelint --explain-names FILE``: the model's view of a file, for people and tests."""

from __future__ import annotations

import json
import os
import sys
from typing import TextIO

from scopelint.config import Config


def explain_names(path: str, config: Config, output_format: str = "text", verbose: bool = False, stream: TextIO | None = None) -> int:
    """Print every variable creation in ``path`` with its predicted full name; 0, or 2 if unreadable."""
    from scopelint.api import describe_variables
    from scopelint.files import FileProblem, decode, read_bytes

    out = stream or sys.stdout
    try:
        text = decode(path, sys.stdin.buffer.read() if path == "-" else read_bytes(path))
    except FileProblem as problem:
        print(f"scopelint: error: {path}: {problem.message}", file=sys.stderr)
        return 2
    infos = describe_variables(text, path, config, follow_callers=path != "-")
    if output_format == "json":
        rows = [
            {"line": i.line, "column": i.column, "end_line": i.end_line, "end_column": i.end_column, "api": i.api,
             "predicted_name": i.predicted_name, "action": i.action, "outcome": i.outcome, "scope_stack": list(i.scope_stack),
             "path": i.path or path, "called_from_line": i.site_line, "called_from_path": i.caller or None}
            for i in infos
        ]
        out.write(json.dumps({"version": 1, "path": path, "variables": rows}, indent=2) + "\n")
        return 0
    width = max((len(i.predicted_name) for i in infos), default=0)
    for info in infos:
        where = (f"  (as {info.caller}:{info.site_line} runs it)" if info.caller
                 else "" if not info.path or info.path == path else f"  (from {path}:{info.site_line})")
        out.write(f"{info.path or path}:{info.line}:{info.column}: {info.predicted_name:<{width}}  {info.action:<15} {info.api}"
                  f"  [{' '.join(info.scope_stack)}]{where}\n")
    if not infos:
        out.write(f"{path}: no variable creations found\n")
    if verbose:
        for line, column, reason in _unresolved(text, path, config):
            out.write(f"{path}:{line}:{column}: not followed: {reason}\n")
    return 0


def _unresolved(text: str, path: str, config: Config) -> list[tuple[int, int, str]]:
    from scopelint.engine import model_settings
    from scopelint.model import analyze, facts_from_source
    from scopelint.model.events import Unresolved

    from scopelint.api import _sibling_facts
    from scopelint.files import module_name_for

    settings = model_settings(config)
    module_name = module_name_for(path) if os.path.exists(path) else None
    facts = facts_from_source(text, path=path, module_name=module_name, settings=settings)
    # The same modules as the listing: the ones beside the file that it imports.
    result = analyze(facts, _sibling_facts(path, settings) if module_name is not None else {})
    seen: set[tuple[int, int, str]] = set()
    out = []
    for event in result.of_type(Unresolved):
        key = (event.node[0], event.node[1], event.reason)
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out
