"""Phase 2's shared state between runs and branches: what is reused must answer as a fresh build would."""

from __future__ import annotations

from scopelint.model import ModuleFacts
from scopelint.model.project import LazyModules, _importers_index
from scopelint.model.state import Graph, Record


def _project() -> dict[str, ModuleFacts]:
    return {
        "ops": ModuleFacts(path="ops.py", module_name="ops"),
        "a": ModuleFacts(path="a.py", module_name="a", imports=(("dense", "ops.dense"),)),
        "b": ModuleFacts(path="b.py", module_name="b", imports=(("ops", "ops"),)),
    }


def test_import_index_is_reused_for_the_same_project_and_rebuilt_when_a_module_changes() -> None:
    project = _project()
    first = _importers_index(project)
    assert _importers_index(dict(project)) is first  # another module run of the same tree
    assert LazyModules("ops", project["ops"], project).importers("ops", "dense") == ["a", "b"]
    project["a"] = ModuleFacts(path="a.py", module_name="a")  # edited: imports nothing now
    assert _importers_index(project) is not first
    assert LazyModules("ops", project["ops"], project).importers("ops", "dense") == ["b"]


def _record(name: str, shape: tuple[int | None, ...] | None = (1,)) -> Record:
    return Record(name, shape, (1, 0, 1, 1))


def test_merge_keeps_shared_records_and_marks_one_branch_ones_uncertain() -> None:
    before = _record("w")
    graph = Graph.fresh()
    graph.store["w"] = graph.variables["w"] = before
    start = graph.detach()
    graph.restore(start.snapshot())
    graph.store["only_a"] = _record("only_a")
    graph.store["both"] = _record("both", (2,))
    graph.names_in_use["x"] = 2
    a = graph.detach()
    graph.restore(start.snapshot())
    graph.store["both"] = _record("both", (3,))
    graph.store["only_b"] = _record("only_b")
    graph.names_in_use["y"] = 1
    graph.merge(a, graph.detach())
    assert list(graph.store) == ["w", "only_a", "both", "only_b"]  # creation order, a's branch first
    assert graph.store["w"] is before
    assert not graph.store["only_a"].certain and not graph.store["only_b"].certain
    assert graph.store["both"].certain and graph.store["both"].shape is None  # made with two shapes
    assert graph.names_in_use == {"x": 2, "y": 1}
    assert start.store == {"w": before}  # the state before the if is left as it was


def test_closing_a_scope_resets_exactly_the_counts_below_it() -> None:
    # TF resets the default_name counts of every scope below one that closes (re-entering
    # variable_scope("m") gives a layer m/dense again; test_model_tf checks that against TF).
    # The graph finds them through its index of opened scopes: each close must reset what a
    # scan of every count for the prefix "m/" would, and nothing else ("a/bc" is not below
    # "a/b"), through the copies and merges of branches too.
    import random

    rng = random.Random(7)
    names = ["a", "a/b", "a/b/c", "a/bc", "ab", "a/b/c/d", "x/y", "{scope}/d", "{scope}/d/e"]
    graph = Graph.fresh()
    graph.open_scope("a/b/c/d")  # deepest first: its parents were never opened themselves
    closes = 0
    for step in range(600):
        name = rng.choice(names)
        if rng.random() < 0.6:
            graph.open_scope(name)
        else:
            expected = {key: 0 if key.startswith(name + "/") else count for key, count in graph.scope_counts.items()}
            closes += expected != graph.scope_counts
            graph.close_subscopes(name)
            assert graph.scope_counts == expected, (step, name)
        if step % 40 == 39:  # an undecided `if`, as fork() runs it: each branch opens a scope of its own
            start = graph.detach()
            graph.restore(start.snapshot())
            graph.open_scope(rng.choice(names) + "/left")
            left = graph.detach()
            graph.restore(start.snapshot())
            graph.open_scope(rng.choice(names) + "/right/" + rng.choice(names))
            graph.merge(left, graph.detach())
    assert closes > 50  # the closes did reset counts


def _random_step(graph: Graph, rng: "random.Random", names: list[str]) -> None:
    """One change a run makes to the graph, through the paths the model writes it by."""
    name = rng.choice(names)
    kind = rng.randrange(5)
    if kind == 0:
        graph.unique_name(name)
    elif kind == 1:
        graph.open_scope(name)
    elif kind == 2:
        graph.close_subscopes(name)
    elif kind == 3:
        graph.keras_unique(name)
    else:
        graph.store_variable(name, _record(name, (rng.randrange(3),)))


def _state(graph: Graph) -> tuple[object, ...]:
    return (dict(graph.store), dict(graph.variables), dict(graph.names_in_use), dict(graph.scope_counts),
            dict(graph.keras_names), dict(graph.name_scope_sites))


def test_branches_that_borrow_the_state_before_an_if_end_as_branches_run_on_copies() -> None:
    # fork() lets each branch borrow the dicts of the state before the `if` and copy them on
    # its first write. Each graph below runs the same changes and `if`s (branches that write
    # nothing, some things, or many) once on copies, the way fork ran them before, and once
    # borrowing: the state after each `if`, and the state each `if` started from, must match.
    import random

    rng = random.Random(11)
    names = ["a", "a/b", "A", "a_1", "x/y", "x", "{scope}/d"]
    for trial in range(40):
        copied, borrowing = Graph.fresh(), Graph.fresh()
        for step in range(60):
            seed = rng.random()
            if rng.random() < 0.7:
                _random_step(copied, random.Random(seed), names)
                _random_step(borrowing, random.Random(seed), names)
                continue
            writes = (rng.choice([0, 0, 1, 3]), rng.choice([0, 0, 2]))
            start_c, start_b = copied.detach(), borrowing.detach()
            before = _state(start_b)
            ends = []
            for graph, start, borrow in ((copied, start_c, False), (borrowing, start_b, True)):
                results = []
                for branch, count in enumerate(writes):
                    if borrow:
                        graph.borrow(start)
                    else:
                        graph.restore(start.snapshot())
                    steps = random.Random(seed + branch)
                    for _ in range(count):
                        _random_step(graph, steps, names)
                    results.append(graph.detach())
                graph.merge(*results)
                ends.append(_state(graph))
            assert ends[0] == ends[1], (trial, step)
            assert _state(start_b) == before, (trial, step)  # no branch wrote into the state it borrowed
        assert _state(copied) == _state(borrowing)


def test_an_if_whose_branches_write_nothing_copies_nothing() -> None:
    graph = Graph.fresh()
    graph.open_scope("m")
    counts = graph.scope_counts
    start = graph.detach()
    results = []
    for _ in range(2):
        graph.borrow(start)
        results.append(graph.detach())
    graph.merge(*results)
    assert graph.scope_counts is counts
    graph.open_scope("n")  # the first write after it copies: the state before the if keeps its counts
    assert graph.scope_counts is not counts and counts == {"m": 1}
    assert graph.scope_counts == {"m": 1, "n": 1}


def test_a_changed_context_is_what_dataclasses_replace_makes() -> None:
    import dataclasses

    import pytest

    from scopelint.model.context import Ctx

    graph, other_graph = Graph.fresh(), Graph.fresh()
    assert graph.root is not None and other_graph.root is not None
    # Every field off its default (so a copy that forgot one, and took its default, shows),
    # and every replacement a value of the field's type (a compiled Ctx checks them).
    ctx = Ctx(graph=graph, ns="a", vs=graph.root, plain_ns=True, plain_ns_frame=7, plain_ns_at=(1, 0, 1, 9),
              arg_scopes=((frozenset({"conv2d"}), {"padding": "SAME"}),), expect_error=True, certain=False, update_deps=None)
    other = Ctx(graph=other_graph, ns="b", vs=other_graph.root, plain_ns=False, plain_ns_frame=3, plain_ns_at=(2, 0, 2, 5),
                arg_scopes=(), expect_error=False, certain=True, update_deps=True)
    for field in dataclasses.fields(Ctx):
        assert field.default is dataclasses.MISSING or getattr(ctx, field.name) != field.default, field.name
        value = getattr(other, field.name)
        assert getattr(ctx, field.name) != value or value is None, field.name
        changed = ctx.changed(**{field.name: value})
        assert changed == dataclasses.replace(ctx, **{field.name: value}) and changed is not ctx
        assert getattr(changed, field.name) is value
        assert getattr(ctx, field.name) is not value  # the original is left as it was
    assert ctx.changed() == ctx and ctx.changed() is not ctx
    with pytest.raises(TypeError):
        ctx.changed(namescope="b")
