"""Archiving an imported document: the original file (Word, PDF, text) and the data file read
from it, as one legacy record."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..archive import Archive, Record
from ..errors import Problem, WorkplanError
from .files import add_files

#: the titles the readers give a document that states none
_UNTITLED = ("（无标题）", "(untitled)")


def add_imported(arc: Archive, src: Path, data_file: Path, report: dict[str, Any], data: dict[str, Any], *,
                 title: str | None = None, issuer: str | None = None, date: str | None = None,
                 org: str | None = None, retention: str | None = None) -> Record:
    """Add the original file ``src`` and the data file imported from it (``data``, the reader's
    ``report``) as one legacy record. Metadata the document does not state must be given (never
    guessed): a WorkplanError names what is missing and the option that gives it."""
    units = {u["id"]: u for u in data.get("units", [])}
    found_issuer = next((units[u]["zh"] for u in data.get("issuers", []) if u in units), None)
    issuer = issuer or found_issuer
    date = date or report.get("date")
    title = title or (report["title"] if report.get("title") not in _UNTITLED else None)
    missing = [(opt, what) for opt, what, v in (("--title", "title (题名)", title),
                                                ("--issuer", "issuing unit (责任者)", issuer),
                                                ("--date", "date (成文日期)", date)) if not v]
    if missing or not (title and issuer and date):
        raise WorkplanError(Problem("cannot archive: the document does not state its "
                                    + ", ".join(w for _, w in missing), file=str(src),
                                    hint="give " + ", ".join(f"{o} …" for o, _ in missing)
                                    + " (the data file was written; the record was not)"))
    return add_files(arc, [src, data_file], title=title, issuer=issuer, date=date, kind="legacy",
                     doc_number=report.get("doc_number"), retention=retention, issuer_abbr=org,
                     langs=[report.get("lang") or "zh"])
