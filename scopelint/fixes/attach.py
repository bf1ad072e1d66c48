"""Fixes for the scope-model rules (SL101, SL103, SL201), attached after the lint.

The model's events say *what* is wrong; the edit needs the exact spelling of a
call (where its arguments end, which alias names TF). That is read here from
the source with CPython's ``ast`` -- only for files that have such a finding --
so the checks stay small and phase 1 pays nothing for it. Every fix here is
``unsafe``: it changes which variables exist or what they are called.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Callable, Iterator, Sequence

from scopelint.diagnostic import Diagnostic
from scopelint.fixes.edits import UNSAFE, Edit, make_fix

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TF_MODULES = frozenset({"tensorflow", "tensorflow.compat.v1"})


class _Source:
    def __init__(self, text: str, tree: ast.Module | None = None) -> None:
        self.text = text
        self.lines = _LINE_BREAK.split(text)
        from scopelint.pyast import parse

        self.tree = tree if tree is not None else parse(text)
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
        self.tf_names = self._tf_names()

    def _tf_names(self) -> set[str]:
        """Local names bound to ``tensorflow`` or ``tensorflow.compat.v1``."""
        names: set[str] = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                names |= {a.asname for a in node.names if a.asname and a.name in _TF_MODULES}
                names |= {"tensorflow" for a in node.names if not a.asname and a.name == "tensorflow"}
            elif isinstance(node, ast.ImportFrom) and node.module == "tensorflow.compat" and not node.level:
                names |= {a.asname or a.name for a in node.names if a.name == "v1"}
        return names

    def column(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1] if 1 <= line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1

    def start(self, node: ast.AST) -> tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> tuple[int, int]:
        return node.end_lineno, self.column(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ""

    def contains(self, node: ast.AST, line: int, column: int) -> bool:
        return self.start(node) <= (line, column) < self.end(node)

    def calls_at(self, line: int, column: int) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and self.start(node) == (line, column):
                yield node

    def withs_around(self, line: int, column: int) -> list[ast.With]:
        """Enclosing ``with`` statements, innermost last."""
        found = [n for n in ast.walk(self.tree) if isinstance(n, ast.With) and self.contains(n, line, column)]
        return sorted(found, key=lambda n: self.start(n))

    def is_tf(self, node: ast.expr) -> bool:
        """``tf`` or ``tf.compat.v1`` for a TF alias ``tf``."""
        if isinstance(node, ast.Name):
            return node.id in self.tf_names
        return (
            isinstance(node, ast.Attribute) and node.attr == "v1" and isinstance(node.value, ast.Attribute)
            and node.value.attr == "compat" and isinstance(node.value.value, ast.Name) and node.value.value.id in self.tf_names
        )


def _scope_call(item: ast.withitem, attr: str) -> ast.Call | None:
    call = item.context_expr
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == attr:
        return call
    return None


def _first_arg(call: ast.Call, keyword: str) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _related(diagnostic: Diagnostic) -> tuple[int, int] | None:
    entries = diagnostic.data.get("related") or []
    if not entries:
        return None
    return int(entries[0]["line"]), int(entries[0]["column"])


def _edit(start: tuple[int, int], end: tuple[int, int], content: str) -> Edit:
    return Edit(start[0], start[1], end[0], end[1], content)


# ------------------------------------------------------------------ SL201


def fix_sl201(diagnostic: Diagnostic, source: _Source) -> dict[str, object] | None:
    """Add ``reuse=<tf>.AUTO_REUSE`` to the variable_scope around the first creation,
    when the collision is that same code running twice (a builder called again, a loop)."""
    first = _related(diagnostic)
    if first is None:
        return None
    here = (diagnostic.line, diagnostic.column)
    for statement in reversed(source.withs_around(*first)):
        calls = [c for c in (_scope_call(item, "variable_scope") for item in statement.items) if c is not None]
        if not calls:
            continue
        if here != first and not _calls_builder_of(source, statement, here):
            return None  # another statement creates the same name: which one should share is the author's call
        return _pass_reuse_true(calls[-1], statement, here, source) or _add_auto_reuse(calls[-1], source)
    return None


def _pass_reuse_true(scope: ast.Call, statement: ast.With, here: tuple[int, int], source: _Source) -> dict[str, object] | None:
    """``def d(x, reuse=False): with tf.variable_scope("d", reuse=reuse)``: the
    builder already takes the flag, so the second call passes ``reuse=True``."""
    flag = next((k.value for k in scope.keywords if k.arg == "reuse"), None)
    function = _enclosing_function(source, statement)
    if not isinstance(flag, ast.Name) or function is None:
        return None
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if flag.id not in params and flag.id not in [a.arg for a in function.args.kwonlyargs]:
        return None
    call = next((c for c in source.calls_at(*here) if _callee(c) == function.name), None)
    if call is None or any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    if flag.id in params and len(call.args) > params.index(flag.id):
        return None  # passed positionally
    message = f"Pass reuse=True to this second call of {function.name}()"
    given = next((k for k in call.keywords if k.arg == flag.id), None)
    if given is not None:
        if not (isinstance(given.value, ast.Constant) and given.value.value in (False, None)):
            return None
        return make_fix(UNSAFE, message, [_edit(source.start(given.value), source.end(given.value), "True")])
    arguments = [*call.args, *(k.value for k in call.keywords)]
    if not arguments:
        end = source.end(call)
        return make_fix(UNSAFE, message, [Edit(end[0], end[1] - 1, end[0], end[1] - 1, f"{flag.id}=True")])
    last = max(arguments, key=lambda n: source.end(n))
    return make_fix(UNSAFE, message, [_edit(source.end(last), source.end(last), f", {flag.id}=True")])


def _enclosing_function(source: _Source, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    parent = source.parents.get(node)
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parent = source.parents.get(parent)
    return parent


def _callee(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _calls_builder_of(source: _Source, statement: ast.With, here: tuple[int, int]) -> bool:
    """Whether the finding sits on a call of the function that holds ``statement``."""
    function = _enclosing_function(source, statement)
    if function is None or source.contains(function, *here):
        return False
    return any(_callee(call) == function.name for call in source.calls_at(*here))


def _add_auto_reuse(call: ast.Call, source: _Source) -> dict[str, object] | None:
    name = _first_arg(call, "name_or_scope")
    if name is None or (isinstance(name, ast.Constant) and not isinstance(name.value, str)):
        return None  # variable_scope(None, default_name=...) is uniquified: reuse cannot share
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    assert isinstance(call.func, ast.Attribute)
    value = f"{source.segment(call.func.value)}.AUTO_REUSE"
    message = f"Add reuse={value} to the variable_scope on line {call.lineno}"
    existing = next((k for k in call.keywords if k.arg == "reuse"), None)
    if existing is not None:
        if not (isinstance(existing.value, ast.Constant) and existing.value.value in (False, None)):
            return None
        return make_fix(UNSAFE, message, [_edit(source.start(existing.value), source.end(existing.value), value)])
    if len(call.args) > 8:
        return None  # reuse passed positionally
    last = max([*call.args, *(k.value for k in call.keywords)], key=lambda n: source.end(n))
    return make_fix(UNSAFE, message, [_edit(source.end(last), source.end(last), f", reuse={value}")])


# ------------------------------------------------------------------ SL101


def fix_sl101(diagnostic: Diagnostic, source: _Source) -> dict[str, object] | None:
    """``tf.name_scope("x")`` -> ``tf.variable_scope("x")`` around the creation."""
    for statement in reversed(source.withs_around(diagnostic.line, diagnostic.column)):
        for item in statement.items:
            call = _scope_call(item, "name_scope")
            if call is None:
                continue
            name = _first_arg(call, "name")
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                return None
            if f"name_scope('{name.value}')" not in diagnostic.message:
                continue
            assert isinstance(call.func, ast.Attribute)
            if not name.value or name.value.endswith("/") or item.optional_vars is not None or not source.is_tf(call.func.value):
                return None  # absolute re-entry, or `as scope` used as a string: no exact equivalent
            if call.args[1:] or any(k.arg not in ("name", "default_name", "values") for k in call.keywords):
                return None
            line, column = source.end(call.func)
            return make_fix(
                UNSAFE,
                f"Use variable_scope('{name.value}') so that get_variable names get the prefix",
                [Edit(line, column - len("name_scope"), line, column, "variable_scope")],
            )
    return None


# ------------------------------------------------------------------ SL103


def fix_sl103(diagnostic: Diagnostic, source: _Source) -> dict[str, object] | None:
    """Capture the first ``name_scope("x")`` (``as x_scope``) and re-enter it in the second."""
    first_at = _related(diagnostic)
    if first_at is None:
        return None
    second = _with_of_call(source, diagnostic.line, diagnostic.column)
    first = _with_of_call(source, *first_at)
    if second is None or first is None:
        return None
    (first_with, first_item, first_call), (second_with, _, second_call) = first, second
    parent = source.parents.get(first_with)
    body = _body_holding(parent, first_with)
    if body is None or second_with not in body or body.index(second_with) < body.index(first_with):
        return None  # only siblings: a name bound in one branch or function may not exist in the other
    literal = _first_arg(second_call, "name")
    if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)) or not second_call.args:
        return None
    edits: list[Edit] = []
    if isinstance(first_item.optional_vars, ast.Name):
        captured = first_item.optional_vars.id
        between = body[body.index(first_with) + 1 : body.index(second_with)]
        if any(isinstance(n, ast.Name) and n.id == captured and isinstance(n.ctx, ast.Store) for s in between for n in ast.walk(s)):
            return None
    elif first_item.optional_vars is None:
        captured = _fresh_name(source, literal.value)
        edits.append(_edit(source.end(first_call), source.end(first_call), f" as {captured}"))
    else:
        return None
    edits.append(_edit(source.start(second_call.args[0]), source.end(second_call.args[0]), captured))
    return make_fix(UNSAFE, f"Re-enter the first name_scope('{literal.value}') through its captured name", edits)


def _with_of_call(source: _Source, line: int, column: int) -> tuple[ast.With, ast.withitem, ast.Call] | None:
    for call in source.calls_at(line, column):
        statement = source.parents.get(source.parents.get(call, call), None)
        if isinstance(statement, ast.With):
            for item in statement.items:
                if item.context_expr is call and _scope_call(item, "name_scope") is not None:
                    return statement, item, call
    return None


def _body_holding(parent: ast.AST | None, statement: ast.stmt) -> list[ast.stmt] | None:
    for field in ("body", "orelse", "finalbody"):
        body = getattr(parent, field, None)
        if isinstance(body, list) and statement in body:
            return body
    return None


def _fresh_name(source: _Source, scope: str) -> str:
    base = re.sub(r"\W+", "_", scope).strip("_").lower() or "name"
    base = f"{base}_scope" if not base[0].isdigit() else f"scope_{base}"
    used = {n.id for n in ast.walk(source.tree) if isinstance(n, ast.Name)} | {
        a.arg for a in ast.walk(source.tree) if isinstance(a, ast.arg)
    }
    name, counter = base, 1
    while name in used:
        counter += 1
        name = f"{base}_{counter}"
    return name


# ------------------------------------------------------------------ SL203


def fix_sl203(diagnostic: Diagnostic, source: _Source) -> dict[str, object] | None:
    """``tf.get_variable_scope().reuse_variables()`` followed by code that should share:
    replace the statement by ``with tf.variable_scope(tf.get_variable_scope(), reuse=True):``
    and indent the statements after it, up to the one that failed under the leak."""
    victim = _related(diagnostic)
    statement = next((s for s in ast.walk(source.tree) if isinstance(s, ast.Expr) and source.start(s) == (diagnostic.line, diagnostic.column)), None)
    if victim is None or statement is None or not _is_root_reuse(statement.value, source):
        return None
    body = _body_holding(source.parents.get(statement), statement)
    if body is None:
        return None
    after = body[body.index(statement) + 1 :]
    stop = next((i for i, s in enumerate(after) if source.contains(s, *victim)), None)
    if not stop:
        return None  # the victim is not a later statement of this block, or nothing is in between
    wrapped = after[:stop]
    start, end = source.start(statement), source.end(statement)
    line_text = source.lines[start[0] - 1]
    if start[0] != end[0] or line_text.strip() != source.segment(statement) or "\t" in line_text[: start[1]]:
        return None
    indent = _indent_edits(source, wrapped[0].lineno, wrapped[-1].end_lineno or wrapped[-1].lineno)
    if indent is None:
        return None
    call = statement.value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call)
    scope_getter = call.func.value
    assert isinstance(scope_getter.func, ast.Attribute)
    tf = source.segment(scope_getter.func.value)
    header = f"with {tf}.variable_scope({source.segment(scope_getter)}, reuse=True):"
    return make_fix(
        UNSAFE,
        f"Limit the reuse to lines {wrapped[0].lineno}-{wrapped[-1].end_lineno} with a variable_scope of their own",
        [_edit(start, end, header), *indent],
    )


def _is_root_reuse(call: ast.expr, source: _Source) -> bool:
    return (
        isinstance(call, ast.Call) and not call.args and not call.keywords
        and isinstance(call.func, ast.Attribute) and call.func.attr == "reuse_variables"
        and isinstance(call.func.value, ast.Call) and not call.func.value.args
        and isinstance(call.func.value.func, ast.Attribute) and call.func.value.func.attr == "get_variable_scope"
        and source.is_tf(call.func.value.func.value)
    )


def _indent_edits(source: _Source, first: int, last: int) -> list[Edit] | None:
    """Four more spaces on each non-blank line; None when a line continues a string
    (indenting it would change the string) or the block is indented with tabs."""
    import io
    import tokenize

    inside_string: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text).readline):
            if token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                inside_string.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return None
    edits: list[Edit] = []
    for number in range(first, last + 1):
        text = source.lines[number - 1]
        if number in inside_string or text.startswith("\t"):
            return None
        if text.strip():
            edits.append(Edit(number, 1, number, 1, "    "))
    return edits


# ------------------------------------------------------------------ attaching

Fixer = Callable[[Diagnostic, _Source], "dict[str, object] | None"]
FIXERS: dict[str, Fixer] = {"SL101": fix_sl101, "SL103": fix_sl103, "SL201": fix_sl201, "SL203": fix_sl203}


def needs_source(diagnostics: Sequence[Diagnostic]) -> bool:
    return any(d.code in FIXERS and "fix" not in d.data for d in diagnostics)


def attach_fixes(
    diagnostics: Sequence[Diagnostic], text: str, tree: ast.Module | Callable[[], ast.Module] | None = None
) -> list[Diagnostic]:
    """``diagnostics`` of one file, with ``data["fix"]`` added where a fixer knows the edit.
    ``tree``: ``ast.parse(text)`` when the caller has it, or a function that builds it
    (called only when a fixer needs it); read, never changed, here."""
    # Fixes are libcst edits: a file libcst cannot read (engine._parser_of_record) gets none.
    if not needs_source(diagnostics) or any(d.data.get("parser_disagreement") for d in diagnostics):
        return list(diagnostics)
    try:
        source = _Source(text, tree() if callable(tree) else tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return list(diagnostics)
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        fixer = FIXERS.get(diagnostic.code)
        fix = fixer(diagnostic, source) if fixer is not None and "fix" not in diagnostic.data else None
        out.append(replace(diagnostic, data={**diagnostic.data, "fix": fix}) if fix else diagnostic)
    return out


def attach_by_file(diagnostics: Sequence[Diagnostic], text_of: Callable[[str], "str | None"]) -> list[Diagnostic]:
    """:func:`attach_fixes` over many files; ``text_of(path)`` is read only for
    files that have a finding these fixers handle (None: leave them as they are)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    out: list[Diagnostic] = []
    for path, found in by_path.items():
        text = text_of(path) if needs_source(found) else None
        out.extend(attach_fixes(found, text) if text is not None else found)
    out.sort(key=lambda d: d.sort_key)
    return out


def read_text(path: str) -> str | None:
    from scopelint.files import FileProblem, decode, read_bytes
    from scopelint.notebook import is_notebook

    if is_notebook(path):
        return None  # positions are in the notebook's virtual source; notebooks are not rewritten
    try:
        return decode(path, read_bytes(path))
    except FileProblem:
        return None
