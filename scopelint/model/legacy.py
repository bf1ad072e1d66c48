"""Model extension for SL401: uses of pre-1.0 scope and collection APIs.

Finds each deprecated API by its resolved import path (``tf.op_scope``,
``tf.compat.v1.op_scope``, ``ops.op_scope`` from ``tensorflow.python.framework``,
...) and records, as plain data, where it is and the exact edit that replaces
it. TF 2.21's ``compat.v1`` still runs every one of them, with a logged
deprecation warning; ``tests/test_sl401.py`` proves both that and that each
replacement names and scopes things identically.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from scopelint.fixes.edits import Edit
from scopelint.model.aliases import ImportAliases, dotted_name
from scopelint.pyast import parse

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
    node: ast.expr  # the dotted expression naming the API
    api: str
    spelled: str
    call: ast.Call | None = None
    qualified: str = ""
    # Names used by the `try` bodies whose `except` handlers enclose this use.
    fallback_for: frozenset[str] = frozenset()


_LAST_NAMES = frozenset(key.rpartition(".")[2] for key in RENAMES)


# Most files hold no deprecated name at all: only those whose text could hold one are walked.
_CANDIDATE_TEXT = re.compile(r"\b(?:%s)\b|\.VARIABLES\b" % "|".join(sorted(k for k in RENAMES if "." not in k)))
# Substrings every match of it holds; `in` finds them several times faster than the pattern.
_CANDIDATE_PARTS = ("op_scope", "initialize_", "all_variables", ".VARIABLES")
assert all(any(part in key for part in _CANDIDATE_PARTS) for key in RENAMES if "." not in key)


def could_hold_deprecated(source: str) -> bool:
    return any(part in source for part in _CANDIDATE_PARTS) and _CANDIDATE_TEXT.search(source) is not None

Tree = Callable[[], ast.Module]


def find_candidates(tree: "ast.Module | Tree | None", source: str) -> tuple[DeprecatedUse, ...]:
    """Phase 1: every use of a deprecated name whose module is imported, with its
    fix. Whether that module is TensorFlow is decided in phase 2
    (:func:`confirm`), where the configured ``tf-modules`` are known.

    Reads CPython's ``ast`` of ``source`` (``tree``, or a function building it, called
    only when the text holds a deprecated name), the tree the lowering reads: a libcst
    parse plus its position pass was 60 % of phase 1. Positions are code points, as
    libcst gives them; libcst, the parser of record, still reads every file with a
    finding (``engine._parser_of_record``), and a file it rejects gets no fix."""
    if not could_hold_deprecated(source):
        return ()
    try:
        module = tree() if callable(tree) else tree if tree is not None else parse(source)
        found = _find(module)
        if not found:
            return ()
        text = _Text(source)
        return tuple(_use(text, f) for f in found)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()


def _find(module: ast.Module) -> list[_Found]:
    aliases = ImportAliases()
    candidates: list[_Found] = []
    # `try: tf.global_variables_initializer() except: tf.initialize_all_variables()`
    # is a fallback for old TF releases, not a use to modernise: each handler being
    # walked carries what its try body names, so its uses can be recognised. (As
    # before, with libcst: `except*` handlers carry nothing.)
    handlers: list[frozenset[str]] = []
    stack: list[ast.AST | tuple[ast.ExceptHandler, frozenset[str]] | None] = [module]  # None: leave a handler
    while stack:
        node = stack.pop()
        if node is None:
            handlers.pop()
            continue
        if isinstance(node, tuple):  # enter a handler of a `try`
            handler, names = node
            handlers.append(names)
            stack.append(None)
            stack.extend(reversed(list(ast.iter_child_nodes(handler))))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            aliases.add_import(node)
        elif isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if last in _OLD_PARAMS:
                candidates.append(_Found(func, "", "", node, fallback_for=frozenset().union(*handlers)))
        elif isinstance(node, ast.Attribute) and node.attr in _LAST_NAMES:
            if not (candidates and candidates[-1].node is node):  # the func of the call just found
                candidates.append(_Found(node, "", "", fallback_for=frozenset().union(*handlers)))
            continue  # nothing below it is looked at
        if isinstance(node, ast.Try):
            names = _names_in(node.body)
            children: list[ast.AST | tuple[ast.ExceptHandler, frozenset[str]]] = [*node.body]
            children += [(handler, names) for handler in node.handlers]
            children += [*node.orelse, *node.finalbody]
        else:
            children = list(ast.iter_child_nodes(node))
        stack.extend(reversed(children))
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
    return found


class _Text:
    """Code-point positions of ``ast``'s UTF-8 byte columns, on lines as the tokenizer
    (and libcst) breaks them: ``\\r\\n``, ``\\r``, ``\\n``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = _LINE.findall(source)
        self.starts: list[int] = []
        at = 0
        for line in self.lines:
            self.starts.append(at)
            at += len(line)

    def column(self, line: int, byte_offset: int) -> int:
        """0-based code-point column."""
        text = self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))

    def start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> tuple[int, int]:
        return node.end_lineno, self.column(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def offset(self, where: tuple[int, int]) -> int:
        return self.starts[where[0] - 1] + where[1]

    def code(self, node: ast.AST) -> str:
        return self.source[self.offset(self.start(node)):self.offset(self.end(node))]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _use(text: _Text, found: _Found) -> DeprecatedUse:
    (line, column), (end_line, end_column) = text.start(found.node), text.end(found.node)
    prefix, _, _ = found.spelled.rpartition(".")
    new_last = RENAMES[found.api]
    old_last = found.api.rpartition(".")[2]
    replacement = f"{prefix}.{new_last}" if prefix else new_last
    use = DeprecatedUse(line, column + 1, end_line, end_column + 1, found.api, found.spelled, replacement, qualified=found.qualified)
    if not isinstance(found.node, ast.Attribute):
        return _no_fix(use, f"`{found.spelled}` is imported by name; change the import too")
    # The attribute's name is the last thing its node spans.
    name_line, name_column = end_line, end_column - len(found.node.attr)
    if found.call is None:
        if found.api in _OLD_PARAMS:
            return _no_fix(use, "not called here, so its arguments cannot be reordered")
        edit = Edit(name_line, name_column + 1, name_line, name_column + 1 + len(old_last), new_last)
        return _with_edits(use, (edit,))
    args, why = reordered_arguments(text, found.call, _OLD_PARAMS[found.api])
    if args is None:
        return _no_fix(use, why)
    call_line, call_end = text.end(found.call)
    edit = Edit(name_line, name_column + 1, call_line, call_end + 1, f"{new_last}({args})")
    return _with_edits(use, (edit,))


def _no_fix(use: DeprecatedUse, why: str) -> DeprecatedUse:
    return DeprecatedUse(**{**use.__dict__, "no_fix": why})


def _with_edits(use: DeprecatedUse, edits: tuple[Edit, ...]) -> DeprecatedUse:
    return DeprecatedUse(**{**use.__dict__, "edits": edits})


def _names_in(body: Sequence[ast.stmt]) -> frozenset[str]:
    """Every name a block spells: what libcst holds as a ``Name`` node (variables,
    attributes, imported names and modules, definitions, parameters, keywords)."""
    found: set[str] = set()
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
            elif isinstance(node, ast.alias):
                found.update(node.name.split("."))
                if node.asname:
                    found.add(node.asname)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.update(node.module.split("."))
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.arg):
                found.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                found.add(node.arg)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                found.update(node.names)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                found.add(node.name)
    return frozenset(found)


def _has_comment(code: str) -> bool:
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # cannot tell: assume the worst


def _calls_inside(node: ast.AST) -> bool:
    return any(isinstance(inner, ast.Call) for inner in ast.walk(node))


def reordered_arguments(text: _Text, call: ast.Call, params: Sequence[str]) -> tuple[str | None, str]:
    """The argument list of the replacement call: ``name`` first, then
    ``default_name=``, ``values=`` and the rest by keyword, each expression's
    source kept verbatim. None (and why) when that cannot be done exactly."""
    # In source order, as written (``f(k=1, *rest)`` puts a keyword before a star).
    written: list[tuple[str | None, ast.expr]] = [(None, arg) for arg in call.args]
    written += [(keyword.arg, keyword) for keyword in call.keywords]  # type: ignore[misc]
    written.sort(key=lambda pair: (pair[1].lineno, pair[1].col_offset))
    given: dict[str, ast.expr] = {}
    for index, (name, arg) in enumerate(written):
        if isinstance(arg, ast.Starred) or (isinstance(arg, ast.keyword) and name is None):
            return None, "it passes *args or **kwargs"
        keyword = name if isinstance(arg, ast.keyword) else (params[index] if index < len(params) else None)
        if keyword is None or keyword not in params or keyword in given:
            return None, "its arguments do not match the signature"
        given[keyword] = arg.value if isinstance(arg, ast.keyword) else arg
    name_param = params[1]
    if name_param not in given or "values" not in given:
        return None, f"it does not pass both `values` and `{name_param}`"
    if _has_comment(text.code(call)):
        return None, "its argument list holds comments that a rewrite would move"
    if sum(_calls_inside(value) for value in given.values()) > 1:
        return None, "reordering would change the order in which its arguments' calls run"
    bounds = _parentheses(text, call)
    source = {param: _verbatim(text, value, bounds) for param, value in given.items()}
    order = [name_param, "default_name", "values", *params[3:]]
    parts = [source[name_param]] + [f"{p}={source[p]}" for p in order[1:] if p in source]
    return ", ".join(parts), ""


_BLANK = " \t\f\r\n\\"


def _parentheses(text: _Text, call: ast.Call) -> tuple[int, int]:
    """Offsets of the call's own ``(`` and ``)``: the first ``(`` after its function
    (past the ``)`` of any parentheses around that) and its last character."""
    at = text.offset(text.end(call.func))
    while text.source[at] != "(":
        at += 1
    return at, text.offset(text.end(call)) - 1


def _verbatim(text: _Text, value: ast.expr, bounds: tuple[int, int]) -> str:
    """An argument's source with the parentheses around it (``ast`` leaves them out of
    its span; libcst's code for the node has them). No comment lies in the call."""
    source, (opening, closing) = text.source, bounds
    start, end = text.offset(text.start(value)), text.offset(text.end(value))
    while True:
        before, after = start - 1, end
        while before > opening and source[before] in _BLANK:
            before -= 1
        while after < closing and source[after] in _BLANK:
            after += 1
        if before > opening and after < closing and source[before] == "(" and source[after] == ")":
            start, end = before, after + 1
        else:
            return source[start:end]


def confirm(candidates: tuple[DeprecatedUse, ...], tf_modules: tuple[str, ...]) -> list[DeprecatedUse]:
    """Phase 2: the candidates whose module is TensorFlow (or a configured stand-in)."""
    return [use for use in candidates if deprecated_api(use.qualified, tf_modules) == use.api]


def _register() -> None:
    from scopelint.model import register_extractor

    register_extractor(
        "deprecated-api",
        lambda tree, source, path: find_candidates(tree, source),
        lambda facts, project, events: confirm(facts.extra_facts("deprecated-api") or (), facts.tf_modules),
        fact_types=(DeprecatedUse, Edit),
    )


_register()
