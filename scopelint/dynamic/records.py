"""What a trace found, as plain frozen data, and the JSON-lines wire format the
child writes it in.

The child runs untrusted code, so it speaks JSON, never pickle: a hostile file
can at worst make the parent read wrong facts, never run code in the parent.
Each event is one line, written unbuffered as it happens, so a child that is
killed (timeout, memory, os._exit) still leaves everything it saw up to then.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

Frame = tuple[str, int]  # (real path, 1-based line)

# Outcome kinds, in words the report uses.
OK = "ok"
STOPPED = "stopped"  # at the first Session.run (or equivalent): graph construction is done
RAISED = "raised"
EXITED = "exited"  # sys.exit()/SystemExit: the script ended itself
EXITED_EARLY = "exited early"  # the process ended with a code and no report (os._exit)
CRASHED = "crashed"  # killed by a signal
TIMED_OUT = "timed out"
OUT_OF_MEMORY = "out of memory"
TOO_MANY_PROCESSES = "too many processes"  # over --dynamic-processes at once: the whole tree killed
UNSUPPORTED = "unsupported"  # e.g. a tf.contrib module TF 2.x does not have
NOT_RUN = "not run"  # the worker could not start (TensorFlow missing, ...)

# Outcomes after which the rest of the file was not executed.
INCOMPLETE = frozenset({RAISED, EXITED_EARLY, CRASHED, TIMED_OUT, OUT_OF_MEMORY, TOO_MANY_PROCESSES, UNSUPPORTED, NOT_RUN})


@dataclass(frozen=True)
class VariableEvent:
    """A variable TF created, or an existing one ``get_variable`` handed back."""

    kind: str  # "create" | "reuse"
    name: str  # full name without ":0"
    shape: tuple[int | None, ...] | None
    via: str  # "get_variable" (goes through the variable store) | "Variable" (never shares)
    reuse: str  # the variable scope's reuse at that point: "true" | "false" | "auto"
    api: str  # the TF function the user's code called, best effort ("get_variable", "dense", ...)
    stack: tuple[Frame, ...]  # user-code frames, innermost first
    phase: str = ""  # builder mode: which call ("call 1", "call 2")
    seq: int = 0
    name_scope: str = ""  # the name scope the user's call ran in (get_variable ignores it: SL101)

    @property
    def where(self) -> Frame | None:
        return self.stack[0] if self.stack else None


@dataclass(frozen=True)
class ScopeError:
    """A ValueError raised by the variable store, with the rule it proves."""

    code: str | None  # SL201 / SL202 / SL205, or None for one no rule covers
    name: str
    message: str
    stack: tuple[Frame, ...]
    phase: str = ""
    seq: int = 0

    @property
    def where(self) -> Frame | None:
        return self.stack[0] if self.stack else None


@dataclass(frozen=True)
class Fact:
    """Something else TF built, recorded by :mod:`.graph_hooks`: ``kind`` is
    name_scope, lookup, collection, warning, train_op or saver; ``detail`` holds
    that kind's fields (see the module)."""

    kind: str
    stack: tuple[Frame, ...]
    detail: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0

    @property
    def where(self) -> Frame | None:
        return self.stack[0] if self.stack else None


@dataclass(frozen=True)
class Outcome:
    kind: str
    detail: str = ""
    where: Frame | None = None  # the user line it stopped, raised or exited at
    exit_code: int | None = None
    signal: int | None = None
    # Processes the file started that were still running when it ended; all killed.
    leftovers: int = 0

    @property
    def complete(self) -> bool:
        return self.kind not in INCOMPLETE

    def describe(self) -> str:
        if not self.leftovers:
            return self._describe()
        plural = "es" if self.leftovers != 1 else ""
        return f"{self._describe()}; {self.leftovers} process{plural} it started, still running, killed"

    def _describe(self) -> str:
        at = f" at line {self.where[1]}" if self.where else ""
        if self.kind == OK:
            return "ran to the end"
        if self.kind == STOPPED:
            return f"stopped{at} at {self.detail or 'Session.run'}: graph construction is done, training does not run"
        if self.kind == RAISED:
            return f"raised{at}: {self.detail}; the rest of the file was not reached"
        if self.kind == EXITED:
            exited = f"called sys.exit({self.exit_code if self.exit_code is not None else ''}){at}"
            if self.exit_code:
                # argparse exits with 2 when required arguments are missing
                exited += "; the rest of the file was not reached (does it need arguments? --dynamic-args)"
            return exited
        if self.kind == EXITED_EARLY:
            return f"exited early with code {self.exit_code}{at}; the rest of the file was not reached"
        if self.kind == CRASHED:
            return f"crashed with signal {self.signal} ({self.detail}){at}; the rest of the file was not reached"
        if self.kind == TIMED_OUT:
            return f"timed out {self.detail}; the rest of the file was not reached"
        if self.kind == OUT_OF_MEMORY:
            return f"ran out of memory {self.detail}{at}; the rest of the file was not reached"
        if self.kind == TOO_MANY_PROCESSES:
            return f"started too many processes {self.detail}: all killed; the rest of the file was not reached"
        if self.kind == UNSUPPORTED:
            return f"{self.detail}{at}; the rest of the file was not reached"
        return f"not run: {self.detail}"


@dataclass(frozen=True)
class FileTrace:
    """Everything one traced file (or builder) showed."""

    path: str  # as the user named it
    outcome: Outcome
    variables: tuple[VariableEvent, ...] = ()
    errors: tuple[ScopeError, ...] = ()
    # Each user line the trace executed, with the event number of its first execution.
    reached: Mapping[Frame, int] = field(default_factory=dict, compare=False)
    seconds: float = 0.0
    log_tail: str = ""  # the child's last lines of output, for crashes
    facts: tuple[Fact, ...] = ()  # what else TF built (name scopes, lookups, collections, ...)

    def reached_line(self, path: str, line: int) -> bool:
        return (real(path), line) in self.reached


def real(path: str) -> str:
    return os.path.realpath(path)


# ---- wire format -----------------------------------------------------------


def encode(event: Mapping[str, Any]) -> bytes:
    return (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode()


def frames_from_json(raw: Any) -> tuple[Frame, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple((str(p), int(n)) for p, n in raw if isinstance(n, int))


def _shape(raw: Any) -> tuple[int | None, ...] | None:
    if not isinstance(raw, list):
        return None
    return tuple(d if isinstance(d, int) else None for d in raw)


@dataclass
class EventLog:
    """The parsed events of one child run (mutable while parsing only)."""

    variables: list[VariableEvent] = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    reached: dict[Frame, int] = field(default_factory=dict)
    end: Mapping[str, Any] | None = None


def parse_events(lines: Iterable[bytes]) -> EventLog:
    """Read the child's JSON lines; a torn last line (the child was killed mid-write) is dropped."""
    log = EventLog()
    for seq, raw in enumerate(lines):
        try:
            event = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        kind = event.get("t")
        if kind == "line":
            log.reached.setdefault((str(event.get("path")), int(event.get("line", 0))), seq)
        elif kind == "var":
            log.variables.append(
                VariableEvent(
                    kind=str(event.get("kind")),
                    name=str(event.get("name")),
                    shape=_shape(event.get("shape")),
                    via=str(event.get("via", "")),
                    reuse=str(event.get("reuse", "")),
                    api=str(event.get("api", "")),
                    stack=frames_from_json(event.get("stack")),
                    phase=str(event.get("phase", "")),
                    seq=seq,
                    name_scope=str(event.get("name_scope", "")),
                )
            )
        elif kind == "fact":
            detail = {k: v for k, v in event.items() if k not in {"t", "kind", "stack"}}
            log.facts.append(Fact(str(event.get("kind")), frames_from_json(event.get("stack")), detail, seq))
        elif kind == "err":
            code = event.get("code")
            log.errors.append(
                ScopeError(
                    code=str(code) if code else None,
                    name=str(event.get("name", "")),
                    message=str(event.get("message", "")),
                    stack=frames_from_json(event.get("stack")),
                    phase=str(event.get("phase", "")),
                    seq=seq,
                )
            )
        elif kind == "end":
            log.end = event
    return log
