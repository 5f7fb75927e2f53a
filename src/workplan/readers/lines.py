"""The one intermediate every format reader produces: a list of source lines (paragraphs)
with the style hints the structure recogniser uses, and the text normalisation used for
matching (never for the text that is kept)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .charforms import match_form
from .numbering import numbering


@dataclass
class Line:
    """One paragraph of the source (a DOCX paragraph or table row, a rejoined PDF line, a TXT line)."""

    text: str
    line: int                       # 1-based: TXT line, DOCX body paragraph, PDF line of the extracted text
    page: int | None = None         # PDF page (1-based)
    bold: bool = False              # every visible run is bold
    centered: bool = False
    size: float | None = None       # largest font size in points
    heading: int | None = None      # 1.. from a Heading N style; 0 for the Title style
    list_level: int | None = None   # Word numbering level (numPr/ilvl)
    list_label: str | None = None   # the number Word would draw (not in the paragraph text)
    table: bool = False             # a table row (cells joined)
    meta: dict = field(default_factory=dict)


@dataclass
class Extracted:
    """What a format reader returns."""

    lines: list[Line]
    fmt: str                         # txt / docx / pdf
    pages: int | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # page numbers / running headers removed
    left_out: list[str] = field(default_factory=list)  # lines of the source left out on purpose (a table of contents)
    source: list[Line] = field(default_factory=list)  # every line before anything is left out (what coverage counts)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_lang(texts: list[str]) -> str:
    han = sum(len(_HAN.findall(t)) for t in texts)
    latin = sum(len(_LATIN.findall(t)) for t in texts)
    return "zh" if han * 3 >= latin else "en"


_WIDE = set("—…“”‘’·")


def width_units(s: str) -> float:
    """Display width: CJK and full-width characters count 1, others ½."""
    return sum(1.0 if ord(c) > 0x2E7F or c in _WIDE else 0.5 for c in s)


_END = tuple("。！？；：:!?;…」”』\"")
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
_SPACED = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def unspace_cjk(text: str) -> str:
    """Some PDF text layers put a space after every Chinese character: 指 导 思 想 → 指导思想."""
    han = len(_CJK_CHAR.findall(text))
    if han >= 4 and len(_SPACED.findall(text)) >= han * 0.6:
        return _SPACED.sub("", text)
    return text


def _join(a: str, b: str) -> str:
    if a.endswith("-") and a[-2:-1].isalpha() and b[:1].islower():
        return a[:-1] + b
    if _CJK_CHAR.match(a[-1:]) or _CJK_CHAR.match(b[:1]):
        return a + b
    return a + " " + b


def rejoin(lines: list[Line], *, only_if_wrapped: bool = False) -> list[Line]:
    """Join lines that a layout broke inside a sentence: the previous line is (nearly) full
    width, does not end a sentence, and the next one does not start with a number.
    ``only_if_wrapped``: do nothing unless many lines share the full width (hard-wrapped text)."""
    body = [width_units(ln.text) for ln in lines if not ln.table and width_units(ln.text) > 8]
    if not body:
        return lines
    body.sort()
    full = body[int(len(body) * 0.9)]
    if only_if_wrapped:
        near = sum(1 for w in body if w >= full * 0.9)
        if near < max(5, len(body) * 0.3):
            return lines
    out: list[Line] = []
    prev_full = False
    for ln in lines:
        # (a line that starts indented begins a paragraph: never the rest of the one above;
        # a table-of-contents entry ends at its page number)
        if (out and prev_full and not ln.table and not out[-1].table and not out[-1].text.endswith(_END)
                and not ln.meta.get("indented") and not _TOC_ENTRY_END.search(out[-1].text)
                and numbering(ln.text) is None):
            out[-1].text = _join(out[-1].text, ln.text)
        else:
            out.append(ln)
        prev_full = width_units(ln.text) >= full * 0.85
    return out


_TOC_HEAD = re.compile(r"^(?:目\s*[录錄]|目\s*次|contents|table of contents)$", re.I)
_TOC_PAGE = re.compile(r"(?:[\t .…·．_\-—]{2,}|\t|\s)\s*\d{1,3}$|(?<=[\u4e00-\u9fff])\d{1,3}$")
_TOC_LEADER = re.compile(r"[.…·．_]{3,}")
# a page number as a page's furniture, in a text copied from a PDF: "— — — 2 —", "- 3 -", "第 2 页 共 5 页"
# (a bare number is not: it may be a table cell of a flattened table)
PAGE_MARK = re.compile(r"^(?:[-—–]\s*){1,4}\d{1,4}\s*(?:[-—–]\s*){1,4}$|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$")
_TOC_ENTRY_END = re.compile(r"[.…·．_]{3,}\s*\d{0,3}$")


def strip_toc(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """A table of contents (目录 / Contents and the entries after it: headings with page numbers
    or dot leaders, or headings that the body repeats further on) is not the document: remove it.
    The table ends where the body starts: at the line that repeats its first entry, or at the
    first line that is no entry (too long, or neither paged nor repeated later)."""
    for k, ln in enumerate(lines[:60]):  # noqa: B007 - k is where the contents start (used below)
        if _TOC_HEAD.match(ln.text.strip()) and not ln.table:
            break
    else:
        return lines, []

    def key(t: str) -> str:
        bare = _TOC_LEADER.sub("", _TOC_PAGE.sub("", t.strip())).strip()
        return re.sub(r"[\s\W_]", "", match_form(bare))
    last_at: dict[str, int] = {}
    for j in range(k + 1, len(lines)):
        last_at[re.sub(r"[\s\W_]", "", match_form(lines[j].text))] = j
    end = k + 1
    first_key = None
    while end < len(lines):
        t = lines[end].text.strip()
        bare = _TOC_LEADER.sub("", _TOC_PAGE.sub("", t)).strip()
        kk = key(t)
        if lines[end].table or not bare or not kk or width_units(bare) > 40:
            break
        if first_key is not None and kk == first_key and not (_TOC_PAGE.search(t) or _TOC_LEADER.search(t)):
            break  # the body starts with the first entry's heading
        paged = bool(_TOC_PAGE.search(t)) or bool(_TOC_LEADER.search(t))
        seen_later = last_at.get(kk, -1) > end  # repeated further on (not the line itself)
        nxt = lines[end + 1].text.strip() if end + 1 < len(lines) else ""
        if not (paged or seen_later) and numbering(t) is not None and _TOC_LEADER.search(nxt) \
                and numbering(nxt) is None and width_units(_TOC_LEADER.sub("", _TOC_PAGE.sub("", nxt))) <= 20:
            end += 2   # an entry wrapped before its dot leader: （二）实施…贮存处置 / 总量趋零增长……9
            continue
        if not (paged or seen_later):
            break
        if paged and not seen_later and not any(kk in x for x, j in last_at.items() if j > end):
            break  # "…2024" at the end of a sentence, not an entry
        if first_key is None:
            first_key = kk
        end += 1
    if end - k < 2:
        return lines, []
    return lines[:k] + lines[end:], [ln.text for ln in lines[k:end]]
