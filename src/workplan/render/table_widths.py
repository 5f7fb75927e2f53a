"""Table column widths from the content, shared by every writer (DOCX, WeasyPrint, Typst).

A column must hold its longest unbreakable piece — an English word, a date, a number, a short
Chinese heading — so that names, dates and unit names are never split or hyphenated. Beyond
that, the width is shared as in CSS automatic table layout: each column gets its minimum plus a
share of the room it could use (its longest cell on one line), so the task column, whose texts
are long, takes what the short columns (序号, dates) leave.

Widths are measured with the faces the PDF embeds (layout.FONT_FILES): Latin words in Liberation
Serif (Times New Roman metrics, what Word uses), Chinese characters one em each.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .. import layout as L

# A Chinese date (2023年6月30日前), a Western date (June 30, 2023 is three words) and every run of
# non-space, non-CJK characters are unbreakable; a CJK character may break anywhere.
_ZH_DATE = re.compile(r"\d{1,2}月\d{1,2}日[前止]?|\d{4}年|\d{1,2}月")   # 2023年 / 6月30日前
_OPENING = "（《“‘〔【"
_CLOSING = "）》”’〕】，。、；：！？"


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


@lru_cache(maxsize=4)
def _font(bold: bool):
    try:
        from PIL import ImageFont
        return ImageFont.truetype(L.FONT_FILES["WP Latin Bold" if bold else "WP Latin"][0], 100)
    except Exception:  # noqa: BLE001 - no Pillow or no font file: fall back to an estimate
        return None


def text_width_pt(s: str, size_pt: float, bold: bool = False) -> float:
    """Printed width of ``s`` at ``size_pt``: CJK characters one em, Latin text measured."""
    total, latin = 0.0, []
    for ch in s:
        if _wide(ch):
            total += size_pt
        else:
            latin.append(ch)
    if latin:
        run = "".join(latin)
        f = _font(bold)
        if f is not None:
            total += f.getlength(run) / 100 * size_pt
        else:
            total += sum(0.72 if c.isupper() else 0.52 for c in run) * size_pt
    return total


def pieces(text: str) -> list[str]:
    """The unbreakable pieces of a cell text."""
    out: list[str] = []
    for line in text.split("\n"):
        for word in line.split():
            i = 0
            while i < len(word):
                m = _ZH_DATE.match(word, i)
                if m:
                    out.append(m.group())
                    i = m.end()
                    continue
                if _wide(word[i]):
                    j = i + 1
                    while j < len(word) and word[j] in _CLOSING:   # 。、 stay with their character
                        j += 1
                    out.append(word[i:j])
                    i = j
                    continue
                j = i
                while j < len(word) and not _wide(word[j]):
                    j += 1
                out.append(word[i:j])
                i = j
    return out


def column_widths(header: list[str], rows: list[list[str]], *, flex: int | None = None,
                  base: tuple[float, ...] | list[float] = (), total_mm: float = L.TEXT_WIDTH_MM,
                  size_pt: float | None = None) -> tuple[float, ...]:
    """Widths in mm (summing to ``total_mm``) for a table's columns.

    Every column is at least as wide as its longest unbreakable piece; the room left is shared in
    proportion to what each column's longest cell could still use. When every cell fits on one
    line, ``flex`` (the task column) takes the rest. ``base`` (layout's design widths) is kept
    for callers and ignored."""
    size = size_pt or L.FONTS["table"].size_pt
    ncols = max([len(header)] + [len(r) for r in rows]) if (header or rows) else 0
    if ncols == 0:
        return ()
    pad = L.TABLE_CELL_SPACE_MM
    mins, maxs = [], []
    for c in range(ncols):
        cells = [(r[c] if c < len(r) else "", False) for r in rows]
        if c < len(header):
            cells.append((header[c], True))
        lo, hi = 0.0, 0.0
        for text, is_head in cells:
            for piece in pieces(text):
                lo = max(lo, text_width_pt(piece, size, bold=is_head))
            for line in text.split("\n"):
                # a short Chinese heading (序号, 牵头单位) is read as one word
                w = text_width_pt(line, size, bold=is_head)
                if is_head and sum(map(_wide, line)) == len(line) and len(line) <= 4:
                    lo = max(lo, w)
                hi = max(hi, w)
        mins.append(lo * L.MM_PER_PT + pad)
        maxs.append(max(hi * L.MM_PER_PT + pad, mins[-1]))
    if flex is None or not 0 <= flex < ncols:
        flex = max(range(ncols), key=lambda i: maxs[i])
    lo_sum, hi_sum = sum(mins), sum(maxs)
    if lo_sum >= total_mm:                 # too narrow for every word: shrink the minimums alike
        return tuple(w * total_mm / lo_sum for w in mins)
    if hi_sum <= total_mm:                 # every cell fits on one line: the task column takes the rest
        widths = list(maxs)
        widths[flex] += total_mm - hi_sum
        return tuple(widths)
    # as CSS automatic table layout: each column its longest word, plus a share of the room left
    # in proportion to what it could still use, so long cells (lists of units) get room and rows
    # stay low, while a column of short texts (序号, dates) is not stretched
    k = (total_mm - lo_sum) / (hi_sum - lo_sum)
    return tuple(lo + (hi - lo) * k for lo, hi in zip(mins, maxs))


# the column that takes the rest, by table kind
FLEX_COLUMN = {"task_matrix": 1, "roster": 3, "targets": 1, "generic": 1}


__all__ = ["FLEX_COLUMN", "column_widths", "pieces", "text_width_pt"]
