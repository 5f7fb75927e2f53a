"""PDF: the text layer with pypdf, page furniture (page numbers, running headers) removed,
and lines that the layout broke inside a sentence joined again."""
from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

from .. import limits
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


_HOLE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


class _TooManyRuns(Exception):
    pass


def _glyph_visitor(chunks: list[tuple[float, float, str, float]]):
    def visit(text, cm, tm, font_dict, font_size):
        if text and text.strip():
            if len(chunks) >= limits.PDF_RUNS_PER_PAGE:
                raise _TooManyRuns
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = (abs(tm[3]) or abs(tm[0]) or 1) * (abs(cm[3]) or abs(cm[0]) or 1)
            chunks.append((x, y, text, float(font_size or 12) * scale))
    return visit


def _fill_fallback_glyphs(lines: list[str], chunks: list[tuple[float, float, str, float]]) -> list[str]:
    """Characters missing from a PDF's main font are drawn in a fallback font in a separate text
    run, and pypdf prints them at the end of the line (实施 容内 for 实施内容). On each baseline,
    order the runs by position; a run with holes (a space between two Chinese characters) takes
    the characters of the runs drawn inside it, in order; a run drawn left of the next one keeps
    as many characters as fit in the gap and gives the rest to the holes that follow."""
    by_y: dict[int, list[tuple[float, str, float]]] = {}
    for x, y, t, sz in chunks:
        by_y.setdefault(round(y), []).append((x, t, sz))
    fixes: dict[str, str] = {}
    for stream in by_y.values():
        row = sorted(stream, key=lambda c: c[0])
        used: set[int] = set()
        out: list[str] = []
        carry: list[str] = []
        for i, (x, t, sz) in enumerate(row):
            if i in used:
                continue
            end = x + width_units(t) * sz - 1
            inside = []  # the runs drawn inside this one: the row is in order of x, so stop at the first past it
            for j in range(i + 1, len(row)):
                if row[j][0] >= end:
                    break
                if j not in used:
                    inside.append(j)
            # the run with the holes is the main one; a short fallback run drawn across it is not
            if _HOLE.search(t) and not any(len(row[j][1]) > len(t) for j in inside):
                used.update(inside)
                queue = iter(carry + [c for j in inside for c in row[j][1] if not c.isspace()])
                carry = []
                parts = _HOLE.split(t)
                for k, part in enumerate(parts):
                    out.append(part)
                    if k < len(parts) - 1:
                        out.append(next(queue, " "))
                out.append("".join(queue))
            elif " " in t.strip() and i + 1 < len(row) and _HOLE.search(row[i + 1][1]) and sz:
                g = [c for c in t if not c.isspace()]
                fit = max(0, round((row[i + 1][0] - x) / sz))
                out.append("".join(g[:fit]))
                carry = g[fit:]
            else:
                out.append(t)
        printed = re.sub(r"\s", "", "".join(t for _, t, _ in stream))
        fixed = "".join(out)
        if re.sub(r"\s", "", fixed) != printed:
            fixes[printed] = fixed
    if not fixes:
        return lines
    return [fixes.get(re.sub(r"\s", "", ln), ln) for ln in lines]


def _line_indents(lines: list[str], glyphs: list[tuple[float, float, str, float]]) -> set[int]:
    """The lines of a page that start indented (a paragraph's first line: two characters in),
    found by their first characters in the drawn runs; empty when the page's margin is unclear."""
    stream, owner = [], []
    for k, (_, _, t, _) in enumerate(glyphs):
        for c in t:
            if c.isalnum():
                stream.append(c)
                owner.append(k)
    text = "".join(stream)
    starts: dict[int, tuple[float, float]] = {}
    pos = 0
    for i, ln in enumerate(lines):
        key = re.sub(r"\W", "", ln)[:4]
        j = text.find(key, pos) if key else -1
        if j < 0:
            continue
        x, _, _, sz = glyphs[owner[j]]
        starts[i] = (x, sz)
        pos = j + len(key)
    if len(starts) < 3:
        return set()
    margin = min(x for x, _ in starts.values())
    return {i for i, (x, sz) in starts.items() if 1.5 * sz <= x - margin <= 2.6 * sz}


def _line_sizes(lines: list[str], chunks: list[tuple[str, float]]) -> dict[int, float]:
    """The font size of each extracted line of a page (by finding its first characters in the
    drawn text chunks, in order)."""
    stream, owner = [], []
    for k, (t, _) in enumerate(chunks):
        for c in t:
            if c.isalnum():  # punctuation (quotes drawn in another font, out of order) is left out
                stream.append(c)
                owner.append(k)
    text = "".join(stream)
    out, pos = {}, 0
    for i, ln in enumerate(lines):
        key = re.sub(r"\W", "", ln)[:4]
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
                ok = bool(reader.decrypt(""))
            except Exception:
                ok = False
            if not ok:
                raise ImportFailed("the PDF is encrypted with a password", file,
                                   hint="open it with the password and save an unprotected copy, then import that")
        n_pages = len(reader.pages)
        if n_pages > limits.PDF_PAGES:  # refused before any page is read
            raise ImportFailed(f"the PDF has {n_pages:,} pages (at most {limits.PDF_PAGES:,} are read)", file,
                               hint="a document this long is not one document: import its parts separately")
        pages: list[list[str]] = []
        indents: list[set[int]] = []   # per page: indexes of lines that start indented
        sizes: dict[int, float] = {}  # first page: line index → font size (finds the title)
        for pno, page in enumerate(reader.pages):
            chunks: list[tuple[str, float]] = []
            glyphs: list[tuple[float, float, str, float]] = []
            size_v, glyph_v = _size_visitor(chunks), _glyph_visitor(glyphs)

            def both(*a):  # called for this page only
                size_v(*a)  # noqa: B023
                glyph_v(*a)  # noqa: B023
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
            if size > limits.PDF_PAGE_CONTENT_BYTES:  # before pypdf parses it, one operator at a time
                raise ImportFailed(f"page {pno + 1} of the PDF holds {size / limits.MiB:.0f} MB of drawing instructions "
                                   f"(at most {limits.PDF_PAGE_CONTENT_BYTES // limits.MiB} MB)", file,
                                   hint="the PDF may be damaged or machine-made; print it to a new PDF and import "
                                        "that, or import the original Word file")
            try:
                txt = page.extract_text(visitor_text=both if pno == 0 else glyph_v) or ""
            except _TooManyRuns:
                raise ImportFailed(f"page {pno + 1} of the PDF draws more than {limits.PDF_RUNS_PER_PAGE:,} pieces of "
                                   "text (a dense page has under 3,000)", file,
                                   hint="the PDF may be damaged or machine-made; print it to a new PDF and import "
                                        "that, or import the original Word file") from None
            page_lines = txt.replace("\r", "\n").split("\n")
            if _HOLE.search(txt):
                page_lines = _fill_fallback_glyphs(page_lines, glyphs)
            indents.append(_line_indents(page_lines, glyphs))
            pages.append([unspace_cjk(ln).strip(" \t\u3000\u00a0") for ln in page_lines])
            if chunks:
                sizes = _line_sizes(pages[0], chunks)
    except ImportFailed:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        raise ImportFailed(f"cannot read the PDF: {type(e).__name__}: {e}", file,
                           hint="the file may be damaged; open it in a PDF viewer and save (print) it again") from None
    # pages without a text layer (scans, or a scanned page among typed ones) are read by OCR
    ocr_meta, ocr_warn = _ocr_blank_pages(data, reader, pages, indents, file)
    if ocr_meta and 1 in {p for p, _ in ocr_meta}:
        sizes = {k: om.size for (p, k), om in ocr_meta.items() if p == 1}
    n_chars = sum(len(ln.replace(" ", "")) for p in pages for ln in p)
    if n_chars < 20:
        raise ImportFailed(f"the PDF has {n_pages} page(s) but no text layer: it is a scan (images only)"
                           + (" and OCR found no text on it" if ocr_meta is not None else ""), file,
                           hint="run OCR on it first (e.g. ocrmypdf -l chi_sim), or import the original Word file")
    dropped: list[str] = []
    # running headers/footers: the same first or last line (digits ignored) on most pages
    furniture: set[str] = set()
    if n_pages >= 3:
        edge: Counter[str] = Counter()
        for p in pages:
            ne = [ln for ln in p if ln]
            for ln in {*(ne[:1]), *(ne[-1:])}:
                edge[re.sub(r"\d+", "#", ln)] += 1
        furniture = {k for k, c in edge.items() if c >= max(3, n_pages * 0.6) and width_units(k) < 40}
    raw: list[tuple[str, int, int, bool, Any]] = []  # text, line, page, indented, OCR line (or None)
    size_of_line: dict[int, float] = {i + 1: sz for i, sz in sizes.items()}
    lineno = 0
    for pno, p in enumerate(pages, 1):
        for k, ln in enumerate(p):
            lineno += 1
            if not ln:
                continue
            if _PAGE_NO.match(ln) or re.sub(r"\d+", "#", ln) in furniture:
                dropped.append(ln)
                continue
            raw.append((ln, lineno, pno, k in indents[pno - 1], (ocr_meta or {}).get((pno, k))))
    lines: list[Line] = []
    for text, lno, pno, indented, om in raw:
        segs = text.split()
        # (a title whose quotation marks come in another font is drawn in pieces: not a table)
        table = (om is None and len(segs) >= 3 and len(_CJK_GAP.findall(text)) >= 2 and all(width_units(x) <= 15 for x in segs)
                 and all(re.search(r"[\w\u4e00-\u9fff]", x) for x in segs)
                 and not (size_of_line.get(lno) or 0) > 16
                 and not any(c in text for c in "。；;") and find_date(text) is None)
        if table:  # a table row: its cells, joined as the other readers join them
            lines.append(Line("；".join(segs), lno, page=pno, table=True, meta={"cells": segs}))
        else:
            meta = {"indented": True} if indented else {}
            if om is not None:
                meta["ocr"] = om.confidence
            lines.append(Line(_DIGIT_GAP.sub("", text), lno, page=pno, size=size_of_line.get(lno),
                              centered=bool(om and om.centered), meta=meta))
    lines = rejoin(lines)
    return Extracted(lines, "pdf", pages=n_pages, dropped=dropped, warnings=ocr_warn)


def _has_image(page) -> bool:
    try:
        xo = page.get("/Resources", {}).get_object().get("/XObject")
        return bool(xo) and any(v.get_object().get("/Subtype") == "/Image" for v in xo.get_object().values())
    except Exception:  # noqa: BLE001 - an odd resource dictionary: no image
        return False


def _ocr_blank_pages(data, reader, pages, indents, file):
    """OCR the pages that have no text but an image; their lines replace the (empty) text layer.
    Returns ({(page, line index): OcrLine} or None when no page needed it, warnings)."""
    blank = [i + 1 for i, p in enumerate(pages) if sum(len(ln.replace(" ", "")) for ln in p) < 5
             and _has_image(reader.pages[i])]
    if not blank:
        return None, []
    from .ocr import ocr_pages
    read = ocr_pages(data, blank, file, reader)
    meta = {}
    confs = []
    for p, olines in read.items():
        pages[p - 1] = [ol.text for ol in olines]
        indents[p - 1] = {k for k, ol in enumerate(olines) if ol.indented}
        for k, ol in enumerate(olines):
            meta[(p, k)] = ol
            confs += [ol.confidence] * len(ol.text)
    mean = sum(confs) / len(confs) if confs else 0.0
    span = f"{blank[0]}" if len(blank) == 1 else f"{blank[0]}–{blank[-1]}" if blank == list(range(blank[0], blank[-1] + 1)) \
        else ", ".join(map(str, blank))
    warn = [f"page{'s' if len(blank) > 1 else ''} {span}: no text layer (a scan): read by OCR, mean confidence "
            f"{mean:.2f}; lines read with less than 0.90 are marked; compare the text with the scan"]
    return meta, warn
