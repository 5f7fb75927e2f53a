"""What killed writers leave, put right as the log proves: a reservation (a pending catalogue
row) whose version the log records is completed (its bag put in place from the writer's staging
folder if it never got there); one the log does not know is dropped; a bag in place that the log
does not know is never recorded. Used by every writer before it writes, and by ``verify --repair``."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bag import TAGMANIFEST
from .fsutil import fsync_many, sha256_file, try_lock_dir

if TYPE_CHECKING:
    from .store import Archive


def resolve_pending(arc: Archive) -> list[str]:
    """Finish or drop the reservations of writers that were killed, as the log proves: a
    version the log records is completed (its bag put in place from the writer's staging
    folder if it never got there); a reservation the log does not know is dropped; a bag in
    place that the log does not know is never recorded. Call with the write lock held."""
    from .reading import read_log
    done: list[str] = []
    cat = arc.catalogue
    pending = cat.pending()
    if not pending:
        return done
    log = read_log(arc)
    for p in pending:
        code, version = p["code"], p["version"]
        bag = arc.root / arc.rel(code, version)
        ev = log.versions.get((code, version))
        if ev is not None and not bag.exists() and not bag.is_symlink():
            staged = find_staged(arc, ev)
            if staged is not None:
                if version == 1:
                    (arc.bags / code).mkdir(exist_ok=True)
                os.rename(staged, bag)
                fsync_many([bag.parent, arc.bags])
                done.append(f"put {code} v{version} in place from the staging folder of an interrupted add "
                            f"(the log recorded it: entry #{ev.id})")
        if ev is not None and bag.is_dir() and not bag.is_symlink():
            from .reading import check_version
            found, row = check_version(arc, code, version, ev, None, current=True)
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
            note = arc.storage.unlogged_placement(arc, code, version)
            if note is not None:
                with cat.transaction() as db:
                    cat.drop_pending(db, code, version)
                done.append(note)
    return done


def find_staged(arc: Archive, ev: Any) -> Path | None:
    """The bag an interrupted writer left in tmp/ whose tagmanifest hashes to what ``ev`` recorded."""
    from .reading import logged_hashes
    _files, tag = logged_hashes(ev)
    if ev.type == "disposal" and isinstance(ev.detail, dict):
        tag = ev.detail.get("tombstone") if isinstance(ev.detail.get("tombstone"), str) else None
    if not tag or arc.tmp.is_symlink() or not arc.tmp.is_dir():
        return None
    for top in sorted(arc.tmp.iterdir()):
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


__all__ = ["find_staged", "resolve_pending"]
