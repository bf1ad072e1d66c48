"""``--explain-names`` on a module whose builders nothing in it calls: the names the files
beside it that import it give them.

``RL_brain.py`` holds ``class DeepQNetwork`` and ``run_this.py`` next to it builds one.
Analysed alone, ``RL_brain.py``'s variables come out as ``{scope}/eval_net/l1/w1`` (its
caller's scope is unknown there); run as ``run_this.py`` runs it they are
``eval_net/l1/w1``. A creation the file's own run leaves unresolved is shown as the first
such caller resolves it, marked with that caller (``VariableInfo.caller``). Only files of
the same folder are asked (the flat layout, and a package's tests beside its modules:
``vgg_test.py`` beside ``vgg.py``), at most :data:`MAX_CALLERS` of them, and nothing is
run: they are analysed as the file is.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Callable, Iterable, Mapping

from scopelint.files import FileProblem, decode, module_name_for, read_bytes
from scopelint.model import ModelSettings, ModuleFacts, VariableInfo

MAX_CALLERS = 4

Site = tuple[int, int, str]  # (line, column, last part of the name) of a creation in the file


def importing_siblings(path: str, read: Callable[[str], bytes] = read_bytes) -> list[tuple[str, bytes]]:
    """The ``.py`` files of ``path``'s folder that import it (``import model``, ``from model
    import DCGAN``, ``from pkg.nets import vgg``), by name, at most :data:`MAX_CALLERS`, with
    the bytes read to find out (so they are read once)."""
    folder, own = os.path.split(path)
    stem, suffix = os.path.splitext(own)
    if suffix != ".py" or stem == "__init__" or not stem.isidentifier():
        return []
    name = re.escape(stem.encode())
    imports_it = re.compile(
        rb"^[ \t]*(?:from[ \t]+(?:[\w.]+\.)?" + name + rb"[ \t]+import\b"
        rb"|import[ \t]+(?:[\w.]+\.)?" + name + rb"\b"
        rb"|from[ \t]+[\w.]+[ \t]+import[ \t]+[^\n#]*\b" + name + rb"\b)",
        re.M,
    )
    found: list[tuple[str, bytes]] = []
    try:
        entries = sorted(os.listdir(folder or "."))
    except OSError:
        return []
    for entry in entries:
        candidate = os.path.join(folder, entry)
        if not entry.endswith(".py") or entry == own or not os.path.isfile(candidate):
            continue
        try:
            data = read(candidate)
        except FileProblem:
            continue
        if imports_it.search(data):
            found.append((candidate, data))
            if len(found) == MAX_CALLERS:
                break
    return found


def resolved_by_callers(infos: list[VariableInfo], facts: ModuleFacts, settings: ModelSettings,
                        siblings_of: Callable[[str, ModelSettings], Mapping[str, ModuleFacts]]) -> list[VariableInfo]:
    """``infos`` (the file's own rows) with each unresolved creation of the file replaced by the
    rows of the first caller beside it whose run resolves it."""
    from scopelint.model import describe, facts_from_source
    from scopelint.model.libraries import library_facts

    if facts.module_name is None:
        return infos
    here = os.path.realpath(facts.path)
    wanted = {_site(info) for info in infos if _in(info, here, facts.path) and not _resolved(info)}
    by_caller: dict[str, list[VariableInfo]] = {}  # each caller's rows for this file, in its order
    for caller, data in importing_siblings(facts.path) if wanted else ():
        try:
            text = decode(caller, data)
        except FileProblem:
            continue
        caller_facts = facts_from_source(text, path=caller, module_name=module_name_for(caller), settings=settings)
        project = {**siblings_of(caller, settings), facts.module_name: facts}
        project.pop(caller_facts.module_name or "", None)
        rows = [dataclasses.replace(info, path=facts.path, caller=caller)
                for info in describe(caller_facts, {**library_facts(caller_facts, settings, project), **project})
                if info.path and _in(info, here, facts.path) and _resolved(info) and _site(info) in wanted]
        if rows:
            by_caller[caller] = rows
            wanted -= {_site(row) for row in rows}
        if not wanted:
            break
    return list(_replaced(infos, by_caller, here, facts.path)) if by_caller else infos


def _replaced(infos: Iterable[VariableInfo], by_caller: dict[str, list[VariableInfo]], here: str, path: str) -> Iterable[VariableInfo]:
    """The file's rows; a caller's rows, in that caller's program order, where the first row
    they replace was."""
    site_caller = {_site(row): caller for caller, rows in by_caller.items() for row in rows}
    shown: set[str] = set()
    for info in infos:
        caller = site_caller.get(_site(info)) if _in(info, here, path) else None
        if caller is None:
            yield info
        elif caller not in shown:
            shown.add(caller)
            yield from by_caller[caller]


def _site(info: VariableInfo) -> Site:
    return info.line, info.column, info.predicted_name.rpartition("/")[2]


def _in(info: VariableInfo, here: str, path: str) -> bool:
    return not info.path or info.path == path or os.path.realpath(info.path) == here


def _resolved(info: VariableInfo) -> bool:
    return "{" not in info.predicted_name and info.action != "unknown"
