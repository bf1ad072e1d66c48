"""The pygls server: wires LSP messages to :mod:`scopelint.lsp.documents`
(diagnostics), :mod:`~scopelint.lsp.hover`, :mod:`~scopelint.lsp.edits`
(code actions) and inlay hints."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from scopelint import __version__, api
from scopelint.lsp import actions, convert, hover
from scopelint.lsp.documents import ConfigLoader, LintResult, Scheduler, Snapshot
from scopelint.lsp.positions import PositionMapper
from scopelint.lsp.settings import SECTION, ClientSettings

_ENCODINGS = {
    types.PositionEncodingKind.Utf8: "utf-8",
    types.PositionEncodingKind.Utf16: "utf-16",
    types.PositionEncodingKind.Utf32: "utf-32",
}


class ScopelintServer(LanguageServer):
    def __init__(self, debounce_s: float) -> None:
        super().__init__("scopelint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = ClientSettings()
        self.configs = ConfigLoader(fallback_root=os.getcwd(), report=self.report_problem)
        self.scheduler = Scheduler(
            self.snapshot, self.configs, self.publish, debounce_s, on_error=lambda m: self.log(m, types.MessageType.Error)
        )
        self._variables: dict[tuple[str, int | None], tuple[Any, ...]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # -- documents ---------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        from urllib.parse import unquote

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

    def report_problem(self, message: str) -> None:
        """A problem the person should see once (a broken config): logged and shown."""
        self._on_loop(self.window_log_message, types.LogMessageParams(type=types.MessageType.Error, message=message))
        self._on_loop(self.window_show_message, types.ShowMessageParams(type=types.MessageType.Error, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self._on_loop(self.window_log_message, types.LogMessageParams(type=kind, message=message))

    def publish(self, result: LintResult) -> None:
        snapshot = result.snapshot
        mapper = self.mapper(snapshot.text)
        diagnostics = [
            convert.to_lsp(d, mapper, snapshot.path, snapshot.uri, snapshot.version) for d in result.diagnostics
        ]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snapshot.uri, diagnostics=diagnostics, version=snapshot.version)
        )

    # -- the scope model's view, for hover and inlay hints ------------------

    async def variables(self, snapshot: Snapshot) -> tuple[Any, ...]:
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
        workspace_caps = ls.client_capabilities.workspace
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

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ScopelintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.scheduler.cancel(uri)
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
        for d in result.diagnostics if result is not None else ():
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
