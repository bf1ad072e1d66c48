"""The language server started inside a hostile workspace (as editors start it:
the console script, in the project's directory) opens and saves its buggy file:
the findings are published and none of the workspace's payloads runs."""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from test_hostile_checkout import plant_python_payloads, write_model
from test_lsp import next_publish, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="function")

BASE = Path(tempfile.mkdtemp(prefix="scopelint-hostile-ws-"))
WORKSPACE, MARKERS = BASE / "ws", BASE / "markers"
WORKSPACE.mkdir()
MARKERS.mkdir()
MODEL = write_model(WORKSPACE, MARKERS)
plant_python_payloads(WORKSPACE, MARKERS)
# The workspace asks for dynamic mode in every place a repository can.
(WORKSPACE / "pyproject.toml").write_text("[tool.scopelint]\ndynamic = true\n")
(WORKSPACE / ".vscode").mkdir()
(WORKSPACE / ".vscode" / "settings.json").write_text(json.dumps({"scopelint": {"dynamic": True}}))
SCRIPT = Path(sys.executable).parent / "scopelint"
SERVER = ["sh", "-c", f"cd {shlex.quote(str(WORKSPACE))} && exec {shlex.quote(str(SCRIPT))} lsp --debounce-ms 50"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def test_hostile_workspace_runs_nothing_and_still_reports(client: LanguageClient) -> None:
    await start(client, WORKSPACE)
    uri = open_doc(client, MODEL, MODEL.read_text())
    published = await next_publish(client, uri)
    assert [(d.code, d.range.start.line + 1) for d in published.diagnostics] == [("SL101", 5)]
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    saved = await next_publish(client, uri)
    assert [d.code for d in saved.diagnostics] == ["SL101"]
    assert sorted(p.name for p in MARKERS.iterdir()) == []
