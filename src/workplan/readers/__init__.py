"""Readers: turn a Word (.docx), PDF or plain-text file into the data of the ONE document model
(as pandoc's readers do; no writer knowledge).

    from workplan.readers import read_file
    result = read_file("old-program.docx")      # ImportResult
    result.data        # dict: a data file's content, valid for workplan.model.Document
    result.source_map  # {"sections[2].tasks[0].text": SourceRef(line=41, page=3), ...}
    source_line(result.source_map, "sections[2].tasks[0].lead[0]")   # nearest mapped parent
    result.report      # coverage, sections with types, unclassified text, warnings

Each format reader (``text``, ``docx``, ``pdf``) produces the same intermediate (a list of
:class:`~workplan.readers.lines.Line`); :mod:`.structure` recognises the outline whatever the
format; :mod:`.mapping` turns the outline into model data.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .. import limits
from ..errors import WorkplanError
from .errors import ImportFailed
from .lines import Extracted, Line

MAX_BYTES = limits.DOCUMENT_BYTES
SUPPORTED = (".docx", ".pdf", ".txt", ".text")
_OLD = {".doc": "old binary Word (.doc)", ".wps": "WPS (.wps)", ".rtf": "RTF", ".odt": "OpenDocument (.odt)",
        ".docm": "macro-enabled Word (.docm)", ".dot": "Word template (.dot)", ".dotx": "Word template (.dotx)"}


class SourceRef(NamedTuple):
    line: int            # TXT: the file's line; DOCX: body paragraph (table rows count one each); PDF: text line
    page: int | None     # PDF page


@dataclass
class ImportResult:
    file: str
    data: dict
    source_map: dict[str, SourceRef]
    report: dict
    lines: list[Line] = field(default_factory=list)
    outline: Any = None   # the recognised :class:`~workplan.readers.structure.Outline` (numbering as written)

    def numbered(self) -> list[tuple[int, str, int, str, int]]:
        """Every numbered heading and item as written in the source, in document order:
        (level, numbering style, value, label, source line). For checking the source's own
        numbering (gaps, repeats, mixed styles), which the model renumbers."""
        out: list[tuple[int, str, int, str, int]] = []

        def walk(nodes, level: int) -> None:
            for n in nodes:
                if n.num is not None:
                    label = n.line.list_label or n.line.text[:n.num.end].strip()
                    out.append((level, n.num.kind, n.num.value, label, n.line.line))
                walk(n.children, level + 1)
        if self.outline is not None:
            walk(self.outline.sections, 1)
        return out


def source_line(source_map: dict[str, SourceRef], path: str) -> SourceRef | None:
    """Where the value at a data ``path`` (``sections[2].tasks[0].lead[1]``) came from: the path
    itself, else its nearest parent in the map (for lint findings on imported documents)."""
    p = path
    while p:
        if p in source_map:
            return source_map[p]
        cut = max(p.rfind("."), p.rfind("["))
        if cut <= 0:
            break
        p = p[:cut]
    return source_map.get(p)


def _read_format(ext: str, data: bytes, file: str) -> Extracted:
    """The format reader's lines. The one error boundary of `import` and `lint` for what a
    document holds: whatever a library raises on a damaged or hostile file (pypdf's limits, a
    broken zip or XML, a reference loop) is an :class:`ImportFailed` naming the file, never a
    traceback."""
    kind = {".docx": "Word document", ".pdf": "PDF"}.get(ext, "text file")
    try:
        if ext == ".docx":
            from .docx import read_docx
            ex = read_docx(data, file)
        elif ext == ".pdf":
            if not data.lstrip()[:5] == b"%PDF-":
                raise ImportFailed("not a PDF file (it does not start with %PDF-)", file)
            from .pdf import read_pdf
            ex = read_pdf(data, file)
        else:
            from .text import read_txt
            ex = read_txt(data, file)
    except WorkplanError:
        raise
    except MemoryError:
        raise ImportFailed(f"the {kind} needs more memory to read than this machine gives", file,
                           hint="it may be damaged or built to exhaust readers; print it to a new file, or import "
                                "the original") from None
    except RecursionError:
        raise ImportFailed(f"cannot read the {kind}: its objects refer to themselves in a loop", file,
                           hint="the file is damaged; open it and save (print) it again") from None
    except Exception as e:  # noqa: BLE001 - a library's refusal of a damaged or hostile file
        raise ImportFailed(f"cannot read the {kind}: {type(e).__name__}: {limits.printable(str(e)[:300])}", file,
                           hint="the file may be damaged; open it and save (print) it again, then import that") from None
    chars = sum(len(ln.text) for ln in ex.lines)
    if chars > limits.DOCUMENT_CHARS:
        raise ImportFailed(f"the {kind} holds {chars:,} characters of text (at most {limits.DOCUMENT_CHARS:,})", file,
                           hint="a document this long is not one document: split it")
    return ex


def extract(path: str | Path, data: bytes | None = None) -> Extracted:
    """The lines of a file, whatever its format (raises :class:`ImportFailed`)."""
    p = Path(path)
    file = str(path)
    ext = p.suffix.lower()
    if data is None and p.is_dir():
        raise ImportFailed("this is a folder, not a document", file,
                           hint=f"name the files in it, e.g. {p}/*.docx {p}/*.pdf {p}/*.txt")
    if ext in _OLD:
        raise ImportFailed(f"{_OLD[ext]} files cannot be read", file,
                           hint="open it in Word or WPS and save it as .docx (Word document), then import the .docx")
    if ext not in SUPPORTED:
        raise ImportFailed(f"unsupported file type {ext or '(none)'!r}", file, hint="import .docx, .pdf or .txt files")
    if data is None:
        # regular files only (not a FIFO, not /dev/zero behind a symlink), opened without blocking,
        # the size checked after opening and while reading
        limit = limits.TEXT_BYTES if ext in (".txt", ".text") else MAX_BYTES
        try:
            data = limits.read_regular(p, limit, what="document")
        except WorkplanError as e:
            raise ImportFailed(e.problems[0].message, file, hint=e.problems[0].hint) from None
    elif len(data) > MAX_BYTES:
        raise ImportFailed(f"the document is larger than {MAX_BYTES >> 20} MB", file, hint="split the document")
    if not data.strip():
        raise ImportFailed("the file is empty", file)
    ex = _read_format(ext, data, file)
    if not ex.lines:
        raise ImportFailed("the file holds no text", file)
    for ln in ex.lines:  # en/em/thin spaces around a line (an item indented with an en space) are layout
        ln.text = ln.text.strip(" \t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u3000")
    ex.lines = [ln for ln in ex.lines if ln.text]
    if ex.fmt != "pdf":  # (the PDF reader drops its own page numbers)
        from .lines import PAGE_MARK
        marks = [ln.text for ln in ex.lines if PAGE_MARK.match(ln.text) and not ln.table]
        if marks and len(marks) < len(ex.lines):
            ex.dropped += marks   # "— — — 2 —" of a text copied from a PDF: page furniture
            ex.lines = [ln for ln in ex.lines if ln.table or not PAGE_MARK.match(ln.text)]
    from .glyphs import map_symbols
    ex.warnings += map_symbols(ex.lines)
    from .runin import resegment
    ex.lines, n_split = resegment(ex.lines)
    if n_split:
        first = next(ln for ln in ex.lines if ln.meta.get("runin"))
        ex.warnings.append(f"{_where(first)}: {n_split} line(s) held several paragraphs (their breaks were lost); "
                           "they were split before each numbered heading: check the structure")
    from .lines import strip_toc
    ex.source = list(ex.lines)  # what coverage counts: every line, whatever is left out after
    ex.lines, toc = strip_toc(ex.lines)
    if toc:
        ex.dropped[:0] = toc
        ex.left_out = toc
        at = next((ln for ln in ex.source if ln.text == toc[0]), ex.source[0])
        ex.warnings.append(f"{_where(at)}: a table of contents ({len(toc) - 1} entries) was left out; its text is counted as dropped")
    return ex


def _where(ln: Line) -> str:
    """A source place as a clerk finds it: 'line 12' or 'page 3, line 40'."""
    return f"page {ln.page}, line {ln.line}" if ln.page else f"line {ln.line}"


_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·,.;:?!\"'()[]{}<>-_/\\|~`@#$%^&*+=　 \t\r\n")


def _chars(s: str) -> Counter:
    return Counter(c for c in s if c not in _PUNCT and not c.isspace())


# words a structure stands for: the source's 组长：/（此项由…牵头，…配合）/达…以上 are kept as
# fields (head, lead, cooperating, targets), so they count as kept when the field is there
_IMPLIED = {
    "head": "组长主任 team leader head", "deputies": "副组长副主任 deputy team leader head",
    "members": "成员 members member", "lead": "此项由牵头负责单位部门 lead leading unit units by",
    "responsible": "责任单位部门负责 responsible unit units", "cooperating": "配合协助参与落实单位部门 cooperating cooperation unit units",
    "targets": "达到以上不低于不少于超过以下以内控制在为不超过", "doc_number": "号〔〕", "deadline": "前完成时限时间底",
    "start": "阶段至", "date": "",
}
_CN_DIGITS = "〇一二三四五六七八九"


def _cn_date(d) -> str:
    def small(n: int) -> str:
        return ("十" if n == 10 else ("十" + _CN_DIGITS[n - 10] if n < 20 else _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else ""))) if n >= 10 else _CN_DIGITS[n]
    return "".join(_CN_DIGITS[int(c)] for c in str(d.year)) + "年" + small(d.month) + "月" + small(d.day) + "日"


def _data_strings(x: Any, out: list[str], names: dict[str, str] | None = None) -> None:
    import datetime as dt
    names = names if names is not None else {}
    if isinstance(x, dict):
        for k in x:
            if k in _IMPLIED and x[k]:
                out.append(_IMPLIED[k])
        if {"prefix", "year", "serial"} <= set(x):
            out.append("号")
        for k, v in x.items():
            if k in ("lead", "cooperating", "responsible", "issuers", "cc", "unit") and v:
                out.extend(names.get(u, "") for u in (v if isinstance(v, list) else [v]) if isinstance(u, str))
                if k == "cc":
                    _data_strings(v, out, names)
                continue
            if k in ("id", "type", "kind", "op", "source_lang"):
                continue
            _data_strings(v, out, names)
    elif isinstance(x, list):
        for v in x:
            _data_strings(v, out, names)
    elif isinstance(x, str):
        out.append(x)
    elif isinstance(x, dt.date):
        out.append(f"{x.year}年{x.month}月{x.day}日 {x.isoformat()} {_cn_date(x)} {x.strftime('%B')} {x.month}.{x.day}")
    elif isinstance(x, (int, float)):
        out.append(str(x))


def coverage(lines: list[Line], data: dict) -> tuple[float, int, int, str]:
    """Share of the source's characters (outside whitespace, punctuation and numbering) found in
    the data, counting each character as often as it occurs; and a sample of what is missing.
    Label words a field stands for (组长, 牵头, 配合, 达…以上) count when that field is filled; a
    table's row numbers are numbering, and a header row that became field names is not counted."""
    from .numbering import numbering
    src: Counter = Counter()
    for ln in lines:
        if ln.meta.get("header"):  # a table's header row that became field names
            continue
        if ln.table and ln.meta.get("cells"):  # row numbers are numbering
            src += _chars("".join(c for c in ln.meta["cells"] if not c.strip().isdigit()))
            continue
        n = numbering(ln.text)
        src += _chars(ln.text[n.end:] if n else ln.text)
    strings: list[str] = []
    names = {u["id"]: u.get("zh") or u.get("en") or "" for u in data.get("units", []) if isinstance(u, dict)}
    _data_strings(data, strings, names)
    dat = _chars("".join(strings))
    total = sum(src.values())
    got = sum(min(c, dat[ch]) for ch, c in src.items())
    missing = "".join(ch * (c - dat[ch]) for ch, c in src.most_common() if c > dat[ch])[:60]
    return (got / total if total else 1.0), got, total, missing


def read_file(path: str | Path, *, lang: str | None = None, data: bytes | None = None) -> ImportResult:
    """Import one file into model data. Raises :class:`ImportFailed` for a file that cannot be read."""
    from .mapping import Mapper
    from .structure import recognise
    t0 = time.perf_counter()
    file = str(path)
    ex = extract(path, data)
    try:
        outline = recognise(ex.lines, lang)
        m = Mapper(outline, file)
        doc = m.document()
        doc, fixes = _validate(doc, m, file)
    except Exception as e:  # a gap in the recogniser must not lose the document: keep the text
        outline, m, doc = _plain(ex.lines, lang, file)
        fixes = [f"the structure could not be recognised ({type(e).__name__}: {e}); the text is kept as one "
                 "free section: please report this file"]
    cov, got, total, missing = coverage(ex.source or ex.lines, doc)
    smap = {k: SourceRef(v.line, v.page) for k, v in m.where.items()}
    sections = []
    for s in doc.get("sections", []):
        n = sum(len(s.get(k, [])) for k in ("items", "tasks", "phases", "targets", "categories"))
        sections.append({"title": s.get("title"), "type": s["type"], "items": n})
    report = {
        "file": file, "format": ex.fmt, "lang": outline.lang, "encoding": ex.encoding, "pages": ex.pages,
        "title": doc.get("title"), "doc_number": outline.doc_number, "date": outline.date.isoformat() if outline.date else None,
        "headings_from": outline.headings_from,
        # False when no section heading was recognised and the text is kept as one free section
        # (a notice that is only a roster or a task table has structure without headings)
        "structured": outline.headings_from not in ("", "none") or any(s["type"] != "free" for s in sections),
        "sections": sections, "outline": _outline(outline, sections), "coverage": round(cov, 4),
        # left_out: characters of lines left out on purpose (a table of contents), counted as not kept
        "characters": {"source": total, "kept": got, "left_out": sum(sum(_chars(t).values()) for t in ex.left_out)},
        "missing_sample": missing,
        "unclassified": m.unclassified, "warnings": [_typed(w, sections) for w in m.warnings] + fixes + ex.warnings,
        "marks": m.marks,
        "dropped": [t for t, _ in outline.dropped] + ex.dropped[:20],
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return ImportResult(file, doc, smap, report, ex.lines, outline)


def _typed(warning: str, sections: list[dict]) -> str:
    """The 'kept as one free section' warning, for a text without headings whose one section
    was read as something (its roster: the leading group; its task table: tasks)."""
    if warning.endswith("kept as one free section") and len(sections) == 1 and sections[0]["type"] != "free":
        return warning.replace("kept as one free section", f"kept as one section, read as {sections[0]['type']}")
    return warning


def _outline(outline, sections: list[dict]) -> list[dict]:
    """The top-level entries as recognised (title, items under it, number as written): the
    sections, or the items of a flat standards list; none when no heading was found."""
    from .numbering import numbering
    if outline.headings_from in ("", "none"):
        return []
    if outline.flat_standards:
        out = []
        for n in outline.sections:
            num = numbering(n.line.text)
            out.append({"title": n.line.text[num.end:].strip() if num else n.line.text, "items": 0,
                        "num": num.value if num else None})
        return out
    return [{"title": s["title"], "items": s["items"], "num": n.num.value if n.num else None}
            for s, n in zip(sections, outline.sections)]


def _validate(doc: dict, m, file: str) -> tuple[dict, list[str]]:
    """The data must validate: a typed section the model rejects becomes a free section."""
    from pydantic import ValidationError

    from ..model.document import Document
    fixes: list[str] = []
    for _ in range(4):
        try:
            Document.model_validate(doc)
            return doc, fixes
        except ValidationError as e:
            bad = set()
            for err in e.errors():
                loc = err["loc"]
                if len(loc) >= 2 and loc[0] == "sections" and isinstance(loc[1], int):
                    bad.add(loc[1])
                else:
                    fixes.append(f"dropped field {'.'.join(map(str, loc))}: {err['msg']}")
                    if loc and loc[0] in doc and loc[0] not in ("title", "date", "sections"):
                        doc.pop(loc[0])
            for i in bad:
                s = doc["sections"][i]
                flat = _as_free(s)
                doc["sections"][i] = flat
                fixes.append(f"section {i + 1} ({s.get('title')!r}) kept as a free section: the model rejected its structure")
    Document.model_validate(doc)  # still invalid: a bug of ours; let the caller report it
    return doc, fixes


def _plain(lines: list[Line], lang: str | None, file: str):
    """The whole text as one free section under the first line as title (the last resort)."""
    import datetime as dt

    from .lines import guess_lang
    from .mapping import Mapper
    from .structure import Outline
    lg = lang or guess_lang([ln.text for ln in lines[:200]])
    o = Outline(lg)
    m = Mapper(o, file)
    for ln in lines[1:]:
        m.at(f"sections[0].paragraphs[{len(m.where) - 1}]", ln)
    doc: dict[str, Any] = {"kind": "program", "title": lines[0].text[:200], "date": dt.date.today(),
           "sections": [{"type": "free", "title": "正文" if lg == "zh" else "Text",
                         "paragraphs": [ln.text for ln in lines[1:]] or [lines[0].text]}]}
    if lg == "en":
        doc["source_lang"] = "en"
    m.unsure("date", f"no date found: `date` set to the import date {doc['date'].isoformat()}; replace it")
    return o, m, doc


def _as_free(s: dict) -> dict:
    out: dict[str, Any] = {"type": "free", "title": s.get("title") or "正文", "paragraphs": list(s.get("paragraphs", []))}
    for k in ("tasks", "phases", "items"):
        for it in s.get(k, []):
            out["paragraphs"].append("".join(str(it.get(x, "")) for x in ("title", "name", "text")) or str(it))
    return out


__all__ = ["read_file", "source_line", "extract", "coverage", "ImportResult", "ImportFailed", "SourceRef", "SUPPORTED", "MAX_BYTES"]
