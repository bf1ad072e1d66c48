"""The scope model: an abstract interpreter of TF1 naming semantics.

The engine calls exactly two functions here:

* :func:`extract` (phase 1, in a worker process, once per parsed file): walks
  the libcst tree once and returns :class:`ModuleFacts` -- plain picklable data
  (no CST nodes) describing the module's scope operations, function summaries
  and imports. It is cached by file content.
* :func:`analyze` (phase 2, cheap): interprets one module's facts with the
  facts of every other linted module at hand (so builders imported from other
  modules are followed) and returns the :class:`ModelResult` the checks read.

PLACEHOLDER: the real interpreter lands with the scope-model issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    import libcst

    from scopelint.model.collections import CollectionFacts
    from scopelint.model.legacy import DeprecatedUse


@dataclass(frozen=True)
class ModelSettings:
    """What the model needs from the configuration."""

    # Extra modules that stand for tensorflow.compat.v1 (``[tool.scopelint] tf-modules``).
    tf_modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    module_name: str | None = None
    deprecated_uses: tuple["DeprecatedUse", ...] = ()  # SL401 (model/legacy.py)
    collections: "CollectionFacts | None" = None  # SL301, SL302 (model/collections.py)


@dataclass(frozen=True)
class ModelResult:
    path: str
    events: tuple[object, ...] = field(default_factory=tuple)
    deprecated_uses: tuple["DeprecatedUse", ...] = ()  # SL401 (model/legacy.py)
    collections: "CollectionFacts | None" = None  # SL301, SL302 (model/collections.py)


def extract(module: "libcst.Module", *, path: str, module_name: str | None, settings: ModelSettings) -> ModuleFacts:
    from scopelint.model.collections import analyse
    from scopelint.model.legacy import find_deprecated
    from scopelint.model.lower import lower_module

    package = module_name.rpartition(".")[0] if module_name else None
    statements, imports = lower_module(module.code, package)
    return ModuleFacts(
        path=path,
        module_name=module_name,
        deprecated_uses=find_deprecated(module, settings.tf_modules),
        collections=analyse(statements, imports, settings.tf_modules),
    )


def analyze(facts: ModuleFacts, project: Mapping[str, ModuleFacts]) -> ModelResult:
    return ModelResult(path=facts.path, deprecated_uses=facts.deprecated_uses, collections=facts.collections)
