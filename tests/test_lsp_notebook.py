"""A notebook in the editor (pytest-lsp, notebook document sync): its cells are one
program, so a finding in one cell points at the cell that first created the
variable, and hover in a cell names what the whole notebook makes there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
import nbformat
from lsprotocol import types
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from pytest_lsp import ClientServerConfig, LanguageClient

from test_context import cell_diagnostics, open_notebook_cells
from test_lsp import hover_params

pytestmark = pytest.mark.asyncio(loop_scope="function")

SERVER = [sys.executable, "-m", "scopelint", "lsp", "--debounce-ms", "50"]

# cell 1 markdown; cell 2 defines the builder (in a scope) and builds once; cell 3
# a plain helper; cell 4 builds again: SL201 there, first created in cell 2.
CELLS = [
    (types.NotebookCellKind.Markup, "markdown", "# Two builds"),
    (types.NotebookCellKind.Code, "python",
     "%matplotlib inline\nimport tensorflow.compat.v1 as tf\n\ndef model(x):\n"
     "    with tf.variable_scope('gen'):\n        return tf.layers.dense(x, 2, name='fc')\n"
     "x = tf.placeholder(tf.float32, [None, 4])\ny = model(x)"),
    (types.NotebookCellKind.Code, "python", "def double(t):\n    return t * 2"),
    (types.NotebookCellKind.Code, "python", "!echo again\nwith tf.variable_scope('gen'):\n    w = tf.get_variable('w', [3])\ny2 = model(x)"),
]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def open_notebook(client: LanguageClient, root: Path, dynamic: bool = False) -> list[str]:
    await client.initialize_session(types.InitializeParams(
        initialization_options={"inlayHints": True, "dynamic": dynamic},
        capabilities=types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(configuration=False),
            notebook_document=types.NotebookDocumentClientCapabilities(synchronization=types.NotebookDocumentSyncClientCapabilities()),
        ),
        root_uri=root.as_uri(),
    ))
    return open_notebook_cells(client, root / "build.ipynb", [(language, text, kind) for kind, language, text in CELLS])


async def test_finding_in_a_later_cell_relates_to_the_cell_that_first_created_it(client: LanguageClient, tmp_path: Path) -> None:
    cell_uris = await open_notebook(client, tmp_path)
    found = await cell_diagnostics(client, cell_uris[3], lambda found: any(d.code == "SL201" for d in found))
    [sl201] = [d for d in found if d.code == "SL201"]
    assert sl201.range.start == types.Position(line=3, character=5)  # cell 4, line 4: `model(x)`
    assert "(created at cell 2, line 6)" in sl201.message
    related = [(r.location.uri, r.location.range.start.line, r.location.range.start.character, r.message)
               for r in sl201.related_information or []]
    assert related == [
        (cell_uris[1], 5, 15, "'gen/fc/kernel' first created here"),  # cell 2, line 6: tf.layers.dense
        (cell_uris[1], 7, 4, "the call that first created 'gen/fc/kernel'"),  # cell 2, line 8: model(x)
    ]


async def test_hover_in_a_cell_names_the_variable_the_notebook_makes_there(client: LanguageClient, tmp_path: Path) -> None:
    cell_uris = await open_notebook(client, tmp_path)
    await cell_diagnostics(client, cell_uris[3], lambda found: any(d.code == "SL201" for d in found))
    # `tf.get_variable` in cell 4 runs under cell 4's scope; the name needs cell 2's import.
    text = CELLS[3][2].splitlines()
    hover = await client.text_document_hover_async(hover_params(cell_uris[3], 2, text[2].index("get_variable")))
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**`gen/w:0`**")
    # On the collision in cell 4: the variable of cell 2's builder, and the rule.
    on_call = await client.text_document_hover_async(hover_params(cell_uris[3], 3, text[3].index("model")))
    assert on_call is not None and isinstance(on_call.contents, types.MarkupContent)
    assert "**SL201 variable-already-exists**" in on_call.contents.value
    # In cell 2, the builder's layer: predicted inside the builder's scope.
    in_builder = await client.text_document_hover_async(hover_params(cell_uris[1], 5, CELLS[1][2].splitlines()[5].index("dense")))
    assert in_builder is not None and isinstance(in_builder.contents, types.MarkupContent)
    assert "`gen/fc/kernel:0`" in in_builder.contents.value
    # A cell that creates nothing has nothing to say.
    assert await client.text_document_hover_async(hover_params(cell_uris[2], 1, 11)) is None


async def test_inlay_hints_in_a_cell_are_the_notebooks_names(client: LanguageClient, tmp_path: Path) -> None:
    cell_uris = await open_notebook(client, tmp_path)
    await cell_diagnostics(client, cell_uris[3], lambda found: any(d.code == "SL201" for d in found))
    whole = types.Range(types.Position(0, 0), types.Position(10, 0))
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=cell_uris[3]), range=whole))
    # Only what cell 4 itself writes, at cell 4's lines (the builder's layer is hinted in cell 2, where it is written).
    assert [(h.position.line, h.position.character, h.label) for h in hints or []] == [(2, 33, "gen/w:0")]  # after its closing parenthesis


@pytest.mark.tf
async def test_dynamic_mode_on_save_runs_the_notebook_and_marks_cells(client: LanguageClient, tmp_path: Path) -> None:
    """With dynamic mode on in the editor's settings, saving a notebook runs its code
    cells in order under TF, and the collision in cell 4 comes back confirmed there."""
    notebook = new_notebook(cells=[new_markdown_cell(text) if kind == types.NotebookCellKind.Markup else new_code_cell(text)
                                   for kind, _, text in CELLS])
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, str(tmp_path / "build.ipynb"))
    cell_uris = await open_notebook(client, tmp_path, dynamic=True)
    def sl201_verdict(found: list[types.Diagnostic]) -> list[object]:
        return [d.data.get("dynamic") for d in found if d.code == "SL201"]

    await cell_diagnostics(client, cell_uris[3], lambda found: sl201_verdict(found) == [None])
    client.notebook_document_did_save(types.DidSaveNotebookDocumentParams(
        notebook_document=types.NotebookDocumentIdentifier(uri=(tmp_path / "build.ipynb").as_uri())))
    found = await cell_diagnostics(client, cell_uris[3], lambda found: sl201_verdict(found) == ["confirmed"], timeout=180)
    assert [(d.code, d.range.start.line, d.data.get("dynamic")) for d in found] == [("SL206", 2, None), ("SL201", 3, "confirmed")]
    assert any("dynamic: " in m.message and "build.ipynb" in m.message for m in client.log_messages)
