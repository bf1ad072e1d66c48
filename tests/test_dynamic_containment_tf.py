"""Dynamic containment, end to end: one `scopelint --dynamic` run over programs that
hang, crash, exit past every handler, allocate 50 GB, flood their output, signal
their process group, leave 50 children behind, start children in a session of their
own (setsid) or a double-forking daemon, and finally kill the tracing worker itself.
Each must end within its limit, be reported in one line, leave no process behind
(every process they start carries a marker, looked for in /proc), and
the static findings must still be printed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from leftovers import EXEC_SLEEPER, SLEEPER, marked

pytestmark = pytest.mark.tf

TIMEOUT_S = 3.0
HEADER = "import os, signal, subprocess, sys, time\nimport tensorflow.compat.v1 as tf\nMARK = sys.argv[1]\n"

PROGRAMS = {
    "collide.py": (  # the static finding that must survive everything below
        "import tensorflow.compat.v1 as tf\n"
        "def block(x):\n"
        "    return tf.get_variable('w', [1])\n"
        "with tf.variable_scope('d'):\n"
        "    block(1)\n"
        "with tf.variable_scope('d'):\n"
        "    block(2)\n"
    ),
    "children.py": HEADER + f"procs = [subprocess.Popen({SLEEPER}) for _ in range(50)]\nw = tf.get_variable('w', [1])\n",
    "escapes.py": HEADER + (
        f"subprocess.Popen({SLEEPER}, start_new_session=True)\n"
        "middle = os.fork()\n"
        "if middle == 0:\n"  # a daemon: setsid, fork again, the middle one exits
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        {EXEC_SLEEPER}\n"
        "    os._exit(0)\n"
        "os.waitpid(middle, 0)\n"
    ),
    "spins.py": HEADER + "w = tf.get_variable('w', [1])\nwhile True:\n    pass\n",
    "sleeps.py": HEADER + "time.sleep(10**6)\n",
    "os_exit.py": HEADER + "w = tf.get_variable('w', [1])\nos._exit(3)\n",
    "segfault.py": HEADER + "import ctypes\nctypes.string_at(0)\n",
    "allocates.py": HEADER + "buffer = bytearray(50 * 2**30)\n",
    "allocates_numpy.py": HEADER + "import numpy as np\nbuffer = np.ones(50 * 2**30, np.uint8)\n",
    "floods.py": HEADER + "for _ in range(40):\n    sys.stdout.write('x' * 2**20)\n    sys.stderr.write('y' * 2**18)\nprint('last line of the flood')\n",
    "interrupts.py": HEADER + "os.killpg(0, signal.SIGINT)\ntime.sleep(30)\n",
    "thread_exits.py": HEADER + "import threading\nt = threading.Thread(target=sys.exit, args=(4,))\nt.start()\nt.join()\nw = tf.get_variable('w', [1])\n",
    # last: once the worker is gone, no later file can run
    "kills_worker.py": HEADER + f"subprocess.Popen({SLEEPER}, start_new_session=True)\ntime.sleep(0.5)\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(30)\n",
}


def _trace(work: Path, programs: dict[str, str], *options: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]:
    for name, text in programs.items():
        (work / name).write_text(text)
    marker = f"scopelint-containment-{uuid.uuid4().hex}"
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "--dynamic", "--dynamic-timeout", str(TIMEOUT_S), *options,
         "--dynamic-args", marker, "--no-cache", "--isolated", "--format", "json", *programs],
        cwd=work, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return done, json.loads(done.stdout), marker, time.monotonic() - start


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]:
    return _trace(tmp_path_factory.mktemp("containment"), PROGRAMS, "--dynamic-memory", "256")


def _lines(done: subprocess.CompletedProcess[str], programs: dict[str, str] = PROGRAMS) -> dict[str, str]:
    prefix = "scopelint: dynamic: "
    lines = [line[len(prefix):] for line in done.stderr.splitlines() if line.startswith(prefix)]
    return {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in lines if line.split(": ", 1)[0] in programs}


def test_nothing_is_left_running(run: tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]) -> None:
    _, _, marker, _ = run
    assert marked(marker) == []


def test_each_file_is_reported_in_one_line(run: tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]) -> None:
    done, _, _, _ = run
    said = _lines(done)
    assert set(said) == set(PROGRAMS), done.stderr
    assert said["collide.py"].startswith("raised at line 3: ValueError: Variable d/w already exists")
    assert said["spins.py"].startswith(f"timed out after {TIMEOUT_S:g} s (--dynamic-timeout)")
    assert said["sleeps.py"].startswith(f"timed out after {TIMEOUT_S:g} s (--dynamic-timeout)")
    assert said["os_exit.py"].startswith("exited early with code 3")
    assert said["segfault.py"].startswith("crashed with signal 11 (SIGSEGV")
    assert said["allocates.py"].startswith("ran out of memory (limit 256 MiB over TensorFlow's own, --dynamic-memory): MemoryError at line 4")
    assert said["allocates_numpy.py"].startswith("ran out of memory (limit 256 MiB over TensorFlow's own, --dynamic-memory): MemoryError: Unable to allocate 50.0 GiB")
    assert said["floods.py"].startswith("ran to the end")
    assert said["interrupts.py"].startswith("raised at line ") and ": KeyboardInterrupt; the rest of the file was not reached" in said["interrupts.py"]
    assert said["thread_exits.py"].startswith("ran to the end (")
    assert said["children.py"].startswith("ran to the end; 50 processes it started, still running, killed")
    assert said["escapes.py"].startswith("ran to the end; 2 processes it started, still running, killed")
    assert said["kills_worker.py"] == "not run: the tracing worker was killed by SIGKILL (by the traced code?) (0.00 s)"


def test_each_file_ends_within_its_limit(run: tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]) -> None:
    done, report, _, wall = run
    seconds = {t["path"]: t["seconds"] for t in report["traces"]}
    assert TIMEOUT_S <= seconds["spins.py"] < TIMEOUT_S + 1.5
    assert TIMEOUT_S <= seconds["sleeps.py"] < TIMEOUT_S + 1.5
    assert max(s for path, s in seconds.items() if path not in {"spins.py", "sleeps.py"}) < TIMEOUT_S
    imported = float(done.stderr.split("(TensorFlow import ")[1].split(" s")[0]) if "(TensorFlow import " in done.stderr else 0.0
    assert wall < imported + sum(seconds.values()) + 60  # no file, and no cleanup, waits out anything longer


def test_static_findings_are_still_printed(run: tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]) -> None:
    done, report, _, _ = run
    assert done.returncode == 1, done.stderr
    [collision] = [f for f in report["findings"] if f["code"] == "SL201"]
    assert (collision["path"], collision["line"], collision["data"]["dynamic"]) == ("collide.py", 7, "confirmed")
    assert {t["path"]: t["outcome"] for t in report["traces"]}["floods.py"] == "ok"


# Over --dynamic-processes: the worker counts what each file has running (every
# 0.1 s) and kills it all. Bounded, so that failed containment could not hurt the
# machine: at most 63, 200 and 50 processes. The limit is low because forking a
# process that has imported TensorFlow is slow (tens of ms on a loaded box).
PROCESS_LIMIT = 8
BOMBS = {
    "bombs.py": HEADER + f"me = os.getpid()\nfor _ in range(6):\n    os.fork()  # every process forks on\nif os.getpid() != me:\n    {EXEC_SLEEPER}\ntime.sleep(30)\n",
    "bombs_setsid.py": HEADER + f"for _ in range(200):\n    if os.fork() == 0:\n        os.setsid()  # out of the process group\n        {EXEC_SLEEPER}\ntime.sleep(30)\n",
    "many.py": HEADER + f"procs = [subprocess.Popen({SLEEPER}) for _ in range(50)]\ntime.sleep(30)\n",
    "collide.py": PROGRAMS["collide.py"],  # after them: the worker goes on, the finding is confirmed
}


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]:
    return _trace(tmp_path_factory.mktemp("bombs"), BOMBS, "--dynamic-processes", str(PROCESS_LIMIT))


def test_too_many_processes_are_all_killed_in_time(bombs: tuple[subprocess.CompletedProcess[str], dict[str, Any], str, float]) -> None:
    done, report, marker, _ = bombs
    assert marked(marker) == []
    said = _lines(done, BOMBS)
    assert set(said) == set(BOMBS), done.stderr
    for name in ("bombs.py", "bombs_setsid.py", "many.py"):
        assert said[name].startswith("started too many processes ("), said[name]
        assert f" running at once, limit {PROCESS_LIMIT}, --dynamic-processes): all killed; the rest of the file was not reached" in said[name]
    seconds = {t["path"]: t["seconds"] for t in report["traces"]}
    assert max(seconds.values()) < TIMEOUT_S, seconds
    assert {t["path"]: t["outcome"] for t in report["traces"]}["bombs.py"] == "too many processes"
    [collision] = [f for f in report["findings"] if f["code"] == "SL201"]
    assert (collision["path"], collision["line"], collision["data"]["dynamic"]) == ("collide.py", 7, "confirmed")
