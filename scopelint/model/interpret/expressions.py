"""Expressions: constants, operators, comparisons, subscripts, lambdas, comprehensions."""

from __future__ import annotations

from typing import Any, Callable

from scopelint.model import ir, shapes
from scopelint.model import values as v
from scopelint.model.interpret.statements import Statements
from scopelint.model.pyops import COMPARE, binop, concat, join_values
from scopelint.model.values import VarName


# TF graph objects compare by identity under TF1 semantics (``Tensor.__eq__`` without
# v2 equality), so none of them equals a string; a dtype does (``tf.float32 == 'float32'``).
_TF_OBJECTS = (v.Tensor, v.Variable, v.ScopeObject, v.GraphValue, v.Layer, v.Cell, v.Template, v.Optimizer, v.NetsModel, v.Saver)


def _never_equals_str(value: Any, other: Any) -> bool:
    """``value == other`` is known False: a TF object against a string literal."""
    return isinstance(value, _TF_OBJECTS) and isinstance(other, v.Lit) and isinstance(other.value, str)



class Expressions(Statements):
    def eval(self, node: ir.Expr) -> Any:
        # The four commonest nodes by exact type (IR classes have no subclasses): a few
        # million evaluations a run, most of them names.
        kind = type(node)
        known: Any = node  # an exact type test does not narrow for mypy; isinstance would cost
        if kind is ir.Name:
            return self.lookup(known.id)
        if kind is ir.Attr:
            owner = known.value  # mostly a name (tf.nn, self.x): looked up without another eval
            return self.attribute(self.lookup(owner.id) if type(owner) is ir.Name else self.eval(owner), known.attr)
        if kind is ir.Call:
            return self.call(known)
        if kind is ir.Const:
            return v.Lit(known.value)
        return self._eval_other(node)

    def _eval_other(self, node: ir.Expr) -> Any:
        # By exact type, through a table: the chain of isinstance tests it replaces took six
        # tests to reach the commonest of these (lists and tuples: 180k a tensor2tensor run).
        handler = _OTHER.get(type(node))
        if handler is None:
            return v.Unknown(node.reason if isinstance(node, ir.Unknown) else "expression")
        return handler(self, node)

    def _binop(self, node: ir.BinOp) -> Any:
        return binop(node.op, self.eval(node.left), self.eval(node.right))

    def _not(self, node: ir.Not) -> Any:
        operand = self.eval(node.value)
        self.tf.names.mark_asserted([operand])
        known = v.truth(operand)
        return v.Lit(not known) if known is not None else v.Unknown("not")

    def _fstring(self, node: ir.FString) -> Any:
        return concat([part if isinstance(part, str) else self.eval(part) for part in node.parts])

    def _seq(self, node: ir.Seq) -> Any:
        return v.SeqValue([self.eval(item) for item in node.items])

    def _dict(self, node: ir.DictE) -> Any:
        items: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
            evaluated = self.eval(value)
            if key is None:
                return v.Unknown("dict unpacking")
            k = self.eval(key)
            items[k.value if isinstance(k, v.Lit) else id(k)] = evaluated
        return v.DictValue(items)

    def _subscript(self, node: ir.Subscript) -> Any:
        return self.subscript(self.eval(node.value), self.eval(node.index))

    def _slice(self, node: ir.Slice) -> Any:
        bounds = [v.as_int(self.eval(part)) if part is not None else None for part in (node.lower, node.upper, node.step)]
        given = [part is not None for part in (node.lower, node.upper, node.step)]
        if any(known is None and was for known, was in zip(bounds, given)) or bounds[2] == 0:
            return v.Unknown("slice")
        return shapes.SliceValue(slice(*bounds))

    def _ifexp(self, node: ir.IfExp) -> Any:
        test = v.truth(self.eval(node.test))
        if test is None:
            return join_values(self.eval(node.body), self.eval(node.orelse))
        return self.eval(node.body if test else node.orelse)

    def _lambda(self, node: ir.Lambda) -> Any:
        definition = ir.FunctionDef("<lambda>", node.params, (ir.Return(node.body),), (), ir.NO_POS, "<lambda>", frozenset())
        return v.Function(definition, self.frame.module, self.frame.env)

    def _listcomp(self, node: ir.ListComp) -> Any:
        elements = self.iterate(self.eval(node.iter))
        if elements is None:
            self.bind(node.target, v.Unknown("comprehension"))
            self.eval(node.elt)
            return v.Unknown("comprehension of unknown length")
        out = []
        for item in elements:
            self.bind(node.target, item)
            out.append(self.eval(node.elt))
        return v.SeqValue(out)

    def _yield(self, node: ir.Yield) -> Any:
        return self.yielded(self.eval(node.value) if node.value is not None else v.Lit(None))

    def boolop(self, node: ir.BoolOp) -> Any:
        result: Any = v.Lit(node.op == "and")
        for item in node.values:
            value = self.eval(item)
            known = v.truth(value)
            if known is None:
                return v.Unknown("boolean operator")
            result = value
            if (node.op == "and" and not known) or (node.op == "or" and known):
                return value
        return result

    def compare(self, node: ir.Compare) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        self.tf.names.mark_asserted([left, right])
        for a, b in ((left, right), (right, left)):
            if isinstance(a, VarName) and v.as_str(b) is not None and node.op in ("==", "!="):
                self.pure.impure += 1
                self.tf.names.name_compared(a.variable, v.as_str(b) or "", node.pos, a.op)
                return v.Unknown("name comparison")
        if isinstance(left, v.Lit) and isinstance(right, v.Lit):
            try:
                return v.Lit(COMPARE[node.op](left.value, right.value))
            except (TypeError, KeyError):
                return v.Unknown("comparison")
        if node.op in ("is", "is not") and isinstance(right, v.Lit) and right.value is None:
            if isinstance(left, (v.ScopeObject, v.Function, v.Instance, v.Layer, v.Cell, v.Variable)):
                return v.Lit(node.op == "is not")
        if node.op in ("==", "!=") and (_never_equals_str(left, right) or _never_equals_str(right, left)):
            return v.Lit(node.op == "!=")
        return v.Unknown("comparison")

    def subscript(self, value: Any, index: Any) -> Any:
        if isinstance(index, shapes.SliceValue) and isinstance(value, v.SeqValue):
            return v.SeqValue(value.items[index.bounds])
        if isinstance(index, shapes.SliceValue) and isinstance(value, v.Lit) and isinstance(value.value, str):
            return v.Lit(value.value[index.bounds])
        if isinstance(value, v.SeqValue) and isinstance(index, v.Lit) and isinstance(index.value, int):
            try:
                return value.items[index.value]
            except IndexError:
                return v.Unknown("index")
        if isinstance(value, v.DictValue) and isinstance(index, v.Lit):
            return value.items.get(index.value, v.Unknown("key"))
        if isinstance(value, (v.Tensor, shapes.Shape)):
            return shapes.subscript(value, index)
        if isinstance(value, v.Inert):
            return value
        return v.Unknown("subscript")


# The expressions eval() does not test for itself, by exact type (IR classes have no subclasses).
_OTHER: dict[type, Callable[[Expressions, Any], Any]] = {
    ir.Seq: Expressions._seq,
    ir.BinOp: Expressions._binop,
    ir.Compare: Expressions.compare,
    ir.Subscript: Expressions._subscript,
    ir.BoolOp: Expressions.boolop,
    ir.Slice: Expressions._slice,
    ir.Not: Expressions._not,
    ir.ListComp: Expressions._listcomp,
    ir.DictE: Expressions._dict,
    ir.IfExp: Expressions._ifexp,
    ir.Lambda: Expressions._lambda,
    ir.FString: Expressions._fstring,
    ir.Yield: Expressions._yield,
}
