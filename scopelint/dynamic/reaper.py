"""Every process the traced code starts ends with the trace.

A process group is not enough: a child started with ``start_new_session=True``
(``setsid()``), or a daemon that double-forks, leaves the group and would outlive
a ``killpg``. On Linux a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``)
inherits every orphan among its descendants instead of init, so it can find the
whole tree in ``/proc`` and kill it. The tracing worker is one (it cleans up
after each file), and so is a small process between scopelint and the worker,
``python -m scopelint.dynamic.reaper STATUS DEADLINE -- CMD...``, which cleans
up when the worker itself dies or overruns. No TensorFlow here.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
# How long kill_descendants keeps killing and reaping before it gives up.
_CLEANUP_S = 10.0


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Make orphaned descendants reparent to this process (Linux >= 3.4); False where unsupported."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def is_subreaper() -> bool:
    """Whether this process is a child subreaper now; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    flag = ctypes.c_int(0)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0)) == 0 and flag.value != 0
    except (OSError, AttributeError):
        return False


def running_descendants(root: int) -> int:
    """How many descendants of ``root`` are alive (zombies not counted)."""
    return sum(1 for _, zombie in descendants(root) if not zombie)


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group at once (a fork bomb in it cannot outrun that)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stat(pid: str) -> tuple[int, bool] | None:
    """(parent pid, is a zombie) from /proc/PID/stat; None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses
    fields = stat.rpartition(b")")[2].split()
    try:
        return int(fields[1]), fields[0] == b"Z"
    except (IndexError, ValueError):
        return None


def descendants(root: int) -> list[tuple[int, bool]]:
    """(pid, is a zombie) for every descendant of ``root`` not yet reaped, from /proc; [] without /proc."""
    try:
        entries = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    children: dict[int, list[tuple[int, bool]]] = {}
    for name in entries:
        found = _stat(name)
        if found is not None:
            children.setdefault(found[0], []).append((int(name), found[1]))
    tree: list[tuple[int, bool]] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            tree.append(child)
            stack.append(child[0])
    return tree


def _reap_any() -> bool:
    """Reap every child that has ended; False once this process has no children at all."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def kill_descendants(timeout_s: float = _CLEANUP_S) -> int:
    """SIGKILL every descendant of this process and reap what comes back to it;
    how many processes were killed. Call it with no child left that you still
    want: as a subreaper this process inherits (and reaps) every orphan, so it
    repeats until /proc shows no descendant and no child is left to reap."""
    killed: set[int] = set()
    me = os.getpid()
    deadline = time.monotonic() + timeout_s
    pause = 0.001
    while True:
        alive = descendants(me)
        for pid, zombie in alive:
            if zombie:
                continue  # already dead: reaped by its parent, or by this process once orphaned
            # stop first so that a process cannot fork between the scan and its kill unnoticed
            for signum in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(pid, signum)
                except (ProcessLookupError, PermissionError):
                    break
            else:
                killed.add(pid)
        has_children = _reap_any()
        if (not alive and not has_children) or time.monotonic() > deadline:
            return len(killed)
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


class _Stop(Exception):
    """SIGTERM/SIGHUP/SIGINT to the reaper: end the run now, cleaning up."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stop(signum)


def supervise(command: list[str], deadline_s: float) -> dict[str, Any]:
    """Run ``command`` in a session (process group) of its own, kill it after ``deadline_s``, then
    every descendant; how it ended, as the runner reads it."""
    subreaper = become_subreaper()
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, _stop)
    # scopelint itself killed (SIGKILL, a cancelled CI job): clean up now, not at the deadline
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    status: dict[str, Any] = {"exit_code": None, "signal": None, "timed_out": False, "stopped": False, "subreaper": subreaper}
    process: subprocess.Popen[bytes] | None = None
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = process.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            status["timed_out"] = True
            code = None
        if code is not None and code < 0:
            status["signal"] = -code
        elif code is not None:
            status["exit_code"] = code
    except _Stop:
        status["stopped"] = True
    finally:
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)  # the cleanup itself is not interrupted
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        status["leftovers"] = kill_descendants()
    return status


def main(argv: list[str]) -> int:
    status_path, deadline, separator, *command = argv
    if separator != "--" or not command:
        print("usage: python -m scopelint.dynamic.reaper STATUS DEADLINE -- CMD...", file=sys.stderr)
        return 2
    status = supervise(command, float(deadline))
    temporary = f"{status_path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(status, handle)
    os.replace(temporary, status_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
