"""The page model the PDF writers share (WeasyPrint's HTML and Typst), as pandoc keeps its
writers' common code in Writers/Shared.hs: no writer imports another.

- :data:`HAN`: the characters set in the CJK face (the rest of a Chinese line may take the Latin one);
- :func:`page_metrics`: the GB/T 9704 lengths derived from :mod:`workplan.layout` (pitch, gaps, insets);
- :func:`block_views`: each IR block with what a template needs to draw it (bookmarks, the issuer
  mark's size, a table's centred columns, the signature's columns, the 版记's rows).
"""
from __future__ import annotations

import base64
import math
import re
from typing import Any

from markupsafe import Markup

from .. import layout as L
from ..i18n import language_tag
from .ir import AttachmentList, AttachmentStart, Block, Figure, Heading, Imprint, Letterhead, Note, RenderDoc, Signature, Table, Title
from .paginate import joint_mark_size_pt, pagination_of, signature_columns

HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _pt(x: float) -> float:
    """Round a length for CSS (3 decimals are far below a device pixel)."""
    return round(x, 3)


def page_metrics() -> dict[str, Any]:
    """The lengths every PDF writer sets the page with, in points (mm where the name says)."""
    body = L.FONTS["body"].size_pt
    # Tracking that gives the 28-character line (15.79 pt pitch). Rounded towards zero on the
    # hundredth of a point so that 28 advances never exceed the 156 mm line by rounding.
    letter_spacing = math.floor((L.CHAR_PITCH_PT - body) * 100) / 100
    char = body + letter_spacing
    line = L.LINE_PITCH_PT
    return {
        "letter_spacing_pt": _pt(letter_spacing),
        "char_pt": _pt(char),
        "indent_pt": _pt(L.BODY_FIRST_LINE_INDENT_CHARS * char),
        "line_pt": line,
        "doc_number_gap_pt": _pt(L.DOC_NUMBER_GAP_LINES * line),
        "title_gap_pt": _pt(L.TITLE_GAP_LINES * line),
        "recipients_gap_pt": _pt(L.RECIPIENTS_GAP_LINES * line),
        "attachment_list_gap_pt": _pt(L.ATTACHMENT_LIST_GAP_LINES * line),
        "signature_gap_pt": _pt(L.SIGNATURE_GAP_LINES * line),
        "attachment_title_gap_pt": _pt((L.ATTACHMENT_TITLE_LINE - 2) * line),
        "signature_right_pt": _pt(L.SIGNATURE_RIGHT_INDENT_CHARS * char),
        "issuer_mark_top_mm": L.ISSUER_MARK_TOP_MM,
        "page_number_size": L.FONTS["page_number"].size_pt,
        "page_number_inset_pt": _pt(L.PAGE_NUMBER_INSET_CHARS * char),
        "imprint_line_pt": line,
        "imprint_inset_pt": _pt(L.IMPRINT_INDENT_CHARS * char),
    }


def _lang_attr(lang: str) -> Markup:
    # with the region: WeasyPrint hyphenates by the tag, and pyphen's en_US patterns are far better
    # than its plain "en" ones ("crim-i-nal", not "crim-in-al")
    return Markup(' lang="{}"').format(language_tag(lang, region=True))


def _bm(label: str | None) -> tuple[Markup, str]:
    if label is None:
        return Markup(""), " no-bm"
    return Markup(' data-bm="{}"').format(" / ".join(s.strip() for s in label.split("\n") if s.strip())), ""


def _paired(blocks: list[Block], i: int) -> Block | None:
    """In zh-en documents: the English twin that follows a Chinese block of the same kind."""
    b = blocks[i]
    if b.lang == "zh" and i + 1 < len(blocks):
        nxt = blocks[i + 1]
        if type(nxt) is type(b) and nxt.lang == "en":
            return nxt
    return None


def _mark_size(text: str) -> float:
    """The issuer mark at layout.ISSUER_MARK_SIZE_PT, shrunk (in half points) to fit one line."""
    width_pt = L.TEXT_WIDTH_MM / L.MM_PER_PT
    ems = sum(1.0 if HAN.match(c) else L.LATIN_EM_WIDTH for c in text) or 1.0
    size = float(L.ISSUER_MARK_SIZE_PT)
    if ems * size > width_pt:
        size = max(math.floor(width_pt / ems * 2) / 2, float(L.ISSUER_MARK_MIN_PT))
    return size


def _joint_spacing(names: tuple[str, ...], size: float) -> list[tuple[str, float]]:
    """Joint issuers' names with the letter spacing (pt) that spreads each to the longest's width."""
    from .table_widths import text_width_pt
    widest = max((text_width_pt(n, size) for n in names), default=0.0)
    return [(n, round((widest - text_width_pt(n, size)) / (len(n) - 1), 3) if len(n) > 1 else 0.0) for n in names]


def _centred_columns(b: Table) -> set[int]:
    cols = {"task_matrix": {0, 4}, "roster": {0, 1, 2}}.get(b.kind, set())
    if b.rows and all(re.fullmatch(r"[\d.]+", r[0] or "") for r in b.rows if r):
        cols.add(0)
    return cols


def _imprint_groups(imps: list[Imprint]) -> list[list[dict[str, Any]]]:
    cc_rows, printed_rows = [], []
    for imp in imps:
        if imp.cc:
            cc_rows.append({"kind": "cc", "label": imp.cc_lead + imp.gap, "text": imp.cc,
                            "lang_attr": _lang_attr(imp.lang), "lang": imp.lang})
        if imp.printer or imp.printed_date:
            printed_rows.append({"kind": "printed", "left": imp.printer or "", "right": imp.printed_text,
                                 "lang_attr": _lang_attr(imp.lang), "lang": imp.lang})
    return [g for g in (cc_rows, printed_rows) if g]


def block_views(rdoc: RenderDoc) -> list[tuple[str, Block, dict[str, Any]]]:
    blocks = rdoc.blocks
    pg = pagination_of(rdoc)
    first_kept = next((k for k, b in enumerate(blocks) if isinstance(b, (AttachmentList, Signature))), None)
    views: list[tuple[str, Block, dict[str, Any]]] = []
    skip_bm: set[int] = set()
    i = 0
    while i < len(blocks):
        b = blocks[i]
        kind = type(b).__name__
        x: dict[str, Any] = {"lang_attr": _lang_attr(b.lang), "before_sig": first_kept is not None and i == first_kept - 1}
        if isinstance(b, (Title, Heading, AttachmentStart)):
            twin = _paired(blocks, i) if rdoc.lang == "zh-en" else None
            if id(b) in skip_bm:
                label = None
            elif isinstance(b, Title):
                # a title broken over lines is one bookmark line; "\n" separates zh from en
                label = b.one_line + (("\n" + twin.one_line) if isinstance(twin, Title) else "")
            elif isinstance(b, Heading):
                label = (b.label + (("\n" + twin.label) if isinstance(twin, Heading) else "")) if b.level <= 2 else None
            else:
                label = f"{b.label} {b.title}"          # zh-en titles are "zh\nen": _bm joins with " / "
            if twin is not None:
                skip_bm.add(id(twin))
            x["bm_attr"], x["bm_class"] = _bm(label)
            x["bm_label"] = label       # the raw label, for writers that are not HTML (render/typst)
        if isinstance(b, Heading):
            x["tag"] = f"h{min(b.level + 1, 6)}"
            x["role"] = L.HEADING_ROLES.get(b.level, "h4")
        elif isinstance(b, Letterhead):
            x["mark_size_pt"] = (joint_mark_size_pt(b.issuer_names, b.mark_word) if b.joint
                                 else _mark_size(b.issuer_mark))
            x["name_spacing"] = _joint_spacing(b.issuer_names, x["mark_size_pt"])
            x["signatory_label"] = b.signatory_label
        elif isinstance(b, Table):
            x["centred"] = _centred_columns(b)
            x["split_rows"] = {r for r, s in enumerate(pg.row_splits.get(i, [])) if s}
        elif isinstance(b, AttachmentList):
            x["label"] = b.lead
            x["numbered"] = len(b.items) > 1
            x["num_space"] = b.gap
        elif isinstance(b, Note):
            x["text"] = b.enclosed
        elif isinstance(b, Signature):
            # lines wider than the room 4 字 from the right: the box starts at the left edge
            # (a line wider than the type area wraps inside it)
            from .table_widths import text_width_pt
            d = page_metrics()
            room = L.TEXT_WIDTH_MM / L.MM_PER_PT - d["signature_right_pt"]
            widest = max((text_width_pt(line, L.FONTS["body"].size_pt) for n in (*b.names, b.date)
                          for line in n.split("\n")), default=0.0)
            x["wide"] = widest > room
            # joint issuers side by side (paginate.signature_columns), the date under the last name
            cols = signature_columns(b.names)
            x["rows"] = [b.names[k:k + cols] for k in range(0, len(b.names), cols)] if cols else []
            x["columns"] = cols
            x["date_column"] = (len(b.names) - 1) % cols if cols else 0
        elif isinstance(b, Figure):
            if b.svg:
                x["src"] = "data:image/svg+xml;base64," + base64.b64encode(b.svg).decode("ascii")
            elif b.png:
                x["src"] = "data:image/png;base64," + base64.b64encode(b.png).decode("ascii")
            else:
                x["src"] = None
        elif isinstance(b, Imprint):
            imps = [b]
            while i + 1 < len(blocks) and isinstance(nxt := blocks[i + 1], Imprint):
                i += 1
                imps.append(nxt)
            x["groups"] = _imprint_groups(imps)
        views.append((kind, b, x))
        i += 1
    return views


__all__ = ["HAN", "block_views", "page_metrics"]
