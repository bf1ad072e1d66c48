"""Classes: an object's methods run after its ``__init__`` (issue 9, item 2).

The DCGAN package (tests/data/dcgan: ``main.py`` with flags and ``tf.app.run(main)``,
``model.py`` with the GAN class, ``ops.py`` helpers imported with ``from ops import *``,
no ``__init__.py``) and multi-GPU tower loops in a class's ``train()`` and in a script.
Each program also runs under TF, as a program (``runpy``, its folder on ``sys.path``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from scopelint.api import describe_variables, lint_paths, lint_source
from scopelint.config import Config
from scopelint.model import analyze, facts_from_source
from scopelint.model import events as ev
from tf_oracle import Outcome, run_programs

DATA = Path(__file__).resolve().parent / "data" / "dcgan"
TF = "import tensorflow.compat.v1 as tf\n"


def line_of(source: str, text: str, nth: int = 0) -> int:
    """The line (1-based) of the ``nth`` line holding ``text``."""
    return [i for i, line in enumerate(source.splitlines(), 1) if text in line][nth]


def package(tmp_path: Path, model: str) -> Path:
    """The DCGAN package in ``tmp_path/pkg``, with the buggy model or the fixed one."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for name in ("main.py", "ops.py"):
        shutil.copy(DATA / name, pkg / name)
    (pkg / "model.py").write_text(BUG if model == "bug" else FIXED, encoding="utf-8")
    return pkg


def found(paths: list[Path], *codes: str) -> list[tuple[str, int, str]]:
    config = Config().with_overrides(select=codes) if codes else Config()
    return [(Path(d.path).name, d.line, d.code) for d in lint_paths(paths, config)]


def related(diagnostic: object) -> list[tuple[str, int]]:
    return [(Path(r["path"]).name, r["line"]) for r in diagnostic.data["related"]]  # type: ignore[attr-defined]


BUG = (DATA / "model.py").read_text(encoding="utf-8")
# The fix: the discriminator opens a scope of its own and reuses that one.
ROOT_SCOPE = """\
        if reuse:
            tf.get_variable_scope().reuse_variables()
        h0 = lrelu(conv2d(image, self.df_dim, name='d_h0_conv'))
        h1 = lrelu(conv2d(h0, self.df_dim * 2, name='d_h1_conv'))
        h2 = linear(tf.reshape(h1, [self.batch_size, -1]), 1, 'd_h2_lin')
        return tf.nn.sigmoid(h2), h2
"""
OWN_SCOPE = """\
        with tf.variable_scope("discriminator") as scope:
            if reuse:
                scope.reuse_variables()
            h0 = lrelu(conv2d(image, self.df_dim, name='d_h0_conv'))
            h1 = lrelu(conv2d(h0, self.df_dim * 2, name='d_h1_conv'))
            h2 = linear(tf.reshape(h1, [self.batch_size, -1]), 1, 'd_h2_lin')
            return tf.nn.sigmoid(h2), h2
"""
assert ROOT_SCOPE in BUG
FIXED = BUG.replace(ROOT_SCOPE, OWN_SCOPE)
MAIN = (DATA / "main.py").read_text(encoding="utf-8")
LEAK = line_of(BUG, "tf.get_variable_scope().reuse_variables()")
MINIMIZE = line_of(BUG, "d_optim = tf.train.AdamOptimizer")


# ---------------------------------------------------------------- the DCGAN package


@pytest.mark.parametrize("target", ["pkg", "pkg/model.py"])
def test_dcgan_reuse_leak_is_reported_at_reuse_variables(tmp_path: Path, target: str) -> None:
    """__init__ -> build_model() -> discriminator(reuse=True) leaks reuse onto the root
    scope; train(), run after __init__, then fails in minimize()."""
    package(tmp_path, "bug")
    (d,) = lint_paths([tmp_path / target], Config())
    assert (Path(d.path).name, d.line, d.code) == ("model.py", LEAK, "SL203")
    assert related(d) == [("model.py", MINIMIZE)]
    assert "root variable scope" in d.message and f"AdamOptimizer.minimize()/apply_gradients()` at line {MINIMIZE}" in d.message


@pytest.mark.parametrize("target", ["pkg", "pkg/model.py", "pkg/main.py"])
def test_dcgan_with_its_own_scope_is_clean(tmp_path: Path, target: str) -> None:
    package(tmp_path, "fixed")
    assert found([tmp_path / target]) == []


def test_main_alone_shows_the_way_into_model(tmp_path: Path) -> None:
    """Linting main.py alone: the finding sits on its call that leads there, and names the
    failing minimize() and the reuse_variables() in model.py."""
    package(tmp_path, "bug")
    (d,) = lint_paths([tmp_path / "pkg" / "main.py"], Config().with_overrides(select=("SL203",)))
    assert (Path(d.path).name, d.line) == ("main.py", line_of(MAIN, "tf.app.run(main)"))
    assert related(d) == [("model.py", MINIMIZE), ("model.py", LEAK)]
    assert f"model.py:{MINIMIZE} cannot create its slot variables" in d.message


@pytest.mark.parametrize("spelling", ["star", "module"])
def test_model_alone_follows_ops(tmp_path: Path, spelling: str) -> None:
    """``from ops import *`` or ``import ops`` (then ``ops.conv2d``): ops.py is part of the tree."""
    pkg = package(tmp_path, "bug")
    source = (pkg / "model.py").read_text(encoding="utf-8")
    if spelling == "module":
        source = source.replace("from ops import *", "import ops")
        for helper in ("lrelu(", "conv2d(", "linear("):
            source = source.replace(f" {helper}", f" ops.{helper}").replace(f"({helper}", f"(ops.{helper}")
        assert "ops.conv2d(image" in source and "ops.lrelu(ops.conv2d(" in source
        (pkg / "model.py").write_text(source, encoding="utf-8")
    rows = describe_variables(source, str(pkg / "model.py"), Config())
    names = {(Path(r.path).name, r.predicted_name.split("/", 1)[-1]) for r in rows}
    assert {("ops.py", "d_h0_conv/w"), ("ops.py", "d_h2_lin/Matrix"), ("ops.py", "g_h0_lin/bias")} <= names


# ---------------------------------------------------------------- towers in train()

TOWER_LOSS = """\
def tower_loss(images):
    with tf.variable_scope('conv1'):
        kernel = tf.get_variable('weights', [4, 2])
    return tf.reduce_sum(tf.matmul(images, kernel))
"""
FLAGS = """\
flags = tf.app.flags
flags.DEFINE_integer('num_gpus', {gpus}, 'How many GPUs to use.')
FLAGS = flags.FLAGS
"""
TOWERS_CLASS = TF + FLAGS + TOWER_LOSS + """\
class Trainer(object):
    def __init__(self, learning_rate):
        self.images = tf.placeholder(tf.float32, [None, 4])
        self.opt = tf.train.{opt}(learning_rate)

    def train(self):
        tower_grads = []
        for i in range(FLAGS.num_gpus):
            with tf.device('/cpu:0'), tf.name_scope('tower_%d' % i):
                loss = tower_loss(self.images)
{reuse}                tower_grads.append(self.opt.compute_gradients(loss))
        return self.opt.apply_gradients(tower_grads[0])
"""
CLASS_MAIN = """\
def main(_):
    trainer = Trainer(0.1)
    train_op = trainer.train()
if __name__ == '__main__':
    tf.app.run(main)
"""
# What runs the class under TF when the module itself never does (a run.py beside it).
CLASS_DRIVER = "from towers import Trainer\ntrain_op = Trainer(0.1).train()\n"
TOWERS_SCRIPT = TF + "FLAGS = tf.app.flags.FLAGS\ntf.app.flags.DEFINE_integer('num_gpus', {gpus}, 'How many GPUs to use.')\n" + TOWER_LOSS + """\
def train():
    with tf.Graph().as_default(), tf.device('/cpu:0'):
        opt = tf.train.{opt}(0.1)
        images = tf.placeholder(tf.float32, [None, 4])
        tower_grads = []
        for i in range(FLAGS.num_gpus):
            with tf.device('/cpu:0'):
                with tf.name_scope('%s_%d' % ('tower', i)) as scope:
                    loss = tower_loss(images)
{reuse}                    tower_grads.append(opt.compute_gradients(loss))
        return opt.apply_gradients(tower_grads[0])
def main(argv=None):
    train()
if __name__ == '__main__':
    tf.app.run()
"""
# absl's flags and app.run, as TF 2 era scripts spell them.
TOWERS_ABSL = TOWERS_SCRIPT.replace(
    "FLAGS = tf.app.flags.FLAGS\ntf.app.flags.DEFINE_integer(", "from absl import app, flags\nFLAGS = flags.FLAGS\nflags.DEFINE_integer("
).replace("tf.app.run()", "app.run(main)")
assert "tf.app" not in TOWERS_ABSL and "app.run(main)" in TOWERS_ABSL
REUSE_CLASS = "                tf.get_variable_scope().reuse_variables()\n"
REUSE_SCRIPT = "                    tf.get_variable_scope().reuse_variables()\n"
SGD, ADAM = "GradientDescentOptimizer", "AdamOptimizer"

# id -> (program, the run that drives it under TF, expected (line text, code) or None, TF error start)
TOWERS: dict[str, tuple[str, str, tuple[str, str] | None, str | None]] = {
    "class-reuse": (TOWERS_CLASS.format(gpus=2, opt=SGD, reuse=REUSE_CLASS) + CLASS_MAIN, "", None, None),
    "class-no-reuse": (TOWERS_CLASS.format(gpus=2, opt=SGD, reuse="") + CLASS_MAIN, "",
                       ("loss = tower_loss(self.images)", "SL201"), "ValueError: Variable conv1/weights already exists"),
    "class-one-gpu-by-default": (TOWERS_CLASS.format(gpus=1, opt=SGD, reuse="") + CLASS_MAIN, "", None, None),
    # No caller in the module: train() runs after __init__, its Adam slots under the leaked reuse.
    "class-alone-adam": (TOWERS_CLASS.format(gpus=2, opt=ADAM, reuse=REUSE_CLASS), CLASS_DRIVER,
                         ("reuse_variables()", "SL203"), "ValueError: Variable conv1/weights/Adam/ does not exist"),
    "class-alone-sgd": (TOWERS_CLASS.format(gpus=2, opt=SGD, reuse=REUSE_CLASS), CLASS_DRIVER, None, None),
    "script-reuse": (TOWERS_SCRIPT.format(gpus=2, opt=SGD, reuse=REUSE_SCRIPT), "", None, None),
    "script-no-reuse": (TOWERS_SCRIPT.format(gpus=2, opt=SGD, reuse=""), "",
                        ("loss = tower_loss(images)", "SL201"), "ValueError: Variable conv1/weights already exists"),
    "absl-script-no-reuse": (TOWERS_ABSL.format(gpus=2, opt=SGD, reuse=""), "",
                             ("loss = tower_loss(images)", "SL201"), "ValueError: Variable conv1/weights already exists"),
    "absl-script-reuse": (TOWERS_ABSL.format(gpus=2, opt=SGD, reuse=REUSE_SCRIPT), "", None, None),
}


@pytest.mark.parametrize("key", sorted(TOWERS))
def test_towers(key: str) -> None:
    source, _, expected, _ = TOWERS[key]
    lines = [(d.line, d.code) for d in lint_source(source, "towers.py", Config())]
    assert lines == ([] if expected is None else [(line_of(source, expected[0]), expected[1])])


# ---------------------------------------------------------------- the object's state


def test_method_sees_what_init_and_build_set() -> None:
    """Keras' __call__ runs build() before call(): call() uses the layer build() made."""
    source = TF + """\
class Block(object):
    def __init__(self, units):
        self.units = units
    def build(self, input_shape):
        self.dense = tf.layers.Dense(self.units, name='fc')
    def call(self, x):
        return self.dense(x)
"""
    rows = describe_variables(source, "block.py", Config())
    assert [(r.line, r.predicted_name.split("/", 1)[-1]) for r in rows] == [(8, "fc/kernel"), (8, "fc/bias")]


def test_call_opens_the_scope_init_named() -> None:
    """__init__ keeps the scope's name, __call__ opens it (a name= parameter would stay unknown:
    the caller may pass another)."""
    source = TF + """\
class Encoder(object):
    def __init__(self, units):
        self._name = 'encoder'
    def __call__(self, x):
        with tf.variable_scope(self._name):
            return tf.matmul(x, tf.get_variable('w', [4, 4]))
"""
    rows = describe_variables(source, "encoder.py", Config())
    assert [r.predicted_name.split("/", 1)[-1] for r in rows] == ["encoder/w"]


def test_saver_built_in_init_misses_the_slots_a_method_makes() -> None:
    source = TF + """\
class Model(object):
    def __init__(self):
        x = tf.placeholder(tf.float32, [None, 4])
        self.loss = tf.reduce_sum(tf.layers.dense(x, 1))
        self.saver = tf.train.Saver()
    def train(self):
        return tf.train.AdamOptimizer(0.1).minimize(self.loss)
"""
    assert [(d.line, d.code) for d in lint_source(source, "m.py", Config())] == [(6, "SL302")]


def test_a_net_built_by_several_methods_is_not_a_collision() -> None:
    """Each method runs after its own __init__: train() and evaluate() are not one program."""
    source = TF + """\
def net(x):
    with tf.variable_scope('net'):
        return tf.layers.dense(x, 1, name='fc')
class Model(object):
    def __init__(self):
        self.x = tf.placeholder(tf.float32, [None, 4])
        self.logits = net(self.x)
    def evaluate(self):
        with tf.variable_scope(tf.get_variable_scope(), reuse=True):
            return net(self.x)
    def export(self):
        with tf.Graph().as_default():
            return net(tf.placeholder(tf.float32, [None, 4]))
"""
    assert lint_source(source, "m.py", Config()) == []


def test_inherited_init_from_another_module(tmp_path: Path) -> None:
    """An __init__ inherited from another module: what it does is reported on the class line."""
    (tmp_path / "base.py").write_text(TF + """\
class Base(object):
    def __init__(self):
        x = tf.placeholder(tf.float32, [None, 4])
        self.loss = tf.reduce_sum(tf.layers.dense(x, 1, name='fc'))
        tf.get_variable_scope().reuse_variables()
""", encoding="utf-8")
    (tmp_path / "gan.py").write_text(TF + """\
from base import Base
class GAN(Base):
    def train(self):
        return tf.train.AdamOptimizer(0.1).minimize(self.loss)
""", encoding="utf-8")
    (d,) = lint_paths([tmp_path / "gan.py"], Config())
    assert (Path(d.path).name, d.line, d.code) == ("gan.py", 3, "SL203")
    assert related(d) == [("gan.py", 5), ("base.py", 6)]


# A Keras layer class (build() then call(), one Dense object called twice: shared) and a
# test class building it in a fresh graph per test: each method after its own __init__, clean.
KERAS_LAYER = TF + """\
class Block(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super(Block, self).__init__(**kwargs)
        self.units = units
    def build(self, input_shape):
        self.dense = tf.keras.layers.Dense(self.units)
        super(Block, self).build(input_shape)
    def call(self, x):
        return self.dense(self.dense(x))
class BlockTest(tf.test.TestCase):
    def test_twice(self):
        with tf.Graph().as_default():
            block = Block(4)
            y = block(block(tf.zeros([2, 4])))
"""
KERAS_DRIVER = "from towers import BlockTest\nBlockTest('test_twice').test_twice()\n"


def test_keras_layer_and_its_test_are_clean() -> None:
    assert lint_source(KERAS_LAYER, "block.py", Config()) == []


# ---------------------------------------------------------------- TF agrees

# Each program runs as its own: its folder on sys.path, its modules and flags forgotten after.
DRIVER = """\
import os, runpy, sys, traceback
from absl import flags as absl_flags
folder, entry = {folder!r}, {entry!r}
defined = set(absl_flags.FLAGS)
sys.path.insert(0, folder)
for name in ('model', 'ops', 'towers'):
    sys.modules.pop(name, None)
sys.argv = [os.path.join(folder, entry)]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    if stop.code:
        raise
except Exception as error:
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(folder):
            print('TRACE', os.path.basename(frame.filename), frame.lineno)
    raise
finally:
    sys.path.remove(folder)
    for name in set(absl_flags.FLAGS) - defined:
        delattr(absl_flags.FLAGS, name)
"""


def drive(folder: Path, entry: str) -> str:
    return DRIVER.format(folder=str(folder), entry=entry)


def traced(outcome: Outcome) -> list[tuple[str, int]]:
    return [(f, int(n)) for _, f, n in (line.split() for line in outcome.stdout.splitlines() if line.startswith("TRACE "))]


@pytest.mark.tf
def test_tf_agrees(tmp_path: Path) -> None:
    programs: dict[str, str] = {}
    for name in ("bug", "fixed"):
        root = tmp_path / name
        root.mkdir()
        programs[name] = drive(package(root, name), "main.py")
    for key, (source, driver, _, _) in {**TOWERS, "keras": (KERAS_LAYER, KERAS_DRIVER, None, None)}.items():
        folder = tmp_path / key
        folder.mkdir()
        (folder / "towers.py").write_text(source, encoding="utf-8")
        if driver:
            (folder / "run.py").write_text(driver, encoding="utf-8")
        programs[key] = drive(folder, "run.py" if driver else "towers.py")
    outcomes = dict(zip(programs, run_programs(list(programs.values()))))

    bug = outcomes["bug"]
    assert bug.error is not None and bug.error.startswith(
        "ValueError: Variable d_h0_conv/w/Adam/ does not exist, or was not created with tf.get_variable()")
    # The statement that starts on MINIMIZE: Python names the line of its `.minimize(` call.
    assert ("model.py", line_of(BUG, ".minimize(self.d_loss, var_list=self.d_vars)")) in traced(bug)
    assert outcomes["fixed"].error is None, outcomes["fixed"].error
    assert outcomes["keras"].error is None, outcomes["keras"].error
    for key, (source, _, expected, error) in TOWERS.items():
        outcome = outcomes[key]
        if error is None:
            assert outcome.error is None, (key, outcome.error)
            continue
        assert outcome.error is not None and outcome.error.startswith(error), (key, outcome.error)
        assert expected is not None
        if expected[1] == "SL201":
            # TF's traceback passes through the line the finding is on (the second tower's call).
            assert ("towers.py", line_of(source, expected[0])) in traced(outcome), (key, traced(outcome))


def test_an_init_too_long_to_model_still_lets_the_method_run() -> None:
    """The analysis budget runs out inside __init__: train() is still analysed, on the object
    as far as it was built, and --verbose can say why the rest was not."""
    source = TF + """\
class Model(object):
    def __init__(self):
        self.loss = tf.reduce_sum(tf.get_variable('w', [4]))
        tf.get_variable_scope().reuse_variables()
        for i in range(30):
            for j in range(30):
                for k in range(30):
                    n = i + j + k
    def train(self):
        return tf.train.AdamOptimizer(0.1).minimize(self.loss)
"""
    assert [(d.line, d.code) for d in lint_source(source, "m.py", Config())] == [(5, "SL203")]
    reasons = [e.reason for e in analyze(facts_from_source(source, path="m.py", module_name=None), {}).of_type(ev.Unresolved)]
    assert "Model.__init__ is too long to model before train()" in reasons


def test_notebook_beside_the_model_follows_it(tmp_path: Path) -> None:
    """A notebook next to model.py (``from model import DCGAN``) drives the class: linted alone,
    it reads model.py and ops.py, and the leak is reported on the cell that builds and trains."""
    pkg = package(tmp_path, "bug")
    cells = ["import tensorflow.compat.v1 as tf\nfrom model import DCGAN",
             "sess = tf.Session()\ngan = DCGAN(sess)\ngan.train(None)"]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), str(pkg / "explore.ipynb"))
    (d,) = lint_paths([pkg / "explore.ipynb"], Config().with_overrides(select=("SL203",)))
    assert (Path(d.path).name, d.cell, d.line, d.code) == ("explore.ipynb", 2, 2, "SL203")
    assert ("model.py", LEAK) in related(d)
