"""PDF: the text layer with pypdf, page furniture (page numbers, running headers) removed,
and lines that the layout broke inside a sentence joined again."""
from __future__ import annotations

import io
import re
from collections import Counter

from .errors import ImportFailed
from .structure import find_date
from .lines import Extracted, Line, rejoin, unspace_cjk, width_units

_PAGE_NO = re.compile(r"^(?:[-—–_·\s]*\d{1,4}[-—–_·\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|"
                      r"\d+\s*/\s*\d+|page\s+\d+(?:\s+of\s+\d+)?|-\s*[ivxlc]+\s*-)$", re.I)
_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


_CJK_GAP = re.compile(r"[\u4e00-\u9fff）)]\s+[\u4e00-\u9fff（(]")
# text extraction puts spaces between Chinese and digits (2024 年, 15 号) that are not in the document
_DIGIT_GAP = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])[ \t]+(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%])[ \t]+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _size_visitor(chunks: list[tuple[str, float]]):
    def visit(text, cm, tm, font_dict, font_size):
        if text and text.strip() and font_size:
            scale = (abs(tm[3]) or abs(tm[0]) or 1) * (abs(cm[3]) or abs(cm[0]) or 1)
            chunks.append((text, float(font_size) * scale))
    return visit


def _line_sizes(lines: list[str], chunks: list[tuple[str, float]]) -> dict[int, float]:
    """The font size of each extracted line of a page (by finding its first characters in the
    drawn text chunks, in order)."""
    stream, owner = [], []
    for k, (t, _) in enumerate(chunks):
        for c in t:
            if not c.isspace():
                stream.append(c)
                owner.append(k)
    text = "".join(stream)
    out, pos = {}, 0
    for i, ln in enumerate(lines):
        key = re.sub(r"\s", "", ln)[:4]
        if not key:
            continue
        j = text.find(key, pos)
        if j < 0:
            continue
        out[i] = round(chunks[owner[j]][1], 1)
        pos = j + len(key)
    return out


def read_pdf(data: bytes, file: str) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise ImportFailed("the PDF is encrypted with a password", file,
                                   hint="open it with the password and save an unprotected copy, then import that")
        n_pages = len(reader.pages)
        pages: list[list[str]] = []
        sizes: dict[int, float] = {}  # first page: line index → font size (finds the title)
        for pno, page in enumerate(reader.pages):
            chunks: list[tuple[str, float]] = []
            txt = (page.extract_text(visitor_text=_size_visitor(chunks)) if pno == 0 else page.extract_text()) or ""
            pages.append([unspace_cjk(ln).strip(" \t\u3000\u00a0") for ln in txt.replace("\r", "\n").split("\n")])
            if chunks:
                sizes = _line_sizes(pages[0], chunks)
    except ImportFailed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ImportFailed(f"cannot read the PDF: {type(e).__name__}: {e}", file,
                           hint="the file may be damaged; open it in a PDF viewer and save (print) it again") from None
    n_chars = sum(len(ln.replace(" ", "")) for p in pages for ln in p)
    if n_chars < 20:
        raise ImportFailed(f"the PDF has {n_pages} page(s) but no text layer: it is a scan (images only)", file,
                           hint="run OCR on it first (e.g. ocrmypdf -l chi_sim), or import the original Word file")
    dropped: list[str] = []
    # running headers/footers: the same first or last line (digits ignored) on most pages
    furniture: set[str] = set()
    if n_pages >= 3:
        edge = Counter()
        for p in pages:
            ne = [ln for ln in p if ln]
            for ln in {*(ne[:1]), *(ne[-1:])}:
                edge[re.sub(r"\d+", "#", ln)] += 1
        furniture = {k for k, c in edge.items() if c >= max(3, n_pages * 0.6) and width_units(k) < 40}
    raw: list[tuple[str, int, int]] = []
    size_of_line: dict[int, float] = {i + 1: sz for i, sz in sizes.items()}
    lineno = 0
    for pno, p in enumerate(pages, 1):
        for ln in p:
            lineno += 1
            if not ln:
                continue
            if _PAGE_NO.match(ln) or re.sub(r"\d+", "#", ln) in furniture:
                dropped.append(ln)
                continue
            raw.append((ln, lineno, pno))
    lines: list[Line] = []
    for text, ln, pno in raw:
        segs = text.split()
        table = (len(segs) >= 3 and len(_CJK_GAP.findall(text)) >= 2 and all(width_units(x) <= 15 for x in segs)
                 and not any(c in text for c in "。；;") and find_date(text) is None)
        if table:  # a table row: its cells, joined as the other readers join them
            lines.append(Line("；".join(segs), ln, page=pno, table=True, meta={"cells": segs}))
        else:
            lines.append(Line(_DIGIT_GAP.sub("", text), ln, page=pno, size=size_of_line.get(ln)))
    lines = rejoin(lines)
    return Extracted(lines, "pdf", pages=n_pages, dropped=dropped)
