"""The fix machinery on its own: edits, the apply/re-lint loop, encodings,
line endings, permissions and atomic writes. Diagnostics here are built by
hand so that every property is tested independently of any rule."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Sequence

import pytest

from scopelint.diagnostic import Diagnostic
from scopelint.files import FileProblem
from scopelint.fixes import SAFE, UNSAFE, Edit, apply_fixes, fix_from_data, make_fix
from scopelint.fixes.edits import EditError, Fix, dominant_newline
from scopelint.fixes.loop import fix_text
from scopelint.fixes import sourcefile
from scopelint.fixes.sourcefile import WriteError, read_source, write_atomic


def finding(line: int, column: int, edits: Sequence[Edit], safety: str = SAFE, code: str = "SL401", message: str = "fix it") -> Diagnostic:
    return Diagnostic("m.py", line, column, code, "msg", data={"fix": make_fix(safety, message, edits)})


def replace_word(text: str, old: str, new: str, safety: str = SAFE) -> list[Diagnostic]:
    """One diagnostic per occurrence of ``old`` with a fix that replaces it: a tiny fake rule."""
    found = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        start = line.find(old)
        while start >= 0:
            found.append(finding(number, start + 1, [Edit(number, start + 1, number, start + 1 + len(old), new)], safety, message=f"{old} -> {new}"))
            start = line.find(old, start + 1)
    return found


def test_fix_round_trips_through_diagnostic_data() -> None:
    data = make_fix(UNSAFE, "Add reuse=tf.AUTO_REUSE", [Edit(3, 5, 3, 9, "x")])
    assert data == {"safety": "unsafe", "message": "Add reuse=tf.AUTO_REUSE", "edits": [{"line": 3, "column": 5, "end_line": 3, "end_column": 9, "content": "x"}]}
    assert fix_from_data(data) == Fix(UNSAFE, "Add reuse=tf.AUTO_REUSE", (Edit(3, 5, 3, 9, "x"),))
    assert fix_from_data({"safety": "maybe", "edits": data["edits"]}) is None
    assert fix_from_data({"safety": "safe", "edits": [{"line": 1}]}) is None
    with pytest.raises(ValueError):
        make_fix("risky", "m", [])


def test_edits_apply_at_code_point_columns_and_across_lines() -> None:
    text = "a = 'é'; op_scope\nsecond line\n"
    fix = Fix(SAFE, "m", (Edit(1, 10, 1, 18, "name_scope"), Edit(2, 1, 3, 1, "")))
    assert apply_fixes(text, [fix]) == "a = 'é'; name_scope\n"


def test_edit_outside_the_text_is_rejected() -> None:
    with pytest.raises(EditError):
        apply_fixes("ab\n", [Fix(SAFE, "m", (Edit(1, 4, 1, 5, "x"),))])
    with pytest.raises(EditError):
        apply_fixes("ab\n", [Fix(SAFE, "m", (Edit(7, 1, 7, 1, "x"),))])


def test_inserted_lines_take_the_files_line_ending() -> None:
    text = "a = 1\r\nb = 2\r\n"
    assert dominant_newline(text) == "\r\n"
    fix = Fix(SAFE, "m", (Edit(2, 1, 2, 1, "with s:\n    "),))
    assert apply_fixes(text, [fix]) == "a = 1\r\nwith s:\r\n    b = 2\r\n"


def test_only_safe_fixes_without_unsafe_flag() -> None:
    text = "x = old\ny = bad\n"
    found = replace_word(text, "old", "new") + replace_word(text, "bad", "good", safety=UNSAFE)
    relint = lambda t: replace_word(t, "old", "new") + replace_word(t, "bad", "good", safety=UNSAFE)  # noqa: E731
    safe = fix_text(text, found, relint)
    assert safe.text == "x = new\ny = bad\n"
    assert [(d.line, d.code) for d in safe.fixed] == [(1, "SL401")]
    assert [(d.line, d.column) for d in safe.remaining] == [(2, 5)]
    both = fix_text(text, found, relint, unsafe=True)
    assert both.text == "x = new\ny = good\n"
    assert both.remaining == ()


def test_overlapping_fixes_land_in_later_rounds() -> None:
    # The second fix's span contains the first's: it waits for the re-lint and comes back.
    text = "f(a, b)\n"

    def relint(t: str) -> list[Diagnostic]:
        found = []
        if "(a" in t:
            found.append(finding(1, 3, [Edit(1, 3, 1, 4, "x")], message="a to x"))
        if "b)" in t:
            args = t[2 : t.index(")")]
            found.append(finding(1, 6, [Edit(1, 3, 1, 3 + len(args), args.replace("b", "c"))], message="b to c"))
        return found

    outcome = fix_text(text, relint(text), relint)
    assert outcome.text == "f(x, c)\n"
    assert [(d.column, d.data["fix"]["message"]) for d in outcome.fixed] == [(3, "a to x"), (6, "b to c")]
    assert outcome.remaining == ()
    assert fix_text(outcome.text, relint(outcome.text), relint).text == outcome.text


def test_a_fix_that_would_not_parse_is_dropped_with_a_message() -> None:
    text = "x = old\ny = old2\n"
    good = finding(1, 5, [Edit(1, 5, 1, 8, "new")])
    broken = finding(2, 5, [Edit(2, 5, 2, 9, "(")], message="break it")
    outcome = fix_text(text, [good, broken], lambda t: [broken] if "old2" in t else [])
    assert outcome.text == "x = new\ny = old2\n"
    assert outcome.fixed == (good,)
    assert len(outcome.dropped) == 1
    assert outcome.dropped[0].startswith("m.py:2:5: SL401 fix dropped (break it): the result would not parse")


def test_a_fix_the_compiler_rejects_is_dropped() -> None:
    # libcst accepts a repeated keyword argument; CPython does not.
    text = "f(reuse=True)\n"
    repeat = finding(1, 13, [Edit(1, 13, 1, 13, ", reuse=None")], message="add reuse")
    outcome = fix_text(text, [repeat], lambda t: [repeat])
    assert outcome.text == text
    assert outcome.dropped == ("m.py:1:13: SL401 fix dropped (add reuse): the result would not parse (keyword argument repeated: reuse (line 1))",)


def test_same_span_different_content_conflicts() -> None:
    text = "x = old\n"
    first = finding(1, 5, [Edit(1, 5, 1, 8, "new")], message="one")
    second = finding(1, 5, [Edit(1, 5, 1, 8, "other")], code="SL402", message="two")
    outcome = fix_text(text, [first, second], lambda t: [second] if "old" in t else [])
    assert outcome.text == "x = new\n" and outcome.fixed == (first,)


def test_suppressed_findings_are_not_fixed() -> None:
    text = "x = old\n"
    (found,) = replace_word(text, "old", "new")
    hidden = Diagnostic(found.path, found.line, found.column, found.code, found.message, data={**found.data, "suppressed": True})
    assert fix_text(text, [hidden], lambda t: []).text == text


def test_rounds_are_bounded() -> None:
    # A fake rule that never stops offering an insertion: the loop must end and say so.
    grow = lambda t: [finding(1, 1, [Edit(1, 1, 1, 1, "x")], message="grow")]  # noqa: E731
    outcome = fix_text("y = 1\n", grow("y = 1\n"), grow, max_rounds=3)
    assert outcome.text == "xxxy = 1\n"
    assert outcome.dropped == ("fixes still pending after 3 rounds; run --fix again",)


# --- files on disk -----------------------------------------------------------


def test_read_source_keeps_bom_cookie_and_crlf(tmp_path: Path) -> None:
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfx = 1\r\n")
    source = read_source(str(bom))
    assert source.encoding == "utf-8-sig" and source.text == "x = 1\r\n"
    assert source.encode(source.text) == bom.read_bytes()
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"))
    source = read_source(str(latin))
    assert source.encoding == "iso-8859-1"
    assert source.encode(source.text.replace("name", "nom")) == "# -*- coding: latin-1 -*-\nnom = 'caf\xe9'\n".encode("latin-1")


def test_write_atomic_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "tool.py"
    target.write_bytes(b"old\n")
    target.chmod(0o751)
    write_atomic(str(target), b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tool.py"]


def test_write_atomic_follows_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_atomic(str(link), b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"


def test_interrupted_write_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(b"original\n")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sourcefile.os, "replace", fail)
    with pytest.raises(WriteError, match="not written: No space left on device"):
        write_atomic(str(target), b"replacement\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]  # no temp file left behind


def test_interrupt_during_write_leaves_the_original_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "model.py"
    target.write_bytes(b"original\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sourcefile.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), b"replacement\n")
    assert target.read_bytes() == b"original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_undecodable_round_trip_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.py"
    odd.write_bytes(b"x = 1\n\xff\n")
    with pytest.raises(FileProblem):
        read_source(str(odd))


def test_diff_marks_a_missing_final_newline() -> None:
    from scopelint.fixes.run import FileChange

    change = FileChange("m.py", "a = 1", "a = 2", (), written=False)
    assert change.diff() == (
        "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a = 1\n\\ No newline at end of file\n+a = 2\n\\ No newline at end of file\n"
    )
