"""The LSP server's pure parts, without a client: position encodings, the
suppression edit, client settings, and the stale-result guard."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from scopelint.config import Config
from scopelint.lsp.documents import ConfigLoader, LintResult, Scheduler, Snapshot
from scopelint.fixes.edits import Edit, Fix, apply_fixes
from scopelint.lsp.edits import non_overlapping, parse_fix, suppression_edit
from scopelint.lsp.positions import PositionMapper
from scopelint.lsp.settings import ClientSettings
from scopelint.suppressions import find_suppressions, is_suppressed


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-16", (0, 8)), ("utf-8", (0, 11)), ("utf-32", (0, 7))],
)
def test_positions_count_in_the_client_encoding(encoding: str, expected: tuple[int, int]) -> None:
    # "é" is 2 UTF-8 bytes, "𝑤" (U+1D464) 2 UTF-16 units and 4 UTF-8 bytes.
    mapper = PositionMapper.for_text('n = "é𝑤"; w = 1\n', encoding)
    assert mapper.to_client(1, 8) == expected
    assert mapper.from_client(*expected) == (1, 8)


def test_positions_clamp_and_split_like_lsp() -> None:
    mapper = PositionMapper.for_text("a\r\nbb\rccc\x0cd\n")
    assert mapper.lines == ("a", "bb", "ccc\x0cd", "")
    assert mapper.to_client(3, 99) == (2, 5)
    assert mapper.to_client(99, 1) == (3, 0)


def suppressed_after(text: str, line: int, code: str) -> tuple[str, bool]:
    edit = suppression_edit(text, line, code)
    assert edit is not None
    new = apply_fixes(text, [Fix("unsafe", "suppress", (edit,))])
    return new, is_suppressed(code, line, find_suppressions(new))


def test_suppression_appends_a_comment() -> None:
    text = "import tensorflow as tf\nw = tf.get_variable('w', [3])   \nx = 1\n"
    new, ok = suppressed_after(text, 2, "SL201")
    assert new == "import tensorflow as tf\nw = tf.get_variable('w', [3])  # scopelint: ignore[SL201]\nx = 1\n"
    assert ok


def test_suppression_extends_an_existing_ignore() -> None:
    text = "w = tf.get_variable('w', [3])  # scopelint: ignore[SL101 ]  # why\n"
    new, ok = suppressed_after(text, 1, "SL201")
    assert new == "w = tf.get_variable('w', [3])  # scopelint: ignore[SL101, SL201 ]  # why\n"
    assert ok and is_suppressed("SL101", 1, find_suppressions(new))


def test_suppression_after_another_comment_and_inside_parentheses() -> None:
    text = "w = tf.get_variable(  # noqa: E501\n    'w', [3])\n"
    new, ok = suppressed_after(text, 1, "SL201")
    assert new == "w = tf.get_variable(  # noqa: E501  # scopelint: ignore[SL201]\n    'w', [3])\n"
    assert ok


def test_suppression_extends_a_noqa_that_lists_scopelint_codes() -> None:
    """One directive per comment: appending `# scopelint: ignore[SL201]` would unsilence SL101."""
    text = "w = tf.get_variable('w', [3])  # noqa: SL101  # why\n"
    new, ok = suppressed_after(text, 1, "SL201")
    assert new == "w = tf.get_variable('w', [3])  # noqa: SL101, SL201  # why\n"
    assert ok and is_suppressed("SL101", 1, find_suppressions(new))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("w = f('''a\nb''')\n", 1),  # the line ends inside a string
        ("w = 1 + \\\n    2\n", 1),  # backslash continuation
        ("w = 1  # scopelint: ignore\n", 1),  # already silenced for every code
        ("w = 1  # scopelint: ignore[SL2]\n", 1),  # a prefix covers it
        ("w = 1  # noqa\n", 1),
        ("w = (\n", 1),  # does not tokenize
        ("w = 1\n", 5),
    ],
)
def test_no_suppression_edit_where_none_is_possible_or_needed(text: str, line: int) -> None:
    assert suppression_edit(text, line, "SL201") is None


def test_parse_fix_rejects_malformed_data() -> None:
    good = {"safety": "safe", "message": "m", "edits": [{"line": 1, "column": 2, "end_line": 1, "end_column": 3, "content": "x"}]}
    fix = parse_fix(good)
    assert fix is not None and fix.edits == (Edit(1, 2, 1, 3, "x"),) and fix.safety == "safe"
    assert parse_fix({"edits": [{"line": 1}]}) is None
    assert parse_fix({"edits": []}) is None
    assert parse_fix("fix") is None
    odd = parse_fix({**good, "safety": "maybe"})
    assert odd is not None and odd.safety == "unsafe"


def test_settings_take_only_booleans_from_the_client() -> None:
    settings = ClientSettings()
    assert settings.merged({"dynamic": True}).dynamic
    assert settings.merged({"scopelint": {"inlayHints": True}}).inlay_hints
    assert not settings.merged({"dynamic": "true"}).dynamic
    assert not settings.merged({"dynamic": 1}).dynamic
    assert settings.merged(None) == settings
    assert settings.merged({"dynamic": True}).merged({"scopelint": {"dynamic": False}}).dynamic is False


def test_config_error_reported_once_and_defaults_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.scopelint]\ndynamic = true\n")
    reported: list[str] = []
    loader = ConfigLoader(fallback_root=str(tmp_path), report=reported.append)
    snapshot = Snapshot("file:///x", str(tmp_path / "m.py"), "", 1, True)
    assert loader.for_snapshot(snapshot) == Config(root=str(tmp_path))
    loader.for_snapshot(snapshot)
    assert len(reported) == 1
    assert "only the command line or your editor settings can turn it on" in reported[0]


class SlowFirstScheduler(Scheduler):
    """Version 1's lint blocks until version 2's has been published."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.release = threading.Event()

    def _lint(self, snapshot: Snapshot) -> LintResult:
        if snapshot.version == 1:
            self.release.wait(5)
        return LintResult(snapshot, ())


def test_a_slow_old_result_never_overwrites_a_newer_one(tmp_path: Path) -> None:
    documents = {"u": Snapshot("u", "m.py", "a", 1, False)}
    published: list[int | None] = []
    configs = ConfigLoader(fallback_root=str(tmp_path), report=lambda m: None)

    def publish(result: LintResult) -> None:
        published.append(result.snapshot.version)

    scheduler = SlowFirstScheduler(documents.get, configs, publish, 0.0)

    async def scenario() -> None:
        old = asyncio.create_task(scheduler.lint_now("u"))
        await asyncio.sleep(0.05)
        documents["u"] = Snapshot("u", "m.py", "b", 2, False)
        await scheduler.lint_now("u")
        scheduler.release.set()
        assert await old is None

    asyncio.run(scenario())
    assert published == [2]
    assert scheduler.current("u", 2) is not None and scheduler.current("u", 1) is None


from scopelint.lsp import hover
from scopelint.model import VariableInfo


def test_variable_hover_text_and_innermost_pick() -> None:
    outer = VariableInfo(5, 5, 7, 2, "tf.layers.dense", "model/dense/kernel", "create", ("variable_scope=model/name_scope=model",))
    inner = VariableInfo(6, 9, 6, 30, "tf.get_variable", "model/w", "reuse", ("variable_scope=model/name_scope=model_1",))
    assert hover.variables_at([outer, inner], 6, 12) == [inner]
    assert hover.variables_at([outer, inner], 5, 6) == [outer]
    assert hover.variables_at([outer, inner], 4, 1) == []
    text = hover.variable_markdown(inner)
    assert text.startswith("**`model/w:0`**")
    assert "reused here (must already exist) by `tf.get_variable`" in text
    assert "- `variable_scope=model/name_scope=model_1`" in text
    assert hover.full_name("tower_{i}/w") == "tower_{i}/w:0"
    assert "TensorFlow raises" not in text


def test_variable_hover_says_when_tf_raises() -> None:
    from scopelint.api import describe_variables

    source = (
        "import tensorflow.compat.v1 as tf\n\n"
        "with tf.variable_scope('model'):\n    w = tf.get_variable('w', [3])\n"
        "with tf.variable_scope('model'):\n    w2 = tf.get_variable('w', [3])\n"
    )
    first, second = describe_variables(source)
    assert "TensorFlow raises" not in hover.variable_markdown(first)
    text = hover.variable_markdown(second)
    assert "already exists, disallowed" in text
    assert "- `name_scope=model_1`" in text


def test_rule_hover_uses_the_catalog_sections() -> None:
    text = hover.rule_markdown("SL900", "file not analysed: syntax error")
    assert text.startswith("**SL900 parse-error**: file not analysed: syntax error")
    assert "#### What it does" in text and "#### Why is this bad" in text
    assert text.rstrip().endswith("/rules/SL900.md)")
    assert hover.rule_markdown("SL999", "msg") == "**SL999** msg"
    assert hover.rule_markdown("SL999", "msg", "confirmed") == "**SL999** msg\n\nDynamic mode: **confirmed**"


def test_a_failing_lint_is_reported_not_raised(tmp_path: Path) -> None:
    class Exploding(Scheduler):
        def _lint(self, snapshot: Snapshot) -> LintResult:
            raise RuntimeError("boom")

    errors: list[str] = []
    configs = ConfigLoader(fallback_root=str(tmp_path), report=lambda m: None)
    snapshot = Snapshot("u", "m.py", "a", 1, False)
    scheduler = Exploding(lambda uri: snapshot, configs, lambda r: None, 0.0, on_error=errors.append)
    assert asyncio.run(scheduler.lint_now("u")) is None
    assert errors == ["scopelint: linting m.py failed: RuntimeError('boom')"]


def test_a_layer_call_hovers_and_hints_all_its_variables() -> None:
    from scopelint.api import describe_variables

    source = (
        "import tensorflow.compat.v1 as tf\n"
        "x = tf.placeholder(tf.float32, [None, 3])\n"
        "with tf.variable_scope('gen'):\n"
        "    h = tf.layers.dense(x, 4, name='h0')\n"
    )
    infos = describe_variables(source)
    under = hover.variables_at(infos, 4, 15)
    assert [i.predicted_name for i in under] == ["gen/h0/kernel", "gen/h0/bias"]
    [(line, column, label, tooltip)] = hover.hints(infos)
    assert (line, column) == (4, len("    h = tf.layers.dense(x, 4, name='h0')") + 1)
    assert label == "gen/h0/kernel:0, gen/h0/bias:0"
    assert "created here by tf.layers.dense" in tooltip


def test_fix_all_takes_whole_fixes_that_do_not_overlap() -> None:
    a = Fix("safe", "a", (Edit(1, 1, 1, 5, "A"),))
    b = Fix("safe", "b", (Edit(1, 3, 1, 8, "B"),))  # overlaps a
    c = Fix("safe", "c", (Edit(2, 1, 2, 2, "C"), Edit(4, 1, 4, 1, "C2")))
    d = Fix("safe", "d", (Edit(4, 1, 4, 1, "D"),))  # same insertion point as c's second edit
    assert non_overlapping([b, c, a, d]) == [Edit(1, 1, 1, 5, "A"), Edit(2, 1, 2, 2, "C"), Edit(4, 1, 4, 1, "C2")]
    assert non_overlapping([]) == []
