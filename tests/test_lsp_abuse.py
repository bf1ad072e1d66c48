"""The language server under abuse: a burst of 200 edits, garbage on the wire,
unknown methods, requests with bad params, positions far outside the document, a
change to a document never opened, a 10 MB buffer, a file that does not parse.
After each, the server must still be up and give the right answers. Garbage on the
wire itself: tests/test_lsp_wire.py."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from test_lsp import next_publish, open_doc, replace_all, start

pytestmark = pytest.mark.asyncio(loop_scope="function")

# An editor-like debounce: a burst of edits well inside it is one lint.
SERVER = [sys.executable, "-m", "scopelint", "lsp", "--debounce-ms", "300"]
BUGGY = 'import tensorflow as tf\n\nwith tf.name_scope("enc"):\n    w = tf.get_variable("w", [3])\n'
SL101_LINE = 3  # 0-based line of the finding in BUGGY


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def publishes(client: LanguageClient, uri: str, quiet_s: float) -> list[types.PublishDiagnosticsParams]:
    """Every publish for ``uri`` until none came for ``quiet_s``."""
    found = []
    while True:
        try:
            found.append(await next_publish(client, uri, timeout=quiet_s))
        except asyncio.TimeoutError:
            return found


async def still_correct(client: LanguageClient, root: Path, name: str = "check.py") -> None:
    """The server answers: a fresh buggy buffer gets its SL101 where it is, and hovers."""
    uri = open_doc(client, root / name, BUGGY)
    [finding] = (await next_publish(client, uri)).diagnostics
    assert (finding.code, finding.range.start.line) == ("SL101", SL101_LINE)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(SL101_LINE, 10))
    )
    assert hover is not None and "SL101" in str(hover.contents)


async def test_200_changes_in_a_second_publish_only_the_last_version(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "m.py", BUGGY)
    assert [d.code for d in (await next_publish(client, uri)).diagnostics] == ["SL101"]
    start_s = time.monotonic()
    for version in range(2, 202):  # each inserts a line at the top: the finding moves down one line
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangePartial(types.Range(types.Position(0, 0), types.Position(0, 0)), f"# edit {version}\n")],
            )
        )
    assert time.monotonic() - start_s < 3.0  # well under a second on an idle machine; a loaded CI box is given room
    [last] = await publishes(client, uri, quiet_s=2.0)
    assert last.version == 201
    [finding] = last.diagnostics
    assert (finding.code, finding.range.start.line) == ("SL101", SL101_LINE + 200)
    await still_correct(client, tmp_path)


async def test_out_of_range_positions_are_answered(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path, options={"inlayHints": True})
    uri = open_doc(client, tmp_path / "m.py", BUGGY)
    await next_publish(client, uri)
    doc = types.TextDocumentIdentifier(uri)
    far = types.Position(10**6, 10**6)
    assert await client.text_document_hover_async(types.HoverParams(doc, far)) is None
    # past the end of a line is the end of that line (as LSP says)
    end_of_line = types.Position(SL101_LINE, len(BUGGY.splitlines()[SL101_LINE]))
    beyond = await client.text_document_hover_async(types.HoverParams(doc, types.Position(SL101_LINE, 10**6)))
    assert beyond is not None and beyond == await client.text_document_hover_async(types.HoverParams(doc, end_of_line))
    bogus = types.Diagnostic(types.Range(far, types.Position(10**7, 0)), "stale", code="SL101", source="scopelint",
                             data={"fix": {"edits": [[10**6, 1, 10**6, 5, "x"]], "safety": "safe", "title": "t"}})  # fmt: skip
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(doc, types.Range(far, types.Position(10**7, 0)), types.CodeActionContext(diagnostics=[bogus]))
    )
    for action in actions or []:  # whatever it offers must lie inside the document
        assert isinstance(action, types.CodeAction)
        for edits in ((action.edit.changes or {}) if action.edit else {}).values():
            assert all(edit.range.end.line <= 4 for edit in edits), edits
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(doc, types.Range(far, types.Position(10**7, 0))))
    assert not hints
    everywhere = await client.text_document_inlay_hint_async(types.InlayHintParams(doc, types.Range(types.Position(0, 0), far)))
    assert [hint.label for hint in everywhere or []] == ["w:0"]  # a range past the end still covers the document
    await still_correct(client, tmp_path)


async def test_a_change_to_a_document_never_opened_is_ignored(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    ghost = (tmp_path / "ghost.py").as_uri()
    replace_all(client, ghost, 2, BUGGY)
    await still_correct(client, tmp_path)
    assert ghost not in client.diagnostics
    assert any(f"ignored a change to {ghost}, which was never opened" in m.message for m in client.log_messages)
    assert client.messages == []  # a log line, not a pop-up


async def test_a_10_mb_buffer_is_one_line_and_the_server_goes_on(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    huge = BUGGY + "x = 1\n" * (10 * 2**20 // 6)
    start_s = time.monotonic()
    uri = open_doc(client, tmp_path / "generated.py", huge)
    [finding] = (await next_publish(client, uri, timeout=60)).diagnostics
    assert time.monotonic() - start_s < 30
    assert finding.code == "SL900" and "too large to analyse (over 8 MiB)" in finding.message
    replace_all(client, uri, 2, BUGGY)  # cut back to size: linted again, for real
    [finding] = (await next_publish(client, uri)).diagnostics
    assert (finding.code, finding.range.start.line) == ("SL101", SL101_LINE)


async def test_a_broken_file_is_one_finding_and_requests_on_it_are_answered(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "broken.py", BUGGY.replace('[3])', '[3]'))
    [finding] = (await next_publish(client, uri)).diagnostics
    assert finding.code == "SL900" and "syntax error" in finding.message
    doc = types.TextDocumentIdentifier(uri)
    hover = await client.text_document_hover_async(types.HoverParams(doc, finding.range.start))
    assert hover is not None and "SL900" in str(hover.contents)
    await client.text_document_code_action_async(
        types.CodeActionParams(doc, finding.range, types.CodeActionContext(diagnostics=[finding]))
    )
    await client.text_document_inlay_hint_async(types.InlayHintParams(doc, types.Range(types.Position(0, 0), types.Position(9, 0))))
    replace_all(client, uri, 2, BUGGY)
    assert [d.code for d in (await next_publish(client, uri)).diagnostics] == ["SL101"]
