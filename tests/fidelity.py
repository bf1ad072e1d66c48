"""How exact are the names the model predicts on real nets?  ``python tests/fidelity.py``

A benchmark script, not a timed test (tests/test_fidelity_tf.py runs it on a few
nets). For every net it writes two driver programs:

* ``train``: build the net, then ``tf.train.AdamOptimizer().minimize(loss)``;
* ``reuse``: build it, then build it again under ``reuse=True``.

TF runs each driver (one child process, TF1 graph mode, ``TF_USE_LEGACY_KERAS=1``:
tests/tf_oracle.py) and reports the global variables it created. scopelint
runs ``--explain-names --format json`` on the same file. Per net:

* ``exact``: a name TF created that the model predicts as created (train, and
  the first build of reuse) or as reused (the second build of reuse);
* ``missing``: a name TF created that the model does not predict;
* ``wrong``: a name the model predicts that TF did not create (or, in the second
  build, a creation where TF reuses).

tensornets 0.4.6 is not importable under TF 2.21 as released (it imports
``tensorflow.python.keras``); tf_oracle.py aliases the two modules it needs to
tf-keras. Its source is found on sys.path, or in ``--tensornets DIR`` (an
unpacked sdist: ``pip download --no-deps tensornets``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tf_oracle import run_programs  # noqa: E402

HEADER = "import tensorflow.compat.v1 as tf\n"


@dataclass(frozen=True)
class Net:
    name: str
    imports: str  # import lines
    build: str  # one statement building the net from `images`; may use `reuse` (None or True)
    input_shape: tuple[int, ...]
    arg_scope: str | None = None  # an expression: the build runs inside `with slim.arg_scope(<it>):`
    loss: str = "tf.reduce_mean(logits)"
    reuse_kw: bool = False  # the build takes reuse=; else the second build runs in a reusing variable_scope


SLIM = "import tf_slim as slim\n"


def _slim(name: str, module: str, call: str, size: int, arg_scope: str, loss: str = "tf.reduce_mean(logits)") -> Net:
    return Net(name, SLIM + f"from tf_slim.nets import {module}\n", f"logits, end_points = {call}", (2, size, size, 3),
               arg_scope, loss)


def _nets(name: str, size: int = 224) -> Net:
    return Net(f"tensornets {name}", "import tensornets as nets\n", f"logits = nets.{name}(images, reuse=reuse)",
               (2, size, size, 3), reuse_kw=True)


OWN_BLOCKS = (
    "blocks = [\n"
    "    resnet_v1.resnet_v1_block('block1', base_depth=16, num_units=2, stride=2),\n"
    "    resnet_v1.resnet_v1_block('block2', base_depth=32, num_units=2, stride=1),\n"
    "]\n"
)

NETS: tuple[Net, ...] = (
    _slim("slim alexnet_v2", "alexnet", "alexnet.alexnet_v2(images, num_classes=10)", 224, "alexnet.alexnet_v2_arg_scope()"),
    _slim("slim overfeat", "overfeat", "overfeat.overfeat(images, num_classes=10)", 231, "overfeat.overfeat_arg_scope()"),
    _slim("slim vgg_a", "vgg", "vgg.vgg_a(images, num_classes=10)", 224, "vgg.vgg_arg_scope()"),
    _slim("slim vgg_16", "vgg", "vgg.vgg_16(images, num_classes=10)", 224, "vgg.vgg_arg_scope()"),
    _slim("slim vgg_19", "vgg", "vgg.vgg_19(images, num_classes=10)", 224, "vgg.vgg_arg_scope()"),
    _slim("slim inception_v1", "inception_v1", "inception_v1.inception_v1(images, num_classes=10)", 224,
          "inception_v1.inception_v1_arg_scope()"),
    _slim("slim inception_v2", "inception_v2", "inception_v2.inception_v2(images, num_classes=10)", 224,
          "inception_v2.inception_v2_arg_scope()"),
    _slim("slim inception_v3", "inception_v3", "inception_v3.inception_v3(images, num_classes=10)", 299,
          "inception_v3.inception_v3_arg_scope()", "tf.reduce_mean(logits) + tf.reduce_mean(end_points['AuxLogits'])"),
    _slim("slim resnet_v1_50", "resnet_v1", "resnet_v1.resnet_v1_50(images, num_classes=10)", 224,
          "resnet_v1.resnet_utils.resnet_arg_scope()"),
    _slim("slim resnet_v2_50", "resnet_v2", "resnet_v2.resnet_v2_50(images, num_classes=10)", 224,
          "resnet_v2.resnet_utils.resnet_arg_scope()"),
    Net("slim resnet_v1 own blocks", SLIM + "from tf_slim.nets import resnet_utils, resnet_v1\n" + OWN_BLOCKS,
        "logits, end_points = resnet_v1.resnet_v1(images, blocks, num_classes=10, scope='tiny_resnet')",
        (2, 64, 64, 3), "resnet_utils.resnet_arg_scope()"),
    _nets("ResNet50"),
    _nets("ResNet50v2"),
    _nets("VGG16"),
    _nets("MobileNet25"),
    _nets("MobileNet50v2"),
    _nets("Inception3", 299),
    _nets("DenseNet121"),
    _nets("SqueezeNet"),
)


def _indent(text: str, prefix: str) -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def _build(net: Net, reuse: bool) -> str:
    statement = net.build.replace("reuse=reuse", "reuse=True" if reuse else "reuse=None")
    if reuse and not net.reuse_kw:
        statement = "with tf.variable_scope(tf.get_variable_scope(), reuse=True):\n" + _indent(statement, "    ")
    if net.arg_scope is not None:
        statement = f"with slim.arg_scope({net.arg_scope}):\n" + _indent(statement, "    ")
    return statement.rstrip("\n") + "\n"


def driver(net: Net, kind: str) -> str:
    """The program TF runs and scopelint reads: ``kind`` is "train" or "reuse"."""
    shape = ", ".join(str(d) for d in net.input_shape)
    text = HEADER + net.imports + f"\nimages = tf.placeholder(tf.float32, [{shape}])\n" + _build(net, False)
    if kind == "train":
        text += f"loss = {net.loss}\ntrain_op = tf.train.AdamOptimizer(1e-3).minimize(loss)\n"
    else:
        text += _build(net, True)
    return text


@dataclass(frozen=True)
class Score:
    net: str
    kind: str
    total: int  # names TF creates (counted twice for reuse: once per build)
    exact: int
    wrong: int
    missing: int
    pure_reuse: bool | None = None  # reuse drivers: the second build is predicted as reuse only

    @property
    def percent(self) -> float:
        return 100.0 * self.exact / self.total if self.total else 100.0


def score(net: str, kind: str, tf_names: list[str], rows: list[dict[str, object]]) -> Score:
    truth = Counter(tf_names)
    created = Counter(str(r["predicted_name"]) for r in rows if r["action"] != "reuse")
    reused = Counter(str(r["predicted_name"]) for r in rows if r["action"] == "reuse")
    exact = sum((truth & created).values())
    missing = sum((truth - created).values())
    wrong = sum((created - truth).values())
    if kind == "train":
        return Score(net, kind, sum(truth.values()), exact, wrong, missing)
    exact_reuse = sum((truth & reused).values())
    return Score(net, kind, 2 * sum(truth.values()), exact + exact_reuse, wrong + sum((reused - truth).values()),
                 missing + sum((truth - reused).values()), pure_reuse=(reused == truth and not (created - truth)))


def model_rows(source: str, scratch: Path, index: int) -> list[dict[str, object]]:
    path = scratch / f"driver_{index}.py"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "scopelint", "--isolated", "--no-cache", "--explain-names", str(path), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scopelint failed on {path}: {done.stderr[-2000:]}")
    rows: list[dict[str, object]] = json.loads(done.stdout)["variables"]
    return rows


def find_tensornets(given: str | None) -> str | None:
    """A directory that holds the ``tensornets`` package."""
    candidates = [given] if given else []
    candidates += [p for p in sys.path if p] + ["/tmp/realtrees/tensornets-0.4.6", "/tmp/prec/tensornets-0.4.6"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "tensornets" / "__init__.py").is_file():
            return str(Path(candidate).resolve())
    return None


def measure(nets: tuple[Net, ...], tensornets_dir: str | None = None) -> list[Score]:
    programs = [(net, kind, driver(net, kind)) for net in nets for kind in ("train", "reuse")]
    saved = os.environ.get("PYTHONPATH")
    if tensornets_dir:
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (tensornets_dir, saved) if p)
    # Both TF and scopelint (which reads tensornets' source, never imports it) find it there.
    try:
        outcomes = run_programs([text for _, _, text in programs], timeout=1800)
        scores = []
        with tempfile.TemporaryDirectory(prefix="fidelity_") as scratch:
            for index, ((net, kind, text), outcome) in enumerate(zip(programs, outcomes)):
                if outcome.error is not None:
                    raise RuntimeError(f"TF failed on the {kind} driver of {net.name}: {outcome.error}\n{text}")
                scores.append(score(net.name, kind, list(outcome.variable_names), model_rows(text, Path(scratch), index)))
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return scores


def table(scores: list[Score]) -> str:
    lines = ["| net | driver | TF names | exact | wrong | missing | exact % | 2nd build pure reuse |",
             "|---|---|---|---|---|---|---|---|"]
    for s in scores:
        pure = "" if s.pure_reuse is None else ("yes" if s.pure_reuse else "no")
        lines.append(f"| {s.net} | {s.kind} | {s.total} | {s.exact} | {s.wrong} | {s.missing} | {s.percent:.1f} | {pure} |")
    total = sum(s.total for s in scores)
    exact = sum(s.exact for s in scores)
    lines.append(f"| **all** | | {total} | {exact} | {sum(s.wrong for s in scores)} | {sum(s.missing for s in scores)} "
                 f"| {100.0 * exact / total if total else 100.0:.1f} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensornets", help="a directory holding the tensornets package (an unpacked sdist)")
    parser.add_argument("--only", help="comma-separated substrings of net names to measure")
    parser.add_argument("--json", help="also write the scores here")
    options = parser.parse_args(argv)
    nets = NETS
    if options.only:
        wanted = options.only.split(",")
        nets = tuple(n for n in NETS if any(w in n.name for w in wanted))
    tensornets_dir = find_tensornets(options.tensornets)
    if tensornets_dir is None and any(n.name.startswith("tensornets") for n in nets):
        print("tensornets not found (pip download --no-deps tensornets; unpack; --tensornets DIR): skipping it",
              file=sys.stderr)
        nets = tuple(n for n in nets if not n.name.startswith("tensornets"))
    scores = measure(nets, tensornets_dir)
    print(table(scores))
    if options.json:
        Path(options.json).write_text(json.dumps([s.__dict__ for s in scores], indent=1), encoding="utf-8")
    bar = all(s.percent >= 95.0 for s in scores) and sum(s.exact for s in scores) >= 0.98 * sum(s.total for s in scores)
    return 0 if bar else 1


if __name__ == "__main__":
    sys.exit(main())
