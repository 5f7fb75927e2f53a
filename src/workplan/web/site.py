"""The state one site keeps over its archive: per-thread archive and index handles, the audit
events by record, the volume jobs and the security guard. Views reach it with :func:`site`."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import current_app

from .jobs import Jobs
from .security import Guard

EXTENSION = "workplan"


class EventsByRecord:
    """The audit events grouped by record, re-read only when the log file changes (it is
    append-only), so a record page does not parse the whole log each time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: tuple | None = None
        self.by_code: dict[str, list] = {}

    def __call__(self, arc: Any, code: str) -> list:
        from ..archive.events import LOG_NAME
        try:
            st = (arc.root / LOG_NAME).stat()
            stamp: tuple | None = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
        with self.lock:
            if stamp is None or stamp != self.stamp:
                events, _ = arc.log()
                by: dict[str, list] = {}
                for e in events:
                    by.setdefault(e.object, []).append(e)
                self.by_code, self.stamp = by, stamp
            return list(self.by_code.get(code, []))


class Results:
    """Recent search results by (index generation, query): paging back, switching the language or
    un-ticking a facet asks the index the same question again. Bounded (least recently used go);
    a new index generation (the index rebuilt or updated, the archive's log head moved) is a new key."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, key: tuple, compute: Any) -> Any:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = compute()  # outside the lock: two threads may both compute a new key, never wait
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


class _Handles(threading.local):
    arc: Any = None
    ix: Any = None
    ix_stamp: Any = None
    stale: Any = None
    stale_key: Any = None
    caught_up_to: Any = None  # the log head this machine's index was last caught up to (see Site.index)


class SiteAccounts:
    """The archive's accounts as the guard asks for them (through this thread's archive)."""

    def __init__(self, site: "Site") -> None:
        self.site = site

    def required(self) -> bool:
        return self.site.archive().catalogue.has_accounts()

    def get(self, name: str) -> Any:
        return self.site.archive().accounts.get(name)


class Site:
    def __init__(self, root: Path, jobs: Jobs, guard: Guard, opener: Any = None) -> None:
        from ..archive import open_archive
        self.root, self.jobs, self.guard = root, jobs, guard
        self.opener = opener or (lambda: open_archive(root))  # () -> an open archive (serve's options)
        self._handles = _Handles()
        self._events = EventsByRecord()
        self.results = Results()
        self.accounts = SiteAccounts(self)

    def acting_archive(self) -> Any:
        """This thread's archive, its events naming the person making this request (via the web)."""
        from .security import current_account
        arc = self.archive()
        acct = current_account()
        return arc.act_as(acct.name if acct is not None else None, via="web")

    def archive(self) -> Any:
        """This thread's open archive."""
        if self._handles.arc is None:
            self._handles.arc = self.opener()
        return self._handles.arc

    def index(self) -> Any:
        """This thread's open index (reopened when the index was rebuilt or updated)."""
        from ..search import open_index
        from ..search.index import IndexManager, archive_head
        h = self._handles
        arc = self.archive()
        mgr = IndexManager.of(arc)
        if not getattr(getattr(arc, "storage", None), "index_on_write", True):
            # a PostgreSQL archive's writers leave the index to each machine: the site catches its
            # machine's index up (or builds it) when the log's head moved, as a search there does
            head = archive_head(arc)
            if h.caught_up_to != head:
                if mgr.meta_path.exists():
                    mgr.catch_up(arc)
                else:
                    mgr.update(arc, ())
                h.caught_up_to = head
        try:
            st = mgr.meta_path.stat()
            stamp: tuple | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if h.ix is None or h.ix_stamp != stamp:
            if h.ix is not None:
                h.ix.close()
                h.ix = None
            # a path: never rebuilds (the site changes nothing); this machine's index folder
            h.ix = open_index(self.root, index_dir=mgr.dir)
            h.ix_stamp = stamp
            h.stale_key = None
        # an index behind the archive (a crash between a commit and its index update) is said on
        # every search, with the fix, instead of silently missing records. Worked out again only
        # when the archive's log head moved (one catalogue look-up per request): a head that moved
        # means reading the log back to the index's head, which is not done on every search
        head = archive_head(arc)
        key = (tuple(head) if head else None, stamp)
        if h.stale_key != key:
            h.stale = mgr.staleness(arc, h.ix.meta)
            h.stale_key = key
        h.ix.stale = h.stale
        return h.ix

    def index_generation(self) -> tuple:
        """What this thread's index answered from (after :meth:`index`): its files and the
        archive's log head. Search results are the same for the same generation and question."""
        return self._handles.stale_key

    def events_of(self, code: str) -> list:
        arc = self.archive()
        return self._events(arc, code)


def site() -> Site:
    return current_app.extensions[EXTENSION]
