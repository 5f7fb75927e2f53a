"""What the index holds for one archived record: metadata plus the full text of every language.

The text comes from the structured source (YAML/JSON) when the record has one, rendered
through the same IR as the documents (section titles, paragraphs, tasks, table cells), and
from the PDF (or DOCX) text otherwise. Reading never writes anything.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..archive.programs import ArchivePrograms
from ..errors import Problem, WorkplanError
from ..formats import FORMATS, rendition_roles
from ..model import DataDocument, load_source
from ..model.datafiles import DATA_SUFFIXES
from .text import has_han

_LANGS = ("zh", "en")


@dataclass
class IndexDoc:
    """One record as the backends index it (backend-neutral)."""

    code: str
    title: str
    date: str                     # ISO date
    year: int
    kind: str
    retention: str
    issuer: str = ""
    issuer_abbr: str | None = None
    title_en: str | None = None
    doc_number: str | None = None
    identity: str | None = None
    version: int = 1
    current: bool = True
    status: str = "active"
    units: list[str] = field(default_factory=list)
    unit_ids: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    #: the English form of each Chinese data text shown with the record (issuer and unit names,
    #: the document number), where the data gives one: what the English interface shows
    names_en: dict[str, str] = field(default_factory=dict)
    program: str | None = None    # a report: the archival code of the program it reports on
    text_zh: str = ""
    text_en: str = ""

    @property
    def body(self) -> str:
        """The stored full text: Chinese, then English."""
        return "\n".join(t for t in (self.text_zh, self.text_en) if t)

    @property
    def search_text(self) -> str:
        """What the main field indexes and stores: the full text, then a header with the title,
        issuer, document number and unit names (so they are found even when the text lacks them;
        snippets prefer matches in the text, which comes first)."""
        return "\n".join(t for t in (self.body, self.title_all, self.meta_text) if t)

    @property
    def title_all(self) -> str:
        return "\n".join(t for t in (self.title, self.title_en) if t)

    @property
    def meta_text(self) -> str:
        """Searchable metadata besides the title: issuer, document number, unit names."""
        parts = [self.issuer, self.issuer_abbr or "", self.doc_number or "", *self.units]
        return "\n".join(p for p in parts if p)

    @property
    def stem_text(self) -> str:
        """English text for the stemmed field."""
        return "\n".join(t for t in (self.title_en, self.text_en) if t)

    @property
    def datenum(self) -> int:
        return int(self.date.replace("-", "")[:8])

    @property
    def unit_terms(self) -> list[str]:
        """Values of the exact-match unit field: names and ids."""
        return list(dict.fromkeys([*self.units, *self.unit_ids]))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- text of a structured source ----------------------------------------------------------------
def _ir(doc, lang: str):
    from ..render.resolve import build_ir
    return build_ir(doc, lang, allow_missing=True, draw=False)  # text only: charts are not drawn


def document_texts(doc) -> dict[str, str]:
    """Plain text per language (zh, en) of a validated document, through the render IR
    (section titles, paragraphs, tasks, table cells, as the documents show them)."""
    from ..model.document import text_in
    out: dict[str, str] = {}
    for lg in _LANGS:
        if text_in(doc.title, lg, getattr(doc, "source_lang", "zh")) is None:
            continue  # the document has no text in this language
        out[lg] = _ir(doc, lg).plain_text()
    return out


def document_names_en(doc) -> dict[str, str]:
    """The English forms the data gives for its Chinese unit names and document number."""
    out: dict[str, str] = {}
    for u in getattr(doc, "units", ()) or ():
        if u.zh and u.en:
            out[u.zh] = u.en
    num = getattr(doc, "doc_number", None)
    if num is not None and getattr(num, "prefix_en", None):
        out[num.render("zh")] = num.render("en")
    return out


def document_program(doc) -> str | None:
    """A report's program as an archived record's code (None for a program, or when the
    program was not found in the archive)."""
    rec = getattr(doc, "program_record", None)
    return getattr(rec, "code", None)


@dataclass
class SourceFacts:
    """What the index takes from a structured source: its texts, names and program."""

    texts: dict[str, str]
    names_en: dict[str, str] = field(default_factory=dict)
    program: str | None = None


def source_facts(doc) -> SourceFacts:
    return SourceFacts(document_texts(doc), document_names_en(doc), document_program(doc))


def source_document(path: Path, arc=None) -> DataDocument:
    """The validated document (or progress report) of a data file; a report's program is
    looked up in ``arc`` (the archive being indexed)."""
    return load_source(path, program_resolver=ArchivePrograms(arc)).doc


def source_texts(path: Path, arc=None) -> dict[str, str]:
    return document_texts(source_document(path, arc))


def _known_facts(record, documents: Mapping[str, Any]) -> SourceFacts | None:
    """The facts of the record's source from the document its writer validated (``documents``:
    by the SHA-256 of the source file's bytes, as the archive records it), if it gave one."""
    if not documents:
        return None
    entry = next((f for f in getattr(record, "files", ()) if f.role == "source"), None)
    doc = documents.get(entry.sha256) if entry is not None else None
    if doc is None or (hasattr(doc, "program_record") and doc.program_record is None):
        return None  # a report checked against a program file beside it: read in the archive, it links there
    return source_facts(doc)


# --- text of a PDF or DOCX ------------------------------------------------------------------------
def pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(str(path))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as e:
        raise WorkplanError(Problem(f"cannot read the PDF text: {e}", file=str(path))) from None


def docx_text(path: Path) -> str:
    import docx
    try:
        d = docx.Document(str(path))
    except Exception as e:  # python-docx raises several types for damaged files
        raise WorkplanError(Problem(f"cannot read the DOCX text: {e}", file=str(path))) from None
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            out.append(" ".join(c.text for c in row.cells))
    return "\n".join(s for s in out if s)


def split_by_language(text: str) -> dict[str, str]:
    """Lines with Han characters are Chinese; the others (with letters) English."""
    zh, en = [], []
    for line in text.splitlines():
        if has_han(line):
            zh.append(line)
        elif any(c.isalpha() for c in line):
            en.append(line)
        elif line.strip():
            zh.append(line)
    out = {}
    if zh:
        out["zh"] = "\n".join(zh)
    if en:
        out["en"] = "\n".join(en)
    return out


def file_texts(path: Path) -> dict[str, str]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return split_by_language(pdf_text(path))
    if suffix == ".docx":
        return split_by_language(docx_text(path))
    if suffix in DATA_SUFFIXES:
        return source_texts(path)
    return {}


# --- one record --------------------------------------------------------------------------------
def _main_file(record, arc) -> Path | None:
    role = getattr(record, "main_pdf_role", None)
    if role:
        return arc.file(record, role)
    for r in (*rendition_roles(("zh", "zh-en", "en"), sorted(FORMATS, key=lambda f: f != "pdf")), "original"):
        if r in record.roles:
            return arc.file(record, r)
    return None


def extract(record, arc, *, log=None, documents: Mapping[str, Any] | None = None) -> IndexDoc:
    """The index document of one archived record. Raises WorkplanError if its files cannot be read,
    or (given the archive's ``log``, see ``Archive.read_log``) if the record is not exactly what
    the log recorded: nothing damaged, linked or forged is indexed (a FIFO is never opened).
    ``documents``: validated documents by the SHA-256 of their source (see
    :meth:`workplan.archive.Archive.on_change`), taken instead of parsing the archived source."""
    if log is not None:
        found = arc.check_for_reading(record.code, record.version, log=log)
        if found:
            raise WorkplanError([Problem(f.message, file=f.file, hint=f.hint) for f in found[:5]])
    texts: dict[str, str] = {}
    facts = SourceFacts({})
    if "source" in record.roles:
        try:
            known = _known_facts(record, documents or {})
            facts = known if known is not None else source_facts(source_document(arc.file(record, "source"), arc))
            texts = facts.texts
        except WorkplanError:
            f = _main_file(record, arc)  # e.g. a report whose program cannot be found: use its PDF
            if f is None:
                raise
            texts = file_texts(f)
    else:
        f = _main_file(record, arc)
        if f is not None:
            texts = file_texts(f)
    langs = [lg for lg in _LANGS if texts.get(lg) or lg in (getattr(record, "langs", ()) or ())]
    date = record.date.isoformat() if isinstance(record.date, dt.date) else str(record.date)
    return IndexDoc(
        code=record.code,
        title=record.title or "",
        title_en=getattr(record, "title_en", None),
        date=date,
        year=int(record.year),
        kind=record.kind,
        retention=record.retention,
        issuer=record.issuer or "",
        issuer_abbr=getattr(record, "issuer_abbr", None),
        doc_number=getattr(record, "doc_number", None),
        identity=getattr(record, "identity", None),
        version=int(getattr(record, "version", 1) or 1),
        current=bool(getattr(record, "current", True)),
        status=getattr(record, "status", "active") or "active",
        units=list(getattr(record, "units", ()) or ()),
        unit_ids=list(getattr(record, "unit_ids", ()) or ()),
        langs=langs,
        names_en=facts.names_en,
        program=facts.program,
        text_zh=texts.get("zh", ""),
        text_en=texts.get("en", ""),
    )
