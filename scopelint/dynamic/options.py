"""Dynamic-mode settings as the command line gives them. No TensorFlow and
nothing heavy here: ``scopelint check`` imports this module to declare its
options, and is the only part of scopelint.dynamic the static path imports."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 4096
# Processes a traced file may have running at once besides itself (a multiprocessing pool fits; a fork bomb does not).
DEFAULT_PROCESSES = 256


@dataclass(frozen=True)
class DynamicOptions:
    # Wall-clock seconds each traced file (or builder) may run; TF's import is not counted.
    timeout_s: float = DEFAULT_TIMEOUT_S
    # MiB the traced code may allocate on top of what TensorFlow itself holds after import.
    memory_mb: int = DEFAULT_MEMORY_MB
    # Processes the traced file may have running at once besides itself; 0: no limit.
    processes: int = DEFAULT_PROCESSES
    # sys.argv[1:] the traced script sees.
    args: tuple[str, ...] = ()
    # "cpu" hides every GPU (CUDA_VISIBLE_DEVICES=-1); "gpu" leaves the environment alone.
    device: str = "cpu"


@dataclass(frozen=True)
class BuilderSpec:
    """``file.py:function``: call one builder twice with placeholder inputs."""

    function: str
    # One shape per positional input; None in a shape is an unknown dimension.
    input_shapes: tuple[tuple[int | None, ...], ...] = ()
    dtype: str = "float32"


def parse_shape(text: str) -> tuple[int | None, ...]:
    """``1,224,224,3`` -> (1, 224, 224, 3); ``?`` or ``None`` or ``-1`` is an unknown dimension."""
    dims: list[int | None] = []
    for part in text.replace("x", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part in {"?", "None", "none", "-1"}:
            dims.append(None)
            continue
        value = int(part)
        if value < 0:
            raise ValueError(f"bad dimension {part!r} in input shape {text!r}")
        dims.append(value)
    return tuple(dims)


def add_options(parser: argparse.ArgumentParser, *, with_switch: bool) -> None:
    """The dynamic options, shared by ``check`` and ``trace``."""
    group = parser.add_argument_group("dynamic mode (runs the code: only ever from the command line)")
    if with_switch:
        group.add_argument("--dynamic", action="store_true", help="also run each file under TF1 graph mode in a child process and mark findings confirmed / refuted / not reached")
    group.add_argument("--dynamic-timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS", help=f"wall-clock limit per traced file (default {DEFAULT_TIMEOUT_S:g})")
    group.add_argument("--dynamic-memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MIB", help=f"memory a traced file may allocate beyond TensorFlow's own (default {DEFAULT_MEMORY_MB})")
    group.add_argument("--dynamic-processes", type=int, default=DEFAULT_PROCESSES, metavar="N", help=f"processes a traced file may have running at once besides itself; more, and all are killed (default {DEFAULT_PROCESSES}, 0: no limit)")
    group.add_argument("--dynamic-args", default="", metavar="ARGS", help="sys.argv[1:] for the traced script, one shell-quoted string")
    group.add_argument("--device", choices=["cpu", "gpu"], default="cpu", help="cpu (default) hides every GPU; gpu leaves CUDA_VISIBLE_DEVICES alone")


def options_from(args: argparse.Namespace) -> DynamicOptions:
    if args.dynamic_timeout <= 0:
        raise ValueError("--dynamic-timeout must be positive")
    if args.dynamic_memory < 0:
        raise ValueError("--dynamic-memory must not be negative (0: no limit)")
    if args.dynamic_processes < 0:
        raise ValueError("--dynamic-processes must not be negative (0: no limit)")
    return DynamicOptions(
        timeout_s=args.dynamic_timeout,
        memory_mb=args.dynamic_memory,
        processes=args.dynamic_processes,
        args=tuple(shlex.split(args.dynamic_args)),
        device=args.device,
    )
