"""The archive: opening it, storing records and versions (prepared by :mod:`workplan.ingest`),
disposal, catalogue rebuild, change listeners.

How ``add`` stays atomic and gap-free (every step below is a named crash point for tests):

1. outside any lock, the payload (source, renditions) is written and fsynced in a private
   staging folder ``<root>/tmp/add-*`` (locked with flock while this process lives);
2. under the archive's write lock (``<root>/.lock``, flock), pending rows left by killed
   writers are resolved, then in one ``BEGIN IMMEDIATE`` transaction the identity is looked up
   (same identity → new version of the same code) or the next item number is allocated, and a
   *pending* row reserves it (``allocated``);
3. ``metadata.json`` is written and the folder made into a BagIt bag, fsynced (``bagged``);
4. the ingestion / new-version event, with the bag's tagmanifest and file hashes, is appended to
   the hash-chained log — the commit point: from here the log proves the record (``logged``);
5. the bag is renamed into ``bags/<code>/v<n>`` (``placed``);
6. the row becomes active (and the previous version superseded) in a second transaction
   (``committed``).

A process killed before 4 leaves a staging folder and possibly a pending row without a bag: the
row is dropped by the next writer or ``verify --repair`` (the number was never issued, so it is
reused and no gap appears); the folder is removed by ``verify --repair``. Killed after 4, the
next writer or ``verify --repair`` puts the staged bag the log records in place (found in tmp/ by
its tagmanifest hash) and activates the row. Nothing the log does not record is ever recorded.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fcntl
import json
import logging
import os
import re
import sys
from contextlib import contextmanager

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import Problem, WorkplanError
from .bag import (METADATA_FORMAT, METADATA_NAME, TAGMANIFEST, TOMBSTONE_DIR, TOMBSTONE_FORMAT, Staging, Workspace,
                  build_bag, parse_metadata, read_manifest, row_from_metadata, rows_for_code, scan_bags)
from .catalogue import CATALOGUE_NAME, Catalogue, row_to_record
from .codes import (RETENTION_LABELS, check_retention, expiry_date, format_code, normalize_code,
                    parse_code)
from .config import CONFIG_NAME, INIT_HINT, ArchiveConfig, load_config
from .events import HEAD_NAME, LOG_NAME
from .fsutil import (FsyncBatch, atomic_replace, crash_point, fsync_many, fsync_path, now_iso,
                     read_regular, remove_tree, sha256_bytes, sha256_file, write_durable)
from .record import Record, role_sort_key
from .storage import Commit, storage_of

DEFAULT_DIR = "archive"

logging.getLogger("pypdf").setLevel(logging.ERROR)
logging.getLogger("bagit").setLevel(logging.ERROR)


def resolve_root(path: str | os.PathLike | None = None) -> Path:
    """The archive folder: ``path``, else ./archive. (The command line's ``--archive`` option
    also reads $WORKPLAN_ARCHIVE: see :mod:`workplan.cli.options`.)"""
    if path is None or str(path) == "":
        path = DEFAULT_DIR
    return Path(path).expanduser().absolute()


def open_archive(path: str | os.PathLike | None = None, *, index_dir: str | os.PathLike | None = None,
                 catalogue: str | None = None) -> "Archive":
    """Open an existing archive. Raises WorkplanError (with the hint to run `workplan archive
    init`) if it does not exist, lacks its configuration, or is unreadable. ``index_dir``: this
    machine's search index folder (default ``<root>/index``; each machine writing into a shared
    archive keeps its own). ``catalogue``: read the catalogue and the log of a PostgreSQL archive
    from this server instead of the one archive.json names (a streaming standby: read-only)."""
    root = resolve_root(path)
    if not root.exists():
        raise WorkplanError(Problem("no archive here: the folder does not exist", file=str(root), hint=INIT_HINT))
    if not root.is_dir():
        raise WorkplanError(Problem("not an archive: this is a file, not a folder", file=str(root), hint=INIT_HINT))
    if not os.access(root, os.R_OK | os.X_OK):
        raise WorkplanError(Problem("cannot read the archive folder (permission denied)", file=str(root),
                                    hint="check the folder's permissions"))
    config = load_config(root)
    if catalogue:
        if not config.catalogue:
            raise WorkplanError(Problem("this archive keeps its catalogue in the folder (SQLite): there is no "
                                        "database server to read it from", file=str(root / CONFIG_NAME),
                                        hint="leave out --catalogue"))
        config = dataclasses.replace(config, catalogue=catalogue)
    arc = Archive(root, config)
    if index_dir is not None and str(index_dir) != "":
        arc.index_dir = Path(index_dir).expanduser().absolute()
    return arc


def init_archive(path: str | os.PathLike | None = None, *, fonds: str, name: str, category: str = "WS",
                 default_retention: str = "D30", org_codes: dict[str, str] | None = None,
                 name_en: str = "", catalogue: str | None = None) -> "Archive":
    """Create an archive: configuration, empty catalogue, event log, bags/ and tmp/.
    ``catalogue``: a PostgreSQL URL to keep the catalogue and the log in that database (see
    :mod:`.storage`) instead of catalogue.sqlite and events.jsonl in the folder."""
    root = resolve_root(path)
    if root.exists() and not root.is_dir():
        raise WorkplanError(Problem("cannot create an archive here: it is a file", file=str(root)))
    longest = len(os.fsencode(str(root / f"{CATALOGUE_NAME}-wal")))
    if longest >= _SQLITE_MAX_PATH or len(os.fsencode(str(root))) + _LONGEST_INSIDE >= 4096:
        raise WorkplanError(Problem(f"the folder's path is too long for an archive (its catalogue's path would be "
                                    f"{longest} bytes; SQLite needs under {_SQLITE_MAX_PATH}); nothing "
                                    "was written", file=str(root)[:120] + "…", hint="choose a shorter folder"))
    if (root / CONFIG_NAME).exists():
        raise WorkplanError(Problem("an archive already exists here", file=str(root / CONFIG_NAME),
                                    hint="use it as it is, or choose another folder"))
    cfg = ArchiveConfig(fonds_code=(fonds or "").strip().upper(), fonds_name=(name or "").strip(),
                        category=(category or "").strip().upper(),
                        default_retention=(default_retention or "").strip().upper(),
                        org_codes=dict(org_codes or {}), created_at=now_iso(), fonds_name_en=(name_en or "").strip(),
                        catalogue=catalogue or None)
    problems = cfg.problems()
    if catalogue and "@" in catalogue.split("://", 1)[-1].split("/", 1)[0] \
            and ":" in catalogue.split("://", 1)[-1].split("@", 1)[0]:
        problems.append(Problem("the catalogue URL holds a password, which would be written into archive.json",
                                path="catalogue", hint="leave the password out of the URL and put it in ~/.pgpass "
                                                       "(or $PGPASSWORD) for every user of the archive"))
    if not cfg.fonds_name:
        problems.append(Problem("the fonds needs a name (全宗名称)", hint='pass --name "..."'))
    if problems:
        raise WorkplanError(problems)
    made_root = not root.exists()
    made: list[Path] = []
    lock_fd = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = root / ".lock"
        if not lock.exists():
            made.append(lock)
        lock_fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            made.clear()
            raise WorkplanError(Problem("another `workplan archive init` (or a writer) is working in this folder; "
                                        "nothing was written", file=str(root), hint="wait for it, then look again"))
        if (root / CONFIG_NAME).exists():
            made.clear()
            raise WorkplanError(Problem("an archive already exists here", file=str(root / CONFIG_NAME),
                                        hint="use it as it is, or choose another folder"))
        _clear_half_init(root)
        for leftover in ("bags", CATALOGUE_NAME, LOG_NAME):
            if (root / leftover).exists():
                made.clear()
                raise WorkplanError(Problem(f"this folder holds an archive's {leftover} but no {CONFIG_NAME}",
                                            file=str(root), hint=f"restore {CONFIG_NAME} from a backup instead of "
                                                                 "creating a new archive over the old one"))
        for name_ in ("bags", "tmp", CATALOGUE_NAME, LOG_NAME, HEAD_NAME):
            if not (root / name_).exists():
                made.append(root / name_)
        (root / "bags").mkdir(exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        new = Archive(root, cfg)
        try:
            cat = new._cat = new.storage.catalogue(new, create=True)
            if cat.log_head() is not None:
                raise WorkplanError(Problem("the catalogue database already holds an archive's log: nothing was "
                                            "written", file=str(cat.path),
                                            hint="give each archive a database of its own (an empty one)"))
            ev = new.events.append("init", "archive", {"fonds_code": cfg.fonds_code, "fonds_name": cfg.fonds_name,
                                                       "category": cfg.category})
            cat.note_event(ev)
        finally:
            new.close()
        # the configuration is written last: an interrupted init leaves no half archive behind it
        atomic_replace(root / CONFIG_NAME, cfg.to_json().encode("utf-8"))
        made.clear()
    except OSError as e:
        raise WorkplanError(Problem(f"cannot create the archive: {e.strerror}; nothing was left behind",
                                    file=str(root))) from None
    finally:
        for p in reversed(made):  # what this init made, when it did not finish
            for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm")):
                try:
                    remove_tree(q)
                except OSError:
                    pass
        if lock_fd is not None:
            os.close(lock_fd)
        if made_root and not (root / CONFIG_NAME).exists():
            try:
                root.rmdir()
            except OSError:
                pass
    return Archive(root, cfg)


def _partly_archived(cause: BaseException, alloc: list[tuple[str, int]], placed: set) -> WorkplanError:
    """An error after the log recorded a batch: say plainly what was archived and what was not."""
    import errno as _errno
    if isinstance(cause, WorkplanError):
        what = cause.problems[0].message
    elif getattr(cause, "errno", None) in (_errno.ENOSPC, _errno.EDQUOT):
        what = "the disk is full"
    else:
        what = getattr(cause, "strerror", None) or str(cause)
    done = [f"{c} v{v}" for c, v in alloc if (c, v) in placed]
    staged = [f"{c} v{v}" for c, v in alloc if (c, v) not in placed]
    msg = f"{what}; archived (in the log and in place): {', '.join(done) or 'none'}"
    if staged:
        msg += f"; in the log, still to be put in place from tmp/: {', '.join(staged)}"
    err = WorkplanError(Problem(msg, hint="free some space, then run `workplan archive verify --repair` (it completes "
                                          "what the log records)"))
    err.archived = [c for c, _ in alloc]  # every record of the batch is in the log
    return err


_SQLITE_MAX_PATH = 512  # bytes: SQLite cannot open a longer path
_LONGEST_INSIDE = 600  # bytes a record's file path adds under the root (code, version, a long file name)


def _clear_half_init(root: Path) -> None:
    """Remove what an interrupted ``init`` left (no configuration, empty bags/, a log holding only
    its init entry), so that init can be retried; anything more is never touched."""
    bags, log = root / "bags", root / LOG_NAME
    if not bags.is_dir() or bags.is_symlink() or any(bags.iterdir()):
        return
    if log.exists():
        try:
            lines = read_regular(log).splitlines()
        except OSError:
            return
        if len(lines) > 1 or (lines and b'"type":"init"' not in lines[0]):
            return
    for name_ in ("bags", "tmp", CATALOGUE_NAME, f"{CATALOGUE_NAME}-wal", f"{CATALOGUE_NAME}-shm", LOG_NAME,
                  HEAD_NAME):
        p = root / name_
        if p.is_symlink() or p.is_file():
            p.unlink()
        elif name_ == "tmp" and p.is_dir() and not any(p.iterdir()):
            p.rmdir()
        elif name_ == "bags" and p.is_dir():
            p.rmdir()


class _Collision(Exception):
    pass


@dataclass
class Prepared:
    """A record staged for :meth:`Archive.store` (made by :mod:`workplan.ingest`)."""
    staging: "Staging | Workspace"  # the record's own folder (.dir, .bag, .cleanup())
    files: dict[str, dict]  # role → {"path": "data/<name>", "size", "sha256"}
    meta: dict  # identity, title, ..., everything of the record except code/version/archival fields


class Archive:
    """An open archive. Use :func:`open_archive` or :func:`init_archive`."""

    def __init__(self, root: Path, config: ArchiveConfig):
        self.root = root
        self.config = config
        self.bags = root / "bags"
        self.tmp = root / "tmp"
        self.index_dir = root / "index"  # the search index's folder (search's; another per machine)
        self.storage = storage_of(config)  # where the catalogue and the log live (storage.STORAGES)
        self.events = self.storage.log(self)
        self._cat = None
        self._lock_mode: str | None = None
        self._listeners: list[Callable[["Archive", list[str]], None]] = []
        self._shared_staging: Staging | None = None
        self.person: str | None = None  # who acts (an account's name, or a name recorded as given)

    def act_as(self, person: str | None, via: str | None = None) -> "Archive":
        """Name the person (and the front end, ``via``) the events written from now on record."""
        from .accounts import agent_of
        self.person = person or None
        self.events.agent = agent_of(self.person, via)
        return self

    @property
    def accounts(self):
        """The archive's accounts (:class:`.accounts.Accounts`)."""
        from .accounts import Accounts
        return Accounts(self)

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    # --- plumbing -------------------------------------------------------------------------
    def _catalogue_head(self) -> tuple[int, str] | None:
        if not (self.root / CATALOGUE_NAME).is_file():
            return None
        return self.catalogue.log_head()

    @property
    def read_only(self) -> bool:
        """Whether the archive folder cannot be written (read-only media, a read-only mount)."""
        try:
            if os.statvfs(self.root).f_flag & os.ST_RDONLY:
                return True
        except OSError:
            pass
        return not os.access(self.root, os.W_OK)

    @property
    def catalogue(self) -> Catalogue:
        if self._cat is None:
            self._cat = self.storage.catalogue(self)
        return self._cat

    def close(self) -> None:
        if self._cat is not None:
            self._cat.close()
            self._cat = None
        if self._shared_staging is not None:
            self._shared_staging.cleanup()
            self._shared_staging = None

    def new_staging(self, *, shared: bool = False) -> Staging:
        """A private staging folder under ``tmp/`` for a record being prepared (``shared``: one
        folder holding a workspace per record, see :meth:`Staging.workspace`)."""
        return Staging(self.tmp, "add-", shared=shared)

    def shared_staging(self) -> Staging:
        """This object's staging folder, kept while it is open (one record's workspace each)."""
        if self._shared_staging is None or not self._shared_staging.dir.is_dir():
            self._shared_staging = Staging(self.tmp, "add-", shared=True)
            import atexit
            import weakref
            ref = weakref.ref(self)
            atexit.register(lambda: ref() is not None and ref().close())
        return self._shared_staging

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write_lock(self, *, shared: bool = False):
        """The archive's writer lock (exclusive for writers; verify holds it shared). Re-entrant
        within one Archive object."""
        if self._lock_mode is not None:
            if self._lock_mode == "ex" or shared:
                yield
                return
            raise RuntimeError("cannot take the archive's write lock while holding it shared")
        if self.read_only:
            if not shared:
                raise WorkplanError(Problem("the archive is read-only: nothing was written", file=str(self.root),
                                            hint="writing needs a writable copy of the archive (reading commands "
                                                 "work as they are)"))
            self._lock_mode = "sh"  # nothing can write to it: no lock to take
            try:
                yield
            finally:
                self._lock_mode = None
            return
        try:
            with self.storage.lock(self, shared):
                self._lock_mode = "sh" if shared else "ex"
                try:
                    yield
                finally:
                    self._lock_mode = None
        except PermissionError:
            raise WorkplanError(Problem("cannot lock the archive (permission denied)", file=str(self.root / ".lock"),
                                        hint="you need write access to the archive folder")) from None

    def rel(self, code: str, version: int | None) -> str:
        return f"bags/{code}/{TOMBSTONE_DIR if version is None else f'v{version}'}"

    def on_change(self, listener: Callable[["Archive", list[str]], None]) -> None:
        """Call ``listener(archive, codes)`` after each write that adds versions or disposes of
        records (derived data such as the search index follows the archive this way). The same
        listener is registered once."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def notify_changed(self, codes: list[str]) -> None:
        """Tell the listeners which records changed. The write already succeeded: a listener's
        failure is a warning on stderr, not an error."""
        if not codes:
            return
        for listener in list(self._listeners):
            try:
                listener(self, list(codes))
            except Exception as e:  # noqa: BLE001 - the archive write already succeeded
                what = e.format() if isinstance(e, WorkplanError) else f"{type(e).__name__}: {e}"
                print(f"warning: after archiving {', '.join(codes)}: {what}", file=sys.stderr)

    # --- reading ----------------------------------------------------------------------------
    def records(self, *, current_only: bool = True, year: int | None = None, unit: str | None = None,
                kind: str | None = None, retention: str | None = None) -> list[Record]:
        """Records from the catalogue, ordered by code then version. ``current_only`` gives the
        newest version of each document (including disposed ones: check ``status``)."""
        rows = self.catalogue.select(current_only=current_only, year=year, kind=kind,
                                     retention=None if retention is None else check_retention(retention,
                                                                                               where="retention"))
        out = [row_to_record(r, self.root) for r in rows]
        if unit:
            out = [r for r in out if _matches_unit(r, unit)]
        return out

    def _code_rows(self, code: str) -> list[dict]:
        return self.catalogue.versions_of(code)

    def get(self, code: str) -> Record:
        """The current version of the record with this archival code."""
        c = normalize_code(code)
        rows = self._code_rows(c)
        if not rows:
            raise self.unknown(code)
        return row_to_record(rows[-1], self.root)

    def unknown(self, what: str) -> WorkplanError:
        codes = self.catalogue.codes()
        close = difflib.get_close_matches(normalize_code(what), codes, n=1)
        hint = f"did you mean {close[0]}?" if close else "see `workplan archive list`"
        return WorkplanError(Problem(f"no record with the archival code or identity {what!r}", file=str(self.root),
                                     hint=hint))

    def versions(self, code_or_identity: str) -> list[Record]:
        """Every version (oldest first) of a document, by archival code or identity."""
        rows = self._code_rows(normalize_code(code_or_identity))
        if not rows:
            rows = self.catalogue.by_identity(code_or_identity)
        if not rows:
            raise self.unknown(code_or_identity)
        return [row_to_record(r, self.root) for r in rows]

    def file(self, record: Record, role: str) -> Path:
        """Absolute path of a payload file of ``record``."""
        entry = record.file_entry(role)
        if entry is None:
            if record.status == "disposed":
                raise WorkplanError(Problem(f"disposed on {record.disposed_at}: only its tombstone metadata is kept",
                                            file=record.code, hint="its files no longer exist"))
            raise WorkplanError(Problem(f"version {record.version} has no {role!r} file", file=record.code,
                                        hint=f"it has: {', '.join(record.roles)}"))
        return record.bag_dir / entry.path

    def verify_record(self, code: str, *, log=None) -> list[Problem]:
        """Recompute the hashes of every version of one record and check them, and the catalogue,
        against the event log ([] when intact): :func:`.reading.check_for_reading`."""
        from .reading import check_for_reading
        return check_for_reading(self, normalize_code(code), log=log)

    def log(self, code: str | None = None):
        """(events, chain problems); events filtered to one record when ``code`` is given."""
        events, findings = self.events.read()
        if code:
            c = normalize_code(code)
            events = [e for e in events if e.object == c]
        return events, findings

    def _read_metadata(self, rec: Record) -> dict:
        """A version's metadata.json; a missing or damaged one is named, with the way out."""
        path = rec.bag_dir / "data" / METADATA_NAME
        try:
            return json.loads(read_regular(path))
        except (OSError, ValueError) as e:
            raise WorkplanError(Problem(f"cannot read the record's metadata: {e}", file=str(path),
                                        hint="run `workplan archive verify` to see what is damaged")) from None

    def precheck_identity(self, meta: dict) -> None:
        """A new version must keep the archived document's code fields (checked before writing)."""
        r = self.catalogue.latest_of_identity(meta["identity"])
        if r is not None:
            self._check_new_version(r["code"], r["status"], (r["year"], r["retention"], r["org"]), meta)

    # --- the write path -----------------------------------------------------------------------
    def _allocate(self, preps: list[Prepared], reason: str | None = None) -> list[tuple[str, int]]:
        """Codes and versions for a batch, reserved by pending rows in one BEGIN IMMEDIATE
        transaction. Call with the write lock held (so every pending row present is ours). The
        batch's identities are looked up at once and each group's next item number once (then
        counted on here), and the reservations sent together: a database writer holds the lock
        for a few round trips per batch, not three per record."""
        cat = self.catalogue
        for _attempt in range(1000):
            out: list[tuple[str, int]] = []
            collision = None
            try:
                with cat.transaction() as db:
                    latest = cat.latest_of_identities(db, [p.meta["identity"] for p in preps])
                    items: dict[tuple, int] = {}
                    rows = []
                    for prep in preps:
                        code, version = self._allocate_one(db, prep.meta, latest, items, reason)
                        target = self.root / self.rel(code, version)
                        if target.exists() or target.is_symlink() or (version == 1 and target.parent.exists()):
                            collision = (code, version)
                            raise _Collision()  # rolls back everything of this attempt
                        rows.append(self._row(code, version, prep.meta, prep.files, status="pending", md_entry=None,
                                              tag=None))
                        out.append((code, version))
                    with cat.batch(db):
                        for row in rows:
                            cat.reserve(db, row)
            except _Collision:
                pass
            if collision is None:
                return out
            # a bag the catalogue does not know: recorded only when the log records it, exactly as it is
            # (the catalogue's last commits lost in a power cut); a bag the log does not know is refused
            self._record_collision(collision)
        raise WorkplanError("cannot allocate an archival code: too many unrecorded bags; run "
                            "`workplan archive verify --repair`")

    def _allocate_one(self, db, meta: dict, latest: dict[str, dict], items: dict[tuple, int],
                      reason: str | None) -> tuple[str, int]:
        """The code and version of one record of a batch being allocated; ``latest`` (identity →
        newest row) and ``items`` (group → next item number) are updated for the records after it."""
        cfg = self.config
        prev = latest.get(meta["identity"])
        if prev is not None:
            code = prev["code"]
            self._check_new_version(code, prev["status"], (prev["year"], prev["retention"], prev["org"]), meta)
            version = prev["version"] + 1
            if not reason:
                raise WorkplanError(Problem(
                    f"this is a new version of {code} (v{version}): a new version needs a reason; "
                    "nothing was archived", file=code, hint='pass --reason "..." (what changed and why)'))
        else:
            group = (cfg.fonds_code, cfg.category, meta["year"], meta["retention"], meta["org"])
            item = items.get(group) or self.catalogue.next_item(db, *group)
            items[group] = item + 1
            code = format_code(*group, item)
            version = 1
        latest[meta["identity"]] = {"code": code, "version": version, "status": "pending", "year": meta["year"],
                                    "retention": meta["retention"], "org": meta["org"]}
        return code, version

    def _record_collision(self, collision: tuple[str, int]) -> None:
        from .reading import read_log
        code, version = collision
        log = read_log(self)
        logged = log.versions_of(code)
        if not logged or (version > 1 and version not in logged):
            where = self.bags / code / (f"v{version}" if version > 1 else "")
            raise WorkplanError(Problem(f"{where.relative_to(self.root).as_posix()} is already there but the event log "
                                        "does not record it: it was not archived here, and nothing is archived over "
                                        "it or adopts it", file=str(where),
                                        hint="run `workplan archive verify`; an archivist removes it, or records it "
                                             "with `workplan archive adopt CODE --version N --reason ...`"))
        self.record_logged(code, log)

    def _identical(self, prep: Prepared) -> Record | None:
        """The archived current version this prepared record repeats exactly (same identity, and the
        same source, or for files without a source the same files), if any."""
        prev = self.catalogue.latest_of_identity(prep.meta["identity"])
        if prev is None or prev["status"] == "disposed":
            return None
        rec = next((r for r in self.versions(prev["code"]) if r.version == prev["version"]), None)
        if rec is None:
            return None
        have = {f.role: f.sha256 for f in rec.files if f.role != "metadata"}
        new = {role: f["sha256"] for role, f in prep.files.items()}
        if "source" in new:
            return rec if have.get("source") == new["source"] else None
        return rec if have == new else None

    def store(self, preps: list[Prepared], *, notify: bool = True, skip_identical: bool = False,
              skipped: list | None = None, reason: str | None = None) -> list[Record]:
        """Archive prepared records (see :mod:`workplan.ingest`), atomically each (see the module
        docstring), sharing the lock, the fsyncs and the catalogue transactions of the batch.
        ``notify``: tell the change listeners (:meth:`on_change`) which records changed.
        ``skip_identical``: a record whose identity's current version has the same content is not
        archived again (a retried add); its archived record is returned in its place and appended
        to ``skipped``. ``reason``: why; required when the batch makes a new version of an
        archived record (nothing is written without it), kept in each event."""
        reason = (reason or "").strip() or None
        if skip_identical:
            with self.write_lock():
                self.resolve_pending()
                same = {id(p): self._identical(p) for p in preps}
            if any(same.values()):
                todo = [p for p in preps if same[id(p)] is None]
                for p in preps:
                    if same[id(p)] is not None:
                        p.staging.cleanup()
                        if skipped is not None:
                            skipped.append(same[id(p)])
                done = iter(self.store(todo, notify=notify, reason=reason) if todo else [])
                return [same[id(p)] or next(done) for p in preps]
        cat = self.catalogue
        alloc: list[tuple[str, int]] = []
        placed: set[tuple[str, int]] = set()
        logged = False
        syncs: FsyncBatch | None = None
        try:
            with self.write_lock():
                self.require_log_intact()
                self.resolve_pending()
                crash_point("locked")
                alloc = self._allocate(preps, reason)
                crash_point("allocated")

                mds, entries, tags, trees = [], [], [], []
                syncs = FsyncBatch()  # each bag's fsyncs start as soon as it is written
                for prep, (code, version) in zip(preps, alloc):
                    md = self._metadata(code, version, prep.meta, prep.files)
                    md_bytes = (json.dumps(md, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
                    write_durable(prep.staging.bag / METADATA_NAME, md_bytes, sync=False)
                    # fsynced below, all at once
                    tags.append(build_bag(prep.staging.bag, self._bag_info(md), sync=False))
                    entries.append({"path": f"data/{METADATA_NAME}", "size": len(md_bytes),
                                    "sha256": sha256_bytes(md_bytes)})
                    mds.append(md)
                    if version == 1 and isinstance(prep.staging, Workspace):
                        # v1 travels inside a folder that becomes bags/<code>: the record's own
                        # workspace (nothing else is in it), so no folder is made or removed for it
                        os.rename(prep.staging.bag, prep.staging.dir / "v1")
                        trees.append(prep.staging.dir)
                    elif version == 1:  # v1 travels inside a folder named by the code
                        holder = prep.staging.dir / code
                        holder.mkdir()
                        os.rename(prep.staging.bag, holder / "v1")
                        trees.append(holder)
                    else:
                        trees.append(prep.staging.bag)
                    syncs.tree(trees[-1])
                syncs.wait()
                crash_point("bagged")

                def place() -> None:
                    parents: dict[Path, None] = {}
                    self.bags.mkdir(exist_ok=True)
                    for tree, (code, version) in zip(trees, alloc):
                        if version == 1:
                            os.rename(tree, self.bags / code)
                            parents[self.bags] = None
                        else:
                            os.rename(tree, self.bags / code / f"v{version}")
                            parents[self.bags / code] = None
                        placed.add((code, version))
                    fsync_many(list(parents))

                def unplace() -> None:  # back where they were staged (before a commit that did not happen)
                    for tree, (code, version) in reversed(list(zip(trees, alloc))):
                        if (code, version) in placed:
                            os.rename(self.bags / code if version == 1 else self.bags / code / f"v{version}", tree)
                            placed.discard((code, version))

                def activate(db) -> None:
                    with cat.batch(db):
                        for (code, version), md, entry, tag in zip(alloc, mds, entries, tags):
                            cat.activate(db, row_from_metadata(md, bag_dir=self.rel(code, version), md_entry=entry,
                                                                 tagmanifest=tag, status="active", current=True))

                # the storage's commit protocol (storage.STORAGES): in a folder archive the log first
                # (write-ahead: from here the log proves each bag, so a bag a killed writer left in tmp/
                # is put in place by the next writer or verify --repair), then each bag renamed into
                # place, then the rows activated; in a database, all of it in one transaction
                commit = Commit()
                try:
                    self.storage.commit(self, [self._version_event(code, version, md, tag, reason=reason)
                                               for (code, version), md, tag in zip(alloc, mds, tags)],
                                        place, unplace, activate, commit)
                finally:
                    logged = commit.logged  # None: the connection was lost while committing
                crash_point("committed")
        except BaseException:
            if syncs is not None:
                try:
                    syncs.wait()  # no fsync still running over files about to be removed
                except OSError:
                    pass
            unplaced = [cv for cv in alloc if cv not in placed]
            if logged is None:  # the next writer or verify --repair completes or undoes it, as the log says
                unplaced, preps = [], []
            if logged:  # the log records them: their reservations and staged bags stay for the next writer
                keep = {id(p) for p, cv in zip(preps, alloc) if cv in unplaced}
                preps = [p for p in preps if id(p) not in keep]
                cause = sys.exc_info()[1]
                if isinstance(cause, (WorkplanError, OSError)):
                    raise _partly_archived(cause, alloc, placed) from None
                unplaced = []
            if unplaced:
                try:
                    with cat.transaction() as db:
                        for code, version in unplaced:
                            cat.drop_pending(db, code, version)
                except WorkplanError:
                    pass
            raise
        finally:
            for prep in preps:
                prep.staging.cleanup()
        codes = list(dict.fromkeys(code for code, _ in alloc))
        if notify:
            self.notify_changed(codes)
        rows = {}
        for code in codes:
            for r in self.versions(code):
                rows[(r.code, r.version)] = r
        return [rows[cv] for cv in alloc]

    def _check_new_version(self, code: str, status: str, old: tuple, meta: dict) -> None:
        if status == "disposed":
            raise WorkplanError(Problem(f"(identity {meta['identity']!r}) was disposed; a disposed record "
                                        "cannot get new versions", file=code,
                                        hint="give the document another identity (an explicit `id:`) to archive it "
                                             "as a new record"))
        new = (meta["year"], meta["retention"], meta["org"])
        names = ("year", "retention", "organization code")
        diffs = [f"{n} {o} → {v}" for n, o, v in zip(names, old, new) if o != v]
        if diffs:
            raise WorkplanError(Problem(
                f"this is a new version of {code}, but its {', '.join(diffs)}; an archival code never changes",
                file=code,
                hint="keep the year, retention and issuer of the archived document, or give the document another "
                     "identity (an explicit `id:`) to archive it as a new record"))

    def _metadata(self, code: str, version: int, meta: dict, files: dict) -> dict:
        parts = parse_code(code)
        return {
            "format": METADATA_FORMAT, "code": code, "version": version,
            "supersedes": version - 1 if version > 1 else None, "identity": meta["identity"],
            "fonds": parts.fonds, "fonds_name": self.config.fonds_name, "category": parts.category,
            "year": parts.year, "retention": parts.retention, "org": parts.org, "item": parts.item,
            "title": meta["title"], "title_en": meta["title_en"], "kind": meta["kind"], "issuer": meta["issuer"],
            "issuer_abbr": meta["issuer_abbr"], "doc_number": meta["doc_number"], "date": meta["date"],
            "units": meta["units"], "unit_ids": meta["unit_ids"], "langs": meta["langs"], "pages": meta["pages"],
            "roles": sorted([*files, "metadata"], key=role_sort_key), "status": "active",
            "archived_at": now_iso(), "files": {k: files[k] for k in sorted(files, key=role_sort_key)},
        }

    def _bag_info(self, md: dict) -> dict:
        return {
            "Source-Organization": md["issuer"], "External-Identifier": md["code"],
            "External-Description": md["title"], "Archival-Code": md["code"], "Record-Version": md["version"],
            "Supersedes-Version": md["supersedes"], "Identity": md["identity"], "Title": md["title"],
            "Title-EN": md["title_en"], "Issuer": md["issuer"], "Issuer-Abbr": md["issuer_abbr"],
            "Document-Number": md["doc_number"], "Document-Date": md["date"], "Year": md["year"],
            "Retention": f"{md['retention']} ({RETENTION_LABELS[md['retention']]})", "Kind": md["kind"],
            "Languages": ", ".join(md["langs"]), "Pages": md["pages"], "Fonds-Code": md["fonds"],
            "Fonds-Name": md["fonds_name"], "Archived-At": md["archived_at"], "Record-Status": md["status"],
        }

    def _row(self, code, version, meta, files, *, status, md_entry, tag) -> dict:
        parts = parse_code(code)
        f = dict(files)
        if md_entry:
            f["metadata"] = md_entry
        return {"code": code, "version": version, "status": status, "current": 0, "identity": meta["identity"],
                "fonds": parts.fonds, "category": parts.category, "year": parts.year, "retention": parts.retention,
                "org": parts.org, "item": parts.item, "title": meta["title"], "title_en": meta["title_en"],
                "kind": meta["kind"], "issuer": meta["issuer"], "issuer_abbr": meta["issuer_abbr"],
                "doc_number": meta["doc_number"], "date": meta["date"], "units": meta["units"],
                "unit_ids": meta["unit_ids"], "langs": meta["langs"], "pages": meta["pages"],
                "roles": sorted(f, key=role_sort_key), "files": f, "tagmanifest": tag,
                "bag_dir": self.rel(code, version), "archived_at": now_iso(), "disposed_at": None}

    def _version_event(self, code: str, version: int, md: dict, tag: str | None,
                       note: str | None = None, reason: str | None = None) -> tuple[str, str, dict]:
        detail = {"version": version, "identity": md["identity"], "title": md["title"], "date": md["date"],
                  "retention": md["retention"], "issuer": md["issuer"], "doc_number": md["doc_number"],
                  "files": {r: f["sha256"] for r, f in md["files"].items()}, "tagmanifest": tag}
        if version > 1:
            detail["supersedes"] = version - 1
        if note:
            detail["note"] = note
        if reason:
            detail["reason"] = reason
        return ("ingestion" if version == 1 else "new-version", code, detail)

    def log_version_event(self, code: str, version: int, md: dict, tag: str | None, note: str | None = None):
        return self.events.append(*self._version_event(code, version, md, tag, note))

    def read_bag_row(self, code: str, version: int) -> tuple[dict, dict]:
        """(metadata, catalogue row) of a bag on disk."""
        bag = self.root / self.rel(code, version)
        md_bytes = read_regular(bag / "data" / METADATA_NAME)
        md, problem = parse_metadata(md_bytes, str(bag), code)
        if problem:
            raise WorkplanError(problem)
        manifest = read_manifest(bag / "manifest-sha256.txt")
        tag, _ = sha256_file(bag / TAGMANIFEST)
        entry = {"path": f"data/{METADATA_NAME}", "size": len(md_bytes), "sha256": manifest.get(f"data/{METADATA_NAME}", "")}
        try:
            row = row_from_metadata(md, bag_dir=self.rel(code, version), md_entry=entry, tagmanifest=tag,
                                    status="active", current=True)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise WorkplanError(Problem(f"data/{METADATA_NAME} cannot be read ({e!r})", file=str(bag))) from None
        return md, row

    # --- what the log proves ----------------------------------------------------------------------
    def read_log(self):
        """The event log read once and indexed (see :mod:`.reading`)."""
        from .reading import read_log
        return read_log(self)

    def check_for_reading(self, code: str, version: int | None = None, *, log=None) -> list:
        """What is wrong with what a reader would hand out of this record ([] when it is exactly
        what the log recorded): see :func:`.reading.check_for_reading`."""
        from .reading import check_for_reading
        return check_for_reading(self, code, version, log=log)

    def open_checked(self, rec: Record, role: str, *, log=None):
        """A stored file opened for a reader, checked against the log (see :mod:`.reading`)."""
        from .reading import open_checked
        return open_checked(self, rec, role, log=log)

    def require_log_intact(self) -> None:
        """Refuse to write while the log does not hold its recorded head (entries were cut)."""
        cut = self.events.check_head()
        if cut is not None:
            raise WorkplanError(Problem(cut.message + "; nothing was written", file=cut.file, hint=cut.hint))

    def record_logged(self, code: str, log=None) -> list[dict]:
        """Rows of ``code`` from its bags, for versions the log records and whose bags are exactly
        what it recorded (nothing else is ever recorded). Call with the write lock held."""
        from .reading import authenticated
        log = log or self.read_log()
        rows, found = authenticated(self, code, log=log)
        if found:
            raise WorkplanError([*found, Problem(f"{code} was not recorded in the catalogue", file=code,
                                                 hint="run `workplan archive verify`")])
        with self.catalogue.transaction() as db:
            self.catalogue.replace_code(db, code, rows)
        return rows

    def adopt(self, code: str, version: int, *, reason: str) -> Record:
        """An archivist's decision: record a bag the log does not know (with its hashes, and why)
        as an ``adoption`` event, then in the catalogue. Nothing else ever adopts a bag."""
        from .reading import read_log
        code = normalize_code(code)
        if not (reason or "").strip():
            raise WorkplanError(Problem("adopting a record needs a reason", file=code,
                                        hint='pass --reason "..." (who found it, where it comes from)'))
        with self.write_lock():
            self.require_log_intact()
            log = read_log(self)
            if (code, version) in log.versions:
                raise WorkplanError(Problem(f"the log already records {code} v{version} (entry "
                                            f"#{log.versions[(code, version)].id}): nothing to adopt", file=code))
            bag = self.root / self.rel(code, version)
            if bag.is_symlink() or not bag.is_dir():
                raise WorkplanError(Problem(f"there is no bag {self.rel(code, version)}", file=str(bag)))
            from .bag import check_bag
            res = check_bag(bag, self.rel(code, version), code)
            if res.findings:
                raise WorkplanError([*res.findings, Problem("a damaged bag is never adopted", file=str(bag))])
            md, row = self.read_bag_row(code, version)
            if md["code"] != code or md["version"] != version:
                raise WorkplanError(Problem(f"the bag's metadata says {md['code']} v{md['version']}", file=str(bag)))
            detail = self._version_event(code, version, md, row["tagmanifest"])[2]
            detail.update({"reason": reason.strip(), "adopted": True})
            ev = self.events.append("adoption", code, detail)
            self.catalogue.note_event(ev)
            self.record_logged(code)
        return next(r for r in self.versions(code) if r.version == version)

    def accept_log(self, *, reason: str) -> dict:
        """An archivist's acknowledgement that the log lost entries (a cut restored from nothing):
        logged as a ``log-accepted`` event naming the head that was recorded, after which writes
        resume. Bags whose entries were lost stay findings until each is adopted."""
        if not (reason or "").strip():
            raise WorkplanError(Problem("accepting a cut log needs a reason", file=LOG_NAME,
                                        hint='pass --reason "..." (what happened, what was checked)'))
        with self.write_lock():
            cut = self.events.check_head()
            if cut is None:
                raise WorkplanError(Problem("the log holds its recorded head: nothing to accept", file=LOG_NAME))
            try:
                recorded = self.events.read_head()
            except WorkplanError:
                recorded = None
            try:
                cat_head = self._catalogue_head()
            except WorkplanError:
                cat_head = None
            ev = self.events.append("log-accepted", "archive", {
                "reason": reason.strip(), "finding": cut.message, "recorded_head": recorded,
                "catalogue_head": list(cat_head) if cat_head else None}, accept_head=True)
            try:
                with self.catalogue.transaction() as db:
                    self.catalogue.set_log_head(db, ev.id, ev.hash, force=True)
            except WorkplanError:
                pass  # a missing catalogue is rebuilt later
        return ev.as_dict()

    def resolve_pending(self) -> list[str]:
        """Finish or drop the reservations of writers that were killed, as the log proves: a
        version the log records is completed (its bag put in place from the writer's staging
        folder if it never got there); a reservation the log does not know is dropped; a bag in
        place that the log does not know is never recorded. Call with the write lock held."""
        from .reading import read_log
        done: list[str] = []
        cat = self.catalogue
        pending = cat.pending()
        if not pending:
            return done
        log = read_log(self)
        for p in pending:
            code, version = p["code"], p["version"]
            bag = self.root / self.rel(code, version)
            ev = log.versions.get((code, version))
            if ev is not None and not bag.exists() and not bag.is_symlink():
                staged = self._find_staged(ev)
                if staged is not None:
                    if version == 1:
                        (self.bags / code).mkdir(exist_ok=True)
                    os.rename(staged, bag)
                    fsync_many([bag.parent, self.bags])
                    done.append(f"put {code} v{version} in place from the staging folder of an interrupted add "
                                f"(the log recorded it: entry #{ev.id})")
            if ev is not None and bag.is_dir() and not bag.is_symlink():
                from .reading import check_version
                found, row = check_version(self, code, version, ev, None, current=True)
                if found or row is None:
                    continue  # reported by verify; never recorded
                with cat.transaction() as db:
                    cat.activate(db, row)
                    cat.set_log_head(db, ev.id, ev.hash)
                done.append(f"completed the interrupted add of {code} v{version}")
            elif ev is None and not bag.exists() and not bag.is_symlink():
                with cat.transaction() as db:
                    cat.drop_pending(db, code, version)
                done.append(f"dropped the reservation of {code} v{version} left by an interrupted add "
                            "(nothing was archived under it)")
            elif ev is None and bag.is_dir() and not bag.is_symlink():
                note = self.storage.unlogged_placement(self, code, version)
                if note is not None:
                    with cat.transaction() as db:
                        cat.drop_pending(db, code, version)
                    done.append(note)
        return done

    def _find_staged(self, ev) -> Path | None:
        """The bag an interrupted writer left in tmp/ whose tagmanifest hashes to what ``ev`` recorded."""
        from .reading import logged_hashes
        from .fsutil import try_lock_dir
        _files, tag = logged_hashes(ev)
        if ev.type == "disposal" and isinstance(ev.detail, dict):
            tag = ev.detail.get("tombstone") if isinstance(ev.detail.get("tombstone"), str) else None
        if not tag or self.tmp.is_symlink() or not self.tmp.is_dir():
            return None
        for top in sorted(self.tmp.iterdir()):
            if top.is_symlink() or not top.is_dir() or not top.name.startswith(("add-", "dispose-")):
                continue
            fd = try_lock_dir(top)
            if fd is None:
                continue  # a live writer's
            os.close(fd)
            for dirpath, dirs, files in os.walk(top):
                dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(dirpath, d))]
                if TAGMANIFEST in files:
                    try:
                        h, _ = sha256_file(Path(dirpath) / TAGMANIFEST)
                    except OSError:
                        continue
                    if h == tag:
                        return Path(dirpath)
        return None

    # --- disposal ---------------------------------------------------------------------------------
    def dispose(self, code: str, *, today: dt.date | None = None, reason: str | None = None,
                notify: bool = True) -> Record:
        """Dispose of a record whose retention period has expired: every version's payload is
        removed; a tombstone bag keeps the metadata and hashes of what was destroyed."""
        today = today or dt.date.today()
        code = normalize_code(code)
        reason = (reason or "").strip() or None
        with self.write_lock():
            self.require_log_intact()
            self.resolve_pending()
            rec = self.get(code)
            if rec.status == "disposed":
                raise WorkplanError(Problem(f"already disposed on {rec.disposed_at}", file=code))
            # decided from the log's values, never the catalogue's: every version must be exactly what
            # the log recorded, and the catalogue must agree with it
            found = self.check_for_reading(code)
            if found:
                raise WorkplanError([*found, Problem("nothing was disposed: the record is not what the log recorded",
                                                     file=code, hint="run `workplan archive verify`")])
            from .reading import authenticated
            rows, found = authenticated(self, code)
            if found or not rows:
                raise WorkplanError([*found, Problem("nothing was disposed: the record cannot be checked against "
                                                     "the log", file=code, hint="run `workplan archive verify`")])
            logged = rows[-1]
            retention = parse_code(code).retention
            if logged["retention"] != retention:
                raise WorkplanError(Problem(f"the record's retention {logged['retention']} differs from its code's "
                                            f"({retention}): nothing was disposed", file=code))
            date = dt.date.fromisoformat(logged["date"])
            end = expiry_date(date, retention)
            if end is None:
                raise WorkplanError(Problem("kept permanently (retention Y, 永久): never disposed", file=code))
            if not end < today:
                raise WorkplanError(Problem(file=code, message=
                    f"the retention period ({retention}, {RETENTION_LABELS[retention]}, from "
                    f"{date.isoformat()}) runs until {end.isoformat()}; it cannot be disposed before then"))
            if not reason:
                raise WorkplanError(Problem("a disposal needs a reason; nothing was disposed", file=code,
                                            hint='pass --reason "..." (the appraisal decision, who approved it)'))
            rec = dataclasses.replace(rec, retention=retention, date=date)
            versions = self.versions(code)
            staging = Staging(self.tmp, "dispose-")
            try:
                mds = [self._read_metadata(v) for v in versions]
                disposed_at = now_iso()
                tomb = {"format": TOMBSTONE_FORMAT, "code": code, "status": "disposed", "disposed_at": disposed_at,
                        "disposed_by": self.events.agent, "reason": reason, "retention": rec.retention,
                        "expired_on": end.isoformat(), "versions": mds}
                md_bytes = (json.dumps(tomb, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
                write_durable(staging.bag / METADATA_NAME, md_bytes)
                info = self._bag_info(dict(mds[-1], status="disposed"))
                info.update({"Record-Status": "disposed", "Disposed-At": disposed_at,
                             "Record-Version": ", ".join(str(m["version"]) for m in mds)})
                tomb_tag = build_bag(staging.bag, info)
                # logged first (with the tombstone's hash), then placed: the log proves the tombstone
                ev = self.events.append("disposal", code, {
                    "versions": [m["version"] for m in mds], "retention": rec.retention,
                    "expired_on": end.isoformat(), "reason": reason, "tombstone": tomb_tag,
                    "destroyed": {f"v{m['version']}": {r: f["sha256"] for r, f in m["files"].items()} for m in mds}})
                crash_point("logged")
                os.rename(staging.bag, self.bags / code / TOMBSTONE_DIR)
                fsync_path(self.bags / code)
                crash_point("placed")
                self.finish_disposal(code, staging)
                with self.catalogue.transaction() as db:
                    self.catalogue.set_log_head(db, ev.id, ev.hash)
                crash_point("committed")
            finally:
                staging.cleanup()
        if notify:
            self.notify_changed([code])
        return self.get(code)

    def tombstone_rows(self, code: str) -> list[dict]:
        tdir = self.bags / code / TOMBSTONE_DIR
        md_bytes = read_regular(tdir / "data" / METADATA_NAME)
        tmd = json.loads(md_bytes)
        manifest = read_manifest(tdir / "manifest-sha256.txt")
        tag, _ = sha256_file(tdir / TAGMANIFEST)
        entry = {"path": f"data/{METADATA_NAME}", "size": len(md_bytes), "sha256": manifest.get(f"data/{METADATA_NAME}", "")}
        rows, _ = rows_for_code(code, {}, (tmd, entry, tag), self.rel)
        return rows

    def place_logged_tombstone(self, code: str, ev) -> bool:
        """Put in place the tombstone a killed disposal left in tmp/, when the log recorded it."""
        staged = self._find_staged(ev)
        if staged is None:
            return False
        os.rename(staged, self.bags / code / TOMBSTONE_DIR)
        fsync_path(self.bags / code)
        return True

    def finish_disposal(self, code: str, staging: Staging | None = None) -> None:
        """After the tombstone is in place: catalogue rows from it, then remove the version bags."""
        rows = self.tombstone_rows(code)
        with self.catalogue.transaction() as db:
            self.catalogue.replace_code(db, code, rows, keep_pending=False)
        trash = Staging(self.tmp, "trash-") if staging is None else staging
        try:
            for p in sorted((self.bags / code).iterdir()):
                if p.name != TOMBSTONE_DIR:
                    os.rename(p, trash.dir / p.name)
            fsync_path(self.bags / code)
        finally:
            if staging is None:
                trash.cleanup()

    # --- catalogue rebuild ------------------------------------------------------------------------
    def rebuild_catalogue(self) -> tuple[int, list[Problem]]:
        """Rebuild the catalogue from the bags (the truth). Returns (rows, problems with bags
        that could not be read)."""
        from .reading import read_log
        with self.write_lock():
            try:  # the accounts are not in the bags: carried over from the catalogue being replaced
                accounts = self.catalogue.accounts()
                accounts_lost = None
            except WorkplanError as e:
                accounts, accounts_lost = [], e.problems[0].message
            self.storage.before_rebuild(self)
            self.require_log_intact()
            log = read_log(self)
            scan = scan_bags(self.bags)
            rows: list[dict] = []
            problems: list[Problem] = [Problem(f.message, file=f.file, line=f.line, hint=f.hint)
                                       for f in log.findings if f.kind in ("log-chain", "log-missing")]
            if accounts_lost and any(e.type == "account-added" for e in log.events):
                problems.append(Problem(f"the accounts could not be carried over ({accounts_lost}); the rebuilt "
                                        "catalogue has none", file=str(self.root / CATALOGUE_NAME),
                                        hint="an administrator adds them again with `workplan user add` (the log "
                                             "lists who had which role)"))
            for p in scan.links:
                problems.append(Problem(f"skipped {p.relative_to(self.root).as_posix()}: a symbolic link, never followed",
                                        file=str(p), hint="run `workplan archive verify`"))
            for code in sorted(set(scan.versions) | set(scan.tombstones)):
                try:
                    if code in scan.tombstones:
                        if code not in log.disposals:
                            problems.append(Problem(f"skipped {code}: its tombstone is not in the event log (no "
                                                    "disposal was logged)", file=str(self.bags / code),
                                                    hint="run `workplan archive verify`"))
                            continue
                        rows.extend(self.tombstone_rows(code))
                        continue
                    vs = {}
                    for v in sorted(scan.versions[code]):
                        if (code, v) not in log.versions:
                            problems.append(Problem(f"skipped {code} v{v}: the event log does not record it (a bag "
                                                    "the log does not know is never recorded)",
                                                    file=str(self.bags / code / f"v{v}"),
                                                    hint="an archivist may record it with `workplan archive adopt "
                                                         f"{code} --version {v} --reason ...`"))
                            continue
                        md, row = self.read_bag_row(code, v)
                        vs[v] = (md, row["files"]["metadata"], row["tagmanifest"])
                    code_rows, findings = rows_for_code(code, vs, None, self.rel)
                    rows.extend(code_rows)
                    problems.extend(findings)
                except (OSError, ValueError, KeyError, TypeError, WorkplanError) as e:
                    msg = e.format() if isinstance(e, WorkplanError) else str(e)
                    problems.append(Problem(f"skipped {code}: its bag cannot be read ({msg})",
                                            file=str(self.bags / code), hint="run `workplan archive verify`"))
            events = log.events
            fixity: dict[str, dict] = {}  # each record's last fixity check, as the log records it
            archived: set[str] = set()
            for e in events:
                if e.type in ("ingestion", "new-version", "adoption"):
                    archived.add(e.object)
                elif e.type == "fixity-check" and e.object == "archive" and isinstance(e.detail, dict) \
                        and isinstance(e.detail.get("damaged"), dict):
                    # a whole verify: every record archived by then, the damaged ones with their findings
                    for code in archived:
                        found = e.detail["damaged"].get(code)
                        fixity[code] = {"code": code, "checked_at": e.time, "ok": not found, "event_id": e.id,
                                        "findings": [str(x) for x in found] if isinstance(found, list) else []}
                elif e.type == "fixity-check" and e.object != "archive" and isinstance(e.detail, dict):
                    problems_ = e.detail.get("problems")
                    fixity[e.object] = {"code": e.object, "checked_at": e.time, "ok": e.outcome == "success",
                                        "event_id": e.id,
                                        "findings": [str(x) for x in problems_] if isinstance(problems_, list) else []}
            aside = self.storage.rebuild(self, rows, (events[-1].id, events[-1].hash) if events else None, accounts,
                                         list(fixity.values()))
            ev = self.events.append("rebuild-catalogue", "archive",
                                    {"rows": len(rows), "documents": len({r['code'] for r in rows}),
                                     "skipped": [p.message for p in problems]}
                                    | ({"replaced": aside.relative_to(self.root).as_posix()} if aside else {}))
            self.catalogue.note_event(ev)
        return len(rows), problems

    # --- verify / export ---------------------------------------------------------------------------
    def verify(self, *, repair: bool = False, progress=None, workers: int | None = None, record_event: bool = True):
        from .verify import verify_archive
        return verify_archive(self, repair=repair, progress=progress, workers=workers, record_event=record_event)

    def export(self, output: str | os.PathLike, *, year: int, unit: str | None = None, kind: str | None = None,
               retention: str | None = None, all_versions: bool = False, progress=None, force: bool = False):
        from .export import export_transfer
        return export_transfer(self, Path(output), year=year, unit=unit, kind=kind, retention=retention,
                               all_versions=all_versions, progress=progress, force=force)


def _matches_unit(r: Record, unit: str) -> bool:
    u = unit.strip()
    if not u:
        return True
    up = u.upper()
    if up in {x.upper() for x in (*r.unit_ids, r.issuer_abbr, r.org)}:
        return True
    return any(u in name for name in (*r.units, r.issuer))
