"""Storing a batch of prepared records (what :mod:`workplan.ingest` staged) as new records or new
versions, atomically each: the steps of the module docstring of :mod:`.store` (allocate under
the lock, bag and fsync, log, place, activate), each a named crash point for tests."""
from __future__ import annotations

import errno
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, WorkplanError
from .bag import METADATA_NAME, Workspace, build_bag, row_from_metadata
from .fsutil import FsyncBatch, crash_point, fsync_many, sha256_bytes, write_durable
from .storage import Commit

if TYPE_CHECKING:
    from .record import Record
    from .store import Archive, Prepared


def store(arc: Archive, preps: list[Prepared], *, notify: bool = True, skip_identical: bool = False,
          skipped: list | None = None, reason: str | None = None) -> list[Record]:
    """Archive prepared records, atomically each, sharing the lock, the fsyncs and the catalogue
    transactions of the batch (see :meth:`.store.Archive.store`)."""
    reason = (reason or "").strip() or None
    if skip_identical:
        with arc.write_lock():
            arc.resolve_pending()
            same = {id(p): arc._identical(p) for p in preps}
        if any(same.values()):
            todo = [p for p in preps if same[id(p)] is None]
            for p in preps:
                if same[id(p)] is not None:
                    p.staging.cleanup()
                    if skipped is not None:
                        skipped.append(same[id(p)])
            done = iter(store(arc, todo, notify=notify, reason=reason) if todo else [])
            return [same[id(p)] or next(done) for p in preps]
    alloc = _store_batch(arc, preps, reason)
    codes = list(dict.fromkeys(code for code, _ in alloc))
    if notify:
        arc.notify_changed(codes)
    rows = {}
    for code in codes:
        for r in arc.versions(code):
            rows[(r.code, r.version)] = r
    return [rows[cv] for cv in alloc]


@dataclass
class _Batch:
    """The records of one batch as they go: their codes and versions, each one's metadata, its
    metadata.json's entry, its tagmanifest's hash and the folder that is renamed into place."""

    arc: Archive
    alloc: list[tuple[str, int]] = field(default_factory=list)
    mds: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    trees: list[Path] = field(default_factory=list)
    placed: set[tuple[str, int]] = field(default_factory=set)

    def bag(self, preps: list[Prepared], syncs: FsyncBatch) -> None:
        """metadata.json and the bag of each record in its staging folder (fsynced all at once)."""
        arc = self.arc
        for prep, (code, version) in zip(preps, self.alloc):
            md = arc._metadata(code, version, prep.meta, prep.files)
            md_bytes = (json.dumps(md, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            write_durable(prep.staging.bag / METADATA_NAME, md_bytes, sync=False)
            # fsynced below, all at once
            self.tags.append(build_bag(prep.staging.bag, arc._bag_info(md), sync=False))
            self.entries.append({"path": f"data/{METADATA_NAME}", "size": len(md_bytes),
                                 "sha256": sha256_bytes(md_bytes)})
            self.mds.append(md)
            if version == 1 and isinstance(prep.staging, Workspace):
                # v1 travels inside a folder that becomes bags/<code>: the record's own
                # workspace (nothing else is in it), so no folder is made or removed for it
                os.rename(prep.staging.bag, prep.staging.dir / "v1")
                self.trees.append(prep.staging.dir)
            elif version == 1:  # v1 travels inside a folder named by the code
                holder = prep.staging.dir / code
                holder.mkdir()
                os.rename(prep.staging.bag, holder / "v1")
                self.trees.append(holder)
            else:
                self.trees.append(prep.staging.bag)
            syncs.tree(self.trees[-1])

    def events(self, reason: str | None) -> list[tuple[str, str, dict]]:
        return [self.arc._version_event(code, version, md, tag, reason=reason)
                for (code, version), md, tag in zip(self.alloc, self.mds, self.tags)]

    def place(self) -> None:
        bags = self.arc.bags
        parents: dict[Path, None] = {}
        bags.mkdir(exist_ok=True)
        for tree, (code, version) in zip(self.trees, self.alloc):
            if version == 1:
                os.rename(tree, bags / code)
                parents[bags] = None
            else:
                os.rename(tree, bags / code / f"v{version}")
                parents[bags / code] = None
            self.placed.add((code, version))
        fsync_many(list(parents))

    def unplace(self) -> None:
        """Back where they were staged (before a commit that did not happen)."""
        bags = self.arc.bags
        for tree, (code, version) in reversed(list(zip(self.trees, self.alloc))):
            if (code, version) in self.placed:
                os.rename(bags / code if version == 1 else bags / code / f"v{version}", tree)
                self.placed.discard((code, version))

    def activate(self, db: Any) -> None:
        arc, cat = self.arc, self.arc.catalogue
        with cat.batch(db):
            for (code, version), md, entry, tag in zip(self.alloc, self.mds, self.entries, self.tags):
                cat.activate(db, row_from_metadata(md, bag_dir=arc.rel(code, version), md_entry=entry,
                                                   tagmanifest=tag, status="active", current=True))


def _store_batch(arc: Archive, preps: list[Prepared], reason: str | None) -> list[tuple[str, int]]:
    """Under the write lock: allocate, bag, then the storage's commit protocol; the codes and
    versions archived. On failure, what the log does not record is undone and dropped."""
    cat = arc.catalogue
    batch = _Batch(arc)
    logged: bool | None = False
    syncs: FsyncBatch | None = None
    try:
        with arc.write_lock():
            arc.require_log_intact()
            arc.resolve_pending()
            crash_point("locked")
            batch.alloc = arc._allocate(preps, reason)
            crash_point("allocated")
            syncs = FsyncBatch()  # each bag's fsyncs start as soon as it is written
            batch.bag(preps, syncs)
            syncs.wait()
            crash_point("bagged")
            # the storage's commit protocol (storage.STORAGES): in a folder archive the log first
            # (write-ahead: from here the log proves each bag, so a bag a killed writer left in tmp/
            # is put in place by the next writer or verify --repair), then each bag renamed into
            # place, then the rows activated; in a database, all of it in one transaction
            commit = Commit()
            try:
                arc.storage.commit(arc, batch.events(reason), batch.place, batch.unplace, batch.activate, commit)
            finally:
                logged = commit.logged  # None: the connection was lost while committing
            crash_point("committed")
    except BaseException:
        preps, err = _after_failure(cat, batch, preps, syncs, logged)
        if err is not None:
            raise err from None
        raise
    finally:
        for prep in preps:
            prep.staging.cleanup()
    return batch.alloc


def _after_failure(cat: Any, batch: _Batch, preps: list[Prepared], syncs: FsyncBatch | None,
                   logged: bool | None) -> tuple[list[Prepared], WorkplanError | None]:
    """After a failed batch: the prepared records whose staging folders may go, and the error
    to raise instead of the cause when the log already recorded the batch."""
    if syncs is not None:
        try:
            syncs.wait()  # no fsync still running over files about to be removed
        except OSError:
            pass
    alloc, placed = batch.alloc, batch.placed
    unplaced = [cv for cv in alloc if cv not in placed]
    if logged is None:  # the next writer or verify --repair completes or undoes it, as the log says
        unplaced, preps = [], []
    if logged:  # the log records them: their reservations and staged bags stay for the next writer
        keep = {id(p) for p, cv in zip(preps, alloc) if cv in unplaced}
        preps = [p for p in preps if id(p) not in keep]
        cause = sys.exc_info()[1]
        if isinstance(cause, (WorkplanError, OSError)):
            return preps, _partly_archived(cause, alloc, placed)
        unplaced = []
    if unplaced:
        try:
            with cat.transaction() as db:
                for code, version in unplaced:
                    cat.drop_pending(db, code, version)
        except WorkplanError:
            pass
    return preps, None


def _partly_archived(cause: BaseException, alloc: list[tuple[str, int]], placed: set) -> WorkplanError:
    """An error after the log recorded a batch: say plainly what was archived and what was not."""
    if isinstance(cause, WorkplanError):
        what = cause.problems[0].message
    elif getattr(cause, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
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
    err.archived = [c for c, _ in alloc]  # type: ignore[attr-defined]  # every record of the batch is in the log
    return err


__all__ = ["store"]
