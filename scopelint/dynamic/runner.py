"""The parent side: start the worker, bound it, read what it wrote.

No TensorFlow here. The worker runs under :mod:`.reaper` (in a session of its
own, with stdin closed and its output in a log file), which kills it at the
deadline -- the TF import allowance plus each file's limit -- and then every
process still descended from it, ``setsid()`` escapees included; the worker
does the same after each file. Nothing the traced code started outlives the run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

from scopelint.dynamic import reaper, records
from scopelint.dynamic.options import BuilderSpec, DynamicOptions

# Importing TensorFlow takes ~2.5 s on a warm disk; a cold one, or a loaded CI box, can take far longer.
IMPORT_ALLOWANCE_S = 120.0
# Per job, beyond its own limit: fork, JSON, the worker noticing the timeout.
_SLACK_S = 5.0
# Beyond the deadline, for the reaper to kill the worker and everything it started.
_REAPER_GRACE_S = 15.0


@dataclass(frozen=True)
class Job:
    path: str  # as the user named it
    builder: BuilderSpec | None = None


@dataclass(frozen=True)
class RunStats:
    import_seconds: float | None
    total_seconds: float


def child_environment(options: DynamicOptions) -> dict[str, str]:
    env = dict(os.environ)
    env["TF_USE_LEGACY_KERAS"] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONUNBUFFERED"] = "1"
    if options.device != "gpu":
        env["CUDA_VISIBLE_DEVICES"] = "-1"
    return env


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(path: Path, lines: int = 8) -> str:
    try:
        data = path.read_bytes()[-8192:]
    except OSError:
        return ""
    text = data.decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:])


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _outcome(log: records.EventLog, status: dict[str, Any] | None, options: DynamicOptions, worker_problem: str, traced: str) -> records.Outcome:
    outcome = _ending(log, status, options, worker_problem, traced)
    leftovers = status.get("leftovers") if status else None
    return replace(outcome, leftovers=leftovers) if isinstance(leftovers, int) and leftovers > 0 else outcome


def _ending(log: records.EventLog, status: dict[str, Any] | None, options: DynamicOptions, worker_problem: str, traced: str) -> records.Outcome:
    end = log.end
    if status is None:
        return records.Outcome(records.NOT_RUN, worker_problem or "the worker stopped before this file")
    if status.get("timed_out"):
        return records.Outcome(records.TIMED_OUT, f"after {options.timeout_s:g} s (--dynamic-timeout)")
    running = status.get("too_many_processes")
    if isinstance(running, int):
        return records.Outcome(records.TOO_MANY_PROCESSES, f"({running} running at once, limit {options.processes}, --dynamic-processes)")
    if end is not None:
        stack = records.frames_from_json(end.get("stack"))
        kind = str(end.get("kind", records.RAISED))
        detail = str(end.get("detail", ""))
        if kind == records.OUT_OF_MEMORY:
            detail = f"(limit {options.memory_mb} MiB over TensorFlow's own, --dynamic-memory): {detail}"
        code = end.get("exit_code")
        # "raised at line N" speaks of the traced file: its innermost frame, else the innermost of all.
        own = [frame for frame in stack if frame[0] == traced]
        where = own[0] if own else (stack[0] if stack else None)
        return records.Outcome(kind, detail, where, code if isinstance(code, int) else None)
    signum = status.get("signal")
    if isinstance(signum, int):
        hint = _signal_name(signum)
        if signum in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
            hint += f"; if the code allocates a lot, the {options.memory_mb} MiB limit (--dynamic-memory) may be why"
        return records.Outcome(records.CRASHED, hint, signal=signum)
    return records.Outcome(records.EXITED_EARLY, "", exit_code=status.get("exit_code"))


def _spec(jobs: Sequence[Job], options: DynamicOptions, work: Path, coverage: bool) -> dict[str, Any]:
    return {
        "ready": str(work / "ready.json"),
        "timeout_s": options.timeout_s,
        "memory_mb": options.memory_mb,
        "processes": options.processes,
        "argv": list(options.args),
        "coverage": coverage,
        "jobs": [
            {
                "path": os.path.abspath(job.path),
                "events": str(work / f"events-{index}.jsonl"),
                "status": str(work / f"status-{index}.json"),
                "log": str(work / f"output-{index}.log"),
                "builder": None
                if job.builder is None
                else {
                    "function": job.builder.function,
                    "input_shapes": [list(s) for s in job.builder.input_shapes],
                    "dtype": job.builder.dtype,
                },
            }
            for index, job in enumerate(jobs)
        ],
    }


def _worker_problem(reaped: dict[str, Any] | None, deadline: float, log_path: Path) -> str:
    """What went wrong with the worker as a whole, from the reaper's status; "" when nothing did."""
    if reaped is None:
        return "the tracing worker's supervisor stopped without a report"
    if reaped.get("timed_out"):
        return f"the tracing worker overran its {deadline:g} s deadline and was killed"
    if reaped.get("stopped"):
        return "the run was interrupted"
    signum = reaped.get("signal")
    if isinstance(signum, int):
        return f"the tracing worker was killed by {_signal_name(signum)} (by the traced code?)"
    code = reaped.get("exit_code")
    if code:
        return f"the tracing worker exited with code {code}: {_tail(log_path, 3)}"
    return ""


def _supervise(command: list[str], work: Path, deadline: float, log_path: Path, env: dict[str, str]) -> str:
    """Run the worker under the reaper; the worker's problem, if any."""
    status_path = work / "reaper.json"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "scopelint.dynamic.reaper", str(status_path), repr(deadline), "--", *command],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            # The reaper enforces the deadline; waiting longer than it would is a last resort.
            process.wait(timeout=deadline + _REAPER_GRACE_S)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if process.poll() is None:  # interrupted (Ctrl-C) or the reaper hung: let it clean up, briefly
                process.terminate()
                try:
                    process.wait(timeout=_REAPER_GRACE_S)
                except subprocess.TimeoutExpired:
                    pass
            reaper.kill_group(process.pid)
            process.wait()
    return _worker_problem(_read_json(status_path), deadline, log_path)


def run_jobs(jobs: Sequence[Job], options: DynamicOptions, coverage: bool = True) -> tuple[list[records.FileTrace], RunStats]:
    """Trace every job in one worker; one FileTrace per job, in order.

    ``coverage`` records which user lines ran (what "refuted" and "not
    reached" rest on); it roughly doubles graph-building time, so
    ``scopelint trace``, which shows only variables, turns it off."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="scopelint-dynamic-") as tmp:
        work = Path(tmp)
        spec = _spec(jobs, options, work, coverage)
        (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        log_path = work / "child.log"
        deadline = IMPORT_ALLOWANCE_S + len(jobs) * (options.timeout_s + _SLACK_S)
        worker = [sys.executable, "-m", "scopelint.dynamic.child", str(work / "spec.json")]
        worker_problem = _supervise(worker, work, deadline, log_path, child_environment(options))
        ready = _read_json(work / "ready.json")
        if ready is None and not worker_problem:
            worker_problem = "TensorFlow could not be imported"
        if ready is None:
            worker_problem += f" ({_tail(log_path, 3)})" if _tail(log_path, 3) else ""
        traces = [_collect(job, index, work, options, worker_problem) for index, job in enumerate(jobs)]
        import_seconds = float(ready["import_seconds"]) if ready else None
    return traces, RunStats(import_seconds, time.monotonic() - start)


def _collect(job: Job, index: int, work: Path, options: DynamicOptions, worker_problem: str) -> records.FileTrace:
    events_path = work / f"events-{index}.jsonl"
    try:
        with open(events_path, "rb") as handle:
            log = records.parse_events(handle)
    except OSError:
        log = records.EventLog()
    status = _read_json(work / f"status-{index}.json")
    outcome = _outcome(log, status, options, worker_problem, records.real(job.path))
    seconds = float(status.get("seconds", 0.0)) if status else 0.0
    return records.FileTrace(
        path=job.path,
        outcome=outcome,
        variables=tuple(log.variables),
        errors=tuple(log.errors),
        facts=tuple(log.facts),
        reached=dict(log.reached),
        seconds=seconds,
        log_tail="" if outcome.complete else _tail(work / f"output-{index}.log"),
    )


def trace_files(paths: Sequence[str], options: DynamicOptions) -> tuple[list[records.FileTrace], RunStats]:
    return run_jobs([Job(p) for p in paths], options)
