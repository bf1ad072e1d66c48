"""Lower a module to the model's IR in one walk over CPython's ``ast``.

Why ``ast`` and not the libcst tree the engine parsed: the model needs a
position for every call it keeps, and libcst computes positions only through
``MetadataWrapper(...).resolve(PositionProvider)``. Measured on the sources of
tf-slim 1.1.0 + tensornets 0.4.6 (131 files, 60.7k lines, 2 busy cores):
``libcst.parse_module`` 7.2 s, ``PositionProvider`` 17.6 s more (2.4x the
parse), ``ast.parse`` plus this lowering 2.2 s (0.31x the parse) with positions
on every node. ``module.code`` (libcst codegen) would add 1.9 s, so the engine
passes the text it decoded. Columns in ``ast`` are UTF-8 byte offsets;
:class:`_Lines` turns them into characters.
"""

from __future__ import annotations

import ast
from typing import Iterable

from scopelint.model import ir


class _Lines:
    def __init__(self, source: str) -> None:
        # Most sources are ASCII: their byte offsets are their columns, and the line table
        # (a split of the whole text, once per lowering: per chunk in the editor) is not needed.
        self.ascii = source.isascii()
        self._source = source
        self._table: list[str] | None = None

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a UTF-8 byte offset on a 1-based line."""
        if self.ascii:
            return byte_offset + 1
        if self._table is None:
            self._table = self._source.splitlines()
        if 1 <= line <= len(self._table):
            text = self._table[line - 1]
            if not text.isascii():
                return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) + 1
        return byte_offset + 1


class Lowerer:
    def __init__(self, source: str, package: str | None) -> None:
        self._lines = _Lines(source)
        self._package = package
        self.imports: dict[str, str] = {}
        self._qual: list[str] = []
        # One object for each distinct name, constant and dotted name of the module: a third of
        # its IR's objects, which phase 1's workers pickle and the parent unpickles (the IR is
        # immutable, and nothing keys on an expression's identity).
        self._shared: dict[object, ir.Expr] = {}
        # The names and attribute names spelled in the body being lowered (FunctionDef.spelled):
        # collected here, where every node is visited anyway, instead of by a walk per function
        # on every analysis. The module body's go to a set nothing reads.
        self._spelled: set[str] = set()

    # ------------------------------------------------------------ helpers

    def pos(self, node: ast.AST) -> ir.Pos:
        line = getattr(node, "lineno", 0)
        end_line = getattr(node, "end_lineno", None) or line
        if self._lines.ascii:
            return (line, getattr(node, "col_offset", 0) + 1, end_line, (getattr(node, "end_col_offset", None) or 0) + 1)
        column = self._lines.column(line, getattr(node, "col_offset", 0))
        end_column = self._lines.column(end_line, getattr(node, "end_col_offset", None) or 0)
        return (line, column, end_line, end_column)

    def header_pos(self, node: ast.With | ast.AsyncWith) -> ir.Pos:
        last = node.items[-1]
        end = last.optional_vars or last.context_expr
        line, column, _, _ = self.pos(node)
        _, _, end_line, end_column = self.pos(end)
        return (line, column, end_line, end_column)

    # ------------------------------------------------------------ statements

    def body(self, statements: Iterable[ast.stmt]) -> tuple[ir.Stmt, ...]:
        out: list[ir.Stmt] = []
        for statement in statements:
            lowered = self.stmt(statement)
            if lowered is not None:
                out.append(lowered)
        return tuple(out)

    def stmt(self, node: ast.stmt) -> ir.Stmt | None:  # noqa: C901 - one dispatch table
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):
                return None  # docstrings
            return ir.ExprStmt(self.expr(node.value), self.pos(node))
        if isinstance(node, ast.Assign):
            return ir.Assign(tuple(self.target(t) for t in node.targets), self.expr(node.value), self.pos(node))
        if isinstance(node, ast.AnnAssign):
            if node.value is None:
                return None
            return ir.Assign((self.target(node.target),), self.expr(node.value), self.pos(node))
        if isinstance(node, ast.AugAssign):
            value = ir.BinOp(_OPS.get(type(node.op), "?"), self.expr(_load(node.target)), self.expr(node.value))
            return ir.Assign((self.target(node.target),), value, self.pos(node))
        if isinstance(node, (ast.With, ast.AsyncWith)):
            items = tuple(
                ir.WithItem(self.expr(item.context_expr), self.target(item.optional_vars) if item.optional_vars else None)
                for item in node.items
            )
            return ir.With(items, self.body(node.body), self.header_pos(node))
        if isinstance(node, (ast.For, ast.AsyncFor)):
            return ir.For(self.target(node.target), self.expr(node.iter), self.body(node.body), self.body(node.orelse))
        if isinstance(node, ast.While):
            return ir.While(self.expr(node.test), self.body(node.body) + self.body(node.orelse))
        if isinstance(node, ast.If):
            return ir.If(self.expr(node.test), self.body(node.body), self.body(node.orelse))
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            handlers = tuple((_caught(h.type), self.body(h.body)) for h in node.handlers)  # type: ignore[attr-defined]
            return ir.Try(self.body(node.body), handlers, self.body(node.orelse), self.body(node.finalbody))  # type: ignore[attr-defined]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.function(node)
        if isinstance(node, ast.ClassDef):
            self._qual.append(node.name)
            try:
                body = self.body(node.body)
            finally:
                self._qual.pop()
            return ir.ClassDef(node.name, tuple(self.expr(b) for b in node.bases), body, self.pos(node))
        if isinstance(node, ast.Return):
            return ir.Return(self.expr(node.value) if node.value is not None else None)
        if isinstance(node, ast.Raise):
            return ir.Raise()
        if isinstance(node, ast.Break):
            return ir.Break()
        if isinstance(node, ast.Continue):
            return ir.Continue()
        if isinstance(node, ast.Assert):
            return ir.Assert(self.expr(node.test), self.pos(node))
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    self.imports[head] = head
            return None
        if isinstance(node, ast.ImportFrom):
            base = self._from_module(node)
            if base is not None:
                for alias in node.names:
                    if alias.name != "*":
                        self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
                    elif base:
                        # ``from ops import *``: its names are looked up in that module when the
                        # linted tree holds it.
                        self.imports[f"{ir.STAR_IMPORT}{base}"] = base
            return None
        return None  # pass, global, del, match (not modelled)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ir.FunctionDef:
        qualname = ".".join(self._qual + [node.name])
        self._qual.extend([node.name, "<locals>"])
        enclosing, self._spelled = self._spelled, set()
        try:
            body = self.body(node.body)
        finally:
            del self._qual[-2:]
            spelled, self._spelled = self._spelled, enclosing
        # A nested function is part of the enclosing body: its names, its parameters'
        # defaults and its decorators are spelled there too.
        enclosing.update(spelled)
        return ir.FunctionDef(
            name=node.name,
            params=self.params(node.args),
            body=body,
            decorators=tuple(self.expr(d) for d in node.decorator_list),
            pos=self.pos(node),
            qualname=qualname,
            spelled=frozenset(spelled),
        )

    def params(self, args: ast.arguments) -> tuple[ir.Param, ...]:
        positional = list(args.posonlyargs) + list(args.args)
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        out = [ir.Param(a.arg, self.expr(d) if d is not None else None) for a, d in zip(positional, defaults)]
        if args.vararg:
            out.append(ir.Param(args.vararg.arg, None, "star"))
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            out.append(ir.Param(arg.arg, self.expr(default) if default is not None else None, "kwonly"))
        if args.kwarg:
            out.append(ir.Param(args.kwarg.arg, None, "starstar"))
        return tuple(out)

    def _from_module(self, node: ast.ImportFrom) -> str | None:
        if not node.level:
            return node.module or ""
        if self._package is None:
            return None
        parts = self._package.split(".")
        if node.level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (node.level - 1)]
        if node.module:
            base.append(node.module)
        return ".".join(base)

    def target(self, node: ast.expr) -> ir.Target:
        if isinstance(node, ast.Name):
            return ir.TargetName(node.id)
        if isinstance(node, ast.Attribute):
            return ir.TargetAttr(self.expr(node.value), node.attr)
        if isinstance(node, (ast.Tuple, ast.List)):
            return ir.TargetSeq(tuple(self.target(e) for e in node.elts))
        if isinstance(node, ast.Subscript):
            return ir.TargetSubscript(self.expr(node.value), self.expr(node.slice))
        if isinstance(node, ast.Starred):
            return ir.TargetOther("starred target")
        return ir.TargetOther(type(node).__name__)

    # ------------------------------------------------------------ expressions

    def expr(self, node: ast.expr) -> ir.Expr:  # noqa: C901 - one dispatch table
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, (str, int, float, bool)) or value is None:
                # By type and spelling: 1 == True == 1.0 and 0.0 == -0.0 are different constants.
                key: object = ("const", type(value), repr(value) if isinstance(value, float) else value)
                return self._shared.get(key) or self._shared.setdefault(key, ir.Const(value))
            return ir.Unknown("constant")
        if isinstance(node, ast.Name):
            self._spelled.add(node.id)
            return self._shared.get(node.id) or self._shared.setdefault(node.id, ir.Name(node.id))
        if isinstance(node, ast.Attribute):
            self._spelled.add(node.attr)
            owner = self.expr(node.value)
            if type(owner) is not ir.Name and type(owner) is not ir.Attr:
                return ir.Attr(owner, node.attr)
            key = ("attr", id(owner), node.attr)  # a shared owner: kept alive by the table
            return self._shared.get(key) or self._shared.setdefault(key, ir.Attr(owner, node.attr))
        if isinstance(node, ast.Call):
            starred = any(isinstance(a, ast.Starred) for a in node.args)
            args = tuple(self.expr(a) for a in node.args if not isinstance(a, ast.Starred))
            kwargs = tuple((k.arg, self.expr(k.value)) for k in node.keywords)
            stars = tuple(self.expr(a.value) for a in node.args if isinstance(a, ast.Starred))
            before = tuple(
                sum(not isinstance(b, ast.Starred) for b in node.args[:k]) for k, a in enumerate(node.args) if isinstance(a, ast.Starred)
            )
            return ir.Call(self.expr(node.func), args, kwargs, self.pos(node), starred, stars, before)
        if isinstance(node, ast.BinOp):
            return ir.BinOp(_OPS.get(type(node.op), "?"), self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.Compare):
            if len(node.ops) == 1:
                return ir.Compare(_CMP.get(type(node.ops[0]), "?"), self.expr(node.left), self.expr(node.comparators[0]), self.pos(node))
            return ir.Unknown("chained comparison")
        if isinstance(node, ast.BoolOp):
            return ir.BoolOp("and" if isinstance(node.op, ast.And) else "or", tuple(self.expr(v) for v in node.values))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return ir.Not(self.expr(node.operand))
            if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float)):
                return ir.Const(-node.operand.value)
            return ir.Unknown("unary operator")
        if isinstance(node, ast.JoinedStr):
            parts: list[str | ir.Expr] = []
            for piece in node.values:
                if isinstance(piece, ast.Constant) and isinstance(piece.value, str):
                    parts.append(piece.value)
                elif isinstance(piece, ast.FormattedValue) and piece.format_spec is None and piece.conversion == -1:
                    parts.append(self.expr(piece.value))
                else:
                    parts.append(ir.Unknown("formatted value"))
            return ir.FString(tuple(parts))
        if isinstance(node, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return ir.Unknown("starred element")
            return ir.Seq(tuple(self.expr(e) for e in node.elts), "tuple" if isinstance(node, ast.Tuple) else "list")
        if isinstance(node, ast.Dict):
            return ir.DictE(tuple(self.expr(k) if k is not None else None for k in node.keys), tuple(self.expr(v) for v in node.values))
        if isinstance(node, ast.Subscript):
            return ir.Subscript(self.expr(node.value), self.expr(node.slice))
        if isinstance(node, ast.Slice):
            return ir.Slice(*(self.expr(part) if part is not None else None for part in (node.lower, node.upper, node.step)))
        if isinstance(node, ast.IfExp):
            return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        if isinstance(node, ast.Lambda):
            return ir.Lambda(self.params(node.args), self.expr(node.body))
        if isinstance(node, ast.ListComp) and len(node.generators) == 1 and not node.generators[0].ifs:
            generator = node.generators[0]
            return ir.ListComp(self.expr(node.elt), self.target(generator.target), self.expr(generator.iter))
        if isinstance(node, ast.NamedExpr):
            return self.expr(node.value)
        if isinstance(node, ast.Yield):
            return ir.Yield(self.expr(node.value) if node.value is not None else None)
        return ir.Unknown(type(node).__name__)


def _load(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Name):
        return ast.Name(node.id, ast.Load())
    return node


def _dotted(node: ast.expr | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _caught(node: ast.expr | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node, ast.Tuple):
        return tuple(_dotted(e).rsplit(".", 1)[-1] for e in node.elts)
    return (_dotted(node).rsplit(".", 1)[-1],)


_OPS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}
_CMP: dict[type, str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}


def lower_module(
    source: str, package: str | None, tree: ast.Module | None = None
) -> tuple[tuple[ir.Stmt, ...], dict[str, str]]:
    """The module body as IR, and its imports (local name -> dotted origin).
    ``tree``: ``ast.parse(source)`` when the caller already has it."""
    if tree is None:
        from scopelint.pyast import parse

        tree = parse(source)
    lowerer = Lowerer(source, package)
    return lowerer.body(tree.body), lowerer.imports


def lower_notebook(
    source: str, package: str | None, first_lines: tuple[int, ...], tree: ast.Module | None = None
) -> tuple[tuple[ir.Stmt, ...], dict[str, str], tuple[tuple[int, int], ...]]:
    """:func:`lower_module` for a notebook's virtual source, plus which body
    statements each code cell holds: (start, end) indices per cell, in the order
    of ``first_lines`` (the line each cell starts on)."""
    import bisect

    if tree is None:
        tree = ast.parse(source)
    lowerer = Lowerer(source, package)
    body: list[ir.Stmt] = []
    owners: list[int] = []
    for statement in tree.body:
        lowered = lowerer.stmt(statement)
        if lowered is not None:
            body.append(lowered)
            owners.append(bisect.bisect_right(first_lines, statement.lineno) - 1)
    ranges = []
    for cell in range(len(first_lines)):
        held = [i for i, owner in enumerate(owners) if owner == cell]
        ranges.append((held[0], held[-1] + 1) if held else (len(body), len(body)))
    return tuple(body), lowerer.imports, tuple(ranges)
