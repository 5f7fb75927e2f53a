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
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Protocol

from ..errors import Problem, WorkplanError
from . import adding, adoption, disposal, pending, rebuild
from .bag import (METADATA_NAME, TAGMANIFEST, TOMBSTONE_DIR, Staging, Workspace, parse_metadata, read_manifest,
                  row_from_metadata)
from .catalogue import CATALOGUE_NAME, Catalogue, row_to_record
from .codes import check_retention, normalize_code
from .config import CONFIG_NAME, INIT_HINT, ArchiveConfig, load_config
from .fsutil import read_regular, sha256_file
from .findings import Finding
from .record import Record
from .storage import storage_of

DEFAULT_DIR = "archive"


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


@dataclass
class Prepared:
    """A record staged for :meth:`Archive.store` (made by :mod:`workplan.ingest`)."""
    staging: "Staging | Workspace"  # the record's own folder (.dir, .bag, .cleanup())
    files: dict[str, dict]  # role → {"path": "data/<name>", "size", "sha256"}
    meta: dict  # identity, title, ..., everything of the record except code/version/archival fields


class ChangeListener(Protocol):
    """Told which records a write changed (see :meth:`Archive.on_change`)."""

    def __call__(self, arc: "Archive", codes: list[str], *, documents: Mapping[str, Any]) -> None: ...


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
        self._cat: Catalogue | None = None
        self._lock_mode: str | None = None
        self._listeners: list[ChangeListener] = []
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

            def close_at_exit() -> None:
                arc = ref()
                if arc is not None:
                    arc.close()
            atexit.register(close_at_exit)
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

    def on_change(self, listener: ChangeListener) -> None:
        """Call ``listener(archive, codes, documents=…)`` after each write that adds versions or
        disposes of records (derived data such as the search index follows the archive this way):
        ``documents`` maps the SHA-256 of a new version's source file to the document the writer
        validated from it (empty when it had none to give). The same listener is registered once."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    def notify_changed(self, codes: list[str], *, documents: Mapping[str, Any] | None = None) -> None:
        """Tell the listeners which records changed (with the documents validated from their
        sources, when the writer has them). The write already succeeded: a listener's failure is
        a warning on stderr, not an error."""
        if not codes:
            return
        for listener in list(self._listeners):
            try:
                listener(self, list(codes), documents=dict(documents or {}))
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

    def verify_record(self, code: str, *, log=None) -> list[Finding]:
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
            adding.check_new_version(r["code"], r["status"], (r["year"], r["retention"], r["org"]), meta)

    # --- the write path -----------------------------------------------------------------------
    def store(self, preps: list[Prepared], *, notify: bool = True, skip_identical: bool = False,
              skipped: list | None = None, reason: str | None = None) -> list[Record]:
        """Archive prepared records (see :mod:`workplan.ingest`), atomically each (see the module
        docstring), sharing the lock, the fsyncs and the catalogue transactions of the batch.
        ``notify``: tell the change listeners (:meth:`on_change`) which records changed.
        ``skip_identical``: a record whose identity's current version has the same content is not
        archived again (a retried add); its archived record is returned in its place and appended
        to ``skipped``. ``reason``: why; required when the batch makes a new version of an
        archived record (nothing is written without it), kept in each event."""
        return adding.store(self, preps, notify=notify, skip_identical=skip_identical, skipped=skipped,
                            reason=reason)

    def read_bag_row(self, code: str, version: int) -> tuple[dict, dict]:
        """(metadata, catalogue row) of a bag on disk."""
        bag = self.root / self.rel(code, version)
        md_bytes = read_regular(bag / "data" / METADATA_NAME)
        md, problem = parse_metadata(md_bytes, str(bag), code)
        if problem or md is None:
            raise WorkplanError(problem or Problem(f"data/{METADATA_NAME} cannot be read", file=str(bag)))
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
        """Record a bag the log does not know, by an archivist's decision (:func:`.adoption.adopt`)."""
        return adoption.adopt(self, code, version, reason=reason)

    def accept_log(self, *, reason: str) -> dict:
        """Let writes resume over a log that lost entries (:func:`.adoption.accept_log`)."""
        return adoption.accept_log(self, reason=reason)

    def resolve_pending(self) -> list[str]:
        """Finish or drop what killed writers left, as the log proves (:func:`.pending.resolve_pending`).
        Call with the write lock held."""
        return pending.resolve_pending(self)

    # --- disposal ---------------------------------------------------------------------------------
    def dispose(self, code: str, *, today: dt.date | None = None, reason: str | None = None,
                notify: bool = True) -> Record:
        """Dispose of a record whose retention period has expired (:func:`.disposal.dispose`)."""
        return disposal.dispose(self, code, today=today, reason=reason, notify=notify)

    def tombstone_rows(self, code: str) -> list[dict]:
        return disposal.tombstone_rows(self, code)

    def place_logged_tombstone(self, code: str, ev) -> bool:
        return disposal.place_logged_tombstone(self, code, ev)

    def finish_disposal(self, code: str, staging: Staging | None = None) -> None:
        disposal.finish_disposal(self, code, staging)

    # --- catalogue rebuild ------------------------------------------------------------------------
    def rebuild_catalogue(self) -> tuple[int, list[Problem]]:
        """Rebuild the catalogue from the bags and the log (:func:`.rebuild.rebuild_catalogue`)."""
        return rebuild.rebuild_catalogue(self)

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
