"""The containment machinery of dynamic mode without TensorFlow: the reaper
(`python -m scopelint.dynamic.reaper`, which runs the tracing worker) around plain
programs that leave children behind, start them in sessions of their own, or never
end; and the choice of files to trace, which must never block on a FIFO.
tests/test_dynamic_containment_tf.py runs the same kinds of programs through
`scopelint --dynamic`."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from leftovers import EXEC_SLEEPER, SLEEPER, marked

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

LEAVES_CHILDREN = f"""import os, subprocess, sys, time
MARK = sys.argv[1]
for _ in range(50):
    subprocess.Popen({SLEEPER})
subprocess.Popen({SLEEPER}, start_new_session=True)
middle = os.fork()
if middle == 0:  # a daemon: a session of its own, fork again, the middle one exits
    os.setsid()
    if os.fork() == 0:
        {EXEC_SLEEPER}
    os._exit(0)
os.waitpid(middle, 0)
open(sys.argv[2], "w").close()
time.sleep(0.5)
"""


def _reaper(status: Path, deadline: float, *command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "scopelint.dynamic.reaper", str(status), str(deadline), "--", *command], start_new_session=True)


def test_children_in_other_sessions_and_daemons_are_killed(tmp_path: Path) -> None:
    program = tmp_path / "leaves.py"
    program.write_text(LEAVES_CHILDREN)
    marker = f"scopelint-reaper-{uuid.uuid4().hex}"
    status = tmp_path / "status.json"
    assert _reaper(status, 60, sys.executable, str(program), marker, str(tmp_path / "ready")).wait(timeout=60) == 0
    assert marked(marker) == []
    report = json.loads(status.read_text())
    assert (report["exit_code"], report["timed_out"], report["subreaper"]) == (0, False, True)
    assert report["leftovers"] == 52  # 50 children, the setsid one, the daemon


def test_the_deadline_kills_what_never_ends(tmp_path: Path) -> None:
    program = tmp_path / "sleeps.py"
    program.write_text(f"import os, subprocess, sys, time\nMARK = sys.argv[1]\nsubprocess.Popen({SLEEPER}, start_new_session=True)\ntime.sleep(10**6)\n")
    marker = f"scopelint-reaper-{uuid.uuid4().hex}"
    status = tmp_path / "status.json"
    start = time.monotonic()
    _reaper(status, 1.5, sys.executable, str(program), marker).wait(timeout=60)
    assert time.monotonic() - start < 10
    assert marked(marker) == []
    report = json.loads(status.read_text())
    assert (report["timed_out"], report["exit_code"], report["leftovers"]) == (True, None, 1)


def test_stopping_the_reaper_still_cleans_up(tmp_path: Path) -> None:
    """What the runner does when scopelint itself is interrupted (Ctrl-C): SIGTERM to the reaper."""
    program = tmp_path / "leaves.py"
    program.write_text(LEAVES_CHILDREN.replace("time.sleep(0.5)", "time.sleep(10**6)"))
    marker = f"scopelint-reaper-{uuid.uuid4().hex}"
    status = tmp_path / "status.json"
    reaper = _reaper(status, 60, sys.executable, str(program), marker, str(tmp_path / "ready"))
    deadline = time.monotonic() + 60
    while not (tmp_path / "ready").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    reaper.send_signal(signal.SIGTERM)
    assert reaper.wait(timeout=30) == 0
    assert marked(marker) == []
    report = json.loads(status.read_text())
    assert report["stopped"] is True and report["leftovers"] == 52


def test_a_fifo_named_like_a_script_is_never_read(tmp_path: Path) -> None:
    """Choosing what to trace reads each discovered file as the static pass does:
    a FIFO without a writer must not block it (it did, with read_bytes)."""
    os.mkfifo(tmp_path / "x.py")
    (tmp_path / "model.py").write_text("import tensorflow as tf\n")
    probe = (
        "import sys\nfrom scopelint.dynamic.cli import files_to_trace\n"
        "print(files_to_trace([sys.argv[1]], [sys.argv[1] + '/model.py', sys.argv[1] + '/x.py']))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == repr([f"{tmp_path}/model.py"]), done.stderr


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="--dynamic stops first without the [dynamic] extra")
def test_dynamic_run_over_a_fifo_reports_it_and_does_not_hang(tmp_path: Path) -> None:
    """`scopelint --dynamic x.py` on a FIFO: the static SL900 line, nothing to trace, exit 1, promptly."""
    os.mkfifo(tmp_path / "x.py")
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "--dynamic", "--no-cache", "--isolated", "x.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "x.py:1:1: SL900" in done.stdout and "a FIFO" in done.stdout, done.stdout
    assert "scopelint: dynamic: no file to trace" in done.stderr


def test_the_reaper_cleans_up_when_scopelint_itself_is_killed(tmp_path: Path) -> None:
    """SIGKILL to the process that started the reaper (scopelint, or a CI job cancelled):
    the reaper hears of it (PR_SET_PDEATHSIG) and kills everything below it at once."""
    program = tmp_path / "leaves.py"
    program.write_text(LEAVES_CHILDREN.replace("time.sleep(0.5)", "time.sleep(10**6)"))
    marker = f"scopelint-reaper-{uuid.uuid4().hex}"
    status = tmp_path / "status.json"
    starter = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-m', 'scopelint.dynamic.reaper', *sys.argv[1:]], start_new_session=True)\n"
        "time.sleep(10**6)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", starter, str(status), "600", "--", sys.executable, str(program), marker, str(tmp_path / "ready")])
    deadline = time.monotonic() + 60
    while not (tmp_path / "ready").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while (not status.exists() or marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the reaper itself (its argv holds the marker too) may still be exiting
    assert marked(marker) == []
    report = json.loads(status.read_text())
    assert report["stopped"] is True and report["leftovers"] == 52


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="trace stops first without the [dynamic] extra")
def test_trace_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    done = subprocess.run([sys.executable, "-m", "scopelint", "trace", "x.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, "scopelint trace: error: x.py: not a regular file\n")


FAKE_TENSORFLOW = """import json, os, sys, time
from scopelint.dynamic import reaper
probe = os.environ["SCOPELINT_TEST_PROBE"]
middle = os.fork()
if middle == 0:  # what TF's import might start: a daemon, orphaned at once
    if os.fork() == 0:
        while os.getppid() == middle:  # until the middle one is gone and it is adopted
            time.sleep(0.01)
        with open(probe + ".orphan", "w") as handle:
            handle.write(str(os.getppid()))
    os._exit(0)
os.waitpid(middle, 0)
deadline = time.monotonic() + 30
while not os.path.exists(probe + ".orphan") and time.monotonic() < deadline:
    time.sleep(0.01)
with open(probe, "w") as handle:
    json.dump({"subreaper": reaper.is_subreaper(), "pid": os.getpid()}, handle)
raise ImportError("not the real TensorFlow")
"""


def test_the_worker_is_a_subreaper_before_tensorflow_is_imported(tmp_path: Path) -> None:
    """The worker makes itself a child subreaper first: a process TF's import orphans
    (here, a stand-in ``tensorflow`` that starts a daemon) is adopted by the worker, not init."""
    fake = tmp_path / "fake"
    (fake / "tensorflow").mkdir(parents=True)
    (fake / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"ready": str(tmp_path / "ready.json"), "timeout_s": 5, "memory_mb": 0, "jobs": []}))
    probe = tmp_path / "probe.json"
    env = {**os.environ, "SCOPELINT_TEST_PROBE": str(probe), "PYTHONPATH": os.pathsep.join([str(fake), *filter(None, [os.environ.get("PYTHONPATH")])])}
    worker = subprocess.run([sys.executable, "-m", "scopelint.dynamic.child", str(spec)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "not the real TensorFlow" in worker.stderr  # the stand-in was what got imported
    seen = json.loads(probe.read_text())
    assert seen["subreaper"] is True
    assert int((tmp_path / "probe.json.orphan").read_text()) == seen["pid"]  # adopted by the worker
