"""How long an edit takes to come back as diagnostics, on a 1,000-line TF1 file.

``python tests/test_lsp_latency.py`` prints the median over 20 edits from
``didChange`` to ``publishDiagnostics``, with the server's debounce set to 0 so
the number is the server's own work (the editor adds the debounce, 250 ms by
default, on top). The test asserts a generous bound so a pathological slowdown
(re-reading the catalog per edit, linting every version of a burst) fails CI.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from test_lsp import published

EDITS = 20


def tf_file(lines: int = 1000) -> str:
    """A TF1 module of model builders, the shape of real research code."""
    out = ["import tensorflow.compat.v1 as tf", "", ""]
    block = 0
    while len(out) < lines - 18:
        out += [
            f"def block_{block}(x, is_training, reuse=None):",
            f"    with tf.variable_scope('block_{block}', reuse=reuse):",
            "        with tf.name_scope('conv'):",
            "            w = tf.get_variable('w', [3, 3, 64, 64])",
            "            b = tf.get_variable('b', [64], initializer=tf.zeros_initializer())",
            "            y = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding='SAME') + b",
            "        y = tf.layers.batch_normalization(y, training=is_training)",
            "        y = tf.nn.relu(y)",
            "        h = tf.layers.dense(tf.layers.flatten(y), 128, name='fc')",
            "        gate = tf.Variable(tf.zeros([128]), name='gate')",
            "        return h * tf.sigmoid(gate)",
            "",
            "",
        ]
        block += 1
    out += [
        "def model(x, is_training):",
        "    h = x",
        *[f"    h = block_{i}(h, is_training)" for i in range(min(block, 8))],
        "    return h",
        "",
    ]
    while len(out) < lines:
        out.append(f"# padding {len(out)}")
    return "\n".join(out[:lines]) + "\n"


async def measure(
    client: LanguageClient, root: Path, edits: int = EDITS, after_open: Callable[[], None] = lambda: None
) -> list[float]:
    """Seconds from each didChange to its publishDiagnostics; the first entry of
    the list is the open (cold: the server imports libcst and the model then).
    ``after_open`` runs once the open is published, before the first edit."""
    await client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=root.as_uri())
    )
    path = root / "model.py"
    text = tf_file()
    path.write_text(text)
    uri = path.as_uri()
    # Every publish, in order (test_lsp.Publishes): a second one for a version (the parser
    # check after its settle delay) must not be taken for the next edit's.
    publishes = published(client)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    start = time.perf_counter()
    await publishes.next_for(uri, 30)
    timings = [time.perf_counter() - start]
    after_open()
    for version in range(2, edits + 2):
        line = 500 + version
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, 0), types.Position(line, 0)), text=f"# edit {version}\n"
        )
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
        )
        while (await publishes.next_for(uri, 30)).version != version:
            pass  # a late publish of an earlier version
        timings.append(time.perf_counter() - start)
    return timings


SERVER = [sys.executable, "-m", "scopelint", "lsp", "--debounce-ms", "0"]


@pytest.mark.asyncio(loop_scope="function")
async def test_edit_to_diagnostics_latency(tmp_path: Path) -> None:
    client = await ClientServerConfig(server_command=SERVER).start()
    assert isinstance(client, LanguageClient)
    try:
        timings = await measure(client, tmp_path, edits=8)  # the script measures 20; CI needs only the bound
    finally:
        await client.shutdown_session()
        await client.stop()
    median = statistics.median(timings[1:])
    print(f"median didChange->publishDiagnostics on a 1,000-line file: {median * 1000:.0f} ms")
    assert median < 2.0


async def _main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        client = await ClientServerConfig(server_command=SERVER).start()
        assert isinstance(client, LanguageClient)
        try:
            timings = await measure(client, Path(tmp))
        finally:
            await client.shutdown_session()
            await client.stop()
    ms = sorted(t * 1000 for t in timings[1:])
    print(
        f"{len(ms)} edits on a {len(tf_file().splitlines())}-line TF1 file, debounce 0 ms: "
        f"median {statistics.median(ms):.0f} ms, min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms; "
        f"didOpen -> first publish (cold) {timings[0] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(_main())
