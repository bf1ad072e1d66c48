"""A source file as bytes on disk and text in memory, written back atomically.

The text keeps the file's line endings (nothing is translated when decoding),
and writing re-encodes with the encoding the file was read with: a UTF-8 BOM
stays, a PEP 263 coding cookie keeps its encoding, and the permission bits
are copied to the replacement before it takes the original's place.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass

from scopelint.files import FileProblem, decode, read_bytes


class WriteError(OSError):
    """The fixed file could not be written; the original is untouched."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    data: bytes
    encoding: str  # as tokenize names it; "utf-8-sig" means the file has a BOM
    text: str

    def encode(self, text: str) -> bytes:
        """``text`` in this file's encoding; UnicodeEncodeError if a character has no place in it."""
        return text.encode(self.encoding)


def read_source(path: str) -> SourceFile:
    """Read a file for fixing; FileProblem when it cannot be read, decoded or round-tripped."""
    data = read_bytes(path)
    text = decode(path, data)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    source = SourceFile(path=path, data=data, encoding=encoding, text=text)
    try:
        same = source.encode(text) == data
    except UnicodeEncodeError:
        same = False
    if not same:
        # Writing it back unchanged would already alter bytes: leave such a file alone.
        raise FileProblem(path, f"its bytes do not round-trip through {encoding}; not rewritten")
    return source


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` so that a reader sees either the
    old file or the new one, never a mix: temp file in the same directory,
    fsync, same permission bits, ``os.replace``. A symlink is followed, not replaced.
    A file or directory with no write bit is refused (WriteError), even for root."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
        directory_mode = stat.S_IMODE(os.stat(directory).st_mode)
    except OSError as exc:
        raise WriteError(f"{path}: cannot stat: {exc.strerror or exc}") from None
    # Replacing a file takes only a writable directory, and root may write anything:
    # the mode bits say what the owner wants, so a read-only file or directory is left alone.
    if not _writable(target, mode):
        raise WriteError(f"{path}: not written: the file is read-only (mode {mode:04o})")
    if not _writable(directory, directory_mode):
        raise WriteError(f"{path}: not written: its directory is read-only (mode {directory_mode:04o}), no temporary file can go next to it")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".scopelint", dir=directory)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create a temporary file next to it: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"{path}: not written: {exc.strerror or exc}") from None
        raise
    _fsync_directory(directory)


def _writable(path: str, mode: int) -> bool:
    return bool(mode & 0o222) and os.access(path, os.W_OK)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
