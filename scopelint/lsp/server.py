"""The pygls server: wires LSP messages to :mod:`scopelint.lsp.documents`
(diagnostics), :mod:`~scopelint.lsp.hover`, :mod:`~scopelint.lsp.edits`
(code actions) and inlay hints."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from typing import Any, Sequence

from urllib.parse import unquote

from lsprotocol import types
from pygls import uris
from pygls.exceptions import FeatureRequestError, JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument

from scopelint import __version__, api
from scopelint.lsp import actions, convert, hover, notebooks
from scopelint.lsp.documents import ConfigLoader, LintResult, Scheduler, Snapshot
from scopelint.lsp.positions import PositionMapper
from scopelint.lsp.settings import SECTION, ClientSettings
from scopelint.lsp.workspace import WorkspaceIndex

# Jupyter notebooks whose cells are Python: their cells arrive as notebook documents.
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language="python")])
    ],
    save=True,
)

_ENCODINGS = {
    types.PositionEncodingKind.Utf8: "utf-8",
    types.PositionEncodingKind.Utf16: "utf-16",
    types.PositionEncodingKind.Utf32: "utf-32",
}


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, hardened against what a confused client sends."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" in data and "method" in data:
                # A request whose params do not fit its method: pygls would drop it
                # unanswered, and the client would wait for the answer forever.
                self._send_response(data["id"], error=exc.to_response_error())
            raise

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        if self.workspace.text_documents.get(unquote(params.text_document.uri)) is None:
            server = self._server
            if isinstance(server, ScopelintServer):
                server.log(f"scopelint: ignored a change to {params.text_document.uri}, which was never opened", types.MessageType.Warning)
            return
        yield from super().lsp_text_document__did_change(params)


class ScopelintServer(LanguageServer):
    def __init__(self, debounce_s: float) -> None:
        super().__init__(
            "scopelint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=NOTEBOOK_SYNC, protocol_cls=_Protocol,
        )
        self.settings = ClientSettings()
        self.configs = ConfigLoader(fallback_root=os.getcwd(), report=self.report_problem)
        self.index = WorkspaceIndex()
        self.scheduler = Scheduler(
            self.snapshot, self.configs, self.publish, debounce_s, on_error=lambda m: self.log(m, types.MessageType.Error),
            project_for=self.index.project_for, on_settled=_collect,
        )
        self._variables: dict[tuple[str, int | None], tuple[Any, ...]] = {}
        self._cell_findings: dict[str, tuple[str, tuple[Any, ...]]] = {}  # cell URI -> (its text, its findings)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._shown_server_error = False
        self._gc_quieted = False

    # -- documents ---------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        document = self.workspace.text_documents.get(unquote(uri))
        return document if isinstance(document, TextDocument) else None

    def snapshot(self, uri: str) -> Snapshot | None:
        document = self.open_document(uri)
        if document is None or not _is_python(document):
            return None
        on_disk = uri.startswith("file:")
        path = document.path if on_disk else f"<{uri}>"
        return Snapshot(uri=uri, path=path, text=document.source, version=document.version, on_disk=on_disk)

    def mapper(self, text: str) -> PositionMapper:
        encoding = _ENCODINGS.get(self.workspace.position_encoding, "utf-16")  # type: ignore[call-overload]
        return PositionMapper.for_text(text, encoding)

    # -- output ------------------------------------------------------------

    def _on_loop(self, send: Any, params: Any) -> None:
        """Send a notification from any thread: lints run in worker threads, and
        the transport belongs to the event loop's thread."""
        loop = self._loop
        if loop is None or threading.get_ident() == self._loop_thread:
            send(params)
        else:
            loop.call_soon_threadsafe(send, params)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """What pygls could not handle (a message that is not JSON-RPC, a notification
        with bad params): logged, and shown to the person only the first time, so a
        client that floods the wire does not flood the screen with pop-ups."""
        message = f"scopelint: the language server could not handle a message: {error}"
        self.log(message, types.MessageType.Error)
        if not self._shown_server_error and source is not FeatureRequestError:
            self._shown_server_error = True
            shown = types.ShowMessageParams(type=types.MessageType.Error, message=message + " (further ones are only logged)")
            self._on_loop(self.window_show_message, shown)

    def report_problem(self, message: str) -> None:
        """A problem the person should see once (a broken config): logged and shown."""
        self._on_loop(self.window_log_message, types.LogMessageParams(type=types.MessageType.Error, message=message))
        self._on_loop(self.window_show_message, types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self._on_loop(self.window_log_message, types.LogMessageParams(type=kind, message=message))

    def publish(self, result: LintResult) -> None:
        if not self._gc_quieted:
            self._gc_quieted = True
            _quiet_gc()
        snapshot = result.snapshot
        mapper = self.mapper(snapshot.text)
        diagnostics = [
            convert.to_lsp(d, mapper, snapshot.path, snapshot.uri, snapshot.version) for d in result.diagnostics
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snapshot.uri, diagnostics=diagnostics, version=snapshot.version)
        )

    # -- the workspace's other modules ---------------------------------------

    async def build_index(self) -> None:
        """Index the workspace in the background, then lint the open buffers again
        with the other modules at hand."""
        try:
            count = await asyncio.to_thread(self.index.rebuild)
        except Exception as exc:  # without the index, buffers are still linted alone
            self.log(f"scopelint: indexing the workspace failed: {exc!r}", types.MessageType.Warning)
            return
        self.log(f"scopelint: indexed {count} modules of the workspace")
        self.relint_open()

    async def files_changed(self, paths: list[str], but: str | None = None) -> None:
        await asyncio.to_thread(self.index.update, paths)
        self.relint_open(but)

    def relint_open(self, but: str | None = None) -> None:
        """Lint again the open documents that other modules of the workspace can
        affect (a buffer alone in its folder gets the same result again: skipped)."""
        for uri in list(self.workspace.text_documents):
            if uri != but and self.workspace.get_notebook_document(cell_uri=uri) is None and self._has_context(uri):
                self.scheduler.schedule(uri, delay=0)
        for uri in list(self.workspace.notebook_documents):
            if uri != but and self._has_context(uri):
                asyncio.get_running_loop().create_task(self.lint_notebook(uri))

    def _has_context(self, uri: str) -> bool:
        path = uris.to_fs_path(uri) if uri.startswith("file:") else None
        project = self.index.project_for(path) if path else None
        return bool(project) and any(os.path.realpath(f.path) != os.path.realpath(path or "") for f in (project or {}).values())

    # -- notebooks -----------------------------------------------------------

    async def lint_notebook(self, uri: str) -> tuple[notebooks.NotebookView, tuple[Any, ...]] | None:
        """Lint a notebook's code cells as one program; publish per cell. The
        notebook and its findings, unless it changed meanwhile."""
        notebook = notebooks.view(self.workspace, uri)
        if notebook is None:
            return None
        try:
            config = await asyncio.to_thread(self.configs.for_snapshot, notebook.snapshot)
            project = self.index.project_for(notebook.path) if notebook.on_disk else None
            found = await asyncio.to_thread(api.lint_notebook, notebook.program, notebook.path, config, project)
        except Exception as exc:  # the server's per-document boundary
            self.log(f"scopelint: linting {notebook.path} failed: {exc!r}", types.MessageType.Error)
            return None
        return (notebook, tuple(found)) if self.publish_notebook(notebook, found) else None

    def publish_notebook(self, notebook: notebooks.NotebookView, found: Sequence[Any]) -> bool:
        """Each cell's findings, unless the notebook changed since ``notebook`` (then False)."""
        current = self.workspace.get_notebook_document(notebook_uri=notebook.uri)
        if current is None or current.version != notebook.version:
            return False  # edited since: a newer lint is on its way
        cells = {number: (cell_uri, self.mapper(notebook.texts[cell_uri])) for number, cell_uri in notebook.cell_uris.items()}
        for cell_uri, diagnostics in notebooks.findings_by_cell(found, notebook).items():
            self._cell_findings[cell_uri] = (notebook.texts[cell_uri], tuple(diagnostics))
            mapper = self.mapper(notebook.texts[cell_uri])
            published = [convert.to_lsp(d, mapper, notebook.path, cell_uri, notebook.version, cells) for d in diagnostics]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell_uri, diagnostics=published))
        return True

    async def dynamic_notebook_on_save(self, linted: tuple[notebooks.NotebookView, tuple[Any, ...]] | None) -> None:
        """As :meth:`dynamic_on_save`, for a saved notebook: its code cells run in order."""
        if linted is None or not self.settings.dynamic:
            return
        notebook, found = linted
        if not notebook.on_disk:
            self.log("scopelint: dynamic mode needs a file on disk; showing static results", types.MessageType.Warning)
            return
        self.log(f"scopelint: dynamic mode was requested: tracing {notebook.path} under TensorFlow")
        try:
            merged = await asyncio.to_thread(self._trace_and_reconcile, notebook.snapshot, found)
        except Exception as exc:  # the dynamic half failing leaves the static results standing
            self.log(f"scopelint: dynamic mode failed, static results stand: {exc!r}", types.MessageType.Warning)
            return
        self.publish_notebook(notebook, merged)

    def cell_findings(self, cell_uri: str, text: str) -> tuple[Any, ...]:
        """The findings last published for a notebook cell, while its text is the one they were for."""
        held = self._cell_findings.get(cell_uri)
        return held[1] if held is not None and held[0] == text else ()

    # -- the scope model's view, for hover and inlay hints ------------------

    async def variables(self, snapshot: Snapshot) -> tuple[Any, ...]:
        """The model's variable creations in the document (in a notebook cell: those of
        the notebook's program written in that cell, at the cell's lines)."""
        notebook = notebooks.view_of_cell(self.workspace, snapshot.uri)
        if notebook is not None:
            return tuple(notebooks.variables_in_cell(await self._described(notebook.snapshot), notebook, snapshot.uri))
        return await self._described(snapshot)

    async def _described(self, snapshot: Snapshot) -> tuple[Any, ...]:
        describe = getattr(api, "describe_variables", None)
        if describe is None:
            return ()
        key = (snapshot.uri, snapshot.version)
        if key not in self._variables:
            config = await asyncio.to_thread(self.configs.for_snapshot, snapshot)
            try:
                found = await asyncio.to_thread(describe, snapshot.text, snapshot.path, config)
            except Exception as exc:  # a model bug must cost the hover, not the server
                self.log(f"scopelint: describe_variables failed: {exc!r}", types.MessageType.Warning)
                found = []
            self._variables = {k: v for k, v in self._variables.items() if k[0] != snapshot.uri}
            self._variables[key] = tuple(found)
        return self._variables[key]

    # -- dynamic mode --------------------------------------------------------

    async def dynamic_on_save(self, snapshot: Snapshot) -> None:
        """Run the saved file under TensorFlow (in scopelint.dynamic's child
        process, with its time and memory limits) and republish the static
        findings marked confirmed / refuted / not reached, plus what only the
        trace saw. Only ever reached when the person's own editor settings say
        ``{"dynamic": true}``; see :mod:`scopelint.lsp.settings`."""
        if not self.settings.dynamic:
            return
        if not snapshot.on_disk:
            self.log("scopelint: dynamic mode needs a file on disk; showing static results", types.MessageType.Warning)
            return
        static = self.scheduler.current(snapshot.uri, snapshot.version)
        if static is None:
            return
        self.log(f"scopelint: dynamic mode was requested: tracing {snapshot.path} under TensorFlow")
        try:
            merged = await asyncio.to_thread(self._trace_and_reconcile, snapshot, static.diagnostics)
        except Exception as exc:  # the dynamic half failing leaves the static results standing
            self.log(f"scopelint: dynamic mode failed, static results stand: {exc!r}", types.MessageType.Warning)
            return
        self.scheduler.publish_if_current(LintResult(snapshot, tuple(merged)))

    def _trace_and_reconcile(self, snapshot: Snapshot, static: tuple[Any, ...]) -> list[Any]:
        # Imported here: the dynamic package is never loaded unless the person asked for it.
        from scopelint.dynamic.cli import keep_for, outcome_line
        from scopelint.dynamic.options import DynamicOptions
        from scopelint.dynamic.reconcile import reconcile
        from scopelint.dynamic.runner import trace_files

        traces, _ = trace_files([snapshot.path], DynamicOptions())
        for trace in traces:
            self.log(f"scopelint: dynamic: {outcome_line(trace)}")
        return reconcile(static, traces, keep_for(self.configs.for_snapshot(snapshot)))


def _is_python(document: TextDocument) -> bool:
    """Clients that send every buffer (plain text, TOML, ...) get diagnostics only for Python."""
    if document.language_id:
        return document.language_id == "python"
    return document.path.endswith((".py", ".pyi"))


def _quiet_gc() -> None:
    """Once the first lint imported libcst and the model: their objects are never garbage, so
    the collector stops scanning them (``gc.freeze``), and full collections wait for the idle
    moment after a document settles (Scheduler's ``on_settled``). A full collection in the
    middle of a keystroke's lint took 30-230 ms on a 1,000-line file, most of it those objects."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(max(young, 10_000), max(middle, 20), 1_000)


def _collect() -> None:
    gc.collect()


def build_server(debounce_s: float = 0.25) -> ScopelintServer:
    server = ScopelintServer(debounce_s)

    @server.feature(types.INITIALIZE)
    def initialize(ls: ScopelintServer, params: types.InitializeParams) -> None:
        ls._loop, ls._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        ls.settings = ls.settings.merged(params.initialization_options)
        root = ls.workspace.root_path
        if root:
            ls.configs.fallback_root = root

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ScopelintServer, params: types.InitializedParams) -> None:
        folders = [uris.to_fs_path(f.uri) for f in ls.workspace.folders.values()]
        roots = [f for f in folders if f] or [r for r in [ls.workspace.root_path] if r]
        ls.index.set_roots(roots)
        asyncio.get_running_loop().create_task(ls.build_index())
        workspace_caps = ls.client_capabilities.workspace
        watching = workspace_caps.did_change_watched_files if workspace_caps is not None else None
        if watching is not None and watching.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern="**/*.py"), types.FileSystemWatcher(glob_pattern="**/*.pyi")]
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                    id="scopelint-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
                )]))
            except Exception as exc:  # linting goes on; saves still refresh the index
                ls.log(f"scopelint: could not watch the workspace's files: {exc!r}", types.MessageType.Warning)
        if workspace_caps is None or not workspace_caps.configuration:
            return
        try:
            values = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception as exc:  # an odd client must not stop linting
            ls.log(f"scopelint: could not read workspace configuration: {exc!r}", types.MessageType.Warning)
            return
        if values:
            ls.settings = ls.settings.merged({SECTION: values[0]})

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: ScopelintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.settings = ls.settings.merged(params.settings)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ScopelintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.scheduler.schedule(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ScopelintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.scheduler.schedule(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: ScopelintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for p in (uris.to_fs_path(change.uri) for change in params.changes) if p]
        await ls.files_changed(paths)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_did_open(ls: ScopelintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        await ls.lint_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_did_change(ls: ScopelintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        await ls.lint_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_did_save(ls: ScopelintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        await ls.dynamic_notebook_on_save(await ls.lint_notebook(params.notebook_document.uri))

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: ScopelintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls._variables = {k: v for k, v in ls._variables.items() if k[0] != params.notebook_document.uri}
        for cell in params.cell_text_documents:
            ls._cell_findings.pop(cell.uri, None)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cell.uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ScopelintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.scheduler.cancel(uri)
        saved = uris.to_fs_path(uri) if uri.startswith("file:") else None
        if saved:
            await ls.files_changed([saved], but=uri)  # the other buffers may call what was just saved
        await ls.scheduler.lint_now(uri)
        snapshot = ls.snapshot(uri)
        if snapshot is not None:
            await ls.dynamic_on_save(snapshot)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ScopelintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.scheduler.forget(uri)
        ls._variables = {k: v for k, v in ls._variables.items() if k[0] != uri}
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: ScopelintServer, params: types.HoverParams) -> types.Hover | None:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None:
            return None
        mapper = ls.mapper(snapshot.text)
        line, column = mapper.from_client(params.position.line, params.position.character)
        parts: list[str] = []
        result = ls.scheduler.current(snapshot.uri, snapshot.version)
        found = result.diagnostics if result is not None else ls.cell_findings(snapshot.uri, snapshot.text)
        for d in found:
            end = (d.end_line, d.end_column) if d.end_line is not None and d.end_column is not None else (d.line, 10**9)
            if hover.contains((d.line, d.column), end, (line, column)):
                parts.append(hover.rule_markdown(d.code, d.message, d.data.get("dynamic")))
        infos = hover.variables_at(await ls.variables(snapshot), line, column)
        parts[:0] = [hover.variable_markdown(info) for info in infos]
        if not parts:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    async def inlay_hints(ls: ScopelintServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        if not ls.settings.inlay_hints:
            return []
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None:
            return []
        mapper = ls.mapper(snapshot.text)
        first, last = params.range.start.line + 1, params.range.end.line + 1
        hints = []
        for line, column, label, tooltip in hover.hints(await ls.variables(snapshot)):
            if first <= line <= last:
                hints.append(
                    types.InlayHint(
                        position=types.Position(*mapper.to_client(line, column)),
                        label=label,
                        kind=types.InlayHintKind.Type,
                        padding_left=True,
                        tooltip=tooltip,
                    )
                )
        return hints

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[actions.QUICK_FIX, actions.FIX_ALL], resolve_provider=False),
    )
    def code_actions(ls: ScopelintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None:
            return []
        only = params.context.only
        mapper = ls.mapper(snapshot.text)
        found: list[types.CodeAction] = []
        if actions.wanted(actions.QUICK_FIX, only):
            found += actions.quick_fixes(snapshot, params.context.diagnostics, mapper)
        result = ls.scheduler.current(snapshot.uri, snapshot.version)
        if result is not None and actions.wanted(actions.FIX_ALL, only):
            fix_all = actions.fix_all(snapshot, result.diagnostics, mapper)
            if fix_all is not None:
                found.append(fix_all)
        return found

    return server
