"""``scopelint --show-settings``: the settings a run resolves to, as TOML a user
can paste into ``[tool.scopelint]``, with where they came from."""

from __future__ import annotations

import argparse
import json
from typing import Any

from scopelint.config import Config


def _toml(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # per-file-ignores
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value) + " }"
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value)


def show_settings(config: Config, args: argparse.Namespace) -> str:
    from scopelint.catalog import load_catalog

    enabled = [code for code in load_catalog() if config.is_selected(code) or code == "SL900"]  # SL900: always
    lines = [
        f"# config file: {config.source or '(none: defaults)'}",
        f"# root (relative patterns start here): {config.root}",
        f"# rules enabled: {' '.join(enabled) or '(none)'}",
        "[tool.scopelint]",
        f"select = {_toml(config.select)}",
        f"extend-select = {_toml(config.extend_select)}",
        f"ignore = {_toml(config.ignore)}",
        f"per-file-ignores = {_toml(config.per_file_ignores) if config.per_file_ignores else '{}'}",
        f"exclude = {_toml(config.exclude)}",
        f"extend-exclude = {_toml(config.extend_exclude)}",
        f"tf-modules = {_toml(config.tf_modules)}",
        *([f"baseline = {_toml(config.baseline)}"] if config.baseline else []),
        "",
        "# command line",
        f"# format = {args.format}, fail-on = {args.fail_on}, jobs = {args.jobs or 'all cores'}, "
        f"cache = {'off' if args.no_cache else (args.cache_dir or '.scopelint_cache next to the config')}",
    ]
    return "\n".join(lines) + "\n"
