"""Pagination: the page decisions every writer follows, as one typed value between the IR and
the writers.

A writer only draws. What goes on which page is decided here, once per document and language:

- :func:`plan` (before any writer) — the table row policy: a row never splits across pages
  unless it is taller than a page (then it must);
- the PDF engine that lays the document out records what it measured into the same
  :class:`Pagination` (:meth:`Pagination.record`), and the writers after it (the DOCX) follow:
  whether the body's last lines go with the signature to its page, how many (never one: GB/T
  9704 7.3.5 allows no signature page without body text, and no widow line), whether the
  blank lines above the 附件说明 and the 署名 were closed (7.3.5.1, only as a last resort), and
  where the 版记 goes (7.4.1: on the last page, an even one; a blank page before it when the
  text ends on an even page that has no room left, and then neither that page nor the 版记's
  is numbered, 7.5).

The decisions are data, not code in the writers: the Typst template, the WeasyPrint stylesheet
and the DOCX body each read :class:`Pagination` and none decides again.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import layout as L
from .ir import RenderDoc, Table

# A cell's line: 4号 at single spacing (layout.TABLE_CELL_LINE_HEIGHT), and the room a row
# needs besides its lines (both vertical paddings and a rule).
_CELL_LINE_PT = L.TABLE_CELL_LINE_HEIGHT * L.FONTS["table"].size_pt
_ROW_EXTRA_PT = 2 * L.TABLE_CELL_PADDING_MM[0] / L.MM_PER_PT + L.TABLE_RULE_PT
_PAGE_PT = L.TEXT_HEIGHT_MM / L.MM_PER_PT
CARRIED_LINES = 2        # lines of body text that go with a signature pushed to a new page


@dataclass
class Pagination:
    """Where pages break, for every writer of one document (see the module's docstring)."""
    # table block index (in RenderDoc.blocks) → per row: True when the row may split across pages
    row_splits: dict[int, list[bool]] = field(default_factory=dict)
    # lines of the body's last paragraph carried to the signature's page (0: the signature
    # fits under the body where it ends)
    carry_lines: int = 0
    # the blank lines above the 附件说明 and the 署名 kept (False only where nothing else fits)
    signature_gaps: bool = True
    # the 版记 starts a page of its own (its page is then even: the text ended on an odd page,
    # or a blank page comes first, see imprint_blank_before)
    imprint_new_page: bool = False
    imprint_blank_before: bool = False     # a blank page before the 版记 page: both unnumbered (7.5)
    # the lines from the title to the first body line set at this fraction of their pitch, so that
    # page 1 shows body text (7.3.3); None: at their pitch
    page_one_factor: float | None = None
    measured_by: str | None = None         # the engine whose layout the decisions come from

    def row_may_split(self, block_index: int, row: int) -> bool:
        rows = self.row_splits.get(block_index)
        return bool(rows and row < len(rows) and rows[row])

    def record(self, engine: str, *, carry_lines: int, signature_gaps: bool, imprint_new_page: bool,
               imprint_blank_before: bool, page_one_factor: float | None = None) -> None:
        """What a PDF engine measured; the writers after it follow."""
        self.carry_lines, self.signature_gaps = carry_lines, signature_gaps
        self.page_one_factor = page_one_factor
        self.imprint_new_page, self.imprint_blank_before = imprint_new_page, imprint_blank_before
        self.measured_by = engine


def _cell_lines(text: str, width_mm: float) -> int:
    from .table_widths import text_width_pt
    room = max(width_mm / L.MM_PER_PT - 2 * L.TABLE_CELL_PADDING_MM[1] / L.MM_PER_PT, 1.0)
    size = L.FONTS["table"].size_pt
    return sum(max(1, math.ceil(text_width_pt(line, size) / room)) for line in (text or "").split("\n"))


def row_height_pt(row: list[str], widths_mm: tuple[float, ...]) -> float:
    """An upper estimate of a table row's height (its tallest cell's lines at single spacing)."""
    lines = max((_cell_lines(c, w) for c, w in zip(row, widths_mm)), default=1)
    return lines * _CELL_LINE_PT * 1.1 + _ROW_EXTRA_PT


def signature_columns(names: list[str]) -> int:
    """Joint issuers' 署名 side by side (GB/T 9704 7.3.5.2), so that each seal sits on its own
    name: how many names a row holds (2, or 3 for three, five, six… names), or 0 to stack them
    (one issuer, or a name too wide for its column)."""
    from .table_widths import text_width_pt
    if len(names) < 2:
        return 0
    per, room = L.signature_column_room(len(names))
    size = L.FONTS["body"].size_pt
    if any(text_width_pt(line, size) > room for n in names for line in n.split("\n")):
        return 0
    return per


def joint_mark_size_pt(names: tuple[str, ...] | list[str], word: str) -> float:
    """The size of a joint issuers' mark (7.2.4): layout.ISSUER_MARK_SIZE_PT, shrunk in half points
    until the longest name, the gap and 文件 fit the type width on one line (not below
    layout.ISSUER_MARK_MIN_PT: a longer name then wraps within its column)."""
    from .table_widths import text_width_pt
    size = float(L.ISSUER_MARK_SIZE_PT)
    ems = (max((text_width_pt(n, size) for n in names), default=0.0) + text_width_pt(word, size)) / size \
        + L.JOINT_MARK_GAP_EM
    width_pt = L.TEXT_WIDTH_MM / L.MM_PER_PT
    if ems * size > width_pt:
        size = max(math.floor(width_pt / ems * 2) / 2, float(L.ISSUER_MARK_MIN_PT))
    return size


def plan(rdoc: RenderDoc) -> Pagination:
    """The decisions that need no layout (the table row policy), stored on ``rdoc.pagination``."""
    p = Pagination()
    for i, b in enumerate(rdoc.blocks):
        if isinstance(b, Table):
            # a row taller than a page (less a repeated header) must split; no other row does
            room = _PAGE_PT - (row_height_pt(b.header, b.widths_mm) if b.header else 0.0)
            p.row_splits[i] = [row_height_pt(r, b.widths_mm) > room for r in b.rows]
    rdoc.pagination = p
    return p


def pagination_of(rdoc: RenderDoc) -> Pagination:
    """``rdoc``'s pagination, planned on first use."""
    return rdoc.pagination if rdoc.pagination is not None else plan(rdoc)


__all__ = ["CARRIED_LINES", "Pagination", "joint_mark_size_pt", "pagination_of", "plan", "row_height_pt",
           "signature_columns"]
