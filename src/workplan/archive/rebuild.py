"""Rebuilding the catalogue from the bags (the truth) and the event log (which proves them): a
bag the log does not know is left out and named; the accounts are carried over from the catalogue
being replaced; each record's last fixity check is read back from the log."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Problem, WorkplanError
from .bag import rows_for_code, scan_bags
from .catalogue import CATALOGUE_NAME
from .disposal import tombstone_rows
from .findings import FindingKind as K

if TYPE_CHECKING:
    from .bag import BagScan
    from .reading import LogView
    from .store import Archive


def rebuild_catalogue(arc: Archive) -> tuple[int, list[Problem]]:
    """Rebuild the catalogue from the bags (the truth). Returns (rows, problems with bags
    that could not be read)."""
    from .reading import read_log
    with arc.write_lock():
        try:  # the accounts are not in the bags: carried over from the catalogue being replaced
            accounts = arc.catalogue.accounts()
            accounts_lost = None
        except WorkplanError as e:
            accounts, accounts_lost = [], e.problems[0].message
        arc.storage.before_rebuild(arc)
        arc.require_log_intact()
        log = read_log(arc)
        scan = scan_bags(arc.bags)
        problems: list[Problem] = [Problem(f.message, file=f.file, line=f.line, hint=f.hint)
                                   for f in log.findings if f.kind in (K.LOG_CHAIN, K.LOG_MISSING)]
        if accounts_lost and any(e.type == "account-added" for e in log.events):
            problems.append(Problem(f"the accounts could not be carried over ({accounts_lost}); the rebuilt "
                                    "catalogue has none", file=str(arc.root / CATALOGUE_NAME),
                                    hint="an administrator adds them again with `workplan user add` (the log "
                                         "lists who had which role)"))
        for p in scan.links:
            problems.append(Problem(f"skipped {p.relative_to(arc.root).as_posix()}: a symbolic link, never followed",
                                    file=str(p), hint="run `workplan archive verify`"))
        rows: list[dict] = []
        for code in sorted(set(scan.versions) | set(scan.tombstones)):
            rows.extend(_code_rows(arc, code, log, scan, problems))
        events = log.events
        aside = arc.storage.rebuild(arc, rows, (events[-1].id, events[-1].hash) if events else None, accounts,
                                    _fixity_from_log(events))
        ev = arc.events.append("rebuild-catalogue", "archive",
                               {"rows": len(rows), "documents": len({r['code'] for r in rows}),
                                "skipped": [p.message for p in problems]}
                               | ({"replaced": aside.relative_to(arc.root).as_posix()} if aside else {}))
        arc.catalogue.note_event(ev)
    return len(rows), problems


def _code_rows(arc: Archive, code: str, log: LogView, scan: BagScan, problems: list[Problem]) -> list[dict]:
    """One record's rows from its bags, for what the log records (else a problem, and no row)."""
    try:
        if code in scan.tombstones:
            if code not in log.disposals:
                problems.append(Problem(f"skipped {code}: its tombstone is not in the event log (no "
                                        "disposal was logged)", file=str(arc.bags / code),
                                        hint="run `workplan archive verify`"))
                return []
            return tombstone_rows(arc, code)
        vs = {}
        for v in sorted(scan.versions[code]):
            if (code, v) not in log.versions:
                problems.append(Problem(f"skipped {code} v{v}: the event log does not record it (a bag "
                                        "the log does not know is never recorded)",
                                        file=str(arc.bags / code / f"v{v}"),
                                        hint="an archivist may record it with `workplan archive adopt "
                                             f"{code} --version {v} --reason ...`"))
                continue
            md, row = arc.read_bag_row(code, v)
            vs[v] = (md, row["files"]["metadata"], row["tagmanifest"])
        code_rows, findings = rows_for_code(code, vs, None, arc.rel)
        problems.extend(findings)
        return code_rows
    except (OSError, ValueError, KeyError, TypeError, WorkplanError) as e:
        msg = e.format() if isinstance(e, WorkplanError) else str(e)
        problems.append(Problem(f"skipped {code}: its bag cannot be read ({msg})",
                                file=str(arc.bags / code), hint="run `workplan archive verify`"))
        return []


def _fixity_from_log(events: list[Any]) -> list[dict]:
    """Each record's last fixity check, as the log records it."""
    fixity: dict[str, dict] = {}
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
    return list(fixity.values())


__all__ = ["rebuild_catalogue"]
