"""Per-graph naming state, with TF's own uniquification rules.

Mirrors ``Graph.unique_name`` (case-insensitive counts, ``x``, ``x_1``) and the
variable-scope store's counts used by ``default_name`` (reset for sub-scopes
when a scope closes, which is why re-entering ``variable_scope("m")`` gives a
layer ``m/dense`` again). Checked against TF in tests/test_model_tf.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable
import itertools

from scopelint.model import ir
from scopelint.model.events import REUSE_OFF, REUSE_UNKNOWN, SaverBuilt, is_concrete
from scopelint.model.values import ScopeObject


_SERIALS = itertools.count(1)


@dataclass(frozen=True)
class Record:
    """A variable in the graph's store."""

    name: str
    shape: tuple[int | None, ...] | None  # None dims: not known
    node: ir.Pos
    certain: bool = True
    path: str = ""  # the file ``node`` lies in (a builder of another module); "": unknown
    # The calls that led to the creation, then ``node``: (module, position) each; a second
    # creation of the name is reported where its own chain leaves this one (SL201).
    chain: tuple[tuple[str, ir.Pos, tuple[int, ...]], ...] = ()
    trainable: bool = True  # gets optimizer slots (moving statistics, slots, global step do not)
    dtype: str | None = None  # its dtype's name, where known
    run: int = 0  # the body run first on its call chain (Host.run_id): a ``{scope}/...`` name is one caller's


@dataclass(eq=False)
class Graph:
    # complete: the model has seen every variable creation in this graph so far.
    complete: bool = True
    # tf.get_variable's variable store: store name -> variable (only variables made through
    # variable scopes; tf.Variable and Keras variables are not in it).
    store: dict[str, Record] = field(default_factory=dict)
    # Every variable by its real name (what collection filters and lookups see).
    variables: dict[str, Record] = field(default_factory=dict)
    names_in_use: dict[str, int] = field(default_factory=dict)
    scope_counts: dict[str, int] = field(default_factory=dict)
    keras_names: dict[str, int] = field(default_factory=dict)
    # (parent name scope, literal name) -> the first name_scope statement that used it, and
    # whether it certainly ran (SL103).
    name_scope_sites: dict[tuple[str, str], tuple[ir.Pos, bool]] = field(default_factory=dict)
    root: ScopeObject | None = None
    global_step: Any = None  # the variable get_or_create_global_step() made in this graph
    # Default-var_list Savers built in this graph that no variable was created after yet (SL302).
    savers: tuple[SaverBuilt, ...] = ()
    serial: int = field(default_factory=lambda: next(_SERIALS))
    # Why ``complete`` went False first (an unresolved call and its line), for ``--verbose``.
    unknown_because: str = ""
    # Every scope opened in this graph or a copy of it (the copies share it), listed under its
    # parent: closing a scope resets its descendants' counts without reading every count.
    subscopes: dict[str, list[str]] = field(default_factory=dict)
    # The dicts above are still those of the state a branch started from (:meth:`borrow`),
    # and copied on the first write (:meth:`own`): most branches change nothing in the graph
    # (``if x is None: x = ...``), and then neither the copies nor a merge of them are made.
    borrowed: bool = False

    @classmethod
    def fresh(cls, known: bool = True) -> "Graph":
        graph = cls(complete=known, unknown_because="" if known else "the graph it runs in is its callers', unknown here")
        graph.root = ScopeObject(name="" if known else "{scope}", reuse=REUSE_OFF if known else REUSE_UNKNOWN,
                                 original_name_scope="" if known else "{scope}/", graph=graph, dtype="float32" if known else None)
        return graph

    def lose_track(self, because: str) -> None:
        """Something may have created variables the model cannot see."""
        if self.complete or not self.unknown_because:
            self.unknown_because = because
        self.complete = False

    def own(self) -> None:
        """Called before anything changes one of the dicts: this graph's own copies from now on."""
        if self.borrowed:
            self.store, self.variables, self.names_in_use = dict(self.store), dict(self.variables), dict(self.names_in_use)
            self.scope_counts, self.keras_names = dict(self.scope_counts), dict(self.keras_names)
            self.name_scope_sites = dict(self.name_scope_sites)
            self.borrowed = False

    def borrow(self, start: "Graph") -> None:
        """A branch starts from ``start`` (a :meth:`detach` of this graph): its dicts until a write."""
        self.restore(start)
        self.borrowed = True

    # Every write to the dicts goes through a method of this class, which copies borrowed ones first.

    def store_variable(self, key: str, record: Record, exists: bool = True) -> None:
        """``record`` in the variable store under ``key``; ``exists``: also among the graph's
        variables, by its real name (False: a creation only assumed, in a caller's graph)."""
        self.own()
        self.store[key] = record
        if exists:
            self.variables[record.name] = record

    def add_variable(self, record: Record) -> None:
        """A variable made outside the store (``tf.Variable``, Keras), unless its name is taken."""
        self.own()
        self.variables.setdefault(record.name, record)

    def note_name_scope(self, key: tuple[str, str], site: tuple[ir.Pos, bool]) -> None:
        """The first ``name_scope`` statement that opened ``key`` (parent, name), and whether it surely ran."""
        self.own()
        self.name_scope_sites[key] = site

    def unique_name(self, name: str) -> str:
        """``Graph.unique_name``: the first ``name`` stays, later ones get ``_1``, ``_2`` (case-insensitive)."""
        if not is_concrete(name):
            return name
        self.own()
        key = name.lower()
        count = self.names_in_use.get(key, 0)
        self.names_in_use[key] = count + 1
        if count == 0:
            return name
        base = key
        while key in self.names_in_use:
            key = f"{base}_{count}"
            count += 1
        self.names_in_use[key] = 1
        return f"{name}_{count - 1}"

    def unique_scope(self, parent: str, prefix: str, counted: bool = False) -> str:
        """``_get_unique_variable_scope``: ``prefix``, or ``prefix_N`` if the full name was opened before.
        ``counted``: ``parent`` is not spelled out (``{scope}/d_net``) but every scope below it was
        opened in this run, so its counts are the ones TF keeps."""
        if not (is_concrete(parent) or counted) or not is_concrete(prefix):
            return prefix
        full = f"{parent}/{prefix}" if parent else prefix
        if self.scope_counts.get(full, 0) == 0:
            return prefix
        index = 1
        while self.scope_counts.get(f"{full}_{index}", 0) > 0:
            index += 1
        return f"{prefix}_{index}"

    def open_scope(self, full: str) -> None:
        self.own()
        self.scope_counts[full] = self.scope_counts.get(full, 0) + 1
        _add_scope(self.subscopes, full)

    def close_subscopes(self, full: str) -> None:
        """Every count of a scope below ``full`` (a name starting ``full/``) back to 0."""
        self.own()
        counts, tree = self.scope_counts, self.subscopes
        below = list(tree.get(full, ()))
        while below:
            key = below.pop()
            if key in counts:
                counts[key] = 0
            below.extend(tree[key])

    def keras_unique(self, base: str) -> str:
        self.own()
        count = self.keras_names.get(base, 0)
        self.keras_names[base] = count + 1
        return base if count == 0 else f"{base}_{count}"

    def snapshot(self) -> "Graph":
        return Graph(self.complete, dict(self.store), dict(self.variables), dict(self.names_in_use),
                     dict(self.scope_counts), dict(self.keras_names), dict(self.name_scope_sites), self.root, self.global_step,
                     self.savers, self.serial, self.unknown_because, self.subscopes)

    def detach(self) -> "Graph":
        """This state as it is, sharing its dicts: for a caller about to :meth:`restore` other
        dicts into this graph (a fork's branches), so that nothing changes them after."""
        return Graph(self.complete, self.store, self.variables, self.names_in_use, self.scope_counts, self.keras_names,
                     self.name_scope_sites, self.root, self.global_step, self.savers, self.serial, self.unknown_because,
                     self.subscopes, self.borrowed)

    def restore(self, other: "Graph") -> None:
        self.complete, self.store, self.variables = other.complete, other.store, other.variables
        self.names_in_use = other.names_in_use
        self.scope_counts, self.keras_names, self.name_scope_sites = other.scope_counts, other.keras_names, other.name_scope_sites
        self.savers, self.global_step = other.savers, other.global_step
        self.unknown_because = other.unknown_because
        self.subscopes = other.subscopes
        self.borrowed = other.borrowed

    def adopt(self, before: "Graph", branch: "Graph", certain: bool) -> None:
        """After an ``if`` whose other branch raised: the surviving branch ran on
        every path that goes on, so what it added is as certain as the ``if`` was."""
        self.restore(branch)
        if not certain or (branch.store is before.store and branch.variables is before.variables
                           and branch.name_scope_sites is before.name_scope_sites):
            return  # the branch added nothing (it never wrote: it still holds the dicts it borrowed)
        self.own()
        for target, old in ((self.store, before.store), (self.variables, before.variables)):
            for name, record in list(target.items()):
                if old.get(name) != record:
                    target[name] = replace(record, certain=True)
        for key, (pos, _) in list(self.name_scope_sites.items()):
            if before.name_scope_sites.get(key) != self.name_scope_sites[key]:
                self.name_scope_sites[key] = (pos, True)

    def merge(self, a: "Graph", b: "Graph") -> None:
        """After an unresolved ``if``: what either branch created may exist. New dicts are
        built (``a`` or ``b`` may share this graph's, see :meth:`detach`), except where both
        branches left the same dict: neither wrote it, and it is kept, borrowed."""
        self.complete = a.complete and b.complete
        self.unknown_because = a.unknown_because or b.unknown_because
        self.borrowed = False
        self.store = self._merged(a.store, b.store, _merge_records)
        self.variables = self._merged(a.variables, b.variables, _merge_records)
        self.names_in_use = self._merged(a.names_in_use, b.names_in_use, _merge_counts)
        self.scope_counts = self._merged(a.scope_counts, b.scope_counts, _merge_counts)
        if a.subscopes is not b.subscopes:  # branches of one graph share theirs
            self.subscopes = {}
            for key in self.scope_counts:
                _add_scope(self.subscopes, key)
        else:
            self.subscopes = a.subscopes
        self.keras_names = self._merged(a.keras_names, b.keras_names, _merge_counts)
        self.name_scope_sites = self._merged(a.name_scope_sites, b.name_scope_sites, _merge_sites)
        # A Saver built on either branch may be pending; a global step made on one only may exist.
        self.savers = a.savers + tuple(s for s in b.savers if s not in a.savers)
        self.global_step = a.global_step or b.global_step

    def _merged(self, a: Any, b: Any, merge: Callable[[Any, Any], Any]) -> Any:
        """``merge(a, b)``, or the dict itself where both branches left the same one."""
        if a is b:
            self.borrowed = True  # the dict of the state before the ``if``: shared with it
            return a
        return merge(a, b)


def _add_scope(tree: dict[str, list[str]], full: str) -> None:
    """``full`` and each of its parents not yet in ``tree``, each listed under its own parent
    (``a/b/c`` under ``a/b``, ``a/b`` under ``a``)."""
    if full in tree:
        return
    tree[full] = []
    child = full
    while (cut := child.rfind("/")) >= 0:
        parent = child[:cut]
        known = parent in tree
        tree.setdefault(parent, []).append(child)
        if known:
            return
        child = parent


def _merge_records(a: dict[str, Record], b: dict[str, Record]) -> dict[str, Record]:
    """``a``'s records in its order, then those only ``b`` made. A record both branches
    share (made before the ``if``; most of them) stays as it is."""
    merged = {}
    for name, first in a.items():
        other = b.get(name)
        if other is first:
            merged[name] = first
        elif other is None:
            merged[name] = replace(first, certain=False) if first.certain else first
        else:
            # Made with another shape or dtype on each branch: neither is known afterwards.
            merged[name] = replace(first, shape=first.shape if first.shape == other.shape else None,
                                   dtype=first.dtype if first.dtype == other.dtype else None)
    for name, first in b.items():
        if name not in a:
            merged[name] = replace(first, certain=False) if first.certain else first
    return merged


def _merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    """Each key's larger count."""
    if a == b:
        return dict(a)
    merged = dict(a)
    for key, count in b.items():
        if key not in merged or count > merged[key]:
            merged[key] = count
    return merged


Site = tuple[ir.Pos, bool]


def _merge_sites(a: dict[tuple[str, str], Site], b: dict[tuple[str, str], Site]) -> dict[tuple[str, str], Site]:
    """A name_scope opened on one branch only, or at different statements, is not certain."""
    if a == b:
        return dict(a)
    merged = dict(a)
    for key, site in a.items():
        if site[1] and b.get(key) != site:
            merged[key] = (site[0], False)
    for key, site in b.items():
        if key not in a:
            merged[key] = (site[0], False)
    return merged
