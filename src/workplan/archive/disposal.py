"""Disposal: a record whose retention period has expired loses every version's payload; a
tombstone bag keeps the metadata and hashes of what was destroyed. Decided from the log's values,
never the catalogue's; logged (with the tombstone's hash) before the tombstone is placed, so a
killed disposal is finished by ``verify --repair`` as the log says."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from typing import TYPE_CHECKING

from ..errors import Problem, WorkplanError
from .adding import bag_info
from .bag import (
    METADATA_NAME,
    TAGMANIFEST,
    TOMBSTONE_DIR,
    TOMBSTONE_FORMAT,
    Staging,
    build_bag,
    read_manifest,
    rows_for_code,
)
from .codes import RETENTION_LABELS, expiry_date, normalize_code, parse_code
from .fsutil import (
    crash_point,
    fsync_path,
    now_iso,
    read_regular,
    sha256_file,
    write_durable,
)
from .pending import find_staged

if TYPE_CHECKING:
    from .record import Record
    from .store import Archive


def dispose(arc: Archive, code: str, *, today: dt.date | None = None, reason: str | None = None,
            notify: bool = True) -> Record:
    """Dispose of a record whose retention period has expired: every version's payload is
    removed; a tombstone bag keeps the metadata and hashes of what was destroyed."""
    today = today or dt.date.today()
    code = normalize_code(code)
    reason = (reason or "").strip() or None
    with arc.write_lock():
        arc.require_log_intact()
        arc.resolve_pending()
        rec, end = _disposable(arc, code, today, reason)
        versions = arc.versions(code)
        staging = Staging(arc.tmp, "dispose-")
        try:
            mds = [arc._read_metadata(v) for v in versions]
            disposed_at = now_iso()
            tomb = {"format": TOMBSTONE_FORMAT, "code": code, "status": "disposed", "disposed_at": disposed_at,
                    "disposed_by": arc.events.agent, "reason": reason, "retention": rec.retention,
                    "expired_on": end.isoformat(), "versions": mds}
            md_bytes = (json.dumps(tomb, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            write_durable(staging.bag / METADATA_NAME, md_bytes)
            info = bag_info(dict(mds[-1], status="disposed"))
            info.update({"Record-Status": "disposed", "Disposed-At": disposed_at,
                         "Record-Version": ", ".join(str(m["version"]) for m in mds)})
            tomb_tag = build_bag(staging.bag, info)
            # logged first (with the tombstone's hash), then placed: the log proves the tombstone
            ev = arc.events.append("disposal", code, {
                "versions": [m["version"] for m in mds], "retention": rec.retention,
                "expired_on": end.isoformat(), "reason": reason, "tombstone": tomb_tag,
                "destroyed": {f"v{m['version']}": {r: f["sha256"] for r, f in m["files"].items()} for m in mds}})
            crash_point("logged")
            os.rename(staging.bag, arc.bags / code / TOMBSTONE_DIR)
            fsync_path(arc.bags / code)
            crash_point("placed")
            finish_disposal(arc, code, staging)
            with arc.catalogue.transaction() as db:
                arc.catalogue.set_log_head(db, ev.id, ev.hash)
            crash_point("committed")
        finally:
            staging.cleanup()
    if notify:
        arc.notify_changed([code])
    return arc.get(code)


def _disposable(arc: Archive, code: str, today: dt.date, reason: str | None) -> tuple[Record, dt.date]:
    """The record as the log proves it, with the date its retention period ended; raises
    unless it may be disposed of today, for this reason."""
    rec = arc.get(code)
    if rec.status == "disposed":
        raise WorkplanError(Problem(f"already disposed on {rec.disposed_at}", file=code))
    # decided from the log's values, never the catalogue's: every version must be exactly what
    # the log recorded, and the catalogue must agree with it
    found = arc.check_for_reading(code)
    if found:
        raise WorkplanError([*found, Problem("nothing was disposed: the record is not what the log recorded",
                                             file=code, hint="run `workplan archive verify`")])
    from .reading import authenticated
    rows, found = authenticated(arc, code)
    if found or not rows:
        raise WorkplanError([*found, Problem("nothing was disposed: the record cannot be checked against "
                                             "the log", file=code, hint="run `workplan archive verify`")])
    logged = rows[-1]
    parts = parse_code(code)
    if parts is None:  # arc.get found it, so it is one
        raise WorkplanError(Problem("not an archival code", file=code))
    retention = parts.retention
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
    return dataclasses.replace(rec, retention=retention, date=date), end


def tombstone_rows(arc: Archive, code: str) -> list[dict]:
    tdir = arc.bags / code / TOMBSTONE_DIR
    md_bytes = read_regular(tdir / "data" / METADATA_NAME)
    tmd = json.loads(md_bytes)
    manifest = read_manifest(tdir / "manifest-sha256.txt")
    tag, _ = sha256_file(tdir / TAGMANIFEST)
    entry = {"path": f"data/{METADATA_NAME}", "size": len(md_bytes), "sha256": manifest.get(f"data/{METADATA_NAME}", "")}
    rows, _ = rows_for_code(code, {}, (tmd, entry, tag), arc.rel)
    return rows


def place_logged_tombstone(arc: Archive, code: str, ev) -> bool:
    """Put in place the tombstone a killed disposal left in tmp/, when the log recorded it."""
    staged = find_staged(arc, ev)
    if staged is None:
        return False
    os.rename(staged, arc.bags / code / TOMBSTONE_DIR)
    fsync_path(arc.bags / code)
    return True


def finish_disposal(arc: Archive, code: str, staging: Staging | None = None) -> None:
    """After the tombstone is in place: catalogue rows from it, then remove the version bags."""
    rows = tombstone_rows(arc, code)
    with arc.catalogue.transaction() as db:
        arc.catalogue.replace_code(db, code, rows, keep_pending=False)
    trash = Staging(arc.tmp, "trash-") if staging is None else staging
    try:
        for p in sorted((arc.bags / code).iterdir()):
            if p.name != TOMBSTONE_DIR:
                os.rename(p, trash.dir / p.name)
        fsync_path(arc.bags / code)
    finally:
        if staging is None:
            trash.cleanup()


__all__ = ["dispose", "finish_disposal", "place_logged_tombstone", "tombstone_rows"]
