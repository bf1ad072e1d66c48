"""Strings that name variables or scopes: ``.name`` comparisons, tensor lookups,
collection filters (``re.match`` on names ending in ":0"), ``init_from_checkpoint`` maps."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scopelint.model import events as ev
from scopelint.model import ir
from scopelint.model import tfapi
from scopelint.model import values as v
from scopelint.model.context import Host
from scopelint.model.tfargs import arg

_VARIABLE_COLLECTION_STRINGS = frozenset({"variables", "trainable_variables", "model_variables", "local_variables"})


class NameRefs:
    def __init__(self, host: Host) -> None:
        self.i = host
        # name_scope-prefixed spelling of a get_variable name -> (real name, node) (SL101/SL102)
        self.prefixed: dict[str, tuple[str, ir.Pos]] = {}

    def name_compared(self, variable: v.Variable, text: str, node: ir.Pos, op: bool = False) -> None:
        agrees: bool | None = None
        if ev.is_concrete(variable.name) and ev.is_concrete(text):
            agrees = text == (variable.name if op else variable.name + ":0")
        self.i.emit(ev.NameReferenced("compare", text, node, self.i.site(node), variable.name, variable.node, agrees,
                                      variable_path=variable.path))

    def lookup(self, value: Any, node: ir.Call) -> None:
        text = v.as_str(value)
        if text is None or not ev.is_concrete(text):
            return
        base = re.sub(r":\d+$", "", text)
        graph = self.i.ctx.graph
        if base in graph.variables:
            record = graph.variables[base]
            self.i.emit(ev.NameReferenced("tensor-lookup", text, node.pos, self.i.site(node.pos), base, record.node, True,
                                          variable_path=record.path or None))
        elif base in self.prefixed:
            real, created = self.prefixed[base]
            self.i.emit(ev.NameReferenced("tensor-lookup", text, node.pos, self.i.site(node.pos), real, created, False))

    def collection_filter(self, scope: Any, node: ir.Call, trainable_only: bool = False) -> Any:
        text = v.as_str(scope)
        if text is None or not ev.is_concrete(text) or not text:
            return v.Unknown("variable list")
        graph = self.i.ctx.graph
        try:
            pattern = re.compile(text)
        except re.error:
            return v.Unknown("variable list")
        # TF matches against Variable.name, which ends in ":0".
        matches = tuple(sorted(
            name for name, record in graph.variables.items()
            if pattern.match(name + ":0") and (record.trainable or not trainable_only)
        ))
        complete = graph.complete and all(record.certain for record in graph.variables.values()) and self.i.certain
        ns_exists = text.rstrip("/").lower() in graph.names_in_use
        self.i.emit(ev.NameReferenced("collection-filter", text, node.pos, self.i.site(node.pos), matches=matches,
                                      complete=complete, name_scope_exists=ns_exists))
        return v.FilterResult(len(self.i.events) - 1)

    def mark_asserted(self, values: list[Any]) -> None:
        """A filter result checked by an assertion: its emptiness is expected."""
        for value in values:
            if isinstance(value, v.FilterResult):
                event = self.i.events[value.event]
                self.i.events[value.event] = replace(event, asserted=True)

    def get_collection(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        key = arg(args, kwargs, 0, "key")
        scope = arg(args, kwargs, 1, "scope")
        is_variables = (isinstance(key, v.Api) and key.name.rsplit(".", 1)[-1] in tfapi.VARIABLE_COLLECTIONS) or (
            isinstance(key, v.Lit) and key.value in _VARIABLE_COLLECTION_STRINGS
        )
        if is_variables:
            return self.collection_filter(scope, node, trainable_only=is_trainable_collection(key))
        return v.Unknown("collection")

    def init_from_checkpoint(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        """``assignment_map`` values name graph variables ('scope/w') or scopes ('scope/')."""
        mapping = arg(args, kwargs, 1, "assignment_map")
        if not isinstance(mapping, v.DictValue):
            return v.Lit(None)
        graph = self.i.ctx.graph
        complete = graph.complete and all(record.certain for record in graph.store.values()) and self.i.certain
        for value in mapping.items.values():
            text = v.as_str(value)
            if text is None or not text or not ev.is_concrete(text):
                continue
            site = self.i.site(node.pos)
            if text.endswith("/"):
                matches = tuple(sorted(name for name in graph.store if name.startswith(text)))
                self.i.emit(ev.NameReferenced("checkpoint-map", text, node.pos, site, matches=matches, complete=complete,
                                              name_scope_exists=text.rstrip("/").lower() in graph.names_in_use))
            elif text in graph.store:
                self.i.emit(ev.NameReferenced("checkpoint-map", text, node.pos, site, text, graph.store[text].node, True,
                                              variable_path=graph.store[text].path or None))
            elif text in self.prefixed:
                real, created = self.prefixed[text]
                self.i.emit(ev.NameReferenced("checkpoint-map", text, node.pos, site, real, created, False))
            else:
                self.i.emit(ev.NameReferenced("checkpoint-map", text, node.pos, site, complete=complete))
        return v.Lit(None)

    def get_collection_handler(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> Any:
        return self.get_collection(args, kwargs, node)


def is_trainable_collection(key: Any) -> bool:
    """``tf.GraphKeys.TRAINABLE_VARIABLES`` (or its string): a trainable=False variable
    (``global_step``) is not in it."""
    return (isinstance(key, v.Api) and key.name.endswith("TRAINABLE_VARIABLES")) or key == v.Lit("trainable_variables")

