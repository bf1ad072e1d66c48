"""Inline suppression comments."""

from __future__ import annotations

from scopelint.suppressions import find_suppressions, is_suppressed


def test_scopelint_ignore_with_codes() -> None:
    found = find_suppressions("x = 1  # scopelint: ignore[SL201, SL203]\n")
    assert found == {1: frozenset({"SL201", "SL203"})}
    assert is_suppressed("SL203", 1, found) and not is_suppressed("SL101", 1, found)


def test_noqa_forms() -> None:
    text = "a = 1  # noqa: SL201\nb = 2  # noqa\nc = 3  # NOQA:SL1\n"
    found = find_suppressions(text)
    assert is_suppressed("SL201", 1, found) and not is_suppressed("SL202", 1, found)
    assert is_suppressed("SL999", 2, found)  # bare noqa: everything
    assert is_suppressed("SL104", 3, found)  # prefixes work
    assert not is_suppressed("SL201", 4, found)


def test_comment_text_inside_strings_does_not_suppress() -> None:
    assert find_suppressions('s = "# noqa"\nt = "# scopelint: ignore"\n') == {}


def test_broken_source_does_not_raise() -> None:
    assert find_suppressions("def f(:\n  '''unterminated # noqa\n") == {}
