"""GB/T 9704 layout checks measured on finished documents (used by the tests and by hand).

Each check reads the file a reader gets, not our IR:

* PDF (ours, or LibreOffice's rendering of our DOCX), measured with pdfplumber:
  page numbers' face (宋体 stand-in) and side (odd right, even left, 7.5); heading faces per level
  (一、黑体, （一）楷体, 7.3.3); no page ending more than one line early (except before an annex,
  a figure that did not fit, or at the end); no hyphen at a line end inside a table cell where
  a word was split; the document number present on page 1.
* DOCX, read with python-docx: the page-number runs' font and size, the odd/even footers'
  alignment, heading faces per level, the document number in the text.

``python tests/layout_checks.py FILE...`` prints the findings of each file (the expected document
number is read from ``--number``), e.g. for a before/after table over a built corpus.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

PT_PER_MM = 72 / 25.4
PAGE_H_PT = 297 * PT_PER_MM
TEXT_TOP_PT = 37 * PT_PER_MM
TEXT_BOTTOM_PT = (297 - 35) * PT_PER_MM
TEXT_LEFT_PT = 28 * PT_PER_MM
TEXT_RIGHT_PT = (210 - 26) * PT_PER_MM
LINE_PT = 28.95
CHAR_PT = 15.79
EARLY_END_LINES = 2.5

_ZH_NUM = "一二三四五六七八九十"
_L1 = re.compile(rf"^[{_ZH_NUM}]+、")
_L2 = re.compile(rf"^（[{_ZH_NUM}]+）")
_EN_L1 = re.compile(r"^[IVXL]+\. \S")
_EN_HEAD = re.compile(r"^([IVXL]+\.|\([IVXL]+\)) ?[A-Z]")
_ANNEX = re.compile(r"^(附件|Annex)")
# the 附件说明 or a signature's date near the top of a page: the body's last lines went with them
_SIG_START = re.compile(r"^(附件：|Annexes?:|\d{4}年\d{1,2}月\d{1,2}日$|[A-Z][a-z]+ \d{1,2}, \d{4}$)")
CARRIED_WITH_SIGNATURE = 2


@dataclass
class Finding:
    check: str          # page_number | heading_face | early_end | table_hyphen | doc_number
    page: int | None    # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.check}" + (f" p.{self.page}" if self.page else "") + f": {self.message}"


# --- PDF ---------------------------------------------------------------------------------------
@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    chars: list

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def words(self) -> str:
        """The text with a space where the glyphs leave a gap (PDFs rarely hold space glyphs)."""
        out, prev = [], None
        for c in self.chars:
            if prev is not None and c["x0"] - prev["x1"] > 0.2 * c.get("size", 10):
                out.append(" ")
            out.append(c["text"])
            prev = c
        return "".join(out)


def _lines(chars: list) -> list[_Line]:
    """Chars grouped into text lines (by baseline, within 3 pt)."""
    out: list[_Line] = []
    for c in sorted(chars, key=lambda c: (round(c["bottom"]), c["x0"])):
        if c["text"].isspace():
            continue
        for ln in out:
            if abs(ln.bottom - c["bottom"]) < 3 and not (c["x0"] > ln.x1 + 60 and False):
                ln.chars.append(c)
                ln.top, ln.bottom = min(ln.top, c["top"]), max(ln.bottom, c["bottom"])
                ln.x0, ln.x1 = min(ln.x0, c["x0"]), max(ln.x1, c["x1"])
                break
        else:
            out.append(_Line(c["top"], c["bottom"], c["x0"], c["x1"], [c]))
    for ln in out:
        ln.chars.sort(key=lambda c: c["x0"])
    return sorted(out, key=lambda ln: ln.top)


def _face(c) -> str:
    return c.get("fontname", "").split("+")[-1]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _signature_took_lines(body: list[_Line]) -> bool:
    """Whether a page opens with the body's last lines carried with the 附件说明 or signature
    (GB/T 9704 7.3.5: never a signature page without text): at most CARRIED_WITH_SIGNATURE + 1
    lines, then a blank line (above the 附件说明, or the seal's room above the 署名), then the
    附件说明 or the 署名 down to the date. The 署名 of joint issuers may be several lines each
    (stacked, or wrapped English names), so the date is looked for further down than the carried
    lines."""
    opening = body[:CARRIED_WITH_SIGNATURE + 16]
    sig = next((k for k, ln in enumerate(opening) if _SIG_START.match(ln.text) or _SIG_START.match(ln.words)), None)
    if sig is None:
        return False
    if sig <= CARRIED_WITH_SIGNATURE + 3:
        return True
    gap = next((k for k in range(1, sig + 1) if opening[k].top - opening[k - 1].top > 1.5 * LINE_PT), None)
    return gap is not None and gap <= CARRIED_WITH_SIGNATURE + 1


def pdf_pages(path: str | Path) -> list[dict]:
    """Per page: body lines, footer lines, graphics (rects/curves/images) — measured once."""
    import pdfplumber
    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for p in pdf.pages:
            chars = p.chars
            body = _lines([c for c in chars if c["top"] < TEXT_BOTTOM_PT + 2])
            foot = _lines([c for c in chars if c["top"] >= TEXT_BOTTOM_PT + 2])
            graphics = [(o["top"], o["bottom"]) for o in (p.rects + p.curves + p.images + p.lines)
                        if o["top"] < TEXT_BOTTOM_PT + 2 and o["bottom"] > TEXT_TOP_PT - 60]
            cells = []
            try:
                for t in p.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                    cells += [c for c in t.cells if c]
            except Exception:  # noqa: BLE001 - a page pdfplumber cannot read as tables
                pass
            # horizontal rules (lines, thin rects): (top, bottom) — the 版记's rules among them
            rules = [(o["top"], o["bottom"]) for o in (p.lines + p.rects)
                     if o["x1"] - o["x0"] > 100 and o["bottom"] - o["top"] < 3]
            pages.append({"body": body, "foot": foot, "graphics": graphics, "cells": cells, "rules": rules,
                          "chars": chars, "height": p.height})
    return pages


def check_pdf(path: str | Path, *, doc_number: str | None = None, lang: str = "zh",
              from_docx: bool = False, pages: list[dict] | None = None,
              source_text: str = "") -> list[Finding]:
    """Findings of one PDF. ``doc_number``: the number expected on page 1 (as printed).
    ``from_docx``: the PDF is LibreOffice's rendering of our DOCX. ``source_text``: the data
    file's text, so that a hyphen the text has (fire-safety, Sub-bureau) is not taken for a split."""
    pages = pages if pages is not None else pdf_pages(path)
    out: list[Finding] = []
    n = len(pages)
    # page numbers: "— n —" in the 宋体 stand-in, odd pages right, even pages left
    for i, pg in enumerate(pages, 1):
        nums = [ln for ln in pg["foot"] if re.search(rf"(^|\D){i}(\D|$)", ln.text)]
        if not nums:
            if i < n and (pg["body"] or pg["graphics"]):     # a blank page has none (7.5)
                out.append(Finding("page_number", i, "no page number"))
            continue
        ln = nums[0]
        digits = [c for c in ln.chars if c["text"].isdigit()]
        faces = {_face(c) for c in digits}
        if not all("Song" in f or "宋" in f for f in faces):
            out.append(Finding("page_number", i, f"digits set in {', '.join(sorted(faces))}, not 宋体"))
        if i % 2:
            if ln.x1 < TEXT_RIGHT_PT - 2.5 * CHAR_PT:
                out.append(Finding("page_number", i, f"odd page number not at the right (ends at x={ln.x1:.0f}pt)"))
        elif ln.x0 > TEXT_LEFT_PT + 2.5 * CHAR_PT:
            out.append(Finding("page_number", i, f"even page number not at the left (starts at x={ln.x0:.0f}pt)"))
    # heading faces (Chinese headings: 一、黑体 （一）楷体)
    if lang != "en":
        for i, pg in enumerate(pages, 1):
            for ln in pg["body"]:
                t = ln.text
                if ln.x0 > TEXT_LEFT_PT + 3 * CHAR_PT:   # not at the paragraph indent: inside a table or centred
                    continue
                for rx, want, level in ((_L1, "Hei", 1), (_L2, "Kai", 2)):
                    m = rx.match(t)
                    han = [c for c in ln.chars[m.end():] if re.match(r"[\u3400-\u9fff]", c["text"])] if m else []
                    if han:     # the face of the heading's first Chinese character
                        face = _face(han[0])
                        if want not in face:
                            out.append(Finding("heading_face", i, f"level-{level} heading {t[:12]!r} in {face}, "
                                                                  f"not {'黑体' if level == 1 else '楷体'}"))
    else:
        for i, pg in enumerate(pages, 1):
            for ln in pg["body"]:
                if _EN_L1.match(ln.text) and ln.x0 <= TEXT_LEFT_PT + 3 * CHAR_PT:
                    face = _face(ln.chars[0])
                    if "Bold" not in face and "Hei" not in face:
                        out.append(Finding("heading_face", i, f"level-1 heading {ln.text[:16]!r} in {face}, not bold"))
    # pages ending early
    for i, pg in enumerate(pages, 1):
        if i == n:
            continue
        nxt = pages[i]
        if nxt["body"] and _ANNEX.match(nxt["body"][0].text) and nxt["body"][0].top < TEXT_TOP_PT + LINE_PT:
            continue                      # the annex starts on a new page (7.3.7)
        if i + 1 == n and nxt["body"] and nxt["body"][0].top > TEXT_BOTTOM_PT - 8 * LINE_PT:
            continue                      # the 版记 did not fit and has the last page to itself (7.4)
        if not nxt["body"] and not nxt["graphics"]:
            continue                      # a blank page before the 版记 page follows (7.4.1)
        first_text = nxt["body"][0].top if nxt["body"] else PAGE_H_PT
        if any(top < first_text - 20 and bottom - top > 3 * LINE_PT for top, bottom in nxt["graphics"]):
            continue                      # a figure that did not fit
        if nxt["cells"] and min(c[1] for c in nxt["cells"]) < TEXT_TOP_PT + 3 * LINE_PT:
            continue                      # a table (its caption, header and first row) or a row moved whole
        if _signature_took_lines(nxt["body"]):
            continue                      # the signature took the body's last lines with it (7.3.5)
        bottoms = [ln.bottom for ln in pg["body"]] + [b for _t, b in pg["graphics"]]
        if not bottoms:
            continue
        gap = TEXT_BOTTOM_PT - max(bottoms)
        # a heading kept with its next line leaves up to two lines (measured from the last
        # glyph, which sits about a quarter line above its line box's bottom); a bilingual
        # heading is two lines (both languages), so count the headings the next page opens with
        heads = 0
        for ln in nxt["body"]:
            if _L1.match(ln.text) or _L2.match(ln.text) or _EN_HEAD.match(ln.words):
                heads += 1
            else:
                break
        if gap > (EARLY_END_LINES + max(heads - 1, 0)) * LINE_PT:
            out.append(Finding("early_end", i, f"text ends {gap / PT_PER_MM:.0f} mm "
                                               f"({gap / LINE_PT:.1f} lines) above the bottom of the type area"))
    # hyphenated words at a line end in table cells
    for i, pg in enumerate(pages, 1):
        for (x0, top, x1, bottom) in pg["cells"]:
            inside = [c for c in pg["chars"] if x0 - 1 <= c["x0"] and c["x1"] <= x1 + 1
                      and top - 1 <= c["top"] and c["bottom"] <= bottom + 1]
            lines = _lines(inside)
            for a, b in zip(lines, lines[1:]):
                ta, tb = a.words, b.words
                m = re.search(r"([A-Za-z]+)-$", ta)
                m2 = re.match(r"[a-z]+", tb)
                if m and m2 and f"{m.group(1)}-{m2.group()}".lower() not in source_text.lower():
                    out.append(Finding("table_hyphen", i, f"word split in a table cell: {ta[-12:]!r} / {tb[:10]!r}"))
    # the document number on page 1
    if doc_number and pages:
        first = _squash("".join(ln.text for ln in pages[0]["body"]))
        if _squash(doc_number) not in first:
            out.append(Finding("doc_number", 1, f"document number {doc_number!r} not on page 1"))
    return out


# --- what a reader sees: grid, signature, 版记, table rows, page 1, invisible characters ----------
# Checks that need to know what the document says (the signature's names and date, the 附件说明's
# label, the table cells, the first body line) take it from the IR: :func:`expectations`.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
MIN_PITCH = 0.86 * LINE_PT          # a squeezed page (layout.MIN_LINE_PITCH_FACTOR)


@dataclass
class Expect:
    """What one document says, from its IR (see :func:`expectations`)."""
    lang: str
    names: list[str]                 # the signature's 署名 lines
    date: str | None                 # the signature's date
    attachment_lead: str | None      # "附件：" / "Annexes: " of the first 附件说明
    printed: str | None              # the last line of the 版记 ("…印发"), or its 抄送 lead
    first_body: str | None           # the first text of the body (7.3.3: on page 1)
    cells: list[str]                 # every table cell's text
    issuers: list[str] = field(default_factory=list)   # joint issuers' names in the 版头 (7.2.4)
    mark_word: str = ""              # 文件 beside them


def expectations(rdoc) -> Expect:
    from workplan.render.ir import AttachmentList, Heading, Imprint, Letterhead, Paragraph, Signature, Table
    names, date, lead, printed, first, cells = [], None, None, None, None, []
    issuers, word = [], ""
    for b in rdoc.blocks:
        if isinstance(b, Letterhead) and b.joint:
            issuers, word = list(b.issuer_names), b.mark_word
        elif isinstance(b, Signature) and date is None:
            names, date = [ln for n in b.names for ln in n.split("\n")], b.date.split("\n")[0]
        elif isinstance(b, AttachmentList) and lead is None:
            lead = b.lead
        elif isinstance(b, Imprint):
            printed = printed or (b.printed_text if (b.printer or b.printed_date) else b.cc_lead)
        elif isinstance(b, (Paragraph, Heading)) and first is None and getattr(b, "align", "justify") == "justify":
            first = b.label if isinstance(b, Heading) else b.text
        elif isinstance(b, Table):
            cells += [c for r in b.rows for c in r if c.strip()]
    return Expect(rdoc.lang, names, date, lead, printed, first, cells, issuers, word)


def _key(s: str) -> str:
    return _squash(s).replace("—", "").lower()


def _find_line(pages: list[dict], text: str, start: int = 0, right_half: bool = False):
    """(page index, line index) of the first body line whose text is ``text`` (squashed)."""
    want = _key(text)
    for i in range(start, len(pages)):
        for j, ln in enumerate(pages[i]["body"]):
            if _key(ln.text) == want and (not right_half or ln.x1 > (TEXT_LEFT_PT + TEXT_RIGHT_PT) / 2):
                return i, j
    return None


def _cell_texts(pg: dict) -> list[str]:
    out = []
    for (x0, top, x1, bottom) in pg["cells"]:
        inside = [c for c in pg["chars"] if x0 - 1 <= c["x0"] and c["x1"] <= x1 + 1
                  and top - 1 <= c["top"] and c["bottom"] <= bottom + 1]
        out.append(_key("".join(ln.text for ln in _lines(inside))))
    return out


def _wide(ch: str) -> bool:
    import unicodedata
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _red(c) -> bool:
    col = c.get("non_stroking_color")
    return isinstance(col, (tuple, list)) and len(col) == 3 and col[0] > 0.5 and col[1] < 0.3 and col[2] < 0.3


def check_letterhead(page: dict, exp: Expect) -> list[Finding]:
    """``letterhead``: joint issuers' mark (GB/T 9704 7.2.4) — each issuer's name whole on a line
    of its own (never wrapped mid-name, never run together with another on one condensed line),
    and 文件 to the right of the names, vertically centred across them (within a quarter of the
    mark's size)."""
    if len(exp.issuers) < 2:
        return []
    lines = _lines([c for c in page["chars"] if _red(c) and c.get("size", 0) >= 15])
    out: list[Finding] = []
    where: list[_Line] = []
    for name in exp.issuers:
        hits = [ln for ln in lines if _key(name) in _key(ln.text)]
        if not hits:
            out.append(Finding("letterhead", 1, f"the issuer {name!r} is not whole on one line of the 版头"))
        elif any(sum(_key(n) in _key(ln.text) for n in exp.issuers) > 1 for ln in hits):
            out.append(Finding("letterhead", 1, f"the issuer {name!r} shares a line with another issuer"))
        else:
            where.append(hits[0])
    if out or not exp.mark_word:
        return out
    word = next((ln for ln in lines if _key(ln.text).endswith(_key(exp.mark_word))), None)
    if word is None:
        return [Finding("letterhead", 1, f"{exp.mark_word!r} not found in the 版头")]
    wchars = word.chars[-len(exp.mark_word):]
    left = min(c["x0"] for c in wchars)
    size = wchars[0].get("size", 22)
    names_right = max(max(c["x1"] for c in ln.chars if c not in wchars) for ln in where)
    if left < names_right - 1:
        out.append(Finding("letterhead", 1, f"{exp.mark_word!r} is not to the right of the issuers' names"))
    centre = (min(ln.top for ln in where) + max(ln.bottom for ln in where)) / 2
    mid = (min(c["top"] for c in wchars) + max(c["bottom"] for c in wchars)) / 2
    if abs(mid - centre) > size / 4:
        out.append(Finding("letterhead", 1, f"{exp.mark_word!r} is {mid - centre:+.0f} pt off the centre of the names"))
    return out


def check_reader(pages: list[dict], exp: Expect) -> list[Finding]:
    """What a reader sees (issue 17), measured on laid-out pages (our PDF or LibreOffice's
    rendering of our DOCX): ``grid`` (a body line of Han text holds at most 28 characters),
    ``attachment_gap`` (one blank line before the 附件说明), ``seal_room`` (two blank lines above the
    署名), ``stranded`` (the signature page has at least two lines of body text), ``imprint`` (the 版记
    on the last page, an even one, its last rule on the bottom edge of the type area),
    ``blank_page_number`` (no page number on a blank page), ``row_split`` (no table cell split
    across pages), ``page1_body`` (body text on page 1), ``invisible`` (no invisible characters in
    the text layer), ``letterhead`` (:func:`check_letterhead`)."""
    out: list[Finding] = check_letterhead(pages[0], exp) if pages else []
    n = len(pages)
    # the 28-character grid: full lines of Chinese body text (16 pt, all full-width)
    if exp.lang != "en":
        for i, pg in enumerate(pages, 1):
            for ln in pg["body"]:
                chars = [c for c in ln.chars if not c["text"].isspace()]
                if len(chars) < 20 or not all(_wide(c["text"]) and 15.5 <= c.get("size", 0) <= 16.5 for c in chars):
                    continue
                if ln.x1 < TEXT_RIGHT_PT - CHAR_PT:       # not a full line
                    continue
                indent = round((ln.x0 - TEXT_LEFT_PT) / CHAR_PT)
                if len(chars) + indent > 28:
                    out.append(Finding("grid", i, f"{len(chars)} characters after an indent of {indent} on one line "
                                                  f"({ln.text[:8]}…): more than 28"))
    # invisible characters in the text layer
    for i, pg in enumerate(pages, 1):
        bad = sorted({f"U+{ord(c['text']):04X}" for c in pg["chars"] if INVISIBLE.search(c["text"])})
        if bad:
            out.append(Finding("invisible", i, "invisible characters in the text: " + ", ".join(bad)))
    # body text on page 1 (7.3.3)
    if exp.first_body and pages:
        head = _key(exp.first_body)[:6]
        if head and head not in _key("".join(ln.text for ln in pages[0]["body"])):
            out.append(Finding("page1_body", 1, f"no body text on page 1 (expected {exp.first_body[:10]!r}…)"))
    # signature: 附件说明 one blank line below the body, two above the 署名 (seal), never stranded
    sig = None
    if exp.date:
        d = _find_line(pages, exp.date, right_half=True)
        if d is not None and exp.names:
            pi, j = d
            body = pages[pi]["body"]
            k = j - 1
            names = [_key(x) for x in exp.names]

            def is_name(text: str) -> bool:
                """A 署名 line: one name, part of a wrapped one, or names side by side."""
                key = _key(text)
                if not key:
                    return False
                if any(key in n for n in names):
                    return True
                for n in sorted(names, key=len, reverse=True):
                    key = key.replace(n, "")
                return key == ""
            while k >= 0 and is_name(body[k].text):
                k -= 1
            sig = (pi, k + 1)
    if sig is not None:
        pi, j = sig
        body = pages[pi]["body"]
        att = None
        if exp.attachment_lead:
            lead = _key(exp.attachment_lead)
            att = next((k for k in range(j - 1, -1, -1) if _key(body[k].text).startswith(lead)), None)
            if att is None:
                out.append(Finding("stranded", pi + 1, "the 附件说明 is not on the signature's page"))
            elif att == 0:
                if pi > 0:
                    out.append(Finding("attachment_gap", pi + 1, "the 附件说明 starts a page"))
            elif body[att].top - body[att - 1].bottom < 12.95 + 0.6 * MIN_PITCH:
                out.append(Finding("attachment_gap", pi + 1, "no blank line between the body and the 附件说明"))
        if j == 0:
            if pi > 0:
                out.append(Finding("seal_room", pi + 1, "the signature starts a page"))
        elif body[j].top - body[j - 1].bottom < 12.95 + 1.6 * MIN_PITCH:
            room = (body[j].top - body[j - 1].bottom - 12.95) / LINE_PT
            out.append(Finding("seal_room", pi + 1, f"{room:.1f} blank lines above the 署名, not 2 (no room for the seal)"))
        text_above = att if att is not None else j
        if pi > 0 and text_above < 2:
            out.append(Finding("stranded", pi + 1, f"the signature's page holds {text_above} line(s) of body text"))
    # the 版记 on the last page, an even one, its last rule on the bottom of the type area
    if exp.printed:
        want = _key(exp.printed)
        hit = next(((i, ln) for i in range(n - 1, -1, -1) for ln in pages[i]["body"] if want in _key(ln.text)), None)
        if hit is None:
            out.append(Finding("imprint", None, f"版记 line {exp.printed!r} not found"))
        else:
            i, ln = hit
            if i != n - 1:
                out.append(Finding("imprint", i + 1, "the 版记 is not on the last page"))
            if (i + 1) % 2:
                out.append(Finding("imprint", i + 1, f"the 版记 is on page {i + 1}, an odd page"))
            rules = [b for t, b in pages[i]["rules"] if t > ln.top - 2]
            if not rules:
                out.append(Finding("imprint", i + 1, "no rule under the 版记"))
            elif abs(max(rules) - TEXT_BOTTOM_PT) > 3:
                out.append(Finding("imprint", i + 1, f"the 版记's last rule is {(TEXT_BOTTOM_PT - max(rules)) / PT_PER_MM:.0f} mm "
                                                     "above the bottom edge of the type area"))
    # no page number on a blank page
    for i, pg in enumerate(pages, 1):
        if not pg["body"] and not pg["graphics"] and any(re.search(r"\d", ln.text) for ln in pg["foot"]):
            out.append(Finding("blank_page_number", i, "a blank page carries a page number"))
    # table cells never split across pages
    if exp.cells and n > 1:
        texts = [_cell_texts(pg) for pg in pages]
        for cell in exp.cells:
            k = _key(cell)
            if len(k) < 2 or any(k in t for ts in texts for t in ts):
                continue
            for i in range(n - 1):
                heads = {t for t in texts[i] if t and k.startswith(t)}
                if any(t and k.endswith(t) and k[:len(k) - len(t)] in heads for t in texts[i + 1]):
                    out.append(Finding("row_split", i + 1, f"table cell split across pages: {cell[:16]!r}"))
                    break
    return out


def survey(sources: list[Path], dirs: dict[str, Path], langs=("zh", "en", "zh-en")) -> dict[str, dict[str, list[str]]]:
    """Findings of :func:`check_pdf` and :func:`check_reader` over built documents:
    engine → check → ["<stem>.<lang> p.N: message", …]. ``dirs``: engine name → folder holding
    ``<stem>.<lang>.pdf`` (for "docx", LibreOffice's renderings of the DOCX)."""
    from workplan.model import load_document
    from workplan.render.resolve import build_ir
    out: dict[str, dict[str, list[str]]] = {e: {} for e in dirs}
    for src in sources:
        doc = load_document(src)
        for lang in langs:
            exp = expectations(build_ir(doc, lang, file=str(src), draw=()))
            for engine, d in dirs.items():
                pdf = Path(d) / f"{Path(src).stem}.{lang}.pdf"
                if not pdf.exists():
                    continue
                pages = pdf_pages(pdf)
                found = check_pdf(pdf, doc_number=expected_doc_number(src, "en" if lang == "en" else "zh"), lang=lang,
                                  pages=pages, from_docx=engine == "docx", source_text=Path(src).read_text(encoding="utf-8"))
                found += check_reader(pages, exp)
                for f in found:
                    out[engine].setdefault(f.check, []).append(f"{Path(src).stem}.{lang} {f}")
    return out


# --- DOCX --------------------------------------------------------------------------------------
def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


def _style_chain(styles_el, style_id: str | None):
    by_id = {s.get(_w("styleId")): s for s in styles_el.iter(_w("style"))}
    out, seen = [], set()
    while style_id and style_id in by_id and style_id not in seen:
        seen.add(style_id)
        st = by_id[style_id]
        out.append(st)
        based = st.find(_w("basedOn"))
        style_id = based.get(_w("val")) if based is not None else None
    return out


def _run_font(run_el, para_el, styles_el, attr: str = "eastAsia") -> tuple[str | None, str | None]:
    """(font name for ``attr`` of rFonts, size in half points) of a run, resolved through the run's
    own properties, its character style, the paragraph style chain and the document defaults."""
    def from_rpr(rpr):
        if rpr is None:
            return None, None
        f = rpr.find(_w("rFonts"))
        s = rpr.find(_w("sz"))
        return (f.get(_w(attr)) if f is not None else None), (s.get(_w("val")) if s is not None else None)
    cands = []
    rpr = run_el.find(_w("rPr"))
    cands.append(from_rpr(rpr))
    if rpr is not None and rpr.find(_w("rStyle")) is not None:
        for st in _style_chain(styles_el, rpr.find(_w("rStyle")).get(_w("val"))):
            cands.append(from_rpr(st.find(_w("rPr"))))
    ppr = para_el.find(_w("pPr"))
    ps = ppr.find(_w("pStyle")) if ppr is not None else None
    for st in _style_chain(styles_el, ps.get(_w("val")) if ps is not None else "Normal"):
        cands.append(from_rpr(st.find(_w("rPr"))))
    dd = styles_el.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
    cands.append(from_rpr(dd))
    font = next((f for f, _ in cands if f), None)
    size = next((s for _, s in cands if s), None)
    return font, size


def check_docx(path: str | Path, *, doc_number: str | None = None, lang: str = "zh") -> list[Finding]:
    from docx import Document
    doc = Document(str(path))
    styles_el = doc.styles.element
    out: list[Finding] = []
    # page numbers: the runs of the footers that hold a PAGE field
    sect = doc.sections[0]      # the text's (a 版记 after a blank page has a section of its own, unnumbered)
    footers = {"odd": sect.footer, "even": sect.even_page_footer}
    for side, footer in footers.items():
        if footer.is_linked_to_previous and side == "even" and not doc.settings.odd_and_even_pages_header_footer:
            continue
        for p in footer._element.iter(_w("p")):
            xml = "".join(t.text or "" for t in p.iter(_w("instrText")))
            has_field = "PAGE" in xml or any(f.get(_w("instr"), "").strip().startswith("PAGE")
                                             for f in p.iter(_w("fldSimple")))
            if not has_field:
                continue
            for r in p.iter(_w("r")):
                if r.find(_w("t")) is None and r.find(_w("instrText")) is None:
                    continue
                font, size = _run_font(r, p, styles_el, "ascii")
                if font not in ("宋体", "SimSun"):
                    out.append(Finding("page_number", None, f"{side} footer: page number digits in {font}, not 宋体"))
                    break
                if size != "28":
                    out.append(Finding("page_number", None, f"{side} footer: page number size {size} half-points, not 28 (4号)"))
                    break
            jc = p.find(f"{_w('pPr')}/{_w('jc')}")
            align = jc.get(_w("val")) if jc is not None else None
            if align is None:
                ppr = p.find(_w("pPr"))
                ps = ppr.find(_w("pStyle")) if ppr is not None else None
                for st in _style_chain(styles_el, ps.get(_w("val")) if ps is not None else None):
                    j = st.find(f"{_w('pPr')}/{_w('jc')}")
                    if j is not None:
                        align = j.get(_w("val"))
                        break
            want = "right" if side == "odd" else "left"
            if (align or "left") not in ((want, "end") if want == "right" else (want, "start")):
                out.append(Finding("page_number", None, f"{side} footer aligned {align}, not {want}"))
    # heading faces
    body_text = []
    for p in doc.element.body.iter(_w("p")):
        text = "".join(t.text or "" for t in p.iter(_w("t")))
        body_text.append(text)
        if lang == "en":
            continue
        for rx, want, level in ((_L1, ("黑体",), 1), (_L2, ("楷体_GB2312", "楷体"), 2)):
            if rx.match(text):
                runs = [r for r in p.iter(_w("r")) if r.find(_w("t")) is not None]
                if runs:
                    font, _ = _run_font(runs[0], p, styles_el, "eastAsia")
                    if font not in want:
                        out.append(Finding("heading_face", None, f"level-{level} heading {text[:12]!r} in {font}, "
                                                                 f"not {want[0]}"))
    if doc_number:
        if _squash(doc_number) not in _squash("".join(body_text)):
            out.append(Finding("doc_number", None, f"document number {doc_number!r} not in the document"))
    return out


# --- LibreOffice -------------------------------------------------------------------------------
def soffice() -> str | None:
    import shutil
    return shutil.which("soffice") or shutil.which("libreoffice")


_PDF_EXPORT = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def docx_to_pdf(docx, outdir: str | Path, timeout: int = 600) -> Path | list[Path]:
    """LibreOffice's rendering of a DOCX (what a recipient on Linux prints); several files (a list)
    are converted by one LibreOffice run. The blank pages LibreOffice inserts itself (a section
    that starts on an even page: the 版记's, 7.4.1) are exported, as they are printed: headless
    export leaves them out by default, which would count a duplex document short."""
    import os
    import subprocess
    import tempfile
    files = [Path(d) for d in docx] if isinstance(docx, (list, tuple)) else [Path(docx)]
    outdir = Path(outdir)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", _PDF_EXPORT,
                        "--outdir", str(outdir), *map(str, files)], check=True, capture_output=True, timeout=timeout,
                       env={**os.environ, "HOME": profile})
    out = [outdir / (f.stem + ".pdf") for f in files]
    return out if isinstance(docx, (list, tuple)) else out[0]


def page_count(pdf: str | Path) -> int:
    from pypdf import PdfReader
    return len(PdfReader(str(pdf)).pages)


def expected_doc_number(source: str | Path, lang: str) -> str | None:
    """The document number a corpus file should print (zh form; en form for English outputs)."""
    import yaml
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    dn = data.get("doc_number")
    if not dn:
        return None
    if isinstance(dn, str):
        from workplan.model.document import parse_doc_number
        dn = parse_doc_number(dn)
    if data.get("letterhead") is False:
        return None
    if lang == "en":
        return f"{dn.get('prefix_en') or dn['prefix']} [{dn['year']}] No. {dn['serial']}"
    return f"{dn['prefix']}〔{dn['year']}〕{dn['serial']}号"


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--number", help="expected document number")
    ap.add_argument("--lang", default=None)
    ap.add_argument("--from-docx", action="store_true")
    a = ap.parse_args(argv)
    bad = 0
    for f in a.files:
        lang = a.lang or Path(f).suffixes[-2].lstrip(".")
        fs = (check_docx(f, doc_number=a.number, lang=lang) if f.endswith(".docx")
              else check_pdf(f, doc_number=a.number, lang=lang, from_docx=a.from_docx))
        print(f"{f}: {'ok' if not fs else str(len(fs)) + ' finding(s)'}")
        for x in fs:
            print(f"  {x}")
        bad += bool(fs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
