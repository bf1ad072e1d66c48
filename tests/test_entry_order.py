"""Which functions run on their own: each function no run of the module reached, callers
before the functions they mention (entries.py ``_callers_first``). A helper that a function
defined below it calls gets no run of its own (and no ``-v`` note claiming nobody calls it);
what is reported does not depend on the order the functions are defined in."""

from __future__ import annotations

import json
from pathlib import Path

from test_verbose_notes import notes, scopelint

DENSE = '''\
def dense(x, size):
    with tf.variable_scope("fc"):
        return tf.matmul(x, tf.get_variable("w", [1, size]))
'''
UNUSED = '''\
def unused_helper(x):
    return x * tf.get_variable("u", [1])
'''
MODEL = '''\
def model(x):
    return dense(dense(x, 2), 3)
'''
PICK = '''\
def pick():
    return unused_helper
'''
HEADER = "import tensorflow.compat.v1 as tf\n"


def program(*functions: str) -> str:
    return HEADER + "".join("\n\n" + function for function in functions)


def lint(cwd: Path, path: str) -> tuple[list[tuple[str, int, str]], list[str]]:
    """The findings (code, line, message) and the ``-v`` notes of linting ``path``."""
    run = scopelint(cwd, "-v", "--format", "json", path)
    assert run.returncode in (0, 1), run.stderr
    return [(f["code"], f["line"], f["message"]) for f in json.loads(run.stdout)], notes(run.stderr)


def noted(notes: list[str]) -> list[str]:
    """The functions the notes say were analysed on their own."""
    return sorted(line.split("`")[1] for line in notes if "analysed on its own" in line)


def test_a_helper_a_later_function_calls_gets_no_run_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(program(DENSE, UNUSED, MODEL, PICK))
    found, notes = lint(tmp_path, "prog.py")
    # The shape clash of dense()'s two calls is found through model()'s run.
    [(code, line, message)] = found
    assert (code, line) == ("SL201", 14)
    assert "'{scope}/fc/w' with shape (1, 3), which line 6 already asked for with shape (1, 2)" in message
    # dense() ran inside model(): no run of its own, and no note saying nothing calls it.
    # unused_helper() is only mentioned (pick() returns it, never calls it): it still runs on its own.
    assert noted(notes) == ["model()", "pick()", "unused_helper()"]
    assert "prog.py:9:1: note: `unused_helper()` analysed on its own: no caller in the linted tree" in "\n".join(notes)


def test_the_order_functions_are_defined_in_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "callee_first.py").write_text(program(DENSE, UNUSED, MODEL, PICK))
    (tmp_path / "caller_first.py").write_text(program(PICK, MODEL, UNUSED, DENSE))
    first, first_notes = lint(tmp_path, "callee_first.py")
    last, last_notes = lint(tmp_path, "caller_first.py")
    assert [(code, message.replace("line 6", "line N")) for code, _, message in first] == \
           [(code, message.replace("line 18", "line N")) for code, _, message in last]
    assert [code for code, _, _ in first] == ["SL201"]
    assert noted(first_notes) == noted(last_notes) == ["model()", "pick()", "unused_helper()"]


def test_a_method_its_base_class_calls_through_self(tmp_path: Path) -> None:
    # tensor2tensor's shape: the base class (another module) calls ``self.body``; this module
    # never mentions body(), so the method defined last (predict) runs first and reaches it.
    (tmp_path / "base.py").write_text(HEADER + "\n\nclass Model(object):\n    def infer(self, x):\n        return self.body(x)\n")
    (tmp_path / "net.py").write_text(HEADER + '''from base import Model


class Net(Model):
    def body(self, x):
        with tf.variable_scope("net"):
            return x * tf.get_variable("w", [1])

    def predict(self, x):
        return self.infer(x)
''')
    found, notes = lint(tmp_path, "net.py")
    assert found == []
    assert noted(notes) == ["Net.predict()"]


NESTED = '''\
import tensorflow.compat.v1 as tf

def build(x, scale=default_scale):
    @layer_deco(tf.AUTO_REUSE)
    def inner(y, width=cfg.width):
        return helper(y) + other.attr_read
    class Local(base.Model):
        size = sizes[0]
    self_ref.target_attr = [shape for shape in x.shape]
    total += counter
    return inner(lambda z: z.lam_attr, f"{fmt_name}")
'''


def _walk(body: tuple[object, ...]) -> tuple[list[object], set[str]]:
    """Every FunctionDef in ``body`` at any depth, and every name and attribute name spelled
    in it: the walk of the whole tree that FunctionDef.spelled spares each analysis."""
    from scopelint.model import ir

    found: list[object] = []
    names: set[str] = set()
    todo: list[object] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ir.FunctionDef):
            found.append(node)
        elif isinstance(node, ir.Name):
            names.add(node.id)
        elif isinstance(node, ir.Attr):
            names.add(node.attr)
        todo.extend(ir.children(node))
    return found, names


def test_the_lowering_hands_over_the_names_each_function_body_spells() -> None:
    # The run order reads them for every function of every module analysed; the lowering
    # collects them as it visits each node, and they must be what a walk of the body finds:
    # the names of nested functions, their decorators and defaults, comprehensions,
    # lambdas, attribute targets and augmented assignments included.
    from scopelint.model import ir
    from scopelint.model.lower import lower_module

    body, _ = lower_module(NESTED, None)
    build = next(statement for statement in body if isinstance(statement, ir.FunctionDef))
    assert build.spelled == {"layer_deco", "tf", "AUTO_REUSE", "cfg", "width", "helper", "y", "other", "attr_read", "base",
                             "Model", "sizes", "self_ref", "shape", "x", "total", "counter", "inner", "z", "lam_attr",
                             "fmt_name"}
    assert "default_scale" not in build.spelled  # its own defaults are spelled where it is defined
    inner = next(f for f in _walk(body)[0] if getattr(f, "name", "") == "inner")
    assert inner.spelled == {"helper", "y", "other", "attr_read"}  # type: ignore[attr-defined]


def test_every_function_of_real_files_spells_what_a_walk_of_its_body_finds() -> None:
    from test_lsp_incremental import real_files

    from scopelint.model.lower import lower_module

    checked = 0
    for _, text in real_files():
        body, _ = lower_module(text, None)
        for definition in _walk(body)[0]:
            assert definition.spelled == _walk(definition.body)[1], definition.qualname  # type: ignore[attr-defined]
            checked += 1
    assert checked > 100
