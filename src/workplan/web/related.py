"""What the search index adds to a record's page: the English forms of its Chinese names, the
program a report reports on, and the reports on a program (the links both ways). The index is
derived data: when it cannot be read the page shows the record without them."""
from __future__ import annotations

from typing import Any

from ..archive.record import PROGRAM_KINDS
from ..errors import WorkplanError
from .site import site

REPORTS_SHOWN = 20   # reports listed on a program's page; the rest through the search it links to


def _brief(info: dict) -> dict:
    return {"code": info.get("code"), "title": info.get("title"), "title_en": info.get("title_en"),
            "date": info.get("date"), "kind": info.get("kind"), "version": info.get("version")}


def related(code: str, version: int, kind: str) -> dict[str, Any]:
    """``names_en`` (Chinese name → English) of the version shown, ``program`` (the program a
    report is on: code, titles, date) and ``reports`` (the current reports on a program, newest
    first, at most REPORTS_SHOWN of ``reports_total``)."""
    out: dict[str, Any] = {"names_en": {}, "program": None, "reports": [], "reports_total": 0}
    try:
        ix = site().index()
        info = ix.versions_info(code)
        mine: dict[str, Any] = info.get(version) or next(iter(info.values()), {})
        out["names_en"] = dict(mine.get("names_en") or {})
        program = mine.get("program")
        if program:
            target = ix.versions_info(program)
            current = next((i for i in target.values() if i.get("current")), None) or \
                next(iter(target.values()), {"code": program})
            out["program"] = _brief(current)
        if kind in PROGRAM_KINDS:
            res = ix.search("", program=code, limit=REPORTS_SHOWN, sort="newest", snippets=False)
            out["reports"] = [_brief({"code": h.code, "title": h.title, "title_en": h.title_en, "date": h.date,
                                      "kind": h.kind, "version": h.version}) for h in res.hits]
            out["reports_total"] = res.total
    except WorkplanError:
        pass
    return out
