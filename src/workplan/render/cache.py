"""A content-addressed cache on disk for pure, slow results of rendering.

Two steps of a build cost more than typesetting a whole document with Typst, and give the same
bytes for the same input every time: drawing a chart (importing matplotlib alone takes longer
than laying out ten pages) and breaking a long title at word boundaries (loading jieba's
dictionary). Their results are kept under ``$XDG_CACHE_HOME/workplan/`` (default
``~/.cache/workplan/``), named by the SHA-256 of what they depend on: the input, and the source
code that computes them (so a change of the drawing code is a new key, never a stale image).

The cache is an optimisation only: an unreadable or unwritable folder means computing again,
never an error; files are written atomically; the folder keeps at most :data:`MAX_FILES`
entries (the oldest go first). Delete it at any time.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

MAX_FILES = 2000


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workplan"


@lru_cache(maxsize=None)
def code_fingerprint(*modules: str) -> str:
    """A hash of the source files of ``modules`` (dotted names) and of the library versions
    that shape the result."""
    import importlib.metadata as md
    import importlib.util
    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            h.update(Path(spec.origin).read_bytes())
    for dist in ("matplotlib", "jieba"):
        try:
            h.update(f"{dist}={md.version(dist)}".encode())
        except md.PackageNotFoundError:
            pass
    return h.hexdigest()


def key_of(kind: str, value: Any, *modules: str) -> str:
    blob = json.dumps([kind, value], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256((code_fingerprint(*modules) + blob).encode("utf-8")).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        _prune(path.parent)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) > MAX_FILES:
        for p in sorted(entries, key=lambda p: p.stat().st_mtime)[: len(entries) - MAX_FILES]:
            p.unlink(missing_ok=True)


def cached_files(kind: str, value: Any, modules: tuple[str, ...], suffixes: tuple[str, ...],
                 make: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]:
    """The outputs of ``make()`` (one bytes per suffix) for ``value``: from the cache when all
    of them are there, else computed and stored."""
    folder = cache_dir() / kind
    key = key_of(kind, value, *modules)
    paths = [folder / f"{key}.{s}" for s in suffixes]
    got = tuple(_read(p) for p in paths)
    if all(g is not None for g in got):
        return got  # type: ignore[return-value]
    out = make()
    for p, data in zip(paths, out):
        _write(p, data)
    return out


def cached_json(kind: str, value: Any, modules: tuple[str, ...], make: Callable[[], Any]) -> Any:
    """``make()`` (a JSON value) for ``value``, from the cache when there."""
    path = cache_dir() / kind / f"{key_of(kind, value, *modules)}.json"
    data = _read(path)
    if data is not None:
        try:
            return json.loads(data)
        except ValueError:
            pass
    out = make()
    _write(path, json.dumps(out).encode("utf-8"))
    return out


__all__ = ["cache_dir", "cached_files", "cached_json", "key_of"]
