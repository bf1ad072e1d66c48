"""Model extension for SL401: uses of pre-1.0 scope and collection APIs.

Finds each deprecated API by its resolved import path (``tf.op_scope``,
``tf.compat.v1.op_scope``, ``ops.op_scope`` from ``tensorflow.python.framework``,
...) and records, as plain data, where it is and the exact edit that replaces
it. TF 2.21's ``compat.v1`` still runs every one of them, with a logged
deprecation warning; ``tests/test_sl401.py`` proves both that and that each
replacement names and scopes things identically.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from scopelint.fixes.edits import Edit
from scopelint.model.aliases import ImportAliases, dotted_name

if TYPE_CHECKING:
    import libcst

# Deprecated API (as a path under ``tensorflow``) -> the attribute that replaces it.
RENAMES: Mapping[str, str] = {
    "op_scope": "name_scope",
    "variable_op_scope": "variable_scope",
    "initialize_all_variables": "global_variables_initializer",
    "initialize_local_variables": "local_variables_initializer",
    "initialize_variables": "variables_initializer",
    "all_variables": "global_variables",
    "initialize_all_tables": "tables_initializer",
    "GraphKeys.VARIABLES": "GLOBAL_VARIABLES",
}

# TF's internal modules define the same functions (libraries such as tf-slim
# import them from there); each also has the replacement, so a rename is exact.
_INTERNAL: Mapping[str, str] = {
    "tensorflow.python.framework.ops.op_scope": "op_scope",
    "tensorflow.python.framework.ops.GraphKeys.VARIABLES": "GraphKeys.VARIABLES",
    "tensorflow.python.ops.variable_scope.variable_op_scope": "variable_op_scope",
    "tensorflow.python.ops.variables.initialize_all_variables": "initialize_all_variables",
    "tensorflow.python.ops.variables.initialize_local_variables": "initialize_local_variables",
    "tensorflow.python.ops.variables.initialize_variables": "initialize_variables",
    "tensorflow.python.ops.variables.all_variables": "all_variables",
    "tensorflow.python.ops.lookup_ops.initialize_all_tables": "initialize_all_tables",
}

# Parameters in signature order: the deprecated scope functions take ``values``
# first; their replacements take it third. Verified with inspect.signature on TF 2.21.
_OLD_PARAMS: Mapping[str, tuple[str, ...]] = {
    "op_scope": ("values", "name", "default_name"),
    "variable_op_scope": (
        "values", "name_or_scope", "default_name", "initializer", "regularizer", "caching_device",
        "partitioner", "custom_getter", "reuse", "dtype", "use_resource", "constraint",
    ),
}


@dataclass(frozen=True)
class DeprecatedUse:
    """One use of a deprecated API. Positions 1-based, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    api: str  # key of RENAMES, e.g. "op_scope", "GraphKeys.VARIABLES"
    spelled: str  # as written: "tf.op_scope", "vs.variable_op_scope"
    replacement: str  # as it should be written: "tf.name_scope"
    edits: tuple[Edit, ...] = ()  # empty: no exact fix
    no_fix: str = ""  # why there is no fix
    qualified: str = ""  # the import path it resolves to ("tensorflow.compat.v1.op_scope")

    @property
    def node(self) -> tuple[int, int, int, int]:
        return (self.line, self.column, self.end_line, self.end_column)


def deprecated_api(qualified: str, tf_modules: tuple[str, ...] = ()) -> str | None:
    public = ImportAliases(tf_modules=tf_modules).under_tensorflow(qualified)
    if public is not None and public in RENAMES:
        return public
    return _INTERNAL.get(qualified)


def _api_as_spelled(spelled: str) -> str:
    """The RENAMES key a spelling would be, if its module turns out to be TF."""
    return "GraphKeys.VARIABLES" if spelled.endswith("GraphKeys.VARIABLES") else spelled.rpartition(".")[2]


@dataclass
class _Found:
    node: "libcst.CSTNode"  # the dotted expression naming the API
    api: str
    spelled: str
    call: "libcst.Call | None" = None
    qualified: str = ""
    # Names used by the `try` bodies whose `except` handlers enclose this use.
    fallback_for: frozenset[str] = frozenset()


_LAST_NAMES = frozenset(key.rpartition(".")[2] for key in RENAMES)


# A libcst walk costs about as much as the parse: only files whose text could
# hold a deprecated name pay for it (measured: 5.1 s -> 0.1 s on tf-slim + tensornets).
_CANDIDATE_TEXT = re.compile(r"\b(?:%s)\b|\.VARIABLES\b" % "|".join(sorted(k for k in RENAMES if "." not in k)))


def find_candidates(module: "libcst.Module | None", source: str) -> tuple[DeprecatedUse, ...]:
    """Phase 1: every use of a deprecated name whose module is imported, with its
    fix. Whether that module is TensorFlow is decided in phase 2
    (:func:`confirm`), where the configured ``tf-modules`` are known."""
    import libcst

    if not _CANDIDATE_TEXT.search(source):
        return ()
    if module is None:
        try:
            module = libcst.parse_module(source)
        except (libcst.ParserSyntaxError, RecursionError):
            return ()
    aliases = ImportAliases()
    candidates: list[_Found] = []
    try_bodies: list[frozenset[str]] = []
    handlers: list[frozenset[str]] = []

    class Finder(libcst.CSTVisitor):
        # `try: tf.global_variables_initializer() except: tf.initialize_all_variables()`
        # is a fallback for old TF releases, not a use to modernise: remember
        # what each try body names so its handlers' uses can be recognised.
        def visit_Try(self, node: libcst.Try) -> None:
            try_bodies.append(_names_in(node.body))

        def leave_Try(self, original_node: libcst.Try) -> None:
            try_bodies.pop()

        def visit_ExceptHandler(self, node: libcst.ExceptHandler) -> None:
            handlers.append(try_bodies[-1] if try_bodies else frozenset())

        def leave_ExceptHandler(self, original_node: libcst.ExceptHandler) -> None:
            handlers.pop()

        def visit_Import(self, node: libcst.Import) -> None:
            aliases.add_import(node)

        def visit_ImportFrom(self, node: libcst.ImportFrom) -> None:
            aliases.add_import(node)

        def visit_Call(self, node: libcst.Call) -> None:
            func = node.func
            last = func.attr.value if isinstance(func, libcst.Attribute) else func.value if isinstance(func, libcst.Name) else None
            if last in _OLD_PARAMS:
                candidates.append(_Found(node.func, "", "", node, fallback_for=frozenset().union(*handlers)))

        def visit_Attribute(self, node: libcst.Attribute) -> bool:
            if node.attr.value not in _LAST_NAMES:
                return True
            if not any(c.node is node for c in candidates[-1:]):
                candidates.append(_Found(node, "", "", fallback_for=frozenset().union(*handlers)))
            return False

    module.visit(Finder())
    found: list[_Found] = []
    for candidate in candidates:
        spelled = dotted_name(candidate.node)
        qualified = aliases.resolve(spelled)
        if spelled is None or not qualified:
            continue
        api = _api_as_spelled(spelled)
        if api in RENAMES and RENAMES[api] in candidate.fallback_for:
            continue  # the enclosing try already uses the replacement
        if api in RENAMES and (candidate.call is None or api in _OLD_PARAMS):
            found.append(_Found(candidate.node, api, spelled, candidate.call, qualified))
    if not found:
        return ()
    from libcst.metadata import MetadataWrapper, PositionProvider

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return tuple(_use(module, f, positions) for f in found)


def _use(module: "libcst.Module", found: _Found, positions: Mapping["libcst.CSTNode", object]) -> DeprecatedUse:
    import libcst

    where = positions[found.node]
    start, end = where.start, where.end  # type: ignore[attr-defined]
    prefix, _, _ = found.spelled.rpartition(".")
    new_last = RENAMES[found.api]
    old_last = found.api.rpartition(".")[2]
    replacement = f"{prefix}.{new_last}" if prefix else new_last
    use = DeprecatedUse(start.line, start.column + 1, end.line, end.column + 1, found.api, found.spelled, replacement, qualified=found.qualified)
    if not isinstance(found.node, libcst.Attribute):
        return _no_fix(use, f"`{found.spelled}` is imported by name; change the import too")
    name_at = positions[found.node.attr].start  # type: ignore[attr-defined]
    if found.call is None:
        if found.api in _OLD_PARAMS:
            return _no_fix(use, "not called here, so its arguments cannot be reordered")
        edit = Edit(name_at.line, name_at.column + 1, name_at.line, name_at.column + 1 + len(old_last), new_last)
        return _with_edits(use, (edit,))
    args, why = reordered_arguments(module, found.call, _OLD_PARAMS[found.api])
    if args is None:
        return _no_fix(use, why)
    call_end = positions[found.call].end  # type: ignore[attr-defined]
    edit = Edit(name_at.line, name_at.column + 1, call_end.line, call_end.column + 1, f"{new_last}({args})")
    return _with_edits(use, (edit,))


def _no_fix(use: DeprecatedUse, why: str) -> DeprecatedUse:
    return DeprecatedUse(**{**use.__dict__, "no_fix": why})


def _with_edits(use: DeprecatedUse, edits: tuple[Edit, ...]) -> DeprecatedUse:
    return DeprecatedUse(**{**use.__dict__, "edits": edits})


def _names_in(body: "libcst.CSTNode") -> frozenset[str]:
    import libcst
    import libcst.matchers as m

    found: set[str] = set()
    for node in m.findall(body, m.Name() | m.Attribute()):
        if isinstance(node, libcst.Name):
            found.add(node.value)
        elif isinstance(node, libcst.Attribute):
            found.add(node.attr.value)
    return frozenset(found)


def _has_comment(code: str) -> bool:
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # cannot tell: assume the worst


def _calls_inside(node: "libcst.CSTNode") -> bool:
    import libcst.matchers as m

    return bool(m.findall(node, m.Call()))


def reordered_arguments(module: "libcst.Module", call: "libcst.Call", params: Sequence[str]) -> tuple[str | None, str]:
    """The argument list of the replacement call: ``name`` first, then
    ``default_name=``, ``values=`` and the rest by keyword, each expression's
    source kept verbatim. None (and why) when that cannot be done exactly."""
    given: dict[str, str] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None, "it passes *args or **kwargs"
        keyword = arg.keyword.value if arg.keyword else (params[index] if index < len(params) else None)
        if keyword is None or keyword not in params or keyword in given:
            return None, "its arguments do not match the signature"
        given[keyword] = module.code_for_node(arg.value)
    name_param = params[1]
    if name_param not in given or "values" not in given:
        return None, f"it does not pass both `values` and `{name_param}`"
    if _has_comment(module.code_for_node(call)):
        return None, "its argument list holds comments that a rewrite would move"
    if sum(_calls_inside(arg.value) for arg in call.args) > 1:
        return None, "reordering would change the order in which its arguments' calls run"
    order = [name_param, "default_name", "values", *params[3:]]
    parts = [given[name_param]] + [f"{p}={given[p]}" for p in order[1:] if p in given]
    return ", ".join(parts), ""


def confirm(candidates: tuple[DeprecatedUse, ...], tf_modules: tuple[str, ...]) -> list[DeprecatedUse]:
    """Phase 2: the candidates whose module is TensorFlow (or a configured stand-in)."""
    return [use for use in candidates if deprecated_api(use.qualified, tf_modules) == use.api]


def _register() -> None:
    from scopelint.model import register_extractor

    register_extractor(
        "deprecated-api",
        lambda module, source, path: find_candidates(module, source),
        lambda facts, project, events: confirm(facts.extra_facts("deprecated-api") or (), facts.tf_modules),
        fact_types=(DeprecatedUse, Edit),
    )


_register()
