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
from .bag import METADATA_FORMAT, METADATA_NAME, Workspace, build_bag, row_from_metadata
from .codes import RETENTION_LABELS, CodeParts, format_code, parse_code
from .fsutil import FsyncBatch, crash_point, fsync_many, now_iso, sha256_bytes, write_durable
from .record import role_sort_key
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
            same = {id(p): _identical(arc, p) for p in preps}
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
            md = _metadata(arc, code, version, prep.meta, prep.files)
            md_bytes = (json.dumps(md, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            write_durable(prep.staging.bag / METADATA_NAME, md_bytes, sync=False)
            # fsynced below, all at once
            self.tags.append(build_bag(prep.staging.bag, bag_info(md), sync=False))
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
        return [version_event(code, version, md, tag, reason=reason)
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
            batch.alloc = _allocate(arc, preps, reason)
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


class _Collision(Exception):
    pass


def _allocate(arc: Archive, preps: list[Prepared], reason: str | None = None) -> list[tuple[str, int]]:
    """Codes and versions for a batch, reserved by pending rows in one BEGIN IMMEDIATE
    transaction. Call with the write lock held (so every pending row present is ours). The
    batch's identities are looked up at once and each group's next item number once (then
    counted on here), and the reservations sent together: a database writer holds the lock
    for a few round trips per batch, not three per record."""
    cat = arc.catalogue
    for _attempt in range(1000):
        out: list[tuple[str, int]] = []
        collision = None
        try:
            with cat.transaction() as db:
                latest = cat.latest_of_identities(db, [p.meta["identity"] for p in preps])
                items: dict[tuple, int] = {}
                rows = []
                for prep in preps:
                    code, version = _allocate_one(arc, db, prep.meta, latest, items, reason)
                    target = arc.root / arc.rel(code, version)
                    if target.exists() or target.is_symlink() or (version == 1 and target.parent.exists()):
                        collision = (code, version)
                        raise _Collision()  # rolls back everything of this attempt
                    rows.append(_row(arc, code, version, prep.meta, prep.files, status="pending", md_entry=None,
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
        _record_collision(arc, collision)
    raise WorkplanError("cannot allocate an archival code: too many unrecorded bags; run "
                        "`workplan archive verify --repair`")


def _allocate_one(arc: Archive, db: Any, meta: dict, latest: dict[str, dict], items: dict[tuple, int],
                  reason: str | None) -> tuple[str, int]:
    """The code and version of one record of a batch being allocated; ``latest`` (identity →
    newest row) and ``items`` (group → next item number) are updated for the records after it."""
    cfg = arc.config
    prev = latest.get(meta["identity"])
    if prev is not None:
        code = prev["code"]
        check_new_version(code, prev["status"], (prev["year"], prev["retention"], prev["org"]), meta)
        version = prev["version"] + 1
        if not reason:
            raise WorkplanError(Problem(
                f"this is a new version of {code} (v{version}): a new version needs a reason; "
                "nothing was archived", file=code, hint='pass --reason "..." (what changed and why)'))
    else:
        group = (cfg.fonds_code, cfg.category, meta["year"], meta["retention"], meta["org"])
        item = items.get(group) or arc.catalogue.next_item(db, *group)
        items[group] = item + 1
        code = format_code(*group, item)
        version = 1
    latest[meta["identity"]] = {"code": code, "version": version, "status": "pending", "year": meta["year"],
                                "retention": meta["retention"], "org": meta["org"]}
    return code, version


def _record_collision(arc: Archive, collision: tuple[str, int]) -> None:
    from .reading import read_log
    code, version = collision
    log = read_log(arc)
    logged = log.versions_of(code)
    if not logged or (version > 1 and version not in logged):
        where = arc.bags / code / (f"v{version}" if version > 1 else "")
        raise WorkplanError(Problem(f"{where.relative_to(arc.root).as_posix()} is already there but the event log "
                                    "does not record it: it was not archived here, and nothing is archived over "
                                    "it or adopts it", file=str(where),
                                    hint="run `workplan archive verify`; an archivist removes it, or records it "
                                         "with `workplan archive adopt CODE --version N --reason ...`"))
    arc.record_logged(code, log)


def _identical(arc: Archive, prep: Prepared) -> Record | None:
    """The archived current version this prepared record repeats exactly (same identity, and the
    same source, or for files without a source the same files), if any."""
    prev = arc.catalogue.latest_of_identity(prep.meta["identity"])
    if prev is None or prev["status"] == "disposed":
        return None
    rec = next((r for r in arc.versions(prev["code"]) if r.version == prev["version"]), None)
    if rec is None:
        return None
    have = {f.role: f.sha256 for f in rec.files if f.role != "metadata"}
    new = {role: f["sha256"] for role, f in prep.files.items()}
    if "source" in new:
        return rec if have.get("source") == new["source"] else None
    return rec if have == new else None


def check_new_version(code: str, status: str, old: tuple, meta: dict) -> None:
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


def _metadata(arc: Archive, code: str, version: int, meta: dict, files: dict) -> dict:
    parts = _parts(code)
    return {
        "format": METADATA_FORMAT, "code": code, "version": version,
        "supersedes": version - 1 if version > 1 else None, "identity": meta["identity"],
        "fonds": parts.fonds, "fonds_name": arc.config.fonds_name, "category": parts.category,
        "year": parts.year, "retention": parts.retention, "org": parts.org, "item": parts.item,
        "title": meta["title"], "title_en": meta["title_en"], "kind": meta["kind"], "issuer": meta["issuer"],
        "issuer_abbr": meta["issuer_abbr"], "doc_number": meta["doc_number"], "date": meta["date"],
        "units": meta["units"], "unit_ids": meta["unit_ids"], "langs": meta["langs"], "pages": meta["pages"],
        "roles": sorted([*files, "metadata"], key=role_sort_key), "status": "active",
        "archived_at": now_iso(), "files": {k: files[k] for k in sorted(files, key=role_sort_key)},
    }


def bag_info(md: dict) -> dict:
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


def _row(arc: Archive, code, version, meta, files, *, status, md_entry, tag) -> dict:
    parts = _parts(code)
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
            "bag_dir": arc.rel(code, version), "archived_at": now_iso(), "disposed_at": None}


def version_event(code: str, version: int, md: dict, tag: str | None,
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


def _parts(code: str) -> CodeParts:
    parts = parse_code(code)
    if parts is None:  # codes here are made by format_code
        raise ValueError(f"not an archival code: {code!r}")
    return parts


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


__all__ = ["bag_info", "check_new_version", "store", "version_event"]
