"""The worker process: ``python -m scopelint.dynamic.child SPEC.json``.

It imports TensorFlow once (the ~2.5 s that dominate), then forks one child per
file, so ten files pay for one import. Graph construction after ``fork`` is
safe here: nothing has started TF's thread pools yet (no session has run),
and each forked child starts from the same clean default graph.

Per file, the forked child (in a process group of its own, its output in a
pipe the worker drains) lowers its memory limit, installs the recorder and the
TF1 shims, and runs the file as ``__main__``. The worker enforces the per-file
wall-clock limit, then, as a child subreaper, kills every process the file left
running (:mod:`.reaper`), and writes how the file ended; the reaper above it
(see :mod:`.runner`) kills the worker and what is left when the worker overruns.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import linecache
import os
import resource
import runpy
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any

from scopelint.dynamic import reaper, records

# Exit status of a forked child whose own reporting failed (not the user's code).
_INTERNAL_FAILURE = 70


def _import_tensorflow() -> ModuleType:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    tf: ModuleType = importlib.import_module("tensorflow.compat.v1")
    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    from scopelint.dynamic import shims

    shims.alias_batch_norm_module()
    # Imported here, before any fork, so each file does not pay for them, and
    # before the facade replaces ``tensorflow``, so their own module-level
    # ``import tensorflow as tf`` binds the real package.
    for module in ("tf_slim", "tf_keras.src.legacy_tf_layers.core", "tensorflow.python.training.monitored_session"):
        try:
            __import__(module)
        except ImportError:
            pass
    return tf


def _data_segment_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(budget_mb: int) -> None:
    """RLIMIT_DATA, not RLIMIT_AS: TF maps ~1.4 GB of address space for its
    libraries before any user code runs, which RLIMIT_AS would count;
    RLIMIT_DATA counts heap and private anonymous mappings (Linux >= 4.7),
    i.e. what the user's code allocates, on top of TF's ~270 MB."""
    if budget_mb <= 0:
        return
    limit = _data_segment_bytes() + budget_mb * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _user_frames(tb: TracebackType | None, recorder: Any) -> list[tuple[str, int]]:
    frames: list[tuple[str, int]] = []
    while tb is not None:
        path = recorder.user_path(tb.tb_frame.f_code.co_filename)
        if path is not None:
            frames.append((path, tb.tb_lineno))
        tb = tb.tb_next
    frames.reverse()
    return frames


def _end_event(exc: BaseException | None, recorder: Any) -> dict[str, Any]:
    from scopelint.dynamic.stops import StopTrace
    from scopelint.dynamic.shims import UNSUPPORTED_MARK, unavailable

    if exc is None:
        return {"t": "end", "kind": records.OK}
    stack = _user_frames(exc.__traceback__, recorder)
    event: dict[str, Any] = {"t": "end", "stack": stack}
    if isinstance(exc, StopTrace):
        event.update(kind=records.STOPPED, detail=exc.what)
    elif isinstance(exc, SystemExit):
        code = exc.code if isinstance(exc.code, int) or exc.code is None else 1
        event.update(kind=records.EXITED, exit_code=code, detail=str(exc.code) if exc.code is not None else "")
    elif getattr(exc, UNSUPPORTED_MARK, False):
        event.update(kind=records.UNSUPPORTED, detail=str(exc).strip("'\""))
    elif isinstance(exc, ImportError) and "'tensorflow.contrib'" in str(exc):
        # ``from tensorflow.contrib import learn`` fails in IMPORT_FROM, which consults no finder.
        event.update(kind=records.UNSUPPORTED, detail=unavailable(str(exc).split("'")[1]))
    elif isinstance(exc, MemoryError):
        event.update(kind=records.OUT_OF_MEMORY, detail=f"MemoryError: {exc}".rstrip(": "))
    else:
        text = str(exc).split("\n", 1)[0].split(" Originally defined at:")[0].strip()
        event.update(kind=records.RAISED, detail=f"{type(exc).__name__}: {text}".rstrip(": "))
    return event


def package_entry(path: str) -> tuple[str | None, str]:
    """(dotted module name, directory above the top package) for a file inside
    packages; (None, its directory) for a plain script."""
    directory = os.path.dirname(os.path.abspath(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem == "__init__" or not os.path.isfile(os.path.join(directory, "__init__.py")):
        return None, directory
    parts = [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parts.insert(0, os.path.basename(directory))
        directory = os.path.dirname(directory)
    return ".".join(parts), directory


def run_notebook(path: str) -> None:
    """A notebook's code cells in order, as a kernel runs them top to bottom: its
    virtual source (IPython syntax blanked line for line) compiled under the
    notebook's own path, so each frame is (notebook, virtual line); in a fresh
    ``__main__``, from the notebook's folder (a kernel's working directory)."""
    from scopelint.notebook import parse_notebook

    with open(path, "rb") as handle:
        source = parse_notebook(handle.read()).source
    linecache.cache[path] = (len(source), None, source.splitlines(True), path)  # tracebacks show the cells' lines
    code = compile(source, path, "exec", dont_inherit=True)
    main = ModuleType("__main__")
    main.__dict__["display"] = _display  # IPython's builtin; a kernel renders, the trace prints
    sys.modules["__main__"] = main
    os.chdir(os.path.dirname(path))
    exec(code, main.__dict__)


def _display(*objects: Any, **_: Any) -> None:
    print(*objects)


def run_job(job: dict[str, Any], spec: dict[str, Any], tf: ModuleType) -> None:
    """Runs inside the forked child. Never returns normally: the caller exits."""
    from scopelint.dynamic import hooks, shims

    fd = os.open(job["events"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    recorder = hooks.Recorder(fd)
    facts = hooks.install(recorder)
    shims.install(tf)
    path = job["path"]
    sys.argv = [path, *spec.get("argv", [])]
    notebook = path.endswith(".ipynb")
    module, root = (None, os.path.dirname(path)) if notebook else package_entry(path)
    sys.path[:0] = [os.path.dirname(path)] + ([root] if module else [])
    limit_memory(int(spec.get("memory_mb", 0)))
    failure: BaseException | None = None
    try:
        if job.get("builder"):
            from scopelint.dynamic.builder import run_builder

            run_builder(path, module, job["builder"], recorder, tf)
        else:
            if spec.get("coverage", True):
                sys.settrace(recorder.global_trace)
            try:
                if notebook:
                    run_notebook(path)
                elif module:
                    # As `python -m pkg.train`, so the file's relative imports work.
                    runpy.run_module(module, run_name="__main__", alter_sys=True)
                else:
                    runpy.run_path(path, run_name="__main__")
            finally:
                sys.settrace(None)
    except BaseException as exc:  # the user's code may raise anything; it is the result
        failure = exc
    try:
        facts.finish()  # the graph as it stands at the end (or at the first Session.run)
    except Exception:
        traceback.print_exc()
    recorder.emit(_end_event(failure, recorder))


class _OutputTail:
    """The traced file's stdout and stderr (and TF's, and its children's) through a
    pipe the worker drains: megabytes of output neither block the file nor fill
    the disk; the last OUTPUT_TAIL_BYTES are kept for the report."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.tail = bytearray()
        self.total = 0
        os.set_blocking(fd, False)

    def drain(self) -> bool:
        """Read what is there; False at end of file (every writer gone)."""
        while True:
            try:
                chunk = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not chunk:
                return False
            self.total += len(chunk)
            self.tail += chunk
            del self.tail[:-OUTPUT_TAIL_BYTES]

    def save(self, path: str) -> None:
        self.drain()
        os.close(self.fd)
        with open(path, "wb") as handle:
            if self.total > len(self.tail):
                handle.write(f"[{self.total} bytes of output; the last {len(self.tail)} follow]\n".encode())
            handle.write(self.tail)


OUTPUT_TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class _Ended:
    """How one forked child ended."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    seconds: float
    # Processes it had running at once (besides itself) when it went over --dynamic-processes.
    too_many_processes: int | None = None


# How often the worker counts the processes a traced file has running: /proc is
# scanned (a few ms), and a fork bomb in the file's own process group dies at once
# however far it got in between.
_COUNT_EVERY_S = 0.1


def _wait(pid: int, timeout_s: float, max_processes: int, output: _OutputTail) -> _Ended:
    """How one forked child ended, its output drained meanwhile. Over ``max_processes``
    running descendants (0: no limit), its process group is killed there and then."""
    start = time.monotonic()
    deadline = start + timeout_s
    next_count = start + _COUNT_EVERY_S
    pause = 0.002
    open_pipe = True
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        now = time.monotonic()
        if now >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return _Ended(None, None, True, time.monotonic() - start)
        if max_processes and now >= next_count:
            next_count = now + _COUNT_EVERY_S
            # every descendant of the worker is this file's: the last file's were killed
            running = reaper.running_descendants(os.getpid()) - 1  # not the file itself
            if running > max_processes:
                reaper.kill_group(pid)  # what left the group (setsid) is killed with the leftovers
                os.waitpid(pid, 0)
                return _Ended(None, None, False, time.monotonic() - start, running)
        if open_pipe:
            select.select([output.fd], [], [], pause)
            open_pipe = output.drain()
        else:
            time.sleep(pause)
        pause = min(pause * 2, 0.05)
    seconds = time.monotonic() - start
    if os.WIFSIGNALED(status):
        return _Ended(None, os.WTERMSIG(status), False, seconds)
    return _Ended(os.WEXITSTATUS(status), None, False, seconds)


# Signals a traced file may send its whole process group (or its parent) by accident.
_WORKER_IGNORES = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _start_file(job: dict[str, Any], spec: dict[str, Any], tf: ModuleType) -> tuple[int, _OutputTail]:
    """Fork the child that runs one file, in a process group of its own, its output into a pipe."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid != 0:
        os.close(write_end)
        try:
            os.setpgid(pid, pid)  # as the child does: its group exists before either goes on
        except OSError:
            pass  # it has ended already
        return pid, _OutputTail(read_end)
    code = 0
    try:
        os.close(read_end)
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in _WORKER_IGNORES[1:]:
            signal.signal(signum, signal.SIG_DFL)
        os.dup2(write_end, 1)
        os.dup2(write_end, 2)
        os.close(write_end)
        run_job(job, spec, tf)
    except BaseException:
        traceback.print_exc()
        code = _INTERNAL_FAILURE
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _write_json(path: str, value: Any) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(value, handle)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    # First of all, before TensorFlow or any traced code runs: every orphan among the
    # worker's descendants (a setsid() child, a daemon, anything TF's import starts)
    # comes back to the worker, which kills them.
    reaper.become_subreaper()
    with open(argv[0], encoding="utf-8") as handle:
        spec = json.load(handle)
    start = time.monotonic()
    tf = _import_tensorflow()
    _write_json(spec["ready"], {"import_seconds": time.monotonic() - start})
    for ignored in _WORKER_IGNORES:
        signal.signal(ignored, signal.SIG_IGN)
    for job in spec["jobs"]:
        pid, output = _start_file(job, spec, tf)
        ended = _wait(pid, float(spec["timeout_s"]), int(spec.get("processes", 0)), output)
        leftovers = reaper.kill_descendants()  # the file has ended: nothing it started may run on
        output.save(job["log"])
        _write_json(job["status"], {**dataclasses.asdict(ended), "leftovers": leftovers})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
