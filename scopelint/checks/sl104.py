"""SL104 scope-filter-too-broad: scope filters are re.match, "d" also takes "decoder/..."."""

from __future__ import annotations

from typing import Iterator

from scopelint.checks.sl1_sl2_support import at, once
from scopelint.diagnostic import Diagnostic, Severity
from scopelint.model import ModelResult
from scopelint.model import events as ev

CODE = "SL104"


def check(result: ModelResult) -> Iterator[Diagnostic]:
    return once(_found(result))


def _found(result: ModelResult) -> Iterator[Diagnostic]:
    for e in result.of_type(ev.NameReferenced):
        if e.kind != "collection-filter" or e.asserted or e.text.endswith("/") or not e.text.replace("_", "").replace("/", "").isalnum():
            continue
        strays = [name for name in e.matches if name != e.text and not name.startswith(e.text + "/")]
        if strays:
            yield at(
                result, e.site, CODE,
                f"scope filter '{e.text}' is a regular expression prefix: it also matches '{strays[0]}'"
                + (f" and {len(strays) - 1} more" if len(strays) > 1 else "")
                + f"; write '{e.text}/' to take only the scope",
                Severity.WARNING, matches=list(strays[:10]),
            )
