"""Graphs: which graph a statement builds in, and what entering one does.

Everything the model tracks (the variable store, name counts, the current name
and variable scope) belongs to one graph. TF 2.21 ``tf.compat.v1``, proven in
tests/test_sl201.py and tests/test_explain_names_tf.py:

* ``tf.Graph()`` is a new, empty graph; ``tf.reset_default_graph()`` replaces the default one.
* ``with g.as_default():`` builds in ``g`` from its root scopes (a fresh graph starts
  fresh names and a fresh store, whatever scope the ``with`` sits in); entering the graph
  that is already the default keeps the current name and variable scope.
* ``with tf.Session(graph=g):`` enters ``g`` (``Session.__enter__`` runs ``g.as_default()``);
  without ``graph`` the session is on the default graph and changes nothing.
* ``tf.test.TestCase``: ``self.session(graph=g)`` / ``self.test_session(graph=g)`` enter
  ``g``; without a graph they use the default graph (a fresh one per test method:
  ``setUp`` resets it). ``self.cached_session()`` (and ``test_session()`` without a graph)
  keeps the session of its first call in the test and enters that session's graph, even
  where the default graph is another one by then.
"""

from __future__ import annotations

from typing import Any

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.context import Host
from scopelint.model.state import Graph
from scopelint.model.tfargs import arg

SESSION_APIS = frozenset({"tf.Session", "tf.InteractiveSession"})
SESSION_METHODS = frozenset({"session", "cached_session", "test_session"})


class Graphs:
    def __init__(self, interp: Host) -> None:
        self.i = interp
        # A TestCase instance -> the graph of its cached session (cached_session()); keyed by the
        # instance itself, which one test method's run holds (its id() may come back later).
        self.cached: dict[v.Instance, Graph] = {}

    def new_graph(self) -> v.GraphValue:
        return v.GraphValue(Graph.fresh())

    def reset_default_graph(self) -> None:
        graph = Graph.fresh()
        assert graph.root is not None
        ctx = self.i.ctx
        ctx.graph, ctx.ns, ctx.vs, ctx.plain_ns, ctx.update_deps = graph, "", graph.root, False, False

    def session(self, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> v.Context:
        """``tf.Session(target, graph, config)``: as a context manager it enters its graph."""
        return self._session_on(arg(args, kwargs, 1, "graph"), node.pos)

    def session_method(self, owner: Any, name: str, args: list[Any], kwargs: dict[str, Any], node: ir.Call) -> v.Context:
        """``self.session()`` / ``self.cached_session()`` / ``self.test_session()`` of a TestCase."""
        given = arg(args, kwargs, 0, "graph")
        cached = name == "cached_session" or (name == "test_session" and _absent(given))
        if not cached or not isinstance(owner, v.Instance):
            return self._session_on(given, node.pos)
        if owner not in self.cached:
            self.cached[owner] = self._graph_of(given) if not _absent(given) else self.i.ctx.graph
        elif not _absent(given):
            return self._session_on(given, node.pos)
        return v.Context("graph", {"graph": self.cached[owner], "session": True}, node.pos)

    def _session_on(self, given: Any, node: ir.Pos) -> v.Context:
        if _absent(given):
            return v.Context("inert", node=node)
        return v.Context("graph", {"graph": self._graph_of(given), "session": True}, node)

    def _graph_of(self, given: Any) -> Graph:
        if isinstance(given, v.GraphValue):
            return given.graph  # type: ignore[no-any-return]
        # A graph the model cannot see: what it holds, and which scope it is in, are unknown.
        return Graph.fresh(known=False)

    def enter(self, context: v.Context) -> Any:
        graph: Graph = context.args["graph"]
        ctx = self.i.ctx
        if graph is not ctx.graph:
            root = graph.root
            assert root is not None
            # Name stack, variable scope and control dependencies are the graph's own.
            self.i.ctx = ctx.changed(graph=graph, ns=root.original_name_scope.rstrip("/"), vs=root, plain_ns=False,
                                     update_deps=False)
        return v.Inert("session") if context.args.get("session") else v.GraphValue(graph)


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, v.Lit) and value.value is None)
