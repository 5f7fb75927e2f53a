"""Moving a folder archive (SQLite catalogue, ``events.jsonl``) into a PostgreSQL database, and
proving the result equal.

Under the archive's write lock (nothing changes meanwhile): reservations left by killed writers
are resolved, the log must be whole (every link, every id, its recorded head), then in one
transaction the database takes every log line exactly as it is and every catalogue row. Then
the database is read back: its export must be byte for byte the ``events.jsonl`` it came from,
and its rows field for field the SQLite rows. Only then does ``archive.json`` name the database;
the old catalogue and log are moved into ``migrated-<time>/`` (kept, never deleted), and a
``migration`` event records the move (with the SHA-256 of the log that was moved).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os

from ..errors import Problem, WorkplanError
from .catalogue import CATALOGUE_NAME, comparable
from .config import CONFIG_NAME
from .events import HEAD_NAME, LOG_NAME
from .fsutil import atomic_replace, fsync_path, sha256_bytes


def _plain(row: dict) -> dict:
    r = comparable(row)
    r["current"] = bool(r["current"])
    return r


def migrate_to_postgresql(arc, url: str) -> dict:
    """Move ``arc`` (a folder archive) into the empty PostgreSQL database at ``url``; returns
    what was moved ({"events", "rows", "log_sha256", "kept"})."""
    from .catalogue_pg import PgCatalogue, PgEventLog, is_url, shown
    from .storage import storage_of
    if arc.config.catalogue:
        raise WorkplanError(Problem(f"this archive's catalogue is already in {arc.config.catalogue}", file=str(arc.root),
                                    hint="nothing to migrate"))
    if not is_url(url):
        raise WorkplanError(Problem(f"{url!r} is not a PostgreSQL URL", hint="use postgresql://USER@HOST[:PORT]/DB"))
    if "@" in url.split("://", 1)[-1].split("/", 1)[0] and ":" in url.split("://", 1)[-1].split("@", 1)[0]:
        raise WorkplanError(Problem("the URL holds a password, which would be written into archive.json",
                                    hint="leave it out and put it in ~/.pgpass (or $PGPASSWORD)"))
    with arc.write_lock():
        arc.require_log_intact()
        arc.resolve_pending()
        events, findings = arc.events.read()
        bad = [f for f in findings if f.kind in ("log-chain", "log-missing", "log-incomplete", "log-truncated")]
        if bad:
            raise WorkplanError([Problem(f.message, file=f.file, line=f.line, hint=f.hint) for f in bad]
                                + [Problem("nothing was migrated: the log must be whole",
                                           hint="run `workplan archive verify --repair` first")])
        raw = arc.events.export_bytes()
        lines = raw.split(b"\n")[:-1]
        rows = arc.catalogue.all_rows()
        if any(r["status"] == "pending" for r in rows):
            raise WorkplanError(Problem("a reservation could not be resolved: nothing was migrated",
                                        hint="run `workplan archive verify --repair` first"))
        cat = PgCatalogue(url, create=True)
        try:
            cat.load(lines, rows)
            # proof: the database gives back exactly what it took
            log = PgEventLog(lambda: cat)
            got = log.export_bytes()
            if got != raw:
                raise WorkplanError(Problem("the database's log differs from events.jsonl after the move",
                                            file=shown(url), hint="nothing was switched; empty the database and retry"))
            mine = sorted((_plain(r) for r in rows), key=lambda r: (r["code"], r["version"]))
            theirs = sorted((_plain(r) for r in cat.all_rows()), key=lambda r: (r["code"], r["version"]))
            if mine != theirs:
                raise WorkplanError(Problem("the database's catalogue differs from catalogue.sqlite after the move",
                                            file=shown(url), hint="nothing was switched; empty the database and retry"))
        finally:
            cat.close()
        arc.close()
        # the switch: archive.json names the database; the old files are kept aside
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = arc.root / f"migrated-{stamp}"
        kept.mkdir()
        cfg = dataclasses.replace(arc.config, catalogue=url)
        atomic_replace(arc.root / CONFIG_NAME, cfg.to_json().encode("utf-8"))
        for name in (CATALOGUE_NAME, f"{CATALOGUE_NAME}-wal", f"{CATALOGUE_NAME}-shm", LOG_NAME, HEAD_NAME):
            p = arc.root / name
            if p.exists():
                os.replace(p, kept / name)
        fsync_path(kept)
        fsync_path(arc.root)
        arc.config = cfg
        arc.storage = storage_of(cfg)
        arc.events = arc.storage.log(arc)
        ev = arc.events.append("migration", "archive", {
            "from": "sqlite", "to": shown(url), "events": len(lines), "rows": len(rows),
            "log_sha256": sha256_bytes(raw), "kept": kept.name})
    return {"events": len(lines), "rows": len(rows), "log_sha256": sha256_bytes(raw), "kept": kept, "event": ev.id}


__all__ = ["migrate_to_postgresql"]
