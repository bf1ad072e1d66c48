"""The language server driven by a real LSP client over stdio (pytest-lsp).

Each test starts ``python -m scopelint lsp`` in a fresh process, initializes it
with its own options, and talks to it the way an editor does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="function")

SERVER = [sys.executable, "-m", "scopelint", "lsp", "--debounce-ms", "50"]

BROKEN = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3]
"""

FIXED = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, root: Path, options: Any = None) -> types.InitializeResult:
    published(client)  # recording before the server can publish anything
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(configuration=False),
            ),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options=options,
        )
    )


class Publishes:
    """Every publishDiagnostics the server sends a client, in the order it sent them.

    pytest-lsp's ``wait_for_notification`` resolves one waiter and forgets the
    method until the next wait: a publish that lands between two waits (the
    server publishes again as soon as the workspace index is ready) was lost, and
    the test timed out. This keeps a waiter registered at all times; pytest-lsp's
    futures are ``concurrent.futures`` ones, whose callbacks run inside
    ``set_result``, so the next waiter is in place before another message is read.
    """

    def __init__(self, client: LanguageClient) -> None:
        self._client = client
        self._arrived: list[types.PublishDiagnosticsParams] = []
        self._wakeup = asyncio.Event()
        self._listen()

    def _listen(self) -> None:
        # Our own callback, not wait_for_notification's: when the server exits pytest-lsp fails
        # every waiter, and its wrapper re-raised that into concurrent.futures' log (a traceback
        # on the benchmark's output after each clean shutdown).
        waiter = self._client.protocol.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        waiter.add_done_callback(self._record)

    def _record(self, waiter: "concurrent.futures.Future[types.PublishDiagnosticsParams]") -> None:
        if waiter.cancelled() or waiter.exception() is not None:
            return  # the server is gone: nothing more arrives
        self._listen()
        self._arrived.append(waiter.result())
        self._wakeup.set()

    async def next_for(self, uri: str, timeout: float) -> types.PublishDiagnosticsParams:
        """The oldest publish for ``uri`` not yet taken (those for other URIs are dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            while self._arrived:
                params = self._arrived.pop(0)
                if params.uri == uri:
                    return params
            self._wakeup.clear()
            await asyncio.wait_for(self._wakeup.wait(), deadline - time.monotonic())


_PUBLISHES: weakref.WeakKeyDictionary[LanguageClient, Publishes] = weakref.WeakKeyDictionary()


def published(client: LanguageClient) -> Publishes:
    """The client's recorder, started on first use (``start`` starts it before initializing)."""
    if client not in _PUBLISHES:
        _PUBLISHES[client] = Publishes(client)
    return _PUBLISHES[client]


async def next_publish(client: LanguageClient, uri: str, timeout: float = 30) -> types.PublishDiagnosticsParams:
    """The next publishDiagnostics for ``uri`` (others are skipped)."""
    return await published(client).next_for(uri, timeout)


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_open_broken_then_fix_clears_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    result = await start(client, tmp_path)
    assert result.server_info is not None and result.server_info.name == "scopelint"
    path = tmp_path / "model.py"
    path.write_text(BROKEN)
    uri = open_doc(client, path, BROKEN)

    published = await next_publish(client, uri)
    assert published.version == 1
    [diagnostic] = published.diagnostics
    assert diagnostic.code == "SL900"
    assert diagnostic.source == "scopelint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message.startswith("file not analysed: syntax error")
    assert diagnostic.data["code"] == "SL900" and diagnostic.data["version"] == 1
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("/rules/SL900.md")

    on_diagnostic = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=diagnostic.range.start)
    )
    assert on_diagnostic is not None and isinstance(on_diagnostic.contents, types.MarkupContent)
    assert on_diagnostic.contents.value.startswith("**SL900 parse-error**: file not analysed: syntax error")
    assert "#### Why is this bad" in on_diagnostic.contents.value

    replace_all(client, uri, 2, FIXED)
    cleared = await next_publish(client, uri)
    assert cleared.version == 2
    assert list(cleared.diagnostics) == []

    # The server is alive and answers requests after the malformed version.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=3, character=9))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "`model/w:0`" in hover.contents.value


async def test_python2_file_gets_the_hint(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    text = "import tensorflow as tf\n\nprint 'building graph'\n"
    uri = open_doc(client, tmp_path / "legacy.py", text)
    [diagnostic] = (await next_publish(client, uri)).diagnostics
    assert diagnostic.code == "SL900"
    assert "Python 2 syntax (`print` statement)" in diagnostic.message
    assert diagnostic.range.start == types.Position(line=2, character=0)
    # Without an end position the whole (non-blank) line is underlined.
    assert diagnostic.range.end == types.Position(line=2, character=len("print 'building graph'"))


async def test_burst_of_edits_publishes_only_the_latest_version(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "m.py", FIXED)
    assert list((await next_publish(client, uri)).diagnostics) == []

    # Versions 2..6 arrive faster than the debounce: only version 6 is linted.
    for version in range(2, 7):
        replace_all(client, uri, version, BROKEN if version % 2 == 0 else FIXED + f"# edit {version}\n")
    final = await next_publish(client, uri)
    assert final.version == 6
    assert [d.code for d in final.diagnostics] == ["SL900"]
    with pytest.raises(asyncio.TimeoutError):
        await next_publish(client, uri, timeout=0.6)


async def test_bad_config_is_logged_and_defaults_are_used(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.scopelint]\nselekt = ["SL2"]\n')
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "m.py", BROKEN)
    published = await next_publish(client, uri)
    assert [d.code for d in published.diagnostics] == ["SL900"]
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert any("config error" in m and "unknown key 'selekt'" in m for m in errors), errors
    assert any("unknown key 'selekt'" in m.message for m in client.messages)

    # Reported once, not on every edit.
    replace_all(client, uri, 2, FIXED)
    assert list((await next_publish(client, uri)).diagnostics) == []
    assert sum("unknown key 'selekt'" in m.message for m in client.log_messages) == 1
    # ... and the server still answers requests.
    answer = await client.text_document_hover_async(hover_params(uri, 3, 9))
    assert answer is not None and isinstance(answer.contents, types.MarkupContent)
    assert "`model/w:0`" in answer.contents.value


async def test_workspace_config_is_honoured(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.scopelint]\nper-file-ignores = {"legacy_*.py" = ["SL900"]}\n')
    await start(client, tmp_path)
    ignored = open_doc(client, tmp_path / "legacy_a.py", BROKEN)
    assert list((await next_publish(client, ignored)).diagnostics) == []
    kept = open_doc(client, tmp_path / "model.py", BROKEN)
    assert [d.code for d in (await next_publish(client, kept)).diagnostics] == ["SL900"]


MARKER_PROGRAM = """\
import pathlib
import tensorflow.compat.v1 as tf

pathlib.Path({marker!r}).write_text("executed")
with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
    w = tf.get_variable("w", [3])
"""


@pytest.mark.parametrize(
    "pyproject",
    [
        "[tool.scopelint]\ndynamic = true\n",
        '[tool.scopelint]\nselect = ["SL"]\n',
        "[tool.scopelint.dynamic]\nenabled = true\ntimeout = 60\n",
        "[tool.scopelint-dynamic]\nenabled = true\n[project]\nname = 'x'\n",
    ],
)
async def test_repository_config_never_makes_the_server_run_code(
    client: LanguageClient, tmp_path: Path, pyproject: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    marker = tmp_path / "executed.txt"
    text = MARKER_PROGRAM.format(marker=str(marker))
    path = tmp_path / "train.py"
    path.write_text(text)
    await start(client, tmp_path)
    uri = open_doc(client, path, text)
    await next_publish(client, uri)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri), text=text)
    )
    await next_publish(client, uri)
    await asyncio.sleep(0.3)
    assert not marker.exists()
    assert not any("dynamic mode was requested" in m.message for m in client.log_messages)


async def test_suppress_action_appends_the_comment(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    text = FIXED.replace('[3])', '[3])  # shape from config')
    uri = open_doc(client, tmp_path / "m.py", text)
    await next_publish(client, uri)
    diagnostic = types.Diagnostic(
        range=types.Range(types.Position(3, 8), types.Position(3, 32)),
        message="variable model/w already exists",
        code="SL201",
        source="scopelint",
        data={"code": "SL201", "line": 4, "version": 1},
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    [action] = [a for a in actions if isinstance(a, types.CodeAction)]
    assert action.title == "Suppress SL201 on this line"
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    [edit] = action.edit.changes[uri]
    line = text.splitlines()[3]
    assert edit.range == types.Range(types.Position(3, len(line)), types.Position(3, len(line)))
    assert edit.new_text == "  # scopelint: ignore[SL201]"


async def test_quick_fix_from_diagnostic_data(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "m.py", FIXED, version=3)
    await next_publish(client, uri)
    fix = {
        "safety": "unsafe",
        "message": "Add reuse=tf.AUTO_REUSE",
        "edits": [{"line": 3, "column": 32, "end_line": 3, "end_column": 32, "content": ", reuse=tf.AUTO_REUSE"}],
    }

    def diagnostic(version: int) -> types.Diagnostic:
        return types.Diagnostic(
            range=types.Range(types.Position(2, 5), types.Position(2, 32)),
            message="variable model/w already exists",
            code="SL201",
            source="scopelint",
            data={"code": "SL201", "line": 3, "version": version, "fix": fix},
        )

    async def actions(version: int) -> list[types.CodeAction]:
        found = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(2, 5), types.Position(2, 5)),
                context=types.CodeActionContext(diagnostics=[diagnostic(version)]),
            )
        )
        return [a for a in found or [] if isinstance(a, types.CodeAction)]

    current = await actions(3)
    assert [a.title for a in current] == [
        "Add reuse=tf.AUTO_REUSE (unsafe fix: review it)",
        "Suppress SL201 on this line",
    ]
    assert current[0].is_preferred is False
    assert current[0].edit is not None and current[0].edit.changes is not None
    [edit] = current[0].edit.changes[uri]
    assert edit.range.start == types.Position(2, 31) and edit.new_text == ", reuse=tf.AUTO_REUSE"
    # A fix computed for an older version of the text is withheld; suppressing still works.
    assert [a.title for a in await actions(2)] == ["Suppress SL201 on this line"]


def _has_describe_variables() -> bool:
    from scopelint import api

    return hasattr(api, "describe_variables")


def _has_check(code: str) -> bool:
    from scopelint.checks import ALL_CHECKS

    return code in ALL_CHECKS


NESTED = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("discriminator"):
    with tf.variable_scope("h0"):
        w = tf.get_variable("w", [3])
"""

COLLISION = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("model"):
    w2 = tf.get_variable("w", [3])
"""

SHARED = COLLISION.replace('tf.variable_scope("model"):\n    w2', 'tf.variable_scope("model", reuse=True):\n    w2')


def hover_params(uri: str, line: int, character: int) -> types.HoverParams:
    return types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character))


@pytest.mark.skipif(not _has_describe_variables(), reason="scopelint.api.describe_variables (the scope model) not there yet")
async def test_hover_shows_the_predicted_full_name(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "gan.py", NESTED)
    await next_publish(client, uri)
    hover = await client.text_document_hover_async(hover_params(uri, 4, NESTED.splitlines()[4].index("get_variable")))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    text = hover.contents.value
    assert "`discriminator/h0/w:0`" in text
    assert "created here" in text and "tf.get_variable" in text
    assert "discriminator/h0" in text.split("scope stack:", 1)[1]
    # Nothing to say on a plain import.
    assert await client.text_document_hover_async(hover_params(uri, 0, 2)) is None


@pytest.mark.skipif(not _has_describe_variables(), reason="scopelint.api.describe_variables (the scope model) not there yet")
@pytest.mark.parametrize("enabled", [True, False])
async def test_inlay_hints_only_when_the_client_asks(client: LanguageClient, tmp_path: Path, enabled: bool) -> None:
    await start(client, tmp_path, options={"inlayHints": True} if enabled else None)
    uri = open_doc(client, tmp_path / "gan.py", NESTED)
    await next_publish(client, uri)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(5, 0)),
        )
    )
    if not enabled:
        assert not hints
        return
    assert hints is not None
    [hint] = hints
    assert hint.label == "discriminator/h0/w:0"
    line = NESTED.splitlines()[4]
    assert hint.position == types.Position(4, len(line))


@pytest.mark.skipif(not _has_check("SL201"), reason="the SL201 check has not landed yet")
async def test_collision_diagnostic_cycle_with_related_first_creation(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    path = tmp_path / "model.py"
    uri = open_doc(client, path, COLLISION)
    published = await next_publish(client, uri)
    [diagnostic] = published.diagnostics
    assert diagnostic.code == "SL201"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start.line == 5
    assert "model/w" in diagnostic.message
    assert diagnostic.code_description is not None and diagnostic.code_description.href.endswith("/rules/SL201.md")
    assert diagnostic.related_information, "the first creation is a related location"
    first = diagnostic.related_information[0].location
    assert first.uri == uri and first.range.start.line == 3
    assert diagnostic.data["predicted_name"] == "model/w"

    hover = await client.text_document_hover_async(hover_params(uri, 5, diagnostic.range.start.character))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "What it does" in hover.contents.value and "Why is this bad" in hover.contents.value

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    suppress = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == "Suppress SL201 on this line"]
    assert len(suppress) == 1 and suppress[0].edit is not None and suppress[0].edit.changes is not None
    [edit] = suppress[0].edit.changes[uri]
    assert edit.new_text == "  # scopelint: ignore[SL201]" and edit.range.start.line == 5

    replace_all(client, uri, 2, SHARED)
    cleared = await next_publish(client, uri)
    assert cleared.version == 2 and list(cleared.diagnostics) == []


async def test_same_findings_as_the_command_line(client: LanguageClient, tmp_path: Path) -> None:
    """Parity: the CLI's JSON and the server's diagnostics agree, file by file."""
    import json
    import subprocess

    files = {
        "legacy.py": "import tensorflow as tf\n\nprint 'building graph'\n",
        "broken.py": BROKEN,
        "collision.py": COLLISION,
        "nested.py": NESTED,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    proc = subprocess.run(
        [sys.executable, "-m", "scopelint", "--no-cache", "--format", "json", *files],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    expected = sorted(
        (Path(d["path"]).name, d["code"], d["line"], d["column"], d["message"]) for d in json.loads(proc.stdout)
    )
    assert ("legacy.py", "SL900", 3, 1) in [e[:4] for e in expected]

    await start(client, tmp_path)
    found = []
    for name, text in files.items():
        uri = open_doc(client, tmp_path / name, text)
        for d in (await next_publish(client, uri)).diagnostics:
            found.append((name, d.code, d.range.start.line + 1, d.range.start.character + 1, d.message))
    assert sorted(found) == expected


@pytest.mark.tf
@pytest.mark.parametrize("how", ["initializationOptions", "workspace/configuration", "didChangeConfiguration"])
async def test_dynamic_mode_runs_only_when_the_editor_settings_ask(client: LanguageClient, tmp_path: Path, how: str) -> None:
    """The positive control for the test above: the same program, with dynamic
    mode turned on from the editor side, does run (the marker appears) and the
    trace's finding is published on save."""
    if how == "initializationOptions":
        await start(client, tmp_path, options={"dynamic": True})
    elif how == "workspace/configuration":
        client.set_configuration({"dynamic": True}, section="scopelint")
        await client.initialize_session(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True)),
                root_uri=tmp_path.as_uri(),
            )
        )
    else:
        await start(client, tmp_path)
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"scopelint": {"dynamic": True}})
        )
    marker = tmp_path / "executed.txt"
    text = MARKER_PROGRAM.format(marker=str(marker))
    path = tmp_path / "train.py"
    path.write_text(text)
    uri = open_doc(client, path, text)
    static = await next_publish(client, uri)
    assert not marker.exists()  # opening never runs anything
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await next_publish(client, uri)  # the static lint on save
    traced = await next_publish(client, uri, timeout=120)
    assert marker.read_text() == "executed"
    assert [(d.code, d.range.start.line) for d in static.diagnostics] == [("SL201", 6)]
    assert [(d.code, d.range.start.line, d.data.get("dynamic")) for d in traced.diagnostics] == [("SL201", 6, "confirmed")]
    answer = await client.text_document_hover_async(hover_params(uri, 6, traced.diagnostics[0].range.start.character))
    assert answer is not None and isinstance(answer.contents, types.MarkupContent)
    assert "Dynamic mode: **confirmed**" in answer.contents.value


DEPRECATED = """\
import tensorflow.compat.v1 as tf

w = tf.get_variable("w", [3])
init = tf.initialize_all_variables()
"""


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text, so UTF-16 units are characters)."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        return sum(len(line) + 1 for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def test_real_quick_fix_and_suppression_round_trip(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "train.py", DEPRECATED)
    [diagnostic] = (await next_publish(client, uri)).diagnostics
    assert diagnostic.code == "SL401"
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.range == types.Range(types.Position(3, 7), types.Position(3, 34))
    assert diagnostic.data["fix"]["safety"] == "safe"

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    found = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert [a.title for a in found] == ["Replace with `tf.global_variables_initializer`", "Suppress SL401 on this line"]
    fix, suppress = found
    assert fix.is_preferred is True
    assert fix.edit is not None and fix.edit.changes is not None and suppress.edit is not None and suppress.edit.changes is not None
    fixed = apply_text_edits(DEPRECATED, list(fix.edit.changes[uri]))
    assert fixed == DEPRECATED.replace("initialize_all_variables", "global_variables_initializer")
    silenced = apply_text_edits(DEPRECATED, list(suppress.edit.changes[uri]))
    assert silenced == DEPRECATED.replace("variables()\n", "variables()  # scopelint: ignore[SL401]\n")

    # Both edits, sent back as the editor would, leave nothing to report.
    for version, text in ((2, fixed), (3, silenced)):
        replace_all(client, uri, version, text)
        published = await next_publish(client, uri)
        assert published.version == version and list(published.diagnostics) == []


async def test_code_actions_respect_the_requested_kind(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "train.py", DEPRECATED)
    [diagnostic] = (await next_publish(client, uri)).diagnostics

    async def titles(only: list[str] | None) -> list[str]:
        found = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
            )
        )
        return [a.title for a in found or [] if isinstance(a, types.CodeAction)]

    fix, suppress, fix_all = (
        "Replace with `tf.global_variables_initializer`", "Suppress SL401 on this line", "Fix all safe scopelint fixes"
    )
    assert await titles(None) == [fix, suppress, fix_all]
    assert await titles([types.CodeActionKind.QuickFix]) == [fix, suppress]
    assert await titles([types.CodeActionKind.Source]) == [fix_all]
    assert await titles([types.CodeActionKind.SourceFixAll]) == [fix_all]
    assert await titles([types.CodeActionKind.RefactorRewrite]) == []
    assert await titles(["quickfix.other"]) == []


SEVERAL = """\
import tensorflow.compat.v1 as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("model"):
    w2 = tf.get_variable("w", [3])
init = tf.initialize_all_variables()
with tf.op_scope([w], "s"):
    b = tf.constant(1.0)
"""


async def test_fix_all_applies_every_safe_fix_and_no_unsafe_one(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "train.py", SEVERAL)
    published = await next_publish(client, uri)
    assert sorted(d.code for d in published.diagnostics) == ["SL201", "SL401", "SL401"]
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    [action] = [a for a in found or [] if isinstance(a, types.CodeAction)]
    assert action.kind == "source.fixAll.scopelint"
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply_text_edits(SEVERAL, list(action.edit.changes[uri]))
    assert "tf.global_variables_initializer()" in fixed
    assert 'with tf.name_scope("s", values=[w]):' in fixed
    assert "AUTO_REUSE" not in fixed  # SL201's fix is unsafe: never applied in bulk

    replace_all(client, uri, 2, fixed)
    assert [d.code for d in (await next_publish(client, uri)).diagnostics] == ["SL201"]


async def test_only_python_buffers_are_linted(client: LanguageClient, tmp_path: Path) -> None:
    await start(client, tmp_path)
    notes = tmp_path / "notes.txt"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=notes.as_uri(), language_id="plaintext", version=1, text="print 'hello'\n")
        )
    )
    unsaved = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=unsaved, language_id="python", version=1, text=BROKEN))
    )
    # The Python buffer (even unsaved) is linted; the text file never gets a publish.
    published = await next_publish(client, unsaved)
    assert [d.code for d in published.diagnostics] == ["SL900"]
    with pytest.raises(asyncio.TimeoutError):
        await next_publish(client, notes.as_uri(), timeout=0.5)


async def test_unused_suppression_is_shown_with_its_safe_removal(client: LanguageClient, tmp_path: Path) -> None:
    """SL901 in the editor: an info diagnostic on the stale `# noqa`, whose preferred quick fix removes it."""
    stale = FIXED.replace("[3])\n", "[3])  # noqa: SL201  # why\n")
    await start(client, tmp_path)
    uri = open_doc(client, tmp_path / "m.py", stale)
    [diagnostic] = (await next_publish(client, uri)).diagnostics
    assert diagnostic.code == "SL901"
    assert diagnostic.severity == types.DiagnosticSeverity.Information
    assert diagnostic.range == types.Range(types.Position(3, 35), types.Position(3, 48))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
        )
    )
    found = [a for a in actions or [] if isinstance(a, types.CodeAction)]
    assert found[0].title == "Remove the unused suppression" and found[0].is_preferred is True
    assert found[0].edit is not None and found[0].edit.changes is not None
    removed = apply_text_edits(stale, list(found[0].edit.changes[uri]))
    assert removed == FIXED.replace("[3])\n", "[3])  # why\n")
    replace_all(client, uri, 2, removed)
    assert list((await next_publish(client, uri)).diagnostics) == []
