"""Why the model stayed silent about a creation a rule would have reported had it been
sure (STYLE.md habit 8: silence is explainable). ``--verbose`` prints it."""

from __future__ import annotations

from scopelint.model import events as ev
from scopelint.model.context import Host
from scopelint.model.state import Graph, Record


def why_silent(host: Host, full: str, existing: Record | None, reuse: str, certain: bool, graph: Graph) -> str | None:
    """For an UNRESOLVED creation of the concrete name ``full``: what kept it from being a
    collision (SL201) or a missing variable (SL202); None when neither was in reach."""
    if not ev.is_concrete(full):
        return None
    if existing is not None and reuse == ev.REUSE_UNKNOWN:
        return f"'{full}' already exists (created at {_line(host, existing)}), and whether reuse is on here is not known"
    if existing is not None and reuse == ev.REUSE_OFF:
        if not certain:
            return f"'{full}' already exists (created at {_line(host, existing)}), but this creation may not run: {uncertainty(host)}"
        return f"'{full}' may not exist yet: its first creation, at {_line(host, existing)}, sits on a path the model cannot decide"
    if existing is None and reuse == ev.REUSE_ON:
        if not certain:
            return f"nothing created '{full}' before, but this request may not run: {uncertainty(host)}"
        return (f"nothing the model saw created '{full}', but something it could not follow may have: "
                f"{graph.unknown_because or 'code it cannot see'}")
    return None


def uncertainty(host: Host) -> str:
    """Why the statement running now may not run on every path that reaches it."""
    frame = host.frame
    if not host.ctx.certain:
        return "it sits on a branch (an `if`, a `try`) the model cannot decide"
    if frame.maybe_returned:
        return "an earlier `return` on an undecided branch may have left the function"
    if frame.maybe_loop_exit:
        return "an earlier `break` / `continue` on an undecided branch may skip it"
    if frame.called_uncertain:
        return "the call that runs it sits on a branch the model cannot decide"
    return "it sits on a path the model cannot decide"


def _line(host: Host, record: Record) -> str:
    here = host.path_of(host.main)
    return f"{record.path}:{record.node[0]}" if record.path and record.path != here else f"line {record.node[0]}"
