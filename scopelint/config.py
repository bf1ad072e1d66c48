"""``[tool.scopelint]`` in the nearest pyproject.toml, validated strictly.

Unknown keys and values of the wrong type are a :class:`ConfigError` naming the
key: a typo in a config must never silently turn a rule off.

Dynamic mode is deliberately *not* configurable here: a repository's own
pyproject.toml must never make scopelint execute that repository's code.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

def _tomllib() -> Any:
    """The TOML parser, imported only once a pyproject.toml is found (a run without one never pays for it)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib

CODE_PATTERN = re.compile(r"^SL\d{0,3}$")

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", ".env",
    "__pycache__", "node_modules", "build", "dist", ".eggs", "*.egg-info",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".scopelint_cache", "site-packages",
    ".ipynb_checkpoints",  # Jupyter's autosave copies: the notebook itself is linted
)


class ConfigError(ValueError):
    """A bad ``[tool.scopelint]`` table or command-line option."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("SL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    # Modules of the user's project that stand for tensorflow.compat.v1
    # (``from tensorpack.compat import tfv1 as tf``).
    tf_modules: tuple[str, ...] = ()
    # Directory the relative patterns in per_file_ignores/exclude are taken from.
    root: str = "."
    # Where the config came from, for messages; None when defaults are in use.
    source: str | None = None
    # ``baseline = "scopelint-baseline.json"``: report only findings not in this file
    # (relative to root; see scopelint.report.baseline).
    baseline: str | None = None

    def is_selected(self, code: str) -> bool:
        """Longest matching prefix wins, as in ruff: ``--select SL2 --ignore SL203``."""
        chosen = _longest_prefix(code, self.select + self.extend_select)
        ignored = _longest_prefix(code, self.ignore)
        if chosen < 0:
            return False
        return ignored < chosen

    def ignored_for_path(self, code: str, path: str) -> bool:
        from fnmatch import fnmatch

        rel = _relative(path, self.root)
        for pattern, codes in self.per_file_ignores:
            if fnmatch(rel, pattern) or fnmatch(Path(path).name, pattern):
                if any(code.startswith(prefix) for prefix in codes):
                    return True
        return False

    @property
    def baseline_path(self) -> str | None:
        return os.path.join(self.root, self.baseline) if self.baseline else None

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    def with_overrides(self, **changes: Any) -> "Config":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _longest_prefix(code: str, prefixes: tuple[str, ...]) -> int:
    best = -1
    for prefix in prefixes:
        if code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def _relative(path: str, root: str) -> str:
    try:
        return Path(os.path.realpath(path)).relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def known_codes() -> tuple[str, ...]:
    """Every code a rule can report: the catalog's (SL900 and SL901 included)."""
    from scopelint.catalog import CatalogError, load_catalog

    try:
        return tuple(load_catalog())
    except (CatalogError, OSError):  # a broken install: accept any well-formed code
        return ()


def _selects_nothing(value: str, known: tuple[str, ...]) -> str | None:
    """None when ``value`` (a code or prefix) matches a known code, else the error."""
    if not known or any(code.startswith(value) for code in known):
        return None
    import difflib

    candidates = sorted({code[: len(value)] for code in known})
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    return f"{value!r} matches no rule{hint}; `scopelint rules` lists them"


def validate_codes(values: Any, key: str, *, allow_empty: bool = True) -> tuple[str, ...]:
    """Codes or prefixes; one that selects no rule is an error, so a typo never
    silently turns the linter off (``select = ["SL999"]``)."""
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{key}: expected a list of rule codes such as [\"SL201\"], got {values!r}")
    if not values and not allow_empty:
        raise ConfigError(f"{key}: selects no rule at all; give codes or prefixes such as SL, SL2, SL201")
    known = known_codes()
    for value in values:
        if not CODE_PATTERN.match(value):
            raise ConfigError(f"{key}: {value!r} is not a rule code or prefix (SL, SL2, SL201, ...)")
        problem = _selects_nothing(value, known)
        if problem is not None:
            raise ConfigError(f"{key}: {problem}")
    return tuple(values)


def _select_codes(values: Any, key: str) -> tuple[str, ...]:
    return validate_codes(values, key, allow_empty=False)


def _string_list(values: Any, key: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{key}: expected a list of strings, got {values!r}")
    return tuple(values)


def _file_path(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: expected a file path (relative to this pyproject.toml's folder), got {value!r}")
    return value


def _per_file_ignores(value: Any, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table of glob = [codes], got {value!r}")
    return tuple((pattern, validate_codes(codes, f"{key}.{pattern!r}")) for pattern, codes in value.items())


_KEYS = {
    "select": _select_codes,
    "ignore": validate_codes,
    "extend-select": validate_codes,
    "per-file-ignores": _per_file_ignores,
    "exclude": _string_list,
    "extend-exclude": _string_list,
    "tf-modules": _string_list,
    "baseline": _file_path,
}


def config_from_table(table: Mapping[str, Any], *, root: str, source: str | None) -> Config:
    """Validate a ``[tool.scopelint]`` table (already parsed) into a Config."""
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in _KEYS:
            hint = ""
            if key.replace("_", "-") in _KEYS:
                hint = f" (did you mean {key.replace('_', '-')!r}?)"
            elif key in {"dynamic", "dynamic-timeout"}:
                hint = " (dynamic mode runs code, so only the command line or your editor settings can turn it on)"
            raise ConfigError(f"unknown key {key!r} in [tool.scopelint]{hint}; known keys: {', '.join(sorted(_KEYS))}")
        values[key.replace("-", "_")] = _KEYS[key](raw, key)
    return Config(root=root, source=source, **values)


def find_pyproject(start: Path, looked: list[str] | None = None) -> Path | None:
    """The nearest pyproject.toml with a [tool.scopelint] table, walking up from start.
    ``looked`` receives every candidate looked at, found or not."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if looked is not None:
            looked.append(str(candidate))
        if candidate.is_file():
            tomllib = _tomllib()
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "scopelint" in data.get("tool", {}):
                return candidate
    return None


def load_config(start: Path | None = None, explicit: Path | None = None, looked: list[str] | None = None) -> Config:
    """Load the config that applies to ``start`` (a file or directory). ``looked``
    receives the files this looked at, found or not (what the config depends on)."""
    if explicit is not None and looked is not None:
        looked.append(str(explicit))
    path = explicit if explicit is not None else find_pyproject(start or Path.cwd(), looked)
    if path is None:
        return Config(root=str((start or Path.cwd()).resolve() if (start or Path.cwd()).is_dir() else (start or Path.cwd()).resolve().parent))
    tomllib = _tomllib()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = data.get("tool", {}).get("scopelint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.scopelint] must be a table")
    try:
        return config_from_table(table, root=str(path.parent), source=str(path))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


DEFAULT_CONFIG = Config()

__all__ = ["Config", "ConfigError", "DEFAULT_CONFIG", "load_config", "config_from_table", "validate_codes"]
