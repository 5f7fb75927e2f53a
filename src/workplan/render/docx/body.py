"""The body of a DOCX document: IR blocks → WordprocessingML, generated in one pass as one
string (one parse: linear in the document's size) and spliced in place of the template's
``{{ body }}`` marker; images go through python-docx.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata

from docx.oxml import parse_xml
from docx.oxml.ns import qn

from ... import layout as L
from ...errors import Problem, WorkplanError
from ..ir import (AttachmentList, AttachmentStart, Figure, Heading, Imprint, Letterhead, Note, PageBreak, Paragraph,
                  Recipients, Signature, Table, Title)
from ..paginate import Pagination, joint_mark_size_pt, signature_columns
from . import oxml as X
from . import styles as S
from .oxml import esc as _esc
from .oxml import run as _run

IMPRINT_AT_PAGE_BOTTOM = True   # 版记 as a table floated to the bottom of the 版心 (7.4)
IMPRINT_BOX_SLACK_LINES = 0.5   # the 版记 box is this much short of its lines and a blank one above (the PDF engines let its top rule come as close)


# --- text helpers ----------------------------------------------------------------------------
def _strip_tags(xml: str) -> str:
    """The text of a generated paragraph."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _has_cjk(s: str) -> bool:
    return any(_is_wide(c) for c in s)


def _width_chars(s: str) -> float:
    """Rough width in 字 (one CJK character): full-width 1, punctuation/space ¼, other ½."""
    w = 0.0
    for c in s:
        if _is_wide(c):
            w += 1.0
        elif c in ".,:;' ":
            w += 0.25
        else:
            w += 0.5
    return w


_ZH_HINT = '<w:rFonts w:hint="eastAsia"/>'


def _lang_rpr(lang: str, **extra: str) -> str:
    """Run properties by language: Chinese runs send ambiguous characters (“ ” — …) to the
    East Asian font, so quotes and dashes are set in 仿宋, not Times New Roman."""
    if lang != "en":
        extra.setdefault("rFonts", _ZH_HINT)
    else:  # English runs say so, whatever the template's default: Word hyphenates by it
        extra.setdefault("lang", '<w:lang w:val="en-US"/>')
    return X.rpr(**extra)


def _lines_runs(text: str, lang: str, en_extra: dict[str, str] | None = None,
                zh_extra: dict[str, str] | None = None) -> str:
    """Runs for text whose lines may be in different languages (zh-en cells, titles)."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:r><w:br/></w:r>")
        line_lang = ("zh" if _has_cjk(line) else "en") if lang == "zh-en" else lang
        extra = (en_extra if line_lang == "en" else zh_extra) or {}
        out.append(_run(line, _lang_rpr(line_lang, **extra)))
    return "".join(out)


def _en_emphasis(role: str) -> dict[str, str]:
    """Run properties that give a role's English text its stand-in emphasis (layout.english_emphasis)
    beyond what the role's style already has."""
    bold, italic = L.english_emphasis(role)
    parts: dict[str, str] = {}
    if bold and not L.FONTS[role].bold:
        parts.update(b="<w:b/>", bCs="<w:bCs/>")
    if italic:
        parts.update(i="<w:i/>", iCs="<w:iCs/>")
    return parts


_EN_HEADING = {level: _en_emphasis(role) for level, role in L.HEADING_ROLES.items()}
_EN_TITLE = _en_emphasis("title")


def _add_keep_next(p_xml: str) -> str:
    """Insert <w:keepNext/> right after the pStyle of a generated paragraph."""
    m = re.match(r'(<w:p><w:pPr><w:pStyle w:val="[^"]*"/>)', p_xml)
    return m.group(1) + "<w:keepNext/>" + p_xml[m.end():] if m else p_xml


class Body:
    def __init__(self, ids: dict[str, str], document, draw_letterhead: bool):
        self.ids = ids
        self.document = document
        self.draw_letterhead = draw_letterhead
        self.out: list[str] = []
        self.break_pending = False
        self.image_id = 5000
        self.doc_lang = "zh"
        self.tight = False      # no blank lines above the 附件说明 and the signature (RenderDoc.pagination)
        self.pagination: Pagination | None = None  # the page decisions this writer follows
        self.index = 0          # the index of the block being written
        self.imprint_section = False    # the 版记 is a section of its own, on an even page (even_page_imprint)

    # paragraphs
    def p(self, style: str, runs: str, **ppr_parts: str) -> None:
        if self.break_pending:
            ppr_parts["pageBreakBefore"] = "<w:pageBreakBefore/>"
            self.break_pending = False
        pp = X.ppr(pStyle=f'<w:pStyle w:val="{self.ids[style]}"/>', **ppr_parts)
        self.out.append(f"<w:p>{pp}{runs}</w:p>")

    def flush_break(self) -> None:
        if self.break_pending:
            self.out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            self.break_pending = False

    # blocks
    def build(self, blocks: list) -> None:
        i = 0
        while i < len(blocks):
            b = blocks[i]
            prev = blocks[i - 1] if i else None
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if isinstance(b, Imprint):
                group = [b]
                while i + 1 < len(blocks) and isinstance(blocks[i + 1], Imprint):
                    i += 1
                    group.append(blocks[i])
                self.imprint(group)
            else:
                n_before = len(self.out)
                self.index = i
                getattr(self, type(b).__name__.lower())(b, prev, nxt)
                if isinstance(nxt, (AttachmentList, Signature, Table, Figure)) and isinstance(b, (Paragraph, Heading)) \
                        and len(self.out) > n_before and "<w:keepNext/>" not in self.out[-1]:
                    # a caption or lead-in stays with its table/figure; the last text line goes with
                    # the 附件说明/signature, so no page holds a lone signature
                    self.out[-1] = _add_keep_next(self.out[-1])
            i += 1
        if not self.out or not self.out[-1].startswith("<w:p>"):
            self.flush_break()
            self.out.append(f'<w:p><w:pPr><w:pStyle w:val="{self.ids[S.BODY]}"/>'
                            '<w:spacing w:line="20" w:lineRule="exact"/></w:pPr></w:p>')

    def letterhead(self, b: Letterhead, prev, nxt) -> None:
        if not self.draw_letterhead:
            return
        for xml in S.letterhead_paragraphs(self.ids, _esc(b.issuer_mark), _esc(b.doc_number or ""),
                                           _esc(b.signatory) if b.signatory else None,
                                           _esc(b.signatory_label)):
            self.out.append(xml.replace(f" {X.NSDECL}", ""))

    def page_one(self) -> float | None:
        """The factor of the title's and recipients' line pitch (Pagination.page_one_factor)."""
        return self.pagination.page_one_factor if self.pagination is not None else None

    def title(self, b: Title, prev, nxt) -> None:
        extra = {}
        f = self.page_one()
        if f:
            extra["spacing"] = X.spacing(round(S.PITCH_TW * f))
        if isinstance(nxt, Title) or b.subtitle:
            extra["spacing"] = X.spacing(round(S.PITCH_TW * (f or 1)), before=0, after=0)
        if isinstance(prev, Title):
            extra["keepNext"] = "<w:keepNext/>"
        self.p(S.TITLE, _lines_runs(b.text, b.lang, en_extra=_EN_TITLE), **extra)
        if b.subtitle:
            self.p(S.SUBTITLE, _lines_runs(b.subtitle, b.lang),
                   **({"spacing": X.spacing(S.PITCH_TW, before=0, after=0)} if isinstance(nxt, Title) else {}))

    def recipients(self, b: Recipients, prev, nxt) -> None:
        f = self.page_one()
        extra = {"spacing": X.spacing(round(S.PITCH_TW * f))} if f else {}
        self.p(S.RECIPIENTS, _lines_runs(b.text, b.lang), **extra)

    def paragraph(self, b: Paragraph, prev, nxt) -> None:
        extra = {}
        if not b.indent or b.align == "center":
            extra["ind"] = S.ind(first_chars=0)
        if b.align != "justify":
            jc = b.align if b.align in ("center", "right", "left") else "both"
            extra["jc"] = f'<w:jc w:val="{jc}"/>'
        elif self.ragged(b):
            extra["jc"] = '<w:jc w:val="left"/>'
            extra["suppressAutoHyphens"] = "<w:suppressAutoHyphens/>"
        self.p(S.BODY, _lines_runs(b.text, b.lang), **extra)

    def ragged(self, b) -> bool:
        """English blocks of a bilingual document are set ragged right: justified on the Chinese
        grid their word spaces grow wide."""
        return self.doc_lang == "zh-en" and b.lang == "en"

    def heading(self, b: Heading, prev, nxt) -> None:
        en = b.lang == "en"
        head = _run(b.label, _lang_rpr(b.lang, **(_EN_HEADING[b.level] if en else {})))
        extra = {}
        if b.body:
            bold = L.FONTS[L.HEADING_ROLES[b.level]].bold or (en and "b" in _EN_HEADING[b.level])
            parts = {"rStyle": f'<w:rStyle w:val="{self.ids[S.BODY_CHAR]}"/>'}
            if bold:
                parts.update(b='<w:b w:val="0"/>', bCs='<w:bCs w:val="0"/>')
            if en and "i" in _EN_HEADING[b.level]:
                parts.update(i='<w:i w:val="0"/>', iCs='<w:iCs w:val="0"/>')
            head += _run(b.joiner + b.body, _lang_rpr(b.lang, **parts))
        elif b.keep_with_next:
            extra["keepNext"] = "<w:keepNext/>"
        if self.ragged(b):
            extra["jc"] = '<w:jc w:val="left"/>'
            extra["suppressAutoHyphens"] = "<w:suppressAutoHyphens/>"
        self.p(S.HEADINGS[b.level], head, **extra)

    def table(self, b: Table, prev, nxt) -> None:
        self.flush_break()
        if self.out and self.out[-1].startswith("<w:tbl>"):
            self.p(S.BODY, "")
        ncols = max([len(b.header)] + [len(r) for r in b.rows]) if (b.header or b.rows) else 0
        if ncols == 0:
            return
        widths = [float(w) for w in b.widths_mm][:ncols]
        if len(widths) != ncols or any(w <= 0 for w in widths):
            widths = [L.TEXT_WIDTH_MM / ncols] * ncols
        total = sum(widths)
        if total > L.TEXT_WIDTH_MM + 0.01 or abs(total - L.TEXT_WIDTH_MM) < 0.5:
            widths = [w * L.TEXT_WIDTH_MM / total for w in widths]
        size = L.FONTS["table"].size_pt
        rows = [list(r) + [""] * (ncols - len(r)) for r in b.rows]
        header = list(b.header) + [""] * (ncols - len(b.header))
        # (the IR sized the columns from their content: render/table_widths.py)
        tw = [L.mm_to_twips(w) for w in widths]
        if abs(sum(widths) - L.TEXT_WIDTH_MM) < 0.01:
            tw[-1] += S.TEXT_WIDTH_TW - sum(tw)

        def fits(col: int) -> bool:
            avail = tw[col] / 20 - 2 * S.TABLE_CELL_MARGIN_TW / 20
            return all(_width_chars(line) * size <= avail for r in rows for line in r[col].split("\n"))
        centre = [c == 0 or fits(c) for c in range(ncols)]

        def cell(text: str, w: int, style: str, jc: str | None) -> str:
            pp = X.ppr(pStyle=f'<w:pStyle w:val="{self.ids[style]}"/>', jc=f'<w:jc w:val="{jc}"/>' if jc else "")
            return (f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                    f"<w:p>{pp}{_lines_runs(text, b.lang)}</w:p></w:tc>")

        out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.ids[S.TABLE]}"/><w:tblW w:w="{sum(tw)}" w:type="dxa"/>'
               '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
               '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
               'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
               + "".join(f'<w:gridCol w:w="{w}"/>' for w in tw) + "</w:tblGrid>"]
        if b.header:
            trpr = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if b.repeat_header else "") + "</w:trPr>"
            out.append(f"<w:tr>{trpr}" + "".join(cell(h, tw[c], S.TABLE_HEADER, None)
                                                 for c, h in enumerate(header)) + "</w:tr>")
        for k, r in enumerate(rows):
            # a row stays whole on its page unless it is taller than a page (render/paginate.py)
            split = self.pagination is not None and self.pagination.row_may_split(self.index, k)
            out.append(("<w:tr>" if split else "<w:tr><w:trPr><w:cantSplit/></w:trPr>") + "".join(cell(t, tw[c], S.TABLE_TEXT, "center" if centre[c] else None)
                                          for c, t in enumerate(r)) + "</w:tr>")
        out.append("</w:tbl>")
        self.out.append("".join(out))

    def attachmentlist(self, b: AttachmentList, prev, nxt) -> None:
        if not b.items:
            return
        spaced = bool(b.gap)          # English: a space after the colon and the number
        label = b.lead
        lw = _width_chars(label)
        numbered = len(b.items) > 1
        num_w = (_width_chars(f"{len(b.items)}.") + 0.25) if numbered else 0.0
        left = L.BODY_FIRST_LINE_INDENT_CHARS + lw + num_w + (0.25 if spaced else 0)
        first_space = {} if isinstance(prev, AttachmentList) else {
            "spacing": X.spacing(S.PITCH_TW, before=0 if self.tight else S.PITCH_TW, after=0)}
        for i, item in enumerate(b.items, 1):
            num = f"{i}." if numbered else ""
            if i == 1:
                text = label + num + ("\t" if (numbered or spaced) else "") + item
                hanging = lw + num_w + (0.25 if spaced else 0)
            else:
                text = num + "\t" + item
                hanging = num_w
            # kept with what follows: the 附件说明 and the signature stay on one page
            self.p(S.ATTACH_LIST, _run(text, _lang_rpr(b.lang)), keepNext="<w:keepNext/>",
                   ind=S.ind(left_chars=left, hanging_chars=hanging), **(first_space if i == 1 else {}))

    def signature(self, b: Signature, prev, nxt) -> None:
        before = {} if isinstance(prev, Signature) else {
            "spacing": X.spacing(S.PITCH_TW, before=0 if self.tight else 2 * S.PITCH_TW, after=0)}
        right: float = L.SIGNATURE_RIGHT_INDENT_CHARS
        cols = signature_columns(b.names)
        if cols:
            # joint issuers (7.3.5.2): names side by side on centre tabs, one column each, two blank
            # lines between rows; the date under the last name
            step = S.TEXT_WIDTH_TW / cols
            tabs = "<w:tabs>" + "".join(f'<w:tab w:val="center" w:pos="{round((c + 0.5) * step)}"/>'
                                        for c in range(cols)) + "</w:tabs>"
            common = {"tabs": tabs, "ind": S.ind(first_chars=0), "jc": '<w:jc w:val="left"/>'}
            for r in range(0, len(b.names), cols):
                row = [n.split("\n") for n in b.names[r:r + cols]]
                # a name on two lines (ir.break_joint_names): a paragraph per line, each name's
                # lines centred on its column's tab
                for k in range(max(len(n) for n in row)):
                    spacing = (before if r == 0 and k == 0 else
                               {"spacing": X.spacing(S.PITCH_TW, before=0 if k else 2 * S.PITCH_TW, after=0)})
                    self.p(S.SIGNATURE, _run("\t" + "\t".join(n[k] if k < len(n) else "" for n in row),
                                             _lang_rpr(b.lang)),
                           keepNext="<w:keepNext/>", **common, **spacing)
            # the date centred under the last name, or flush with the right edge where it is wider
            last = (len(b.names) - 1) % cols
            date_tw = _width_chars(b.date) * X.twips(L.FONTS["body"].size_pt)
            right_tw = max(0, round(S.TEXT_WIDTH_TW - (last + 0.5) * step - date_tw / 2))
            self.p(S.SIGNATURE, _run(b.date, _lang_rpr(b.lang)), jc='<w:jc w:val="right"/>',
                   ind=X.ind_tw(left=0, right=right_tw, first=0))
            return
        stacked_gap = {"spacing": X.spacing(S.PITCH_TW, before=2 * S.PITCH_TW, after=0)}
        if b.lang == "zh":
            # sealed layout (7.3.5.1): the date 4 字 from the right, each name centred over the date
            dw = _width_chars(b.date)
            for name in b.names:
                name_right = max(0.0, right + (dw - _width_chars(name)) / 2)
                self.p(S.SIGNATURE, _run(name, _lang_rpr("zh")), ind=S.ind(right_chars=name_right, first_chars=0),
                       keepNext="<w:keepNext/>", **before)
                before = stacked_gap      # stacked joint issuers: a seal's room between names
        else:
            for name in b.names:
                self.p(S.SIGNATURE, _lines_runs(name, b.lang), keepNext="<w:keepNext/>", **before)
                before = stacked_gap
        self.p(S.SIGNATURE, _lines_runs(b.date, b.lang), **(before if not b.names else {}))

    def note(self, b: Note, prev, nxt) -> None:
        self.p(S.NOTE, _lines_runs(b.enclosed, b.lang))

    def attachmentstart(self, b: AttachmentStart, prev, nxt) -> None:
        self.break_pending = True
        self.p(S.ATTACH_LABEL, _lines_runs(b.label, b.lang))
        self.p(S.ATTACH_TITLE, _lines_runs(b.title, b.lang, en_extra=_EN_TITLE))

    def pagebreak(self, b: PageBreak, prev, nxt) -> None:
        self.flush_break()
        self.break_pending = True

    def figure(self, b: Figure, prev, nxt) -> None:
        if b.png:
            from docx.shared import Mm
            width = Mm(min(b.width_mm or L.TEXT_WIDTH_MM, L.TEXT_WIDTH_MM))
            try:
                inline = self.document.part.new_pic_inline(io.BytesIO(b.png), width, None)
                max_h = Mm(L.TEXT_HEIGHT_MM - L.FIGURE_CAPTION_ROOM_MM)
                if inline.extent.cy > max_h:
                    inline = self.document.part.new_pic_inline(io.BytesIO(b.png), None, max_h)
            except Exception as e:  # python-docx: UnrecognizedImageError and friends
                raise WorkplanError(Problem(f"figure '{b.caption}': the image cannot be read ({e})",
                                            hint="give PNG or JPEG image data")) from None
            self.image_id += 1
            inline.docPr.id = self.image_id
            inline.docPr.name = f"Figure {self.image_id}"
            from lxml import etree
            self.p(S.FIGURE, f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r>")
        if b.caption:
            self.p(S.CAPTION, _lines_runs(b.caption, b.lang))

    def imprint(self, group: list[Imprint]) -> None:
        """版记: 抄送 and 印发 lines in 4号 仿宋 between rules (thick, thin between, thick) the
        width of the 版心; zh-en puts both languages inside one set of rules.

        A one-column table gives exact full-width rules (its borders) while the lines keep their
        1-字 insets. With IMPRINT_AT_PAGE_BOTTOM it floats to the bottom edge of the 版心 (7.4.1)
        in Word and WPS; LibreOffice before 7.6 does not float full-width tables and sets it
        where it stands, after the last text, which is also acceptable."""
        self.flush_break()
        size_tw = X.twips(L.FONTS["imprint"].size_pt)
        inset = L.IMPRINT_INDENT_CHARS * size_tw
        style = f'<w:pStyle w:val="{self.ids[S.IMPRINT]}"/>'
        cc_ps, pr_ps = [], []
        for im in group:
            spaced = bool(im.gap)     # English: the label is followed by a space (here: a tab)
            if im.cc:
                label = im.cc_lead
                hang = round(_width_chars(label + im.gap) * size_tw) + (size_tw // 2 if spaced else 0)
                pp = X.ppr(pStyle=style, ind=X.ind_tw(left=inset + hang, right=inset, hanging=hang))
                cc_ps.append(f"<w:p>{pp}{_run(label + (chr(9) if spaced else '') + im.cc, _lang_rpr(im.lang))}</w:p>")
            if im.printer or im.printed_date:
                right = im.printed_text if im.printed_date else ""
                pp = X.ppr(pStyle=style,
                           tabs=f'<w:tabs><w:tab w:val="right" w:pos="{S.TEXT_WIDTH_TW - inset}"/></w:tabs>',
                           ind=X.ind_tw(left=inset, right=inset, first=0))
                # the date right-aligned at a tab; when office and date cannot share the line with one
                # 字 between them, the date goes to a line of its own (never run into the office)
                # (measured with the fonts' metrics, as the PDF sets them: the rough width in 字
                # took English lines that fit for too wide, and the 版记 grew a line the PDF lacks)
                from ..table_widths import text_width_pt
                size_pt = L.FONTS["imprint"].size_pt
                room = (S.TEXT_WIDTH_TW - 2 * inset) / 20
                apart = text_width_pt(im.printer or "", size_pt) + text_width_pt(right, size_pt) + size_pt <= room
                text = (im.printer or "") + ("" if apart else "\n") + chr(9) + right
                pr_ps.append(f"<w:p>{pp}{_run(text, _lang_rpr(im.lang))}</w:p>")
        rows = [ps for ps in (cc_ps, pr_ps) if ps]
        if not rows:
            return
        pg = self.pagination
        if pg is not None and pg.imprint_new_page:
            # 7.4.1: the 版记 on an even page (the PDF engine found it on an odd one): a section of
            # its own that starts on the next even page. Word and LibreOffice insert the blank page
            # themselves where their text ends on an even page (it need not end where the PDF's
            # text did), and print no page number on it (7.5)
            self.section_break()
        keep = X.ppr(keepNext="<w:keepNext/>")[len("<w:pPr>"):-len("</w:pPr>")]
        # every line but the last keeps with the next, so the 版记 never splits across pages
        lines = [p for ps in rows for p in ps]
        last = lines[-1]
        rows = [[p if p is last else p.replace(f"<w:pPr>{style}", f"<w:pPr>{style}{keep}", 1) for p in ps]
                for ps in rows]
        thick, thin = X.eighths(L.IMPRINT_RULE_THICK_MM), X.eighths(L.IMPRINT_RULE_THIN_MM)
        borders = (X.border("top", thick) + '<w:left w:val="nil"/>' + X.border("bottom", thick)
                   + '<w:right w:val="nil"/>' + X.border("insideH", thin) + '<w:insideV w:val="nil"/>')
        table = (
            f'<w:tbl><w:tblPr><w:tblW w:w="{S.TEXT_WIDTH_TW}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{S.TEXT_WIDTH_TW}"/></w:tblGrid>'
            + "".join(f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{S.TEXT_WIDTH_TW}" '
                      f'w:type="dxa"/></w:tcPr>{"".join(ps)}</w:tc></w:tr>' for ps in rows)
            + "</w:tbl>")
        if not IMPRINT_AT_PAGE_BOTTOM:
            self.out.append(table)
            return
        # 7.4.1: the 版记's last rule on the bottom edge of the type area. The table sits in a text
        # box anchored to the last paragraph and aligned to the bottom of the page's margin box,
        # which Word, WPS and LibreOffice (which sets a floating full-width table where it stands)
        # all place there.
        from ..table_widths import text_width_pt
        size_pt = L.FONTS["imprint"].size_pt
        n_lines = sum(max(1, math.ceil(text_width_pt(line, size_pt) / (S.TEXT_WIDTH_TW / 20 - 2 * inset / 20 - size_pt)))
                      for ps in rows for p in ps for line in _strip_tags(p).split("\n"))
        emu_w = round(L.TEXT_WIDTH_MM * 36000)
        # one blank line above the 版记, as in the PDF: a fixed height with the content at its
        # bottom (Word and LibreOffice agree on where a box's bottom goes, not on how they grow one)
        # bottom, less half a line: where the PDF's text leaves that room (a PDF engine lets the 版记's
        # top rule come within half a line of the text), LibreOffice finds it too, instead of moving
        # the 版记 to a new page
        emu_h = round((n_lines + 1 - IMPRINT_BOX_SLACK_LINES) * S.PITCH_TW / 20 * 12700)
        # its bottom on the bottom edge of the type area, measured from the page's top edge: the same
        # on every page (LibreOffice puts a box aligned to the bottom of the margin lower on the
        # first page of a section that starts on an even page)
        top_emu = round((L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM) * 36000) - emu_h
        self.image_id += 1
        box = (f'<wps:wsp xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
               f'<a:ext cx="{emu_w}" cy="{emu_h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
               '<a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
               f'<wps:txbx><w:txbxContent>{table}<w:p><w:pPr><w:pStyle w:val="{self.ids[S.IMPRINT]}"/>'
               '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr></w:p></w:txbxContent></wps:txbx>'
               '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b" '
               'anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp>')
        anchor = (f'<wp:anchor xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
                  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{251659264 + self.image_id}" '
                  'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>'
                  '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
                  f'<wp:positionV relativeFrom="page"><wp:posOffset>{top_emu}</wp:posOffset></wp:positionV>'
                  f'<wp:extent cx="{emu_w}" cy="{emu_h}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
                  f'<wp:wrapTopAndBottom/><wp:docPr id="{self.image_id}" name="Imprint {self.image_id}"/>'
                  '<wp:cNvGraphicFramePr/><a:graphic><a:graphicData '
                  'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
                  f'{box}</a:graphicData></a:graphic></wp:anchor>')
        self.out.append(f'<w:p><w:pPr><w:pStyle w:val="{self.ids[S.IMPRINT]}"/>'
                        '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>'
                        '<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                        '<mc:Choice Requires="wps"><w:drawing>'
                        f'{anchor}</w:drawing></mc:Choice></mc:AlternateContent></w:r></w:p>')

    def section_break(self) -> None:
        """End the text's section here: its properties are the document's (the template's final
        sectPr, page set up), put on the last paragraph, or on a paragraph one twentieth of a
        point high after a table; :func:`even_page_imprint` makes the section after it start on
        an even page."""
        from lxml import etree
        final = self.document.element.body.find(qn("w:sectPr"))
        if final is None:
            return
        sect = etree.fromstring(etree.tostring(final))
        for el in sect.findall(qn("w:type")):
            sect.remove(el)
        xml = etree.tostring(sect, encoding="unicode")
        last = self.out[-1] if self.out else ""
        if last.startswith("<w:p>") and "<w:pPr>" in last and "<w:sectPr" not in last \
                and "</w:pPr>" in last and "<w:drawing>" not in last:
            self.out[-1] = last.replace("</w:pPr>", xml + "</w:pPr>", 1)
        else:
            self.out.append('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                            f'{xml}</w:pPr></w:p>')
        self.imprint_section = True

    def xml(self) -> str:
        return f"<w:body {X.BODY_NSDECL}>{''.join(self.out)}</w:body>"


def even_page_imprint(document, unnumbered: bool) -> None:
    """The 版记's section (the document's last) starts on an even page (``w:type evenPage``).
    ``unnumbered``: a blank page comes before it (the PDF engine's text ended on an even page), so
    neither that page nor the 版记's carries a number (7.5): the section gets footers of its own,
    empty."""
    body = document.element.body
    sect = body.find(qn("w:sectPr"))
    if sect is None:
        return
    for el in sect.findall(qn("w:type")):
        sect.remove(el)
    X.insert_ordered(sect, parse_xml(f'<w:type {X.NSDECL} w:val="evenPage"/>'))
    if unnumbered:
        import copy
        text = document.sections[0]
        originals = [copy.deepcopy(f._element) for f in (text.footer, text.even_page_footer)]
        for el in sect.findall(qn("w:footerReference")):
            sect.remove(el)
        section = document.sections[-1]
        for footer, original in zip((section.footer, section.even_page_footer), originals):
            footer.is_linked_to_previous = False
            # the same footer paragraphs, so the page keeps its body height (LibreOffice sizes the
            # body by the footer's), without their text and page field
            el = footer._element
            for child in list(el):
                el.remove(child)
            for child in original:
                for r in [r for r in child.iter(qn("w:r"), qn("w:fldSimple"), qn("w:hyperlink"))]:
                    if r.getparent() is not None:
                        r.getparent().remove(r)
                el.append(child)


def joint_issuer_mark(body, ids: dict[str, str], lh: Letterhead | None) -> None:
    """Joint issuers (7.2.4): the one-line mark paragraph becomes a borderless two-column table,
    the names one a line (spread to the column's width) and 文件 beside them, vertically centred;
    an empty paragraph above it keeps the mark's top 35 mm below the top of the type area."""
    if lh is None or not lh.joint:
        return
    sid = ids[S.ISSUER_MARK]
    mark = next((p for p in body.iterchildren(qn("w:p"))
                 if (ps := p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")) is not None and ps.get(qn("w:val")) == sid
                 and "".join(t.text or "" for t in p.iter(qn("w:t"))) == lh.issuer_mark), None)
    if mark is None:
        return
    from ..table_widths import text_width_pt
    size = joint_mark_size_pt(lh.issuer_names, lh.mark_word)
    line_tw = X.twips(size * L.JOINT_MARK_LINE_HEIGHT)
    gap_tw = X.twips(size * L.JOINT_MARK_GAP_EM)
    word_tw = X.twips(text_width_pt(lh.mark_word, size) + size * 0.1) + gap_tw
    # a little slack over the widest name so Word's and LibreOffice's own measure never wraps it
    names_tw = min(X.twips(max(text_width_pt(n, size) for n in lh.issuer_names) + size * 0.1),
                   S.TEXT_WIDTH_TW - word_tw)
    top_tw = max(0, L.mm_to_twips(L.ISSUER_MARK_TOP_MM) - (line_tw - X.twips(size)) // 2)
    ps = f'<w:pStyle w:val="{sid}"/>'
    run_rpr = f'<w:rPr><w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/></w:rPr>'

    def para(text: str, jc: str, ind: str = "") -> str:
        return (f'<w:p><w:pPr>{ps}<w:keepNext/>{X.spacing(line_tw, before=0, after=0)}{ind}<w:jc w:val="{jc}"/></w:pPr>'
                f'<w:r>{run_rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r></w:p>')

    def cell(width: int, paras: str) -> str:
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f'{paras}</w:tc>')
    spacer = (f'<w:p {X.NSDECL}><w:pPr>{ps}<w:keepNext/>{X.spacing(max(top_tw, 20), before=0, after=0)}'
              '</w:pPr></w:p>')
    table = (f'<w:tbl {X.NSDECL}><w:tblPr><w:tblW w:w="{names_tw + word_tw}" w:type="dxa"/><w:jc w:val="center"/>'
             '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>'
             '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
             '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
             f'<w:tblGrid><w:gridCol w:w="{names_tw}"/><w:gridCol w:w="{word_tw}"/></w:tblGrid>'
             '<w:tr><w:trPr><w:cantSplit/></w:trPr>'
             + cell(names_tw, "".join(para(n, "distribute") for n in lh.issuer_names))
             + cell(word_tw, para(lh.mark_word, "left", f'<w:ind w:left="{gap_tw}" w:right="0" w:firstLine="0"/>'))
             + "</w:tr></w:tbl>")
    mark.addprevious(parse_xml(spacer))
    mark.addprevious(parse_xml(table))
    mark.getparent().remove(mark)


def scale_issuer_mark(body, ids: dict[str, str]) -> None:
    """An issuer mark wider than the 版心 is condensed (w:w) to fit on one line (7.2.4)."""
    sid = ids[S.ISSUER_MARK]
    avail_pt = L.TEXT_WIDTH_MM / L.MM_PER_PT
    for p in body.iterchildren(qn("w:p")):
        ps = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if ps is None or ps.get(qn("w:val")) != sid:
            continue
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        width = _width_chars(text) * L.ISSUER_MARK_SIZE_PT
        if width <= avail_pt:
            continue
        pct = max(33, int(100 * avail_pt / width))
        for r in p.iter(qn("w:r")):
            rpr = r.find(qn("w:rPr"))
            if rpr is None:
                rpr = parse_xml(f"<w:rPr {X.NSDECL}/>")
                r.insert(0, rpr)
            for old in rpr.findall(qn("w:w")):
                rpr.remove(old)
            X.insert_ordered(rpr, parse_xml(f'<w:w {X.NSDECL} w:val="{pct}"/>'))


_SPLICE = "WORKPLAN-BODY-SPLICE"


def splice_body(document, anchor, builder: "Body"):
    """Put the generated body in place of ``anchor`` (the {{ body }} paragraph; else before the
    final sectPr). The document part is re-parsed from one string: moving a large parsed tree
    between lxml documents costs time quadratic in the size of a table, parsing does not."""
    from lxml import etree
    from docx.document import Document as _DocxDocument

    root = document.element
    body_el = root.body
    if anchor is None:
        anchor = body_el.find(qn("w:sectPr"))
    nsmap = root.nsmap
    if nsmap.get("w") != X.W_NS or nsmap.get("r") != X.R_NS:   # unusual prefixes: move the elements
        new_body = parse_xml(builder.xml())
        for child in list(new_body):
            if anchor is not None:
                anchor.addprevious(child)
            else:
                body_el.append(child)
        if anchor is not None and anchor.tag == qn("w:p"):
            body_el.remove(anchor)
        return document
    marker = etree.Comment(_SPLICE)
    if anchor is not None:
        anchor.addprevious(marker)
        if anchor.tag == qn("w:p"):
            body_el.remove(anchor)
    else:
        body_el.append(marker)
    head, tail = etree.tostring(root, encoding="unicode").split(f"<!--{_SPLICE}-->", 1)
    new_root = parse_xml(head + "".join(builder.out) + tail)
    part = document.part
    part._element = new_root
    return _DocxDocument(new_root, part)
