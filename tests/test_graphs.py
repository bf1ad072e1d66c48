"""Which graph a block builds in (scopelint/model/tfgraphs.py), below the programs of
test_sl201.py / test_sl202.py (which TF runs in test_sl2_programs_tf.py)."""

from __future__ import annotations

from types import SimpleNamespace

from scopelint.model import ir
from scopelint.model import values as v
from scopelint.model.context import Ctx
from scopelint.model.state import Graph
from scopelint.model.tfgraphs import Graphs


def _host(graph: Graph) -> SimpleNamespace:
    assert graph.root is not None
    # A real Ctx: a compiled model (README, Speed) checks the type of what it reads.
    return SimpleNamespace(ctx=Ctx(graph=graph, ns="", vs=graph.root))


def _cached_graph(graphs: Graphs, owner: v.Instance) -> Graph:
    context = graphs.session_method(owner, "cached_session", [], {}, ir.Call(ir.Name("self"), (), (), ir.NO_POS))
    return context.args["graph"]  # type: ignore[no-any-return]


def test_cached_session_belongs_to_its_test_object_even_when_an_id_comes_back() -> None:
    """Found on tf-slim's vgg_test.py: a later test method's object took the id() of an earlier
    one and got its cached graph, so the model saw vgg_a built twice in one graph."""
    cls = v.Class(ir.ClassDef("T", (), (), ir.NO_POS), "m", {}, [])
    first_graph, later_graph = Graph.fresh(), Graph.fresh()
    host = _host(first_graph)
    graphs = Graphs(host)  # type: ignore[arg-type]
    first = v.Instance(cls)
    assert _cached_graph(graphs, first) is first_graph
    assert _cached_graph(graphs, first) is first_graph  # the same test: the same cached session
    seen = id(first)
    del first
    host.ctx.graph = later_graph  # the next test method's default graph
    for _ in range(1000):  # CPython hands a freed block out again: look for an object at that id
        later = v.Instance(cls)
        if id(later) == seen:
            break
    assert _cached_graph(graphs, later) is later_graph
