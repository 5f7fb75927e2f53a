"""What the archive shows of its records as plain data (JSON-ready dicts).

One definition for every front end: ``workplan archive list/show --json`` print these, and the
web site's JSON twins (``/records/<code>.json``) return the very same dicts.
"""
from __future__ import annotations

from typing import Any, Callable

from .record import Record


def record_dict(arc: Any, r: Record) -> dict:
    """One record version: metadata, files with size and SHA-256, where its bag is."""
    return {"code": r.code, "version": r.version, "current": r.current, "status": r.status, "identity": r.identity,
            "title": r.title, "title_en": r.title_en, "kind": r.kind, "issuer": r.issuer, "issuer_abbr": r.issuer_abbr,
            "doc_number": r.doc_number, "date": r.date.isoformat(), "year": r.year, "retention": r.retention,
            "units": list(r.units), "unit_ids": list(r.unit_ids), "langs": list(r.langs), "pages": r.pages,
            "roles": list(r.roles), "bag_dir": r.bag_dir.relative_to(arc.root).as_posix(),
            "archived_at": r.archived_at, "disposed_at": r.disposed_at,
            "files": [{"role": f.role, "path": f.path, "size": f.size, "sha256": f.sha256} for f in r.files]}


def show_dict(arc: Any, code: str, *, events: Callable[[str], list] | None = None) -> dict:
    """One document: its current version, every version (oldest first) and its audit events,
    as ``workplan archive show CODE --json`` prints it. ``events(code)`` may supply the record's
    events (a caller that keeps the log parsed); by default the log is read."""
    rec = arc.get(code)
    versions = arc.versions(rec.code)
    evs = events(rec.code) if events else arc.log(rec.code)[0]
    fixity = fixity_dict(arc.catalogue.fixity_of([rec.code]).get(rec.code))
    return {"record": record_dict(arc, rec), "versions": [record_dict(arc, v) for v in versions],
            "events": [event_dict(e) for e in evs], "fixity": fixity}


def fixity_dict(check: dict | None) -> dict | None:
    """A record's last fixity check as the front ends show it (None: never checked on its own)."""
    if check is None:
        return None
    return {"ok": check["ok"], "checked_at": check["checked_at"], "event": check["event_id"],
            "findings": check["findings"]}


def with_fixity(arc: Any, results: dict) -> dict:
    """Search results (``SearchResult.to_json()``) with each hit's last fixity check: a damaged
    record is flagged wherever it appears (``workplan search --json`` and ``/search.json``)."""
    hits = [h for h in results.get("results", []) if isinstance(h, dict)]
    try:
        checks = arc.catalogue.fixity_of([h["code"] for h in hits if isinstance(h.get("code"), str)])
    except Exception:  # noqa: BLE001 - the flags are derived data; the results stand without them
        checks = {}
    for h in hits:
        h["fixity"] = fixity_dict(checks.get(h.get("code")))
    return results


def event_dict(e: Any) -> dict:
    """An event as the log holds it, plus who (the person its agent names) and why (its reason)."""
    from .accounts import person_of
    reason = e.detail.get("reason") if isinstance(e.detail, dict) else None
    return e.as_dict() | {"person": person_of(e.agent), "reason": reason if isinstance(reason, str) else None}


__all__ = ["event_dict", "fixity_dict", "record_dict", "show_dict", "with_fixity"]
