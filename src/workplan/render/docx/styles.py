"""GB/T 9704 in Word: the named WP styles, page setup, footers, 版头 paragraphs, font table.

Shared by the writer (which creates only the styles a user template lacks) and by
``templates/make_docx_template.py`` (in this package) (which builds the default template from them). Every number
comes from :mod:`workplan.layout`; this module only turns them into WordprocessingML.

Built on the XML layer :mod:`.oxml` (units, element order, builders). The ``*Chars`` indents are
in hundredths of a character.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import quoteattr

from docx.oxml import parse_xml
from docx.oxml.ns import qn

from ... import layout as L
from .oxml import (NSDECL, border, eighths, half_points, ind_tw, ind_xml, insert_ordered, no_grid, ppr, rpr, size, spacing,
                   twips)


# --- units -----------------------------------------------------------------------------------
PITCH_TW = round(L.LINE_PITCH_PT * 20)          # 579: exact line spacing, 22 lines per page
CHAR_TW = round(L.CHAR_PITCH_PT * 20)           # 316: one 字 on the 28-character grid
TEXT_WIDTH_TW = L.mm_to_twips(L.TEXT_WIDTH_MM)  # 8844
# 28 characters of 3号 (16 pt) need a 15.79 pt pitch (layout.CHAR_PITCH_PT). Word's character
# grid (docGrid linesAndChars) squeezes them so, but LibreOffice then gives every character two
# cells; tracking the body text instead works everywhere. Rounded down to Word's twentieth of a
# point so that 28 characters always fit: -0.25 pt.
BODY_TRACKING_TW = math.floor((L.CHAR_PITCH_PT - L.FONTS["body"].size_pt) * 20)

def footer_distance_mm() -> float:
    """Distance from the page's bottom edge to the bottom of the page-number line.

    GB/T 9704 7.5 puts the top of the dashes 7 mm below the 版心. The number line is set with
    an exact height equal to its font size, and a dash sits at half that height, so the line's
    bottom is ``bottom margin - 7 mm - size/2`` above the paper's edge.
    """
    size_mm = L.FONTS["page_number"].size_pt * L.MM_PER_PT
    return L.MARGIN_BOTTOM_MM - L.PAGE_NUMBER_DROP_MM - size_mm / 2


def ind(first_chars: float | None = None, left_chars: float | None = None, right_chars: float | None = None,
        hanging_chars: float | None = None, char_tw: int = CHAR_TW) -> str:
    """Indents in 字, written both as ``*Chars`` (Word, WPS: follows the grid) and as twips (others)."""
    def chars(v: float | None) -> tuple[int, int] | None:
        return None if v is None else (round(v * 100), round(v * char_tw))
    return ind_xml(chars(left_chars), chars(right_chars), chars(first_chars), chars(hanging_chars))


def fonts(role: str | None = None, *, east_asia: str | None = None, latin: str | None = None,
          hint: str | None = None) -> str:
    """``<w:rFonts>`` with explicit names (never theme fonts)."""
    if role is not None:
        r = L.FONTS[role]
        east_asia = east_asia or r.docx_name
        latin = latin or r.latin_docx
    a = ""
    if latin:
        a += f' w:ascii={quoteattr(latin)} w:hAnsi={quoteattr(latin)} w:cs={quoteattr(latin)}'
    if east_asia:
        a += f" w:eastAsia={quoteattr(east_asia)}"
    if hint:
        a += f' w:hint="{hint}"'
    return f"<w:rFonts{a}/>" if a else ""


def tracking(role: str) -> str:
    """Character spacing: the 28-per-line squeeze for 3号 text, none for other sizes."""
    tw = BODY_TRACKING_TW if L.FONTS[role].size_pt == L.FONTS["body"].size_pt else 0
    return f'<w:spacing w:val="{tw}"/>'


def role_rpr_parts(role: str, *, bold: bool | None = None, size_pt: float | None = None) -> dict[str, str]:
    r = L.FONTS[role]
    parts = {"rFonts": fonts(role), "spacing": tracking(role), **size(size_pt or r.size_pt)}
    b = r.bold if bold is None else bold
    parts["b"] = "<w:b/>" if b else '<w:b w:val="0"/>'
    parts["bCs"] = "<w:bCs/>" if b else '<w:bCs w:val="0"/>'
    return parts


# --- the styles ------------------------------------------------------------------------------
@dataclass
class StyleSpec:
    name: str
    kind: str                       # paragraph | character | table
    build: Callable[[Callable[[str], str]], str]   # ids -> inner XML (basedOn/pPr/rPr/tblPr ...)
    based_on: str | None = None     # a style name


# Cell padding: the PDF's (layout.TABLE_CELL_PADDING_MM, vertical and horizontal), one number both read
TABLE_CELL_MARGIN_TW = L.mm_to_twips(L.TABLE_CELL_PADDING_MM[1])     # left and right
TABLE_CELL_MARGIN_V_TW = L.mm_to_twips(L.TABLE_CELL_PADDING_MM[0])   # above and below

BODY = "WP Body"
BODY_CHAR = "WP Body Char"
TITLE = "WP Title"
SUBTITLE = "WP Subtitle"
HEADINGS = {1: "WP Heading 1", 2: "WP Heading 2", 3: "WP Heading 3", 4: "WP Heading 4"}
RECIPIENTS = "WP Recipients"
SIGNATURE = "WP Signature"
ATTACH_LIST = "WP Attachment List"
ATTACH_LABEL = "WP Attachment Label"
ATTACH_TITLE = "WP Attachment Title"
NOTE = "WP Note"
ISSUER_MARK = "WP Issuer Mark"
DOC_NUMBER = "WP Doc Number"
SIGNATORY_CHAR = "WP Signatory Char"
RED_RULE = "WP Red Rule"
TABLE = "WP Table"
TABLE_TEXT = "WP Table Text"
TABLE_HEADER = "WP Table Header"
IMPRINT = "WP Imprint"
PAGE_NUMBER = "WP Page Number"
FIGURE = "WP Figure"
CAPTION = "WP Caption"


# said explicitly, not left to inheritance: LibreOffice hyphenates a paragraph only when its style says so
_HYPHENATE = '<w:suppressAutoHyphens w:val="0"/>'


def _body_ppr(**over: str) -> str:
    # Only body text, headings and notes are hyphenated (settings: w:autoHyphenation; it applies to
    # English only): every other style suppresses it (titles, names, tables, the 版记)
    parts = {"widowControl": '<w:widowControl w:val="0"/>', "suppressAutoHyphens": "<w:suppressAutoHyphens/>",
             # no punctuation hanging into the margin: the line keeps its 28 cells (5.2.3). Word and
             # WPS follow it; LibreOffice's DOCX import reads the value inverted (hanging = val 0,
             # measured on 7.4 and in its source), so LibreOffice hangs a closing mark past the
             # 28th cell; val 1 would make Word hang them instead
             "overflowPunct": '<w:overflowPunct w:val="0"/>',
             "spacing": spacing(PITCH_TW, before=0, after=0),
             "ind": ind(first_chars=L.BODY_FIRST_LINE_INDENT_CHARS),
             "jc": '<w:jc w:val="both"/>'}
    parts.update(over)
    return ppr(**parts)


# Titles are broken into balanced lines by the IR (ir.balance_title), measured as the PDF sets
# them: no extra space between Chinese characters and Latin letters or digits. Word's and
# LibreOffice's default "autospace" adds a quarter em at each such boundary, which pushes a
# title that fills its line ("柳岸社区2022年…工作方案", 20 字) onto a second line holding one character.
_NO_AUTOSPACE = {"autoSpaceDE": '<w:autoSpaceDE w:val="0"/>', "autoSpaceDN": '<w:autoSpaceDN w:val="0"/>'}


def _no_indent() -> str:
    return '<w:ind w:leftChars="0" w:left="0" w:rightChars="0" w:right="0" w:firstLineChars="0" w:firstLine="0"/>'


def _issuer_line_tw() -> int:
    return twips(L.ISSUER_MARK_SIZE_PT * L.ISSUER_MARK_LINE_FACTOR)


def _issuer_before_tw() -> int:
    # top of the mark 35 mm below the top of the 版心: the glyphs sit centred in the exact line box
    return max(0, L.mm_to_twips(L.ISSUER_MARK_TOP_MM) - (_issuer_line_tw() - twips(L.ISSUER_MARK_SIZE_PT)) // 2)


def style_specs() -> list[StyleSpec]:
    """Every named style the writer uses, in creation order (bases first)."""
    s: list[StyleSpec] = []

    def para(name, ppr_xml: str | Callable[[], str], rpr_xml: str, based_on: str | None = BODY,
             extra: str = "", next_style: str | None = None) -> None:
        def build(ids, ppr_xml=ppr_xml, rpr_xml=rpr_xml, based_on=based_on, extra=extra, next_style=next_style):
            head = f'<w:basedOn w:val="{ids(based_on)}"/>' if based_on else ""
            head += f'<w:next w:val="{ids(next_style or BODY)}"/>'
            return head + extra + '<w:qFormat/>' + (ppr_xml() if callable(ppr_xml) else ppr_xml) + rpr_xml
        s.append(StyleSpec(name, "paragraph", build, based_on))

    para(BODY, _body_ppr(suppressAutoHyphens=_HYPHENATE), rpr(**role_rpr_parts("body")), based_on=None)
    s.append(StyleSpec(BODY_CHAR, "character",
                       lambda ids: '<w:qFormat/>' + rpr(rFonts=fonts("body"), spacing=tracking("body"),
                                                        **size(L.FONTS["body"].size_pt))))
    s.append(StyleSpec(SIGNATORY_CHAR, "character",
                       lambda ids: rpr(rFonts=fonts("h2"), **size(L.FONTS["body"].size_pt))))
    para(TITLE, _body_ppr(keepNext="<w:keepNext/>", snapToGrid=no_grid(), **_NO_AUTOSPACE,
                          spacing=spacing(PITCH_TW, before=0, after=PITCH_TW), ind=_no_indent(),
                          jc='<w:jc w:val="center"/>'),
         rpr(**role_rpr_parts("title")))
    # the subtitle continues the title in its face (2号小标宋), as in the PDF
    para(SUBTITLE, _body_ppr(keepNext="<w:keepNext/>", snapToGrid=no_grid(), **_NO_AUTOSPACE,
                             spacing=spacing(PITCH_TW, before=0, after=PITCH_TW),
                             ind=_no_indent(), jc='<w:jc w:val="center"/>'),
         rpr(**role_rpr_parts("title")))
    for level, name in HEADINGS.items():
        role = L.HEADING_ROLES[level]
        para(name, _body_ppr(outlineLvl=f'<w:outlineLvl w:val="{level - 1}"/>', suppressAutoHyphens=_HYPHENATE),
             rpr(**role_rpr_parts(role)))
    para(RECIPIENTS, _body_ppr(ind=_no_indent(), jc='<w:jc w:val="left"/>'), "")
    para(SIGNATURE, _body_ppr(ind='<w:ind w:leftChars="0" w:left="0" w:firstLineChars="0" w:firstLine="0" '
                                  f'w:rightChars="{L.SIGNATURE_RIGHT_INDENT_CHARS * 100}" '
                                  f'w:right="{L.SIGNATURE_RIGHT_INDENT_CHARS * CHAR_TW}"/>',
                              jc='<w:jc w:val="right"/>'), "")
    para(ATTACH_LIST, _body_ppr(ind=_no_indent(), jc='<w:jc w:val="left"/>'), "")
    para(ATTACH_LABEL, _body_ppr(keepNext="<w:keepNext/>", ind=_no_indent(), jc='<w:jc w:val="left"/>'),
         rpr(**role_rpr_parts("attachment_label")))
    para(ATTACH_TITLE, _body_ppr(keepNext="<w:keepNext/>", snapToGrid=no_grid(), **_NO_AUTOSPACE,
                                 spacing=spacing(PITCH_TW, before=PITCH_TW, after=PITCH_TW), ind=_no_indent(),
                                 jc='<w:jc w:val="center"/>'),
         rpr(**role_rpr_parts("title")))
    para(NOTE, _body_ppr(suppressAutoHyphens=_HYPHENATE), "")
    para(ISSUER_MARK, _body_ppr(snapToGrid=no_grid(), ind=_no_indent(), jc='<w:jc w:val="center"/>',
                                spacing=spacing(_issuer_line_tw(), before=_issuer_before_tw(), after=0)),
         rpr(color=f'<w:color w:val="{L.RED}"/>', **role_rpr_parts("issuer_mark")))
    para(DOC_NUMBER, _body_ppr(ind=_no_indent(), jc='<w:jc w:val="center"/>'), "")
    # The red rule: an empty paragraph one 4 mm line tall whose bottom border is the rule; two
    # blank lines (空二行) follow it before the title.
    para(RED_RULE, _body_ppr(snapToGrid=no_grid(), ind=_no_indent(),
                             pBdr="<w:pBdr>" + border("bottom", eighths(L.RED_RULE_MM), L.RED) + "</w:pBdr>",
                             spacing=spacing(L.mm_to_twips(L.RED_RULE_GAP_MM), before=0, after=2 * PITCH_TW)),
         rpr(**size(1)))
    para(TABLE_TEXT, _body_ppr(snapToGrid=no_grid(), spacing=spacing(240, rule="auto", before=0, after=0),
                               ind=_no_indent(), jc='<w:jc w:val="left"/>'),
         rpr(**role_rpr_parts("table")))
    para(TABLE_HEADER, _body_ppr(snapToGrid=no_grid(), spacing=spacing(240, rule="auto", before=0, after=0),
                                 ind=_no_indent(), jc='<w:jc w:val="center"/>'),
         rpr(**role_rpr_parts("table_header")), based_on=TABLE_TEXT)
    para(IMPRINT, _body_ppr(snapToGrid=no_grid(), ind=_no_indent(), jc='<w:jc w:val="left"/>'),
         rpr(**role_rpr_parts("imprint")))
    para(PAGE_NUMBER, _body_ppr(snapToGrid=no_grid(), ind=_no_indent(), jc='<w:jc w:val="center"/>',
                                spacing=spacing(twips(L.FONTS["page_number"].size_pt), before=0, after=0)),
         rpr(**role_rpr_parts("page_number")))
    para(FIGURE, _body_ppr(keepNext="<w:keepNext/>", snapToGrid=no_grid(),
                           spacing=spacing(240, rule="auto", before=0, after=0), ind=_no_indent(),
                           jc='<w:jc w:val="center"/>'), "")
    para(CAPTION, _body_ppr(ind=_no_indent(), jc='<w:jc w:val="center"/>', snapToGrid=no_grid()),
         rpr(**role_rpr_parts("table")))

    def table_style(ids) -> str:
        b = "".join(border(side, round(L.TABLE_RULE_PT * 8)) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        return ('<w:uiPriority w:val="59"/>'
                f'<w:tblPr><w:tblBorders>{b}</w:tblBorders>'
                f'<w:tblCellMar><w:top w:w="{TABLE_CELL_MARGIN_V_TW}" w:type="dxa"/>'
                f'<w:left w:w="{TABLE_CELL_MARGIN_TW}" w:type="dxa"/>'
                f'<w:bottom w:w="{TABLE_CELL_MARGIN_V_TW}" w:type="dxa"/>'
                f'<w:right w:w="{TABLE_CELL_MARGIN_TW}" w:type="dxa"/></w:tblCellMar></w:tblPr>'
                '<w:tcPr><w:vAlign w:val="center"/></w:tcPr>')
    s.append(StyleSpec(TABLE, "table", table_style))
    return s


ALL_STYLE_NAMES = tuple(sp.name for sp in style_specs())


# --- applying to a document ------------------------------------------------------------------
THEME_ATTRS = tuple(qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"))


def strip_theme_fonts(root) -> int:
    """Remove every theme-font reference below ``root`` (they override named fonts)."""
    n = 0
    for el in root.iter(qn("w:rFonts")):
        for a in THEME_ATTRS:
            if a in el.attrib:
                del el.attrib[a]
                n += 1
    return n


def fix_doc_defaults(styles_root) -> None:
    """docDefaults: explicit Times New Roman / 仿宋_GB2312 at 3号 where the template gives no
    explicit font, zh-CN as East Asian language."""
    dd = styles_root.find(qn("w:docDefaults"))
    if dd is None:
        dd = parse_xml(f"<w:docDefaults {NSDECL}/>")
        styles_root.insert(0, dd)
    rpr_default = dd.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = parse_xml(f"<w:rPrDefault {NSDECL}/>")
        dd.insert(0, rpr_default)
    r = rpr_default.find(qn("w:rPr"))
    if r is None:
        r = parse_xml(f"<w:rPr {NSDECL}/>")
        rpr_default.append(r)
    rf = r.find(qn("w:rFonts"))
    if rf is None:
        rf = parse_xml(f"<w:rFonts {NSDECL}/>")
        r.insert(0, rf)
    body = L.FONTS["body"]
    for attr, value in (("ascii", body.latin_docx), ("hAnsi", body.latin_docx), ("cs", body.latin_docx),
                        ("eastAsia", body.docx_name)):
        if not rf.get(qn(f"w:{attr}")):
            rf.set(qn(f"w:{attr}"), value)
    for tag in ("sz", "szCs"):
        el = r.find(qn(f"w:{tag}"))
        if el is None:
            el = parse_xml(f'<w:{tag} {NSDECL} w:val="{half_points(body.size_pt)}"/>')
            insert_ordered(r, el)
    lang = r.find(qn("w:lang"))
    if lang is None:
        lang = parse_xml(f"<w:lang {NSDECL}/>")
        insert_ordered(r, lang)
    lang.set(qn("w:val"), lang.get(qn("w:val")) or "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def style_ids(styles_root) -> dict[str, str]:
    """Style name -> styleId for every style in a styles part."""
    out: dict[str, str] = {}
    for st in styles_root.findall(qn("w:style")):
        name = st.find(qn("w:name"))
        sid = st.get(qn("w:styleId"))
        if name is not None and sid:
            out.setdefault(name.get(qn("w:val")), sid)
    return out


def ensure_styles(styles_root) -> dict[str, str]:
    """Create every WP style the styles part lacks; return name -> styleId for all WP styles.

    Styles a template already has are left exactly as they are (that is how a user restyles).
    """
    ids = style_ids(styles_root)
    used = {st.get(qn("w:styleId")) for st in styles_root.findall(qn("w:style"))}
    specs = style_specs()
    for sp in specs:
        if sp.name not in ids:
            base = sp.name.replace(" ", "")
            sid, n = base, 1
            while sid in used:
                n += 1
                sid = f"{base}{n}"
            ids[sp.name] = sid
            used.add(sid)
    existing = style_ids(styles_root)
    for sp in specs:
        if sp.name in existing:
            continue
        inner = sp.build(lambda name: ids[name])
        xml = (f'<w:style {NSDECL} w:type="{sp.kind}" w:customStyle="1" w:styleId="{ids[sp.name]}">'
               f'<w:name w:val={quoteattr(sp.name)}/>{inner}</w:style>')
        styles_root.append(parse_xml(xml))
    return {name: ids[name] for name in ALL_STYLE_NAMES}


def page_setup(document) -> None:
    """A4, the GB/T 9704 margins, the footer distance and the 22-line document grid, on every section."""
    from docx.shared import Twips
    for section in document.sections:
        section.page_width = Twips(L.mm_to_twips(L.PAGE_WIDTH_MM))
        section.page_height = Twips(L.mm_to_twips(L.PAGE_HEIGHT_MM))
        section.orientation = 0
        section.top_margin = Twips(L.mm_to_twips(L.MARGIN_TOP_MM))
        section.bottom_margin = Twips(L.mm_to_twips(L.MARGIN_BOTTOM_MM))
        section.left_margin = Twips(L.mm_to_twips(L.MARGIN_LEFT_MM))
        section.right_margin = Twips(L.mm_to_twips(L.MARGIN_RIGHT_MM))
        section.gutter = Twips(0)
        section.header_distance = Twips(L.mm_to_twips(L.HEADER_DISTANCE_MM))
        section.footer_distance = Twips(L.mm_to_twips(footer_distance_mm()))
        sect = section._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = parse_xml(f"<w:docGrid {NSDECL}/>")
            insert_ordered(sect, grid)
        for a in list(grid.attrib):
            del grid.attrib[a]
        # The line grid (22 lines); characters are squeezed by tracking (BODY_TRACKING_TW),
        # not by a character grid, which LibreOffice lays out with two cells per character.
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(PITCH_TW))


def default_font_size_pt(styles_root) -> float:
    """The size of the default paragraph style (else docDefaults; Word's own default is 10 pt)."""
    for st in styles_root.findall(qn("w:style")):
        if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in ("1", "true", "on"):
            sz = st.find(f"{qn('w:rPr')}/{qn('w:sz')}")
            if sz is not None and (sz.get(qn("w:val")) or "").isdigit():
                return int(sz.get(qn("w:val"))) / 2
            break
    sz = styles_root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    if sz is not None and (sz.get(qn("w:val")) or "").isdigit():
        return int(sz.get(qn("w:val"))) / 2
    return 10.0


def _has_page_field(el) -> bool:
    for f in el.iter(qn("w:fldSimple")):
        if "PAGE" in (f.get(qn("w:instr")) or "").upper().split():
            return True
    for t in el.iter(qn("w:instrText")):
        if "PAGE" in (t.text or "").upper().split():
            return True
    return False


def page_number_paragraph(ids: dict[str, str], odd: bool) -> str:
    """"— n —" in 4号 宋体: odd pages flush right with a 1-字 right indent, even pages flush left."""
    inset = L.PAGE_NUMBER_INSET_CHARS * CHAR_TW
    p = ppr(pStyle=f'<w:pStyle w:val="{ids[PAGE_NUMBER]}"/>',
            ind=ind_tw(left=0, right=inset, first=0) if odd else ind_tw(left=inset, right=0, first=0),
            jc=f'<w:jc w:val="{"right" if odd else "left"}"/>')
    r = rpr(rFonts='<w:rFonts w:hint="eastAsia"/>')
    return (f"<w:p {NSDECL}>{p}<w:r>{r}<w:t xml:space=\"preserve\">— </w:t></w:r>"
            f'<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
            f"<w:r>{r}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p>")


def auto_hyphenation(document) -> None:
    """Turn on automatic hyphenation (settings.xml w:autoHyphenation): Word and LibreOffice then
    hyphenate English text (runs tagged en-US) with their dictionaries, in the styles that do not
    suppress it (body text, headings, notes: see :func:`_body_ppr`). Chinese is never hyphenated."""
    settings = document.settings.element
    if settings.find(qn("w:autoHyphenation")) is None:
        el = parse_xml(f'<w:autoHyphenation {NSDECL}/>')
        # CT_Settings is a sequence: autoHyphenation follows the elements before it in the schema
        before = {qn(f"w:{n}") for n in _SETTINGS_BEFORE_AUTOHYPHENATION}
        at = 0
        for i, child in enumerate(settings):
            if child.tag in before:
                at = i + 1
        settings.insert(at, el)


_SETTINGS_BEFORE_AUTOHYPHENATION = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime", "doNotDisplayPageBoundaries",
    "displayBackgroundShape", "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
    "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign",
    "attachedTemplate", "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType",
    "mailMerge", "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
    "documentProtection", "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop")


def ensure_footers(document, ids: dict[str, str]) -> None:
    """Odd/even page-number footers on every section, unless the template's footer already has
    a PAGE field (a user's own design is kept)."""
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        wanted = [(section.footer, True), (section.even_page_footer, False)]
        if section.different_first_page_header_footer:
            wanted.append((section.first_page_footer, True))
        for footer, odd in wanted:
            if not footer.is_linked_to_previous and _has_page_field(footer._element):
                continue
            footer.is_linked_to_previous = False
            el = footer._element
            for child in list(el):
                el.remove(child)
            el.append(parse_xml(page_number_paragraph(ids, odd)))


def letterhead_paragraphs(ids: dict[str, str], mark: str, number: str, signatory: str | None = None,
                          signatory_label: str = "签发人：") -> list[str]:
    """The 版头: issuer mark, two blank lines, the document number (with 签发人 for upward
    documents), the red rule. Texts are inserted as given (escape them first; the template
    passes Jinja tags)."""
    # two blank lines between the issuer mark and the document number (7.2.5), as in the PDF
    out = [f'<w:p {NSDECL}>{ppr(pStyle=_ps(ids, ISSUER_MARK))}<w:r><w:t xml:space="preserve">{mark}</w:t></w:r></w:p>'] \
        + [f'<w:p {NSDECL}>{ppr(pStyle=_ps(ids, DOC_NUMBER))}</w:p>'] * L.DOC_NUMBER_GAP_LINES
    hint = rpr(rFonts='<w:rFonts w:hint="eastAsia"/>')
    if signatory is None:
        out.append(f'<w:p {NSDECL}>{ppr(pStyle=_ps(ids, DOC_NUMBER))}<w:r>{hint}'
                   f'<w:t xml:space="preserve">{number}</w:t></w:r></w:p>')
    else:
        inset = L.PAGE_NUMBER_INSET_CHARS * CHAR_TW
        p = ppr(pStyle=_ps(ids, DOC_NUMBER),
                tabs=f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH_TW - inset}"/></w:tabs>',
                ind=ind_tw(left=inset, right=inset, first=0), jc='<w:jc w:val="left"/>')
        name_rpr = rpr(rStyle=f'<w:rStyle w:val="{ids[SIGNATORY_CHAR]}"/>', rFonts='<w:rFonts w:hint="eastAsia"/>')
        out.append(f'<w:p {NSDECL}>{p}<w:r>{hint}<w:t xml:space="preserve">{number}</w:t></w:r>'
                   f'<w:r><w:tab/></w:r><w:r>{hint}<w:t xml:space="preserve">{signatory_label}</w:t></w:r>'
                   f'<w:r>{name_rpr}<w:t xml:space="preserve">{signatory}</w:t></w:r></w:p>')
    out.append(f'<w:p {NSDECL}>{ppr(pStyle=_ps(ids, RED_RULE))}</w:p>')
    return out


def _ps(ids: dict[str, str], name: str) -> str:
    return f'<w:pStyle w:val="{ids[name]}"/>'


# --- fonts table -----------------------------------------------------------------------------
_FONT_TABLE_INFO = {
    # canonical name: (alternative name Word may use when it is missing, family)
    "仿宋_GB2312": ("仿宋", "modern"),
    "楷体_GB2312": ("楷体", "modern"),
    "黑体": ("SimHei", "modern"),
    "宋体": ("SimSun", "auto"),
    "方正小标宋简体": ("方正小标宋_GBK", "auto"),
}


def ensure_font_table(document) -> None:
    """Declare the canonical Chinese faces in fontTable.xml (GB2312 charset, an alternative
    name), so Word and WPS substitute sensibly where a face is not installed."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    try:
        part = document.part.part_related_by(RT.FONT_TABLE)
    except KeyError:
        return
    root = parse_xml(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    changed = False
    for name, (alt, family) in _FONT_TABLE_INFO.items():
        if name in have:
            continue
        root.append(parse_xml(
            f'<w:font {NSDECL} w:name={quoteattr(name)}><w:altName w:val={quoteattr(alt)}/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'))
        changed = True
    if changed:
        from lxml import etree
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
