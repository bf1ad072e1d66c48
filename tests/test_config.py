"""[tool.scopelint]: loading, validation with clear errors, CLI overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopelint.config import Config, ConfigError, config_from_table, load_config


def write_pyproject(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_nearest_pyproject_with_table_is_used(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.scopelint]\nignore = ["SL104"]\n')
    nested = tmp_path / "pkg" / "sub"
    nested.mkdir(parents=True)
    write_pyproject(tmp_path / "pkg", '[project]\nname = "x"\n')  # no scopelint table: skipped
    config = load_config(start=nested)
    assert config.ignore == ("SL104",)
    assert config.source == str(tmp_path / "pyproject.toml")
    assert config.root == str(tmp_path)


def test_defaults_without_any_pyproject(tmp_path: Path) -> None:
    config = load_config(start=tmp_path)
    assert config.select == ("SL",)
    assert config.source is None


def test_unknown_key_names_the_key_and_suggests(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.scopelint]\nper_file_ignores = {}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(start=tmp_path)
    message = str(excinfo.value)
    assert "'per_file_ignores'" in message and "did you mean 'per-file-ignores'" in message
    assert str(tmp_path / "pyproject.toml") in message


def test_dynamic_cannot_be_enabled_from_a_repository_config() -> None:
    with pytest.raises(ConfigError, match="dynamic mode runs code"):
        config_from_table({"dynamic": True}, root=".", source=None)


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"select": "SL2, XY1"}, "'XY1' is not a rule code"),
        ({"ignore": [201]}, "ignore: expected a list of rule codes"),
        ({"exclude": "build"}, "exclude: expected a list of strings"),
        ({"per-file-ignores": ["tests/*"]}, "per-file-ignores: expected a table"),
        ({"per-file-ignores": {"tests/*": ["bogus"]}}, "'bogus' is not a rule code"),
    ],
)
def test_bad_values_are_clear_errors(table: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment.replace("[", r"\[").replace("(", r"\(")):
        config_from_table(table, root=".", source=None)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "[tool.scopelint\nselect = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(explicit=path)


@pytest.mark.parametrize(
    ("select", "ignore", "code", "expected"),
    [
        (("SL",), (), "SL201", True),
        (("SL2",), (), "SL101", False),
        (("SL2",), ("SL203",), "SL203", False),
        (("SL2",), ("SL203",), "SL201", True),
        (("SL203",), ("SL2",), "SL203", True),  # the longer (more specific) prefix wins
        (("SL",), ("SL1",), "SL104", False),
    ],
)
def test_selection_longest_prefix_wins(select: tuple[str, ...], ignore: tuple[str, ...], code: str, expected: bool) -> None:
    assert Config(select=select, ignore=ignore).is_selected(code) is expected


def test_extend_select_adds_to_select() -> None:
    config = Config(select=("SL2",), extend_select=("SL101",))
    assert config.is_selected("SL101") and config.is_selected("SL205") and not config.is_selected("SL103")


def test_per_file_ignores_match_relative_globs(tmp_path: Path) -> None:
    config = config_from_table({"per-file-ignores": {"tests/*": ["SL2"]}}, root=str(tmp_path), source=None)
    assert config.ignored_for_path("SL201", str(tmp_path / "tests" / "test_model.py"))
    assert not config.ignored_for_path("SL101", str(tmp_path / "tests" / "test_model.py"))
    assert not config.ignored_for_path("SL201", str(tmp_path / "src" / "model.py"))
