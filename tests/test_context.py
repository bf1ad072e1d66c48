"""Cross-file context in the editor and the hook, and notebooks in the editor.

A builder in ``models/gan.py`` called twice from ``train.py`` is a collision only
the whole project shows. The same tree must give the same findings on
``train.py`` in all three front ends: the CLI on the tree, the LSP server on the
open buffer (pytest-lsp, with the workspace indexed), and the real ``pre-commit``
running the manifest's hook on the staged ``train.py`` alone.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
import yaml
from lsprotocol import types
from pre_commit.clientlib import load_manifest
from pytest_lsp import ClientServerConfig, LanguageClient

from test_lsp import next_publish, open_doc, start

ROOT = Path(__file__).resolve().parent.parent
SCOPELINT = shutil.which("scopelint", path=os.path.dirname(sys.executable)) or "scopelint"
SERVER = [sys.executable, "-m", "scopelint", "lsp", "--debounce-ms", "50"]

GAN = """\
import tensorflow.compat.v1 as tf


def discriminator(x):
    with tf.variable_scope("discriminator"):
        w = tf.get_variable("w", [3, 1])
        return tf.matmul(x, w)
"""
GAN_SHARED = GAN.replace('variable_scope("discriminator")', 'variable_scope("discriminator", reuse=tf.AUTO_REUSE)')
TRAIN = """\
import tensorflow.compat.v1 as tf

from models.gan import discriminator

real = discriminator(tf.placeholder(tf.float32, [None, 3]))
fake = discriminator(tf.placeholder(tf.float32, [None, 3]))
"""
EXPECTED = (6, 8, "SL201", "`tf.get_variable` via discriminator() creates variable 'discriminator/w', which already exists (created at models/gan.py:6)")


def make_tree(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "models" / "__init__.py").write_text("")
    (root / "models" / "gan.py").write_text(GAN)
    (root / "train.py").write_text(TRAIN)
    (root / "notes.txt").write_text("print 'not python'\n")
    return root


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def cli_findings(root: Path) -> list[tuple[int, int, str, str]]:
    out = subprocess.run([SCOPELINT, "--no-cache", "--format", "json", "."], cwd=root, capture_output=True, text=True, timeout=120)
    rows = json.loads(out.stdout)
    return sorted((r["line"], r["column"], r["code"], r["message"]) for r in rows if Path(r["path"]).name == "train.py")


def local_hook_config() -> dict[str, Any]:
    """The manifest's hook, run from this checkout (``language: system``: no
    environment to build, so no network), with everything else as published."""
    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    local = {key: hook[key] for key in ("id", "name", "entry", "types_or", "require_serial", "pass_filenames")}
    return {"repos": [{"repo": "local", "hooks": [{**local, "language": "system"}]}]}


def pre_commit(root: Path, *files: str) -> subprocess.CompletedProcess[str]:
    # A cache of its own: the editor's index writes the tree's cache with other path
    # spellings, which a cached run still reprints as they were (issue 13, item 2).
    env = {**os.environ, "PRE_COMMIT_HOME": str(root.parent / "pre-commit-home"), "NO_COLOR": "1",
           "SCOPELINT_CACHE_DIR": str(root.parent / "hook-cache"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--verbose", "--files", *files],
        cwd=root, capture_output=True, text=True, env=env, timeout=300,
    )


def hook_repo(root: Path) -> Path:
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(local_hook_config()))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "tree")
    return root


def parse_text_findings(output: str, name: str) -> list[tuple[int, int, str, str]]:
    found = []
    for line in output.splitlines():
        if line.startswith(f"{name}:") and ": SL" in line:
            _, row, col, rest = line.split(":", 3)
            code, message = rest.strip().split(" ", 1)
            found.append((int(row), int(col), code, message))
    return sorted(found)


# ------------------------------------------------------------ pre-commit --


def test_hook_reports_a_collision_from_an_unstaged_module_on_the_staged_file(tmp_path: Path) -> None:
    root = hook_repo(make_tree(tmp_path / "proj"))
    staged_train = pre_commit(root, "train.py")
    assert staged_train.returncode == 1, staged_train.stdout + staged_train.stderr
    [finding] = parse_text_findings(staged_train.stdout, "train.py")
    assert finding[:3] == EXPECTED[:3] and finding[3].startswith(EXPECTED[3])
    # Only staged files are reported on: staging the builder alone reports nothing on train.py.
    staged_models = pre_commit(root, "models/gan.py")
    assert staged_models.returncode == 0, staged_models.stdout
    assert "train.py:" not in staged_models.stdout


def test_hook_lints_staged_notebooks(tmp_path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    root = make_tree(tmp_path / "proj")
    notebook = new_notebook(cells=[new_code_cell("import tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [3])")])
    nbformat.write(notebook, str(root / "explore.ipynb"))
    hook_repo(root)
    result = pre_commit(root, "explore.ipynb")
    assert result.returncode == 0, result.stdout + result.stderr  # SL206 is info: shown, not failing (--fail-on)
    assert "explore.ipynb:cell 1:2:5: SL206 running this cell again raises 'Variable w already exists'" in result.stdout


# ------------------------------------------------------------------ LSP --


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    yield
    await lsp_client.shutdown_session()


async def publish_where(client: LanguageClient, uri: str, wanted: Any, timeout: float = 30) -> types.PublishDiagnosticsParams:
    """The first publish for ``uri`` that ``wanted`` accepts (an early one may predate the index)."""
    deadline = time.monotonic() + timeout
    while True:
        published = await next_publish(client, uri, timeout=max(0.1, deadline - time.monotonic()))
        if wanted(published):
            return published


async def cell_diagnostics(client: LanguageClient, uri: str, wanted: Any, timeout: float = 30) -> list[types.Diagnostic]:
    """What the client last received for ``uri``, once ``wanted`` accepts it (a
    notebook's cells are published in one burst, faster than one wait per message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if uri in client.diagnostics and wanted(list(client.diagnostics[uri])):
            return list(client.diagnostics[uri])
        await asyncio.sleep(0.05)
    raise AssertionError(f"{uri}: last published {client.diagnostics.get(uri)}")


def lsp_findings(published: types.PublishDiagnosticsParams) -> list[tuple[int, int, str, str]]:
    return sorted((d.range.start.line + 1, d.range.start.character + 1, str(d.code), d.message) for d in published.diagnostics)


on_event_loop = pytest.mark.asyncio(loop_scope="function")


def open_notebook_cells(client: LanguageClient, path: Path, cells: list[tuple[str, str, types.NotebookCellKind]]) -> list[str]:
    """notebookDocument/didOpen, as VS Code sends it: (language, text, kind) per cell; the cells' URIs."""
    cell_uris = [f"vscode-notebook-cell:{path}#cell{i}" for i in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=path.as_uri(), notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kind, document=cell_uri) for cell_uri, (_, _, kind) in zip(cell_uris, cells)],
        ),
        cell_text_documents=[
            types.TextDocumentItem(uri=cell_uri, language_id=language, version=1, text=text)
            for cell_uri, (language, text, _) in zip(cell_uris, cells)
        ],
    ))
    return cell_uris


@on_event_loop
async def test_same_findings_from_cli_lsp_and_pre_commit(client: LanguageClient, tmp_path: Path) -> None:
    root = make_tree(tmp_path / "proj")
    cli = cli_findings(root)
    assert [f[:3] for f in cli] == [EXPECTED[:3]] and cli[0][3].startswith(EXPECTED[3])

    await start(client, root)
    uri = open_doc(client, root / "train.py", TRAIN)
    published = await publish_where(client, uri, lambda p: len(p.diagnostics) > 0)
    # The editor names another module by its absolute path (it has no working
    # directory to be relative to); everything else is the CLI's finding.
    assert [(r, c, code, m.replace(f"{root}{os.sep}", "")) for r, c, code, m in lsp_findings(published)] == cli

    hooked = pre_commit(hook_repo(root), "train.py")
    assert parse_text_findings(hooked.stdout, "train.py") == cli, hooked.stdout + hooked.stderr


@on_event_loop
async def test_watched_file_change_relints_the_buffer(client: LanguageClient, tmp_path: Path) -> None:
    root = make_tree(tmp_path / "proj")
    await start(client, root)
    uri = open_doc(client, root / "train.py", TRAIN)
    await publish_where(client, uri, lambda p: [d.code for d in p.diagnostics] == ["SL201"])

    (root / "models" / "gan.py").write_text(GAN_SHARED)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=(root / "models" / "gan.py").as_uri(), type=types.FileChangeType.Changed)
    ]))
    cleared = await publish_where(client, uri, lambda p: True)
    assert list(cleared.diagnostics) == []


@on_event_loop
async def test_notebook_cells_get_their_own_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    result = await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(configuration=False),
            notebook_document=types.NotebookDocumentClientCapabilities(
                synchronization=types.NotebookDocumentSyncClientCapabilities()
            ),
        ),
        root_uri=tmp_path.as_uri(),
    ))
    sync = result.capabilities.notebook_document_sync
    assert isinstance(sync, types.NotebookDocumentSyncOptions)
    assert sync.notebook_selector[0].notebook == "jupyter-notebook"  # type: ignore[union-attr]
    notebook_uri = (tmp_path / "explore.ipynb").as_uri()
    texts = [
        ("markdown", "# Explore", types.NotebookCellKind.Markup),
        ("python", "%matplotlib inline\nimport tensorflow.compat.v1 as tf", types.NotebookCellKind.Code),
        ("python", "x = tf.placeholder(tf.float32, [None, 4])\nh = tf.layers.dense(x, 8, name='fc')", types.NotebookCellKind.Code),
    ]
    cell_uris = open_notebook_cells(client, tmp_path / "explore.ipynb", texts)
    [diagnostic] = await cell_diagnostics(client, cell_uris[2], lambda found: len(found) > 0)
    assert diagnostic.code == "SL206"
    assert diagnostic.range.start == types.Position(line=1, character=4)
    assert diagnostic.message.startswith("running this cell again raises 'Variable fc/kernel already exists'")
    assert diagnostic.severity == types.DiagnosticSeverity.Information

    # Editing the cell to reset the graph first clears it.
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=notebook_uri, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=cell_uris[2], version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(text="tf.reset_default_graph()\n" + texts[2][1])],
            )
        ])),
    ))
    assert await cell_diagnostics(client, cell_uris[2], lambda found: len(found) == 0) == []


def test_context_option_reports_only_named_files(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "proj")
    named = subprocess.run([SCOPELINT, "--no-cache", "--context", ".", "models/gan.py"], cwd=root,
                           capture_output=True, text=True, timeout=120)
    assert named.returncode == 0 and named.stdout.strip() == "All clear: 1 file checked.", named.stdout
    alone = subprocess.run([SCOPELINT, "--no-cache", "train.py"], cwd=root, capture_output=True, text=True, timeout=120)
    assert ": SL201" not in alone.stdout  # without context the builder is not followed
    bad = subprocess.run([SCOPELINT, "--context", ".", "--fix", "train.py"], cwd=root, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--context applies to linting files" in bad.stderr
