"""What the archive hands out: :class:`Record` (one version of one archived document, 件);
:class:`Finding` (one thing ``verify`` found wrong) is in :mod:`.findings`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..formats import rendition_roles
from .codes import parse_code
from .findings import Finding  # noqa: F401  (where it used to live; imported from here still)

PREVIEW_ROLE = "preview"   # a PDF laid out from an imported original that is not one (workplan.ingest.preview)
ROLE_ORDER = ("source", *rendition_roles(), "original", PREVIEW_ROLE, "metadata")   # renditions: workplan.formats
MAIN_PDF_ROLES = ("pdf:zh", "pdf:zh-en", "pdf:en")
STATUSES = ("active", "superseded", "disposed")
#: the kinds of archived documents: programs and standards (data files that reports can be on),
#: progress reports, and legacy documents (files only)
PROGRAM_KINDS = ("program", "standards")
KINDS = (*PROGRAM_KINDS, "report", "legacy")


def role_sort_key(role: str) -> tuple[int, str]:
    return (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role)


@dataclass(frozen=True)
class FileEntry:
    """One payload file of a record version."""

    role: str
    path: str  # relative to the bag, e.g. data/winter.zh.pdf
    size: int
    sha256: str


@dataclass(frozen=True)
class Record:
    """One version of one archived document (件). Read-only; comes from the catalogue."""

    code: str
    identity: str
    version: int
    current: bool
    status: str  # active | superseded | disposed
    title: str
    title_en: str | None
    kind: str  # program | standards | report | legacy
    issuer: str
    issuer_abbr: str
    doc_number: str | None
    date: dt.date
    year: int
    retention: str  # Y | D30 | D10
    units: tuple[str, ...]
    unit_ids: tuple[str, ...]
    langs: tuple[str, ...]
    pages: int | None
    roles: tuple[str, ...]
    bag_dir: Path
    archived_at: str
    # additions beyond the shared contract (all defaulted)
    files: tuple[FileEntry, ...] = field(default=(), repr=False, compare=False)
    disposed_at: str | None = None

    @property
    def main_pdf_role(self) -> str | None:
        """The first of pdf:zh, pdf:zh-en, pdf:en, original (when a PDF), preview present."""
        for role in MAIN_PDF_ROLES:
            if role in self.roles:
                return role
        if "original" in self.roles:
            entry = self.file_entry("original")
            if entry is None or entry.path.lower().endswith(".pdf"):
                return "original"
        return PREVIEW_ROLE if PREVIEW_ROLE in self.roles else None

    def file_entry(self, role: str) -> FileEntry | None:
        for f in self.files:
            if f.role == role:
                return f
        return None

    @property
    def org(self) -> str:
        parts = parse_code(self.code)
        return parts.org if parts else ""

    @property
    def item(self) -> int:
        parts = parse_code(self.code)
        return parts.item if parts else 0
