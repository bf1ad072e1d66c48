"""The [dynamic] extra installs one TensorFlow: the distribution tf-keras requires."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TF_DISTRIBUTIONS = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-macos"}


def dynamic_extra() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["optional-dependencies"]["dynamic"]]


def test_the_dynamic_extra_names_exactly_one_tensorflow() -> None:
    names = [r.name for r in dynamic_extra() if r.name in TF_DISTRIBUTIONS]
    assert names == ["tensorflow"]


def test_it_is_the_tensorflow_tf_keras_requires() -> None:
    try:
        requires = metadata.requires("tf-keras") or []
    except metadata.PackageNotFoundError:
        pytest.skip("tf-keras not installed")
    [needed] = [Requirement(r) for r in requires if Requirement(r).name in TF_DISTRIBUTIONS]
    [ours] = [r for r in dynamic_extra() if r.name in TF_DISTRIBUTIONS]
    [keras] = [r for r in dynamic_extra() if r.name == "tf-keras"]
    assert ours.name == needed.name
    pinned = next(iter(ours.specifier)).version
    assert needed.specifier.contains(pinned), (str(ours), str(needed))
    assert keras.specifier.contains(metadata.version("tf-keras"))
