"""The model's intermediate representation: a small, picklable lowering of a module.

:mod:`scopelint.model.lower` produces it in one walk over the syntax tree; the
interpreter (:mod:`scopelint.model.interpret`) runs it. It keeps only what
naming semantics depend on -- calls, ``with`` blocks, assignments, control flow,
functions, classes, string building -- and turns everything else into
:class:`Unknown` with a reason. No syntax-tree nodes survive: facts are cached
by file content and shipped between processes.

Positions are 1-based lines and 1-based character columns, end exclusive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterator, Union

Pos = tuple[int, int, int, int]  # line, column, end_line, end_column
NO_POS: Pos = (0, 0, 0, 0)
# Imports-table key prefix of ``from module import *`` ("*ops" -> "ops"): no name starts with it.
STAR_IMPORT = "*"


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Const:
    value: str | int | float | bool | None


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Attr:
    value: "Expr"
    attr: str


@dataclass(frozen=True)
class Call:
    func: "Expr"
    args: tuple["Expr", ...]
    # (None, expr) stands for ``**expr``.
    kwargs: tuple[tuple[str | None, "Expr"], ...]
    pos: Pos
    starred: bool = False  # ``*args`` present: positional binding is unknown
    star_args: tuple["Expr", ...] = ()  # the ``*x`` expressions (bound where their items are known)
    # For each of ``star_args``: how many of ``args`` come before it (``f(a, *b)``: (1,)).
    star_positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class BinOp:
    op: str  # "+", "%", "*", ...
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Compare:
    op: str  # "==", "!=", ">", "<", ">=", "<=", "is", "is not", "in", "not in"
    left: "Expr"
    right: "Expr"
    pos: Pos


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    values: tuple["Expr", ...]


@dataclass(frozen=True)
class Not:
    value: "Expr"


@dataclass(frozen=True)
class FString:
    # literal text or formatted expressions, in order
    parts: tuple[Union[str, "Expr"], ...]


@dataclass(frozen=True)
class Seq:
    items: tuple["Expr", ...]
    kind: str = "list"  # "list" | "tuple"


@dataclass(frozen=True)
class DictE:
    keys: tuple["Expr | None", ...]  # None: ``**mapping``
    values: tuple["Expr", ...]


@dataclass(frozen=True)
class Subscript:
    value: "Expr"
    index: "Expr"


@dataclass(frozen=True)
class Slice:
    """``a:b:c`` inside a subscript (``x.get_shape()[1:]``); a missing part is None."""

    lower: "Expr | None"
    upper: "Expr | None"
    step: "Expr | None"


@dataclass(frozen=True)
class IfExp:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"


@dataclass(frozen=True)
class Lambda:
    params: tuple["Param", ...]
    body: "Expr"


@dataclass(frozen=True)
class ListComp:
    """``[elt for target in iter]`` with one generator and no condition."""

    elt: "Expr"
    target: "Target"
    iter: "Expr"


@dataclass(frozen=True)
class Yield:
    """``yield value``: in a ``@contextmanager`` generator, where the ``with`` body runs."""

    value: "Expr | None"


@dataclass(frozen=True)
class Unknown:
    reason: str


Expr = Union[Const, Name, Attr, Call, BinOp, Compare, BoolOp, Not, FString, Seq, DictE, Subscript, Slice, IfExp, Lambda, ListComp,
             Yield, Unknown]


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class TargetName:
    id: str


@dataclass(frozen=True)
class TargetAttr:
    value: Expr
    attr: str


@dataclass(frozen=True)
class TargetSeq:
    items: tuple["Target", ...]


@dataclass(frozen=True)
class TargetSubscript:
    """``d[key] = ...``."""

    value: Expr
    index: Expr


@dataclass(frozen=True)
class TargetOther:
    reason: str


Target = Union[TargetName, TargetAttr, TargetSeq, TargetSubscript, TargetOther]


@dataclass(frozen=True)
class Param:
    name: str
    default: Expr | None
    kind: str = "normal"  # "normal" | "kwonly" | "star" | "starstar"


@dataclass(frozen=True)
class Assign:
    targets: tuple[Target, ...]
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class ExprStmt:
    value: Expr
    pos: Pos


@dataclass(frozen=True)
class WithItem:
    context: Expr
    target: Target | None


@dataclass(frozen=True)
class With:
    items: tuple[WithItem, ...]
    body: tuple["Stmt", ...]
    pos: Pos  # the ``with`` header, up to its colon


@dataclass(frozen=True)
class For:
    target: Target
    iter: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]


@dataclass(frozen=True)
class While:
    test: Expr
    body: tuple["Stmt", ...]


@dataclass(frozen=True)
class If:
    test: Expr
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]


@dataclass(frozen=True)
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[tuple[tuple[str, ...], tuple["Stmt", ...]], ...]  # (caught names, body); () = bare except
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]


@dataclass(frozen=True)
class FunctionDef:
    name: str
    params: tuple[Param, ...]
    body: tuple["Stmt", ...]
    decorators: tuple[Expr, ...]
    pos: Pos
    qualname: str  # "f", "Class.method", "outer.<locals>.inner"
    # Every name (``Name.id``) and attribute name (``Attr.attr``) spelled anywhere in its body,
    # nested functions, their decorators and defaults included: collected by the lowering.
    spelled: frozenset[str]


@dataclass(frozen=True)
class ClassDef:
    name: str
    bases: tuple[Expr, ...]
    body: tuple["Stmt", ...]
    pos: Pos


@dataclass(frozen=True)
class Return:
    value: Expr | None


@dataclass(frozen=True)
class Raise:
    pass


@dataclass(frozen=True)
class Break:
    pass


@dataclass(frozen=True)
class Continue:
    pass


@dataclass(frozen=True)
class Assert:
    test: Expr
    pos: Pos


Stmt = Union[Assign, ExprStmt, With, For, While, If, Try, FunctionDef, ClassDef, Return, Raise, Break, Continue, Assert]


# ---------------------------------------------------------------- walking


def _subnode_fields() -> dict[type, tuple[str, ...]]:
    """For each IR class, the fields that can hold other IR (scalars and positions cannot)."""
    plans: dict[type, tuple[str, ...]] = {}
    for kind in list(globals().values()):
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__module__ == __name__:
            plans[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                if f.name != "pos" and f.type not in ("str", "int", "bool", "str | None", "Pos"))
    return plans


_SUBNODE_FIELDS = _subnode_fields()


def children(node: Any) -> Iterator[Any]:
    """The IR nodes directly inside ``node`` (through tuples, however nested), in field order."""
    for name in _SUBNODE_FIELDS.get(type(node), ()):
        yield from _nodes_in(getattr(node, name))


def _nodes_in(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)
    elif type(value) in _SUBNODE_FIELDS:
        yield value
