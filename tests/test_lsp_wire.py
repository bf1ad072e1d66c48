"""The language server's JSON-RPC stream abused by hand (no LSP client library would
send this): bodies that are not JSON or not objects, unknown methods, requests whose
params do not fit their method. Each request must be answered (an unanswered one
hangs the editor), nothing may stop the server, and it must lint correctly after."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from test_lsp_abuse import BUGGY, SERVER, SL101_LINE


class RawClient:
    """Frames JSON-RPC by hand, so that it can send what no LSP client library would."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(SERVER, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert length is not None
            self.inbox.put(json.loads(stream.read(length)))

    def send(self, body: bytes | dict[str, Any]) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def until(self, wanted: Any, timeout: float = 60) -> list[dict[str, Any]]:
        """Messages received up to and including the first for which ``wanted`` is true."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            assert message is not None, f"the server closed its output; it said {seen}"
            seen.append(message)
            if wanted(message):
                return seen


def test_garbage_on_the_wire_unknown_methods_and_bad_params(tmp_path: Path) -> None:
    raw = RawClient(tmp_path)
    try:
        raw.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": tmp_path.as_uri()}})
        raw.until(lambda m: m.get("id") == 1)
        raw.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        for garbage in (b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe", b"{}"):
            raw.send(garbage)
        raw.send({"jsonrpc": "2.0", "id": 2, "method": "scopelint/noSuchMethod", "params": {}})
        raw.send({"jsonrpc": "2.0", "method": "scopelint/noSuchNotification", "params": {}})
        raw.send({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"bogus": 1}})
        raw.send({"jsonrpc": "2.0", "id": 4, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": 5}}})
        replies = {m["id"]: m for m in raw.until(lambda m: m.get("id") == 4) if "id" in m}
        assert replies[2]["error"]["code"] == -32601  # method not found, answered
        assert replies[3]["error"]["code"] == -32602  # invalid params, answered: no client waits forever
        assert replies[4]["error"]["code"] == -32602
        uri = (tmp_path / "m.py").as_uri()
        raw.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                  "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": BUGGY}}})  # fmt: skip
        seen = raw.until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        [finding] = seen[-1]["params"]["diagnostics"]
        assert (finding["code"], finding["range"]["start"]["line"]) == ("SL101", SL101_LINE)
        raw.send({"jsonrpc": "2.0", "id": 5, "method": "shutdown"})
        everything = seen + raw.until(lambda m: m.get("id") == 5)
        popups = [m for m in everything if m.get("method") == "window/showMessage"]
        assert len(popups) <= 1  # the garbage is logged; at most one pop-up says so
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert raw.process.wait(timeout=30) == 0
    finally:
        if raw.process.poll() is None:
            raw.process.kill()
            raw.process.wait()
