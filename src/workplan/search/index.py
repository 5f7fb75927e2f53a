"""The index's life cycle: where it lives, building, updating, opening, locking.

Layout (derived data, never archive content; the archive's verify ignores it)::

    <archive root>/index/
        meta.json            schema version, backend, the live build, built-at, record count,
                             and the archive's log head the index reflects (``archive_head``)
        .lock                fcntl lock held by writers (reindex, incremental updates)
        build-<stamp>/       the backend's files of the live build

``reindex`` builds a new ``build-…`` folder next to the live one (as ``….tmp`` until it is
complete), then switches ``meta.json`` to it with an atomic rename; the old build stays
usable until that moment and is removed afterwards. Searching opens the live build read-only
and takes no lock.

**Staleness.** Every build and update records the catalogue's log head (id and hash of the last
event of the archive's audit trail) it was made from. Searching compares it with the archive's
current head (one catalogue lookup); when the archive has moved on (a crash between the
archive's commit and the index update, ``verify --repair`` completing a record, another tool),
the events logged since are read from the end of the event log (``events.jsonl``, or the
``events`` table of a PostgreSQL archive) and the records they name are
re-indexed (:meth:`IndexManager.catch_up`); when that is impossible the search says the index is
stale and names ``workplan search reindex``.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..archive.fsutil import atomic_replace, fsync_path
from ..errors import Problem, WorkplanError
from .backends import BACKENDS, backend_class
from .extract import IndexDoc, extract

#: Bump when the fields, the analyzers or what is extracted change: an index built with
#: another version is rebuilt (with a message) the next time it is used.
SCHEMA_VERSION = 6  # 3: kind, retention, lang, unit, current are fast fields (facets); 4: pairs and units fields; 5: uid (tantivy); 6: program field, English names in the display metadata
INDEX_DIRNAME = "index"
DEFAULT_BACKEND = "tantivy"
REINDEX_HINT = "run `workplan search reindex` to rebuild it from the archive"
LOCK_TIMEOUT = 300.0
#: Catch up automatically when at most this many documents changed; beyond, ask for a reindex.
CATCH_UP_MAX = 2000
#: Events naming the record (``object`` is its archival code) whose index entry they change.
RECORD_EVENTS = ("ingestion", "new-version", "disposal")
#: Events after which any record may differ from what the index holds.
EVERYTHING_EVENTS = ("rebuild-catalogue",)


class IndexMissing(WorkplanError):
    """There is no search index yet."""


class IndexCorrupt(WorkplanError):
    """The search index cannot be read."""


@dataclass
class BuildReport:
    backend: str
    records: int
    seconds: float
    path: Path
    warnings: list[Problem] = field(default_factory=list)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _not_indexed(record, e: WorkplanError) -> list[Problem]:
    return [Problem(f"{record.code}: not indexed: {p.message}", file=p.file, line=p.line, path=p.path)
            for p in e.problems]


def archive_head(arc) -> list | None:
    """The archive's log head [id, hash] as its catalogue records it (cheap), or None."""
    cat = getattr(arc, "catalogue", None)
    if cat is None:
        return None
    head = cat.log_head()
    return [int(head[0]), str(head[1])] if head else None


def changed_since(log, head: list | None, *, max_codes: int = CATCH_UP_MAX) -> set[str] | None:
    """Archival codes named by record events logged after ``head`` ([id, hash]), read from the
    newest event backwards (only the new events are read). ``log``: the archive's event log
    (``arc.events``: its ``lines_backwards()``, from the end of ``events.jsonl`` or from a
    database's ``events`` table), or the path of an ``events.jsonl``. None when that cannot be
    told: no head, the head event is not in the log any more (or has another hash), the
    catalogue was rebuilt, or more than ``max_codes`` documents changed."""
    if not head:
        return None
    if isinstance(log, (str, os.PathLike)):
        from ..archive.events import EventLog
        log = EventLog(Path(log))
    head_id, head_hash = int(head[0]), str(head[1])
    codes: set[str] = set()
    try:
        for line in log.lines_backwards():
            try:
                ev = json.loads(line)
                eid = int(ev["id"])
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line: verify reports it
            if eid < head_id:
                return None  # the head event is gone
            if eid == head_id:
                return codes if hashlib.sha256(line).hexdigest() == head_hash else None
            if ev.get("type") in EVERYTHING_EVENTS:
                return None
            if ev.get("type") in RECORD_EVENTS and isinstance(ev.get("object"), str):
                codes.add(ev["object"])
                if len(codes) > max_codes:
                    return None
        return None
    except (OSError, WorkplanError):
        return None


class PartlyIndexed(WorkplanError):
    """An update that indexed every version it could and committed, leaving out the versions
    that failed their check against the archive (each a problem naming the file)."""


class IndexManager:
    def __init__(self, archive_root: Path | str | os.PathLike[str], index_dir: Path | str | None = None) -> None:
        self.root = Path(archive_root)
        self.dir = Path(index_dir) if index_dir is not None else self.root / INDEX_DIRNAME
        self.meta_path = self.dir / "meta.json"
        self.lock_path = self.dir / ".lock"

    @classmethod
    def of(cls, arc) -> "IndexManager":
        """The index of an open archive (its ``index_dir``: this machine's), or of an archive path."""
        if isinstance(arc, (str, os.PathLike)):
            return cls(arc)
        return cls(arc.root, getattr(arc, "index_dir", None))


    def _check_dir(self) -> None:
        """``<archive>/index`` must be the index's folder: a file (or anything else) there is named,
        with what to do, and left alone."""
        if self.dir.is_symlink() or (self.dir.exists() and not self.dir.is_dir()):
            what = "a symbolic link" if self.dir.is_symlink() else "a file, not the search index's folder"
            raise WorkplanError(Problem(
                f"{self.dir.name} in the archive is {what}", file=str(self.dir),
                hint="the search index lives in this folder; move or remove what is there (it is not part of the "
                     "archive), then run `workplan search reindex`"))

    # --- meta -------------------------------------------------------------------------------
    def read_meta(self) -> dict:
        """The live build's meta. Raises IndexMissing / IndexCorrupt with the reindex hint."""
        self._check_dir()
        if not self.meta_path.exists():
            raise IndexMissing(Problem("there is no search index for this archive yet", file=str(self.dir),
                                       hint=REINDEX_HINT))
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
            meta["schema_version"] = int(meta["schema_version"])
            if meta.get("backend") not in BACKENDS or not isinstance(meta.get("build"), str):
                raise ValueError("no backend or build recorded")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise IndexCorrupt(Problem(f"the search index is damaged: meta.json cannot be read ({e})",
                                       file=str(self.meta_path), hint=REINDEX_HINT)) from None
        return meta

    def _write_meta(self, meta: dict) -> None:
        atomic_replace(self.meta_path, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))

    def build_path(self, meta: dict) -> Path:
        return self.dir / meta["build"]

    # --- lock -------------------------------------------------------------------------------
    @contextmanager
    def lock(self, timeout: float = LOCK_TIMEOUT):
        """Exclusive writer lock (fcntl) on ``index/.lock``."""
        self._check_dir()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise WorkplanError(Problem(f"cannot write the search index: {e.strerror}", file=str(self.dir),
                                        hint="the index lives inside the archive folder; check its permissions")) from None
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WorkplanError(Problem(
                            f"another process has been updating the search index for {timeout:.0f} s",
                            file=str(self.lock_path), hint="wait for it to finish, then try again")) from None
                    time.sleep(0.05)
            yield
        finally:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    # --- opening ----------------------------------------------------------------------------
    def open(self, meta: dict | None = None, *, writable: bool = False):
        """Open the live build (read-only unless ``writable``)."""
        meta = meta or self.read_meta()
        path = self.build_path(meta)
        cls = backend_class(meta["backend"])
        try:
            return cls(path, writable=writable)
        except WorkplanError as e:
            # a reindex may have switched builds between reading meta.json and opening: retry once
            try:
                again = self.read_meta()
            except WorkplanError:
                again = meta
            if again.get("build") != meta.get("build"):
                return backend_class(again["backend"])(self.build_path(again), writable=writable)
            raise IndexCorrupt(Problem(f"the search index is damaged: {e.problems[0].message}",
                                       file=str(path), hint=REINDEX_HINT)) from None

    # --- building ---------------------------------------------------------------------------
    def rebuild(self, arc, backend: str = DEFAULT_BACKEND, *,
                progress: Callable[[Iterable, str, int], Iterable] | None = None) -> BuildReport:
        """Rebuild the whole index from the archive, atomically (under the writer lock)."""
        backend_class(backend)  # fail early if not installed
        with self.lock():
            return self._rebuild_locked(arc, backend, progress)

    def _rebuild_locked(self, arc, backend: str, progress=None,
                        documents: Mapping[str, Any] | None = None) -> BuildReport:
        t0 = time.perf_counter()
        head = archive_head(arc)  # read before the records: a later change is then caught up
        records = [r for r in arc.records(current_only=False) if getattr(r, "status", "active") != "disposed"]
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 100000:05d}"
        name = f"build-{stamp}"
        tmp = self.dir / (name + ".tmp")
        final = self.dir / name
        warnings: list[Problem] = []
        cls = backend_class(backend)
        try:
            be = cls(tmp, create=True)
            n = 0
            items = progress(records, "indexing", len(records)) if progress else records
            batch: list[IndexDoc] = []
            log = arc.read_log() if hasattr(arc, "read_log") else None  # each record checked against the log
            for r in items:
                try:
                    batch.append(extract(r, arc, log=log, documents=documents))
                except WorkplanError as e:
                    warnings += _not_indexed(r, e)
                    continue
                if len(batch) >= 500:
                    n += be.add(batch)
                    batch = []
            n += be.add(batch)
            be.commit()
            be.close()
            del be
            os.rename(tmp, final)
            fsync_path(self.dir)
        except WorkplanError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        except Exception as e:  # noqa: BLE001 - e.g. the backend's "No space left on device": said, not a traceback
            shutil.rmtree(tmp, ignore_errors=True)
            text = getattr(e, "strerror", None) or str(e)
            full = "space left" in text.lower() or getattr(e, "errno", None) == 28
            raise WorkplanError(Problem(("the disk is full: " if full else "") + f"the new index could not be written "
                                        f"({text}); the old index (if any) is unchanged", file=str(self.dir),
                                        hint="free some space, then run `workplan search reindex`" if full else
                                        "run `workplan search reindex` again")) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._write_meta({"schema_version": SCHEMA_VERSION, "backend": backend, "build": name,
                          "built_at": _now(), "updated_at": _now(), "records": n, "archive_head": head})
        self._cleanup(keep=name)
        return BuildReport(backend, n, time.perf_counter() - t0, final, warnings)

    def _cleanup(self, keep: str) -> None:
        """Remove builds other than ``keep`` (old builds, and leftovers of interrupted ones)."""
        for p in self.dir.iterdir():
            if p.is_dir() and p.name.startswith("build-") and p.name != keep:
                shutil.rmtree(p, ignore_errors=True)
        for p in self.dir.glob(".meta.json.*.part"):  # left by a killed atomic_replace
            try:
                p.unlink()
            except OSError:
                pass

    def update(self, arc, codes: Iterable[str] = (), *, lock_timeout: float = LOCK_TIMEOUT,
               documents: Mapping[str, Any] | None = None) -> int:
        """Bring the given records (and the other versions of the same documents) up to date,
        and every record the archive changed since the index's recorded log head (a crash may
        have left some behind).

        Creates the index if it is missing, rebuilds it if it is damaged, of another schema, or
        too far behind to catch up. Returns the number of records (re)indexed.
        """
        codes = list(dict.fromkeys(codes))
        with self.lock(lock_timeout):
            try:
                meta = self.read_meta()
                usable = meta["schema_version"] == SCHEMA_VERSION
            except WorkplanError:
                meta, usable = {}, False
            head = archive_head(arc)  # before reading any record (see _rebuild_locked)
            if usable and head is not None:
                # the log tells what changed since the index's head: a record named by the
                # caller but changed before that head is indexed already (another writer on
                # this machine caught up past it), so it is not indexed twice
                since = set() if meta.get("archive_head") == head else \
                    changed_since(arc.events, meta.get("archive_head"))
                if since is None:
                    usable = False  # cannot tell what changed: rebuild
                else:
                    codes = sorted(since)
            if usable and not codes:
                meta["archive_head"] = head  # only events that change no record (e.g. a fixity check)
                self._write_meta(meta)
                return 0
            if usable:
                try:
                    be = self.open(meta, writable=True)
                except WorkplanError:
                    usable = False
            if not usable:
                backend = meta["backend"] if meta else DEFAULT_BACKEND
                return self._rebuild_locked(arc, backend, documents=documents).records
            to_delete: set[str] = set(codes)
            docs: list[IndexDoc] = []
            problems: list[Problem] = []
            log = arc.read_log() if hasattr(arc, "read_log") else None  # each record checked against the log
            try:
                for code in codes:
                    try:
                        versions = arc.versions(code)  # a new version keeps its archival code
                    except WorkplanError:
                        continue  # gone from the archive: just remove it
                    for v in versions:
                        to_delete.add(v.code)
                        if getattr(v, "status", "active") != "disposed":
                            try:
                                docs.append(extract(v, arc, log=log, documents=documents))
                            except WorkplanError as e:  # as in a rebuild: the others are still indexed
                                problems += _not_indexed(v, e)
                be.delete(sorted(to_delete))
                be.add(docs)
                be.commit()
            finally:
                be.close()
            meta["updated_at"] = _now()
            meta["records"] = be.doc_count()
            meta["archive_head"] = head
            self._write_meta(meta)
        if problems:
            raise PartlyIndexed(problems)
        return len(docs)

    # --- staleness ----------------------------------------------------------------------------
    def staleness(self, arc, meta: dict | None = None) -> str | None:
        """None when the index reflects the archive's current log head; else what is behind."""
        head = archive_head(arc)
        if head is None:
            return None
        meta = meta or self.read_meta()
        mine = meta.get("archive_head")
        if mine == head:
            return None
        if not mine:
            return f"the index does not record which archive state it reflects (archive log head #{head[0]})"
        since = changed_since(arc.events, mine)
        if since is None:
            return (f"the index reflects the archive at event #{mine[0]}, the archive is at #{head[0]}, "
                    "and what changed in between cannot be told from the event log")
        if not since:
            return None  # only events that change no record (fixity checks, exports)
        return (f"the index reflects the archive at event #{mine[0]}, the archive is at #{head[0]}: "
                f"{len(since)} document(s) changed since")

    def catch_up(self, arc, *, lock_timeout: float = 10.0) -> str | None:
        """Re-index the records the archive changed since the index was last updated, if any.
        Returns None when the index is (now) current, else why it is stale: what changed cannot
        be told from the event log (a reindex is needed), the index cannot be written, or
        another process holds its lock."""
        meta = self.read_meta()
        head = archive_head(arc)
        if head is None or meta.get("archive_head") == head:
            return None
        if changed_since(arc.events, meta.get("archive_head")) is None:
            return self.staleness(arc, meta)
        try:
            self.update(arc, (), lock_timeout=lock_timeout)
        except WorkplanError as e:
            left = self.staleness(arc)
            return None if left is None else f"{left}; catching up failed: {e.problems[0].message}"
        return None
