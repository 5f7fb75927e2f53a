"""Where an archive keeps its catalogue and event log: one row per kind of database.

``sqlite`` (the default, one office): ``catalogue.sqlite`` and ``events.jsonl`` in the archive
folder, writers serialized by ``flock`` on ``<root>/.lock``, the log appended before the bag is
placed and the row activated (:func:`commit_log_first`).

``postgresql`` (many offices, one archive; ``"catalogue": "postgresql://…"`` in archive.json):
both in that database (:mod:`.catalogue_pg`), writers on any machine serialized by a
session-level advisory lock, the log appended in the transaction that activates the rows
(:func:`commit_in_transaction`). The bags stay in the shared folder, staged in its ``tmp/``.

Each row says how to open the catalogue and the log, how to take the write lock, how a batch of
new versions is committed, what a reservation whose bag is in place but unlogged means, and
whether a writer updates the search index itself or each machine's index catches up on its own.
"""
from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..errors import Problem, WorkplanError
from .fsutil import crash_point, file_lock, fsync_many


@dataclass(frozen=True)
class Storage:
    name: str
    catalogue: Callable  # (archive, create) -> catalogue
    log: Callable  # (archive) -> event log
    lock: Callable  # (archive, shared) -> context manager
    commit: Callable  # (archive, items, place, unplace, activate) -> events; see commit_log_first
    unlogged_placement: Callable  # (archive, code, version) -> note or None
    rebuild: Callable  # (archive, rows, log head, accounts, fixity) -> the replaced catalogue kept aside, or None
    before_rebuild: Callable  # (archive): a damaged SQLite file is closed; a database keeps its lock
    # whether a writer brings its search index up to date after each add (the one office's
    # index); False: each machine's index catches up by the log's head on its own (when it is
    # searched, by `workplan search reindex --catch-up` or a worker's catch-up job), once for
    # the records of every writer, instead of every writer indexing everyone's records
    index_on_write: bool = True


class Commit:
    """What a commit protocol tells the caller: whether the log records the batch (True), does
    not (False), or cannot tell yet (None: the connection was lost while committing)."""

    def __init__(self) -> None:
        self.logged: bool | None = False


# --- sqlite: the folder holds everything ------------------------------------------------------
def _sqlite_catalogue(arc, create: bool = False):
    from .catalogue import CATALOGUE_NAME, Catalogue
    return Catalogue(arc.root / CATALOGUE_NAME, create=create, read_only=arc.read_only)


def _file_log(arc):
    from .events import LOG_NAME, EventLog
    return EventLog(arc.root / LOG_NAME, fallback_head=arc._catalogue_head)


@contextmanager
def _flock(arc, shared: bool):
    with file_lock(arc.root / ".lock", shared=shared):
        yield


def commit_log_first(arc, items: list[tuple], place: Callable[[], None], unplace: Callable[[], None],
                     activate: Callable, state: Commit):
    """Folder archive: the log first (write-ahead, the commit point: from here it proves each
    bag), then each bag renamed into place, then the rows activated."""
    evs = arc.events.append_many(items)
    state.logged = True
    crash_point("logged")
    place()
    crash_point("placed")
    cat = arc.catalogue
    with cat.transaction() as db:
        activate(db)
        cat.set_log_head(db, evs[-1].id, evs[-1].hash)
    return evs


def _sqlite_rebuild(arc, rows: list[dict], head, accounts: Sequence[dict] = (), fixity: Sequence[dict] = ()) -> Path | None:
    """A new catalogue file written in tmp/, then put in place of the old one (kept aside when
    it was not a database): see :func:`.catalogue.install_catalogue`."""
    from .catalogue import CATALOGUE_NAME, Catalogue, install_catalogue
    from .fsutil import fsync_path
    arc.tmp.mkdir(exist_ok=True)
    new = arc.tmp / f"catalogue-{os.getpid()}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{new}{suffix}").unlink(missing_ok=True)
    Catalogue.write_fresh(new, rows, head, accounts, fixity)
    fsync_path(new)
    aside = install_catalogue(new, arc.root / CATALOGUE_NAME, arc.root)
    fsync_path(arc.root)
    return aside


def _pg_rebuild(arc, rows: list[dict], head, accounts: Sequence[dict] = (), fixity: Sequence[dict] = ()) -> None:
    """Every row replaced in one transaction (the log is primary data there: never rebuilt; the
    accounts table is left as it is), then the fixity results recomputed from the log."""
    arc.catalogue.replace_all(rows)
    arc.catalogue.replace_fixity(list(fixity))
    return None


def _keep_unlogged(arc, code: str, version: int) -> None:
    return None  # a bag the log does not know is a finding for verify, never touched


# --- postgresql: catalogue and log in the database, bags in the shared folder ------------------
def _pg_catalogue(arc, create: bool = False):
    from .catalogue_pg import PgCatalogue
    return PgCatalogue(arc.config.catalogue, create=create, read_only=arc.read_only)


def _pg_log(arc):
    from .catalogue_pg import PgEventLog
    return PgEventLog(lambda: arc.catalogue)


@contextmanager
def _pg_lock(arc, shared: bool):
    with arc.catalogue.write_lock(shared=shared):
        yield


def commit_in_transaction(arc, items: list[tuple], place: Callable[[], None], unplace: Callable[[], None],
                          activate: Callable, state: Commit):
    """Database archive: one transaction locks the log's head row, appends the events, renames
    each bag into place and activates the rows; its COMMIT is the commit point. Any failure
    before the COMMIT puts the bags back where they were staged (the caller then drops the
    reservations); a lost connection during the COMMIT leaves them for the next writer, which
    completes them if the log holds their events and takes them out again if not."""
    from .catalogue_pg import CommitUnknown
    cat = arc.catalogue
    try:
        with cat.transaction() as db:
            evs = arc.events.append_many(items, tx=db)
            crash_point("logged")
            place()
            crash_point("placed")
            activate(db)
    except CommitUnknown:
        state.logged = None
        raise
    except BaseException:
        unplace()
        raise
    state.logged = True
    return evs


def _move_aside_unlogged(arc, code: str, version: int) -> str | None:
    """A reservation whose bag is in place although the log has no event for it: a writer killed
    between its rename and its COMMIT (the transaction was rolled back, so nothing was archived).
    The bag is moved into tmp/ (kept, named, never deleted) and the reservation dropped."""
    bag = arc.root / arc.rel(code, version)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = arc.tmp / f"uncommitted-{code}-v{version}-{stamp}"
    arc.tmp.mkdir(exist_ok=True)
    os.rename(bag, aside)
    parents = [arc.tmp, bag.parent]
    if version == 1:
        try:
            bag.parent.rmdir()  # bags/<code> held only this version
            parents = [arc.tmp, arc.bags]
        except OSError:
            pass
    fsync_many(parents)
    return (f"took {code} v{version} out of bags/ (placed by a writer killed before its commit; the log does not "
            f"record it; kept as {aside.relative_to(arc.root).as_posix()})")


STORAGES: dict[str, Storage] = {
    "sqlite": Storage("sqlite", _sqlite_catalogue, _file_log, _flock, commit_log_first, _keep_unlogged,
                      _sqlite_rebuild, lambda arc: arc.close()),
    "postgresql": Storage("postgresql", _pg_catalogue, _pg_log, _pg_lock, commit_in_transaction,
                          _move_aside_unlogged, _pg_rebuild, lambda arc: None, index_on_write=False),
}


def storage_of(config) -> Storage:
    """The row for an archive's configuration (``catalogue``: a PostgreSQL URL, or None)."""
    url = getattr(config, "catalogue", None)
    if not url:
        return STORAGES["sqlite"]
    scheme = str(url).split("://", 1)[0].lower()
    if scheme in ("postgresql", "postgres"):
        return STORAGES["postgresql"]
    raise WorkplanError(Problem(f"unknown catalogue {url!r}", path="catalogue",
                                hint="use a postgresql:// URL, or leave it out for SQLite"))


__all__ = ["Commit", "STORAGES", "Storage", "commit_in_transaction", "commit_log_first", "storage_of"]
