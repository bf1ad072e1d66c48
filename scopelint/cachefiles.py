"""The cache's files on disk: sealed entries, written atomically, and the per-user secret.

Standard library only: the warm path (:mod:`scopelint.warm`) reads an entry before
anything else of scopelint is imported. What an entry holds is :mod:`scopelint.cache`'s
business; this module only frames, authenticates, reads and writes bytes:

* an entry is ``MAGIC``, an HMAC-SHA256 over its kind, key and payload (keyed by this
  user's secret), a newline, then the payload; one that does not verify is a miss;
* entries are opened without following symlinks and must be regular files under
  :data:`MAX_ENTRY_BYTES`; they are written through a directory handle that does not
  follow symlinks either (temp file + rename, so never half written).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

MYPY = False
if MYPY:  # no typing import at run time: the warm path starts with this module
    from os import PathLike
    from typing import Callable

    StrPath = str | PathLike[str]

# Larger entries are neither written nor read (a planted multi-gigabyte file
# must cost a stat, not a read). The facts of a 10 MB source stay below this.
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_MAGIC = b"scopelint-cache-2\n"
_MAC_HEX = 64
_SECRET_BYTES = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


def seal(secret: bytes, kind: str, key: str, payload: bytes) -> bytes:
    """The bytes of an entry holding ``payload``."""
    return _MAGIC + _mac(secret, kind, key, payload).encode() + b"\n" + payload


def unseal(secret: bytes, kind: str, key: str, raw: bytes | None) -> bytes | None:
    """An entry's payload, or None when it is absent, malformed or not written by this user."""
    if raw is None or not raw.startswith(_MAGIC) or len(raw) < len(_MAGIC) + _MAC_HEX + 1:
        return None
    mac = raw[len(_MAGIC) : len(_MAGIC) + _MAC_HEX]
    payload = raw[len(_MAGIC) + _MAC_HEX + 1 :]
    if not hmac.compare_digest(mac, _mac(secret, kind, key, payload).encode()):
        return None
    return payload


def _mac(secret: bytes, kind: str, key: str, payload: bytes) -> str:
    return hmac.new(secret, f"{kind}\0{key}\0".encode() + payload, hashlib.sha256).hexdigest()


def read_entry(path: "StrPath") -> bytes | None:
    """The bytes of a regular file of sane size; no symlink, FIFO or device is followed or read."""
    return _read_regular(path, lambda info: info.st_size <= MAX_ENTRY_BYTES, MAX_ENTRY_BYTES + 1)


def _read_regular(path: "StrPath", accept: "Callable[[os.stat_result], bool]", most: int) -> bytes | None:
    """At most ``most`` bytes of ``path`` when it is a regular file, not reached through a
    symlink, whose ``fstat`` ``accept`` takes (checked on the file opened, not on the path)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not accept(info):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(most)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_entry(directory: "StrPath", subdir: str, name: str, entry: bytes) -> bool:
    directory = os.fspath(directory)
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
            # A --cache-dir inside a repository: keep it out of `git status`.
            with open(os.path.join(directory, ".gitignore"), "w", encoding="utf-8") as ignore:
                ignore.write("# created by scopelint\n*\n")
        if not _DIR_FD:
            return _write_by_path(os.path.join(directory, subdir), name, entry)
        base = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
        try:
            try:
                os.mkdir(subdir, 0o700, dir_fd=base)
            except FileExistsError:
                pass
            return _write_in(base, subdir, name, entry)
        finally:
            os.close(base)
    except OSError:
        return False  # a read-only location still lints; it just is not cached


def _write_in(base: int, subdir: str, name: str, entry: bytes) -> bool:
    # The subdirectory is opened without following a symlink, and the file is
    # created (O_EXCL, no symlink) and renamed relative to it: a planted symlink
    # can never redirect a write outside the cache.
    sub = os.open(subdir, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=base)
    try:
        tmp = f".{name}.{_token()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=sub)
        try:
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(entry)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=sub, dst_dir_fd=sub)
        return True
    finally:
        os.close(sub)


def _write_by_path(subdir: str, name: str, entry: bytes) -> bool:  # pragma: no cover - platforms without dir_fd
    os.makedirs(subdir, exist_ok=True)
    if os.path.islink(subdir):
        return False
    tmp = os.path.join(subdir, f".{name}.{_token()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(entry)
    os.replace(tmp, os.path.join(subdir, name))
    return True


def _token(size: int = 8) -> str:
    import secrets  # only to write: it imports random, which a warm run has no use for

    return secrets.token_hex(size)


# ---------------------------------------------------------------- where, and the secret


def user_cache_root() -> str:
    """``$XDG_CACHE_HOME/scopelint`` (only when absolute, as the spec says), else ``~/.cache/scopelint``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "scopelint")


_SECRET: dict[str, bytes | None] = {}


def user_secret() -> bytes | None:
    """This user's cache key, created on first use (0600); None when it cannot be had safely."""
    path = os.path.join(user_cache_root(), "secret")
    if path not in _SECRET:
        _SECRET[path] = _read_secret(path) or _create_secret(path)
    return _SECRET[path]


def _read_secret(path: str) -> bytes | None:
    data = _read_regular(path, _private, _SECRET_BYTES + 1)
    return data if data is not None and len(data) == _SECRET_BYTES else None


def _private(info: os.stat_result) -> bool:
    """This user's file, of a secret's size, that no one else can read (who could read it
    could forge entries)."""
    owner_ok = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    return owner_ok and not info.st_mode & 0o077 and info.st_size == _SECRET_BYTES


def _create_secret(path: str) -> bytes | None:
    if os.path.lexists(path):
        return None  # present but unusable (wrong owner or mode): caching stays off
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True, mode=0o700)
        tmp = os.path.join(os.path.dirname(path), f".secret.{_token()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes.fromhex(_token(_SECRET_BYTES)))
        try:
            os.link(tmp, path)  # never replaces a secret another run just created
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError:
        return None
    return _read_secret(path)
