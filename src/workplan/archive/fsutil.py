"""Durable file operations, locks, hashing and the crash hook used by the archive."""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import functools
import getpass
import hashlib
import os
import shutil
import signal
import socket
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

HASH_CHUNK = 1 << 20  # 1 MiB
_buffers = threading.local()


def now_iso() -> str:
    """UTC time, ISO 8601 with timezone, millisecond precision."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


@functools.lru_cache(maxsize=1)
def agent() -> str:
    """``workplan/<version> <user>@<host>`` (PREMIS agent of every event), worked out once per
    process (the package metadata look-up alone costs a millisecond: every bag names it)."""
    try:
        from importlib.metadata import version
        v = version("workplan")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        v = "unknown"
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        user = str(os.getuid())
    return f"workplan/{v} {user}@{socket.gethostname()}"


class NotRegular(OSError):
    """A stored path that is a symbolic link or not a regular file (never followed)."""


def open_regular(path: str | os.PathLike):
    """Open a stored file for reading without following a symbolic link (O_NOFOLLOW), and only
    if it is a regular file; raises :class:`NotRegular` otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegular(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotRegular(errno.EINVAL, "is not a regular file", str(path))
    return open(fd, "rb", buffering=0)


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of a stored file, never through a symbolic link (see :func:`open_regular`)."""
    with open_regular(path) as f:
        return f.read()


def sha256_file(path: str | os.PathLike) -> tuple[str, int]:
    """(hex digest, size) of a regular file (never through a symbolic link), read in 1 MiB chunks
    into a per-thread buffer."""
    buf = getattr(_buffers, "buf", None)
    if buf is None:
        buf = _buffers.buf = bytearray(HASH_CHUNK)
    view = memoryview(buf)
    h = hashlib.sha256()
    size = 0
    with open_regular(path) as f:
        while True:
            n = f.readinto(view)
            if not n:
                break
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fsync_path(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_pool = None
_pool_lock = threading.Lock()


def _fsync_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor
            _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fsync")
        return _pool


def fsync_many(paths: Sequence[str | os.PathLike]) -> None:
    """fsync several files and folders at once: issued concurrently, the filesystem commits them
    together (one journal commit instead of one per file), which is several times faster."""
    if len(paths) <= 1:
        for p in paths:
            fsync_path(p)
        return
    for _ in _fsync_pool().map(fsync_path, paths):
        pass


def fsync_trees(roots: list[Path]) -> None:
    """fsync every file and folder under each root (and the roots themselves), all at once."""
    paths: list[str] = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            paths.extend(os.path.join(dirpath, name) for name in files)
            paths.append(dirpath)
    fsync_many(paths)


def fsync_tree(root: Path) -> None:
    fsync_trees([root])


class FsyncBatch:
    """fsyncs started while the caller goes on working (writing the next bag), then waited for
    all at once with :meth:`wait`: the disk works while the CPU does. Nothing is durable before
    :meth:`wait` returns; it raises the first failure."""

    def __init__(self) -> None:
        self._futures: list = []

    def tree(self, root: Path) -> None:
        """Start the fsync of every file and folder under ``root`` (and of ``root``)."""
        pool = _fsync_pool()
        for dirpath, _dirs, files in os.walk(root):
            self._futures.extend(pool.submit(fsync_path, os.path.join(dirpath, name)) for name in files)
            self._futures.append(pool.submit(fsync_path, dirpath))

    def wait(self) -> None:
        futures, self._futures = self._futures, []
        error = None
        for f in futures:
            try:
                f.result()
            except BaseException as e:  # noqa: BLE001 - every fsync is waited for; the first failure is raised
                error = error or e
        if error is not None:
            raise error


def write_durable(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to a new file and fsync it (unless the caller fsyncs the folder later)."""
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        if sync:
            os.fsync(f.fileno())


def atomic_replace(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically: temporary file beside it, fsync, rename, fsync the folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def copy_durable(src: Path, dst: Path, *, sync: bool = True) -> tuple[str, int]:
    """Copy ``src`` to a new file ``dst`` byte for byte (fsynced unless ``sync`` is False, for a
    caller that fsyncs the whole folder later); return (sha256, size) of what was written."""
    buf = bytearray(HASH_CHUNK)
    view = memoryview(buf)
    h = hashlib.sha256()
    size = 0
    fd = os.open(src, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a FIFO never blocks us
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegular(errno.EINVAL, "is not a regular file", str(src))
    with open(fd, "rb", buffering=0) as fi, open(dst, "xb", buffering=0) as fo:
        while True:
            n = fi.readinto(view)
            if not n:
                break
            h.update(view[:n])
            fo.write(view[:n])
            size += n
        if sync:
            os.fsync(fo.fileno())
    return h.hexdigest(), size


def remove_tree(path: Path) -> None:
    """Remove a folder even when its files are read-only."""
    def onerror(func, p, exc_info):
        try:
            os.chmod(os.path.dirname(p), 0o755)
            os.chmod(p, 0o644)
            func(p)
        except OSError:
            pass
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=onerror)
    elif path.exists() or path.is_symlink():
        path.unlink()


def make_read_only(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(dirpath, name), 0o444)


@contextmanager
def file_lock(path: Path, *, shared: bool = False):
    """An advisory lock (flock) on ``path``, created if needed; released on exit or process death."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def try_lock_dir(path: Path) -> int | None:
    """Take an exclusive non-blocking lock on a folder; the fd, or None if someone holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


# --- crash hook (tests) ------------------------------------------------------------------
_CRASH_ENV = "WORKPLAN_ARCHIVE_CRASH_AT"


def crash_point(name: str) -> None:
    """Testing hook: when $WORKPLAN_ARCHIVE_CRASH_AT names this step, the process kills itself
    (SIGKILL: no cleanup, no finally blocks), as a power cut or `kill -9` would."""
    if os.environ.get(_CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
