"""Ingesting a document that exists only as files (a legacy PDF/DOCX), with the metadata given."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

from ..archive import Archive, Prepared, Record
from ..archive.bag import METADATA_NAME, Staging
from ..archive.codes import check_retention, org_code
from ..archive.fsutil import copy_durable, crash_point, sha256_file
from ..archive.pdfinfo import pdf_info
from ..archive.record import KINDS, PREVIEW_ROLE, role_sort_key
from ..errors import Problem, WorkplanError
from ..model.datafiles import DATA_SUFFIXES
from .datafile import RENDITION_RE, located
from .preview import PREVIEW_SUFFIXES, make_preview


def parse_date(value: dt.date | str, what: str = "date", file: str | None = None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    m = re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise WorkplanError(Problem(f"cannot read the {what} {value!r}", file=file,
                                hint="write it as YYYY-MM-DD, e.g. 2024-03-05"))


def check_files(arc: Archive, paths, *, title, issuer, date, kind="program", doc_number=None, retention=None,
                identity=None, issuer_abbr=None, title_en=None, langs=("zh",), units=()):
    """Validate the inputs of :func:`add_files`; returns (roles → path, metadata)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise WorkplanError("no files given")
    roles: dict[str, Path] = {}
    names: set[str] = set()
    for p in paths:
        if not p.exists():
            raise WorkplanError(Problem("file not found", file=str(p), hint="check the path"))
        if not p.is_file():
            raise WorkplanError(Problem("not a file", file=str(p)))
        if not os.access(p, os.R_OK):
            raise WorkplanError(Problem("cannot read the file (permission denied)", file=str(p)))
        if p.name in names:
            raise WorkplanError(Problem("two files with the same name", file=str(p), hint="rename one of them"))
        names.add(p.name)
        m = RENDITION_RE.match(p.name)
        if p.suffix.lower() in DATA_SUFFIXES:
            role = "source"
        elif m:
            role = f"{m['fmt'].lower()}:{m['lang']}"
        else:
            role = "original"
        if role in roles:
            raise WorkplanError(Problem(f"two files for the role {role!r}: {roles[role].name} and {p.name}",
                                        file=str(p), hint="archive one original per record"))
        roles[role] = p
    title = (title or "").strip()
    issuer = (issuer or "").strip()
    if not title:
        raise WorkplanError(Problem("the record needs a title (题名)", file=str(paths[0]), hint="pass --title"))
    if not issuer:
        raise WorkplanError(Problem("the record needs an issuer (责任者)", file=str(paths[0]), hint="pass --issuer"))
    d = parse_date(date, file=str(paths[0]))
    if kind not in KINDS:
        raise WorkplanError(Problem(f"unknown kind {kind!r}", file=str(paths[0]), hint=f"use {', '.join(KINDS)}"))
    retention = check_retention(retention or arc.config.default_retention, where=str(paths[0]))
    org = located(lambda: org_code(abbr=issuer_abbr, unit_id=None, name=issuer, mapping=arc.config.org_codes),
                  str(paths[0]))
    doc_number = (doc_number or "").strip() or None
    identity = (identity or "").strip() or (f"{issuer}|{doc_number}" if doc_number else f"{issuer}|{title}|{d.year}")
    meta = {"identity": identity, "title": title, "title_en": (title_en or None), "kind": kind, "issuer": issuer,
            "issuer_abbr": issuer_abbr or org, "doc_number": doc_number, "date": d.isoformat(), "year": d.year,
            "retention": retention, "org": org, "units": list(dict.fromkeys([issuer, *units])), "unit_ids": [],
            "langs": list(dict.fromkeys(langs)), "pages": None}
    arc.precheck_identity(meta)
    return roles, meta


def prepare_files(arc: Archive, paths, *, staging: Staging | None = None, **kw) -> Prepared:
    """Check the files and stage them as one record (outside the write lock)."""
    roles, meta = check_files(arc, paths, **kw)
    ws = staging.workspace() if staging is not None else arc.new_staging()
    try:
        files: dict[str, dict] = {}
        for role, p in sorted(roles.items(), key=lambda kv: role_sort_key(kv[0])):
            name = p.name if p.name != METADATA_NAME else f"{role.replace(':', '-')}-{p.name}"
            h, size = copy_durable(p, ws.bag / name, sync=False)
            files[role] = {"path": f"data/{name}", "size": size, "sha256": h}
        _add_preview(ws, roles, files)
        for role in ("pdf:zh", "pdf:zh-en", "pdf:en", "original", PREVIEW_ROLE):
            if role in files and files[role]["path"].lower().endswith(".pdf"):
                meta["pages"], _ = pdf_info(ws.bag / files[role]["path"][5:])
                break
        crash_point("staged")
        return Prepared(ws, files, meta)
    except BaseException:
        ws.cleanup()
        raise


def _add_preview(staging, roles: dict[str, Path], files: dict[str, dict]) -> None:
    """A PDF laid out from an original that is a Word file, when the record has no PDF: role
    ``preview``, hashed like every payload file (see :mod:`workplan.ingest.preview`)."""
    original = roles.get("original")
    if original is None or original.suffix.lower() not in PREVIEW_SUFFIXES \
            or any(f["path"].lower().endswith(".pdf") for f in files.values()):
        return
    name = f"{original.stem}.preview.pdf"
    if any(f["path"] == f"data/{name}" for f in files.values()):
        return
    out = staging.bag / name
    if make_preview(original, out) is not None:
        out.unlink(missing_ok=True)
        return  # archived without a preview: the original is what is kept
    h, size = sha256_file(out)
    files[PREVIEW_ROLE] = {"path": f"data/{name}", "size": size, "sha256": h}


def add_files(arc: Archive, paths: Iterable[str | os.PathLike], *, title: str, issuer: str, date: dt.date | str,
              kind: str = "program", doc_number: str | None = None, retention: str | None = None,
              identity: str | None = None, issuer_abbr: str | None = None, title_en: str | None = None,
              langs: Sequence[str] = ("zh",), units: Sequence[str] = (), notify: bool = True,
              reason: str | None = None) -> Record:
    """Archive a document that exists only as files (a legacy PDF/DOCX: role "original"),
    with the metadata given here. Files named ``<stem>.<lang>.<pdf|docx>`` become renditions
    and a .yaml/.json file the source."""
    staging = arc.new_staging(shared=True)  # this add's own, removed when it is done (never left in tmp/)
    try:
        prep = prepare_files(arc, paths, title=title, issuer=issuer, date=date, kind=kind, doc_number=doc_number,
                             retention=retention, identity=identity, issuer_abbr=issuer_abbr, title_en=title_en,
                             langs=langs, units=units, staging=staging)
        return arc.store([prep], notify=notify, reason=reason)[0]
    finally:
        staging.cleanup()
