"""DOCX writer: RenderDoc → .docx in the GB/T 9704-2012 layout.

How a document is made:

1. The Word template (``templates/gbt9704.docx`` or the user's ``--template``) is read once per
   process and *prepared*: theme fonts stripped, every ``WP …`` style the template lacks created
   (styles it has are kept: that is how a user restyles), odd/even page-number footers added
   unless the template has its own PAGE field, A4 page setup from :mod:`workplan.layout`. The
   prepared bytes are cached, keyed by the template's path, size and modification time.
2. If the template's body holds Jinja tags it is rendered with **docxtpl**: the default template
   draws the 版头 (red issuer mark, document number, red rule) from ``{{ issuer_mark }}``,
   ``{{ doc_number }}``, ``{{ signatory }}``, and marks the place of the body with ``{{ body }}``.
   A template without tags is used for its styles, page setup and footers only (its body text is
   dropped, like pandoc's reference.docx), and the 版头 is drawn in code with the same styles.
3. The body is generated as WordprocessingML in one pass (one string, one parse: linear in the
   document's size) and put in place of the ``{{ body }}`` marker; images go through python-docx.
4. Core properties are set and the package is saved with fixed zip timestamps, so the same input
   gives byte-identical output.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import qn
from xml.sax.saxutils import escape as _xml_escape

from .. import layout as L
from ..errors import Problem, WorkplanError
from ..i18n import format_date
from . import docx_styles as S
from .ir import (AttachmentList, AttachmentStart, Figure, Heading, Imprint, Letterhead, Note, PageBreak, Paragraph,
                 Recipients, RenderDoc, Signature, Table, Title)

TEMPLATES_DIR = Path(__file__).resolve().parents[3] / "templates"
DEFAULT_TEMPLATE = TEMPLATES_DIR / "gbt9704.docx"
BODY_MARKER = "WORKPLAN-BODY-GOES-HERE"
IMPRINT_AT_PAGE_BOTTOM = True   # 版记 as a table floated to the bottom of the 版心 (7.4)

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEMPLATE_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


# --- text helpers ----------------------------------------------------------------------------
def _esc(s: str) -> str:
    return _xml_escape(_INVALID_XML.sub("", s))


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


def _run(text: str, rpr: str = "") -> str:
    """One run; "\\n" becomes a line break and "\\t" a tab."""
    if not text:
        return ""
    inner = []
    for i, line in enumerate(text.split("\n")):
        if i:
            inner.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                inner.append("<w:tab/>")
            if piece:
                inner.append(f'<w:t xml:space="preserve">{_esc(piece)}</w:t>')
    return f"<w:r>{rpr}{''.join(inner)}</w:r>"


_ZH_HINT = '<w:rFonts w:hint="eastAsia"/>'


def _lang_rpr(lang: str, **extra: str) -> str:
    """Run properties by language: Chinese runs send ambiguous characters (“ ” — …) to the
    East Asian font, so quotes and dashes are set in 仿宋, not Times New Roman."""
    if lang != "en":
        extra.setdefault("rFonts", _ZH_HINT)
    return S.rpr(**extra)


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


# --- the template ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Prepared:
    data: bytes                 # the prepared template package
    jinja: bool                 # its body has Jinja tags: render with docxtpl
    letterhead: bool            # the template draws the 版头 itself ({{ issuer_mark }})
    ids: dict                   # WP style name -> styleId
    path: str


_PREPARED: dict[tuple, _Prepared] = {}


def _template_problem(path: Path, message: str, hint: str | None = None) -> WorkplanError:
    return WorkplanError(Problem(message, file=str(path), hint=hint or (
        "give a Word .docx (or .dotx) file, or leave out --template to use the built-in GB/T 9704 template")))


def _as_document_package(raw: bytes, path: Path) -> bytes:
    """Check the bytes are a Word package; turn a .dotx into a .docx by its content type."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        ct = zf.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise _template_problem(path, f"the template is not a Word .docx file ({e})") from None
    if _TEMPLATE_CT.encode() not in ct:
        return raw
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in zf.infolist():
            data = zf.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(_TEMPLATE_CT.encode(), _DOCUMENT_CT.encode())
            new.writestr(item, data)
    return out.getvalue()


def _xml_parts(document):
    """The document, header, footer and numbering parts' root elements."""
    yield document.element
    for rel in document.part.rels.values():
        if rel.is_external:
            continue
        part = rel.target_part
        el = getattr(part, "element", None)
        if el is not None and (rel.reltype.endswith("/header") or rel.reltype.endswith("/footer")
                               or rel.reltype.endswith("/numbering")):
            yield el


def prepare_template(document) -> dict[str, str]:
    """Make any Word document fit to be a GB/T 9704 template (in place); returns style ids."""
    styles_root = document.styles.element
    S.strip_theme_fonts(styles_root)
    for el in _xml_parts(document):
        S.strip_theme_fonts(el)
    S.fix_doc_defaults(styles_root)
    ids = S.ensure_styles(styles_root)
    S.page_setup(document)
    S.ensure_footers(document, ids)
    S.ensure_font_table(document)
    return ids


def build_default_template():
    """The default template as a python-docx Document (used by templates/make_docx_template.py,
    and in memory when the .docx file is missing)."""
    from docx import Document
    doc = Document()
    # python-docx's base package carries Word 2010 leftovers: drop what only adds weight.
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "thumbnail", "customXml"):
                del rels[rid]
                rels.related_parts.pop(rid, None)
    styles_root = doc.styles.element
    keep = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}
    for st in styles_root.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in keep:
            styles_root.remove(st)
    dd = styles_root.find(qn("w:docDefaults"))
    ppr_default = dd.find(qn("w:pPrDefault")) if dd is not None else None
    if ppr_default is not None:
        dd.remove(ppr_default)
    dd.append(parse_xml(f'<w:pPrDefault {S.NSDECL}><w:pPr><w:spacing w:after="0" w:line="240" '
                        'w:lineRule="auto"/></w:pPr></w:pPrDefault>'))
    # 3号 by default (5.2.2): the document grid's character pitch is reckoned from it
    rpr_default = dd.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for tag in ("sz", "szCs"):
        el = rpr_default.find(qn(f"w:{tag}"))
        if el is not None:
            el.set(qn("w:val"), str(S.half_points(L.FONTS["body"].size_pt)))
    normal = doc.styles.element.find(f"{qn('w:style')}[@{qn('w:styleId')}='Normal']")
    if normal is not None:  # LibreOffice reckons the character grid from Normal's own size
        for old in normal.findall(qn("w:rPr")):
            normal.remove(old)
        normal.append(parse_xml(S.rpr(**S.role_rpr_parts("body")).replace("<w:rPr>", f"<w:rPr {S.NSDECL}>", 1)))
    ids = prepare_template(doc)
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:eastAsia"), "zh-CN")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)

    def tag(text: str) -> str:
        return f'<w:p {S.NSDECL}><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    body_style = f'<w:pStyle w:val="{ids[S.BODY]}"/>'
    body_marker = f'<w:p {S.NSDECL}>{S.ppr(pStyle=body_style)}<w:r><w:t>{{{{ body }}}}</w:t></w:r></w:p>'
    lh_plain = S.letterhead_paragraphs(ids, "{{ issuer_mark }}", "{{ doc_number }}")
    lh_up = S.letterhead_paragraphs(ids, "{{ issuer_mark }}", "{{ doc_number }}", "{{ signatory }}",
                                    "{{ signatory_label }}")
    paragraphs = ([tag("{%p if issuer_mark %}")] + lh_plain[:2]
                  + [tag("{%p if signatory %}"), lh_up[2], tag("{%p else %}"), lh_plain[2], tag("{%p endif %}")]
                  + lh_plain[3:] + [tag("{%p endif %}"), body_marker])
    sect = body.find(qn("w:sectPr"))
    for xml in paragraphs:
        sect.addprevious(parse_xml(xml))

    cp = doc.core_properties
    cp.title = "GB/T 9704-2012 公文模板 (workplan)"
    cp.subject = "Template: edit the WP styles and the 版头 in Word; the body tag marks where the text goes"
    cp.author = "workplan"
    cp.last_modified_by = "workplan"
    cp.keywords = "GB/T 9704-2012; workplan"
    cp.comments = ""
    cp.revision = 1
    cp.created = cp.modified = dt.datetime(2024, 1, 1)
    cp.language = "zh-CN"
    return doc


def _prepare(template: Path | None) -> _Prepared:
    from docx import Document

    path = Path(template) if template is not None else DEFAULT_TEMPLATE
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError as e:
        if template is None:  # the default template file is missing: make it in memory
            key = ("<built-in>",)
        else:
            raise _template_problem(path, f"cannot read the template: {e.strerror or e}",
                                    "check the --template path") from None
    got = _PREPARED.get(key)
    if got is not None:
        return got
    if key == ("<built-in>",):
        doc = build_default_template()
    else:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise _template_problem(path, f"cannot read the template: {e.strerror or e}") from None
        raw = _as_document_package(raw, path)
        try:
            doc = Document(io.BytesIO(raw))
        except Exception as e:  # python-docx raises KeyError/ValueError/lxml errors for broken packages
            raise _template_problem(path, f"the template cannot be opened as a Word document ({e})") from None
        prepare_template(doc)
    body = doc.element.body
    texts = ["".join(t.text or "" for t in el.iter(qn("w:t"))) for el in _xml_parts(doc)]
    jinja = any("{{" in t or "{%" in t for t in texts)   # tags in the body, a header or a footer
    letterhead = jinja and "issuer_mark" in texts[0]
    if not jinja:  # a plain document: keep its styles and page furniture, not its text
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    all_ids = S.style_ids(doc.styles.element)
    ids = {name: all_ids[name] for name in S.ALL_STYLE_NAMES}
    prepared = _Prepared(S.docx_bytes(doc), jinja, letterhead, ids, str(path))
    if len(_PREPARED) > 16:
        _PREPARED.clear()
    _PREPARED[key] = prepared
    return prepared


def _open(prepared: _Prepared, rdoc: RenderDoc):
    """The template as a python-docx Document, its Jinja tags rendered for this document."""
    from docx import Document

    if not prepared.jinja:
        return Document(io.BytesIO(prepared.data))
    import jinja2
    from docxtpl import DocxTemplate

    lh = next((b for b in rdoc.blocks if isinstance(b, Letterhead)), None)
    lang = "en" if rdoc.lang == "en" else "zh"
    context = {
        "issuer_mark": lh.issuer_mark if lh else "",
        "doc_number": (lh.doc_number or "") if lh else "",
        "signatory": (lh.signatory or "") if lh else "",
        "signatory_label": lh.signatory_label if lh else "",
        "body": BODY_MARKER,
        "title": rdoc.title, "author": rdoc.author, "subject": rdoc.subject,
        "keywords": rdoc.keywords, "date": format_date(rdoc.date, lang), "lang": rdoc.lang,
    }
    tpl = DocxTemplate(io.BytesIO(prepared.data))
    try:
        tpl.render(context, jinja_env=jinja2.Environment(autoescape=True), autoescape=True)
    except jinja2.TemplateError as e:
        raise WorkplanError(Problem(f"the template's Jinja tags do not render: {e}", file=prepared.path,
                                    hint="fix the {{ … }} / {%p … %} tags in the template (docxtpl syntax), "
                                         "or leave out --template")) from None
    except Exception as e:  # docxtpl on a template it cannot digest
        raise WorkplanError(Problem(f"the template cannot be rendered by docxtpl ({type(e).__name__}: {e})",
                                    file=prepared.path, hint="remove the Jinja tags from the template, "
                                    "or start again from templates/gbt9704.docx")) from None
    return tpl.docx


# --- the body --------------------------------------------------------------------------------
_EN_HEADING = {1: {"b": "<w:b/>", "bCs": "<w:bCs/>"}, 2: {"i": "<w:i/>", "iCs": "<w:iCs/>"}, 3: {}, 4: {}}


def _add_keep_next(p_xml: str) -> str:
    """Insert <w:keepNext/> right after the pStyle of a generated paragraph."""
    m = re.match(r'(<w:p><w:pPr><w:pStyle w:val="[^"]*"/>)', p_xml)
    return m.group(1) + "<w:keepNext/>" + p_xml[m.end():] if m else p_xml


class _Body:
    def __init__(self, ids: dict[str, str], document, draw_letterhead: bool):
        self.ids = ids
        self.document = document
        self.draw_letterhead = draw_letterhead
        self.out: list[str] = []
        self.break_pending = False
        self.image_id = 5000
        self.doc_lang = "zh"
        self.tight = False      # no blank lines above the 附件说明 and the signature (RenderDoc.hints)

    # paragraphs
    def p(self, style: str, runs: str, **ppr_parts: str) -> None:
        if self.break_pending:
            ppr_parts["pageBreakBefore"] = "<w:pageBreakBefore/>"
            self.break_pending = False
        pp = S.ppr(pStyle=f'<w:pStyle w:val="{self.ids[style]}"/>', **ppr_parts)
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
            self.out.append(xml.replace(f" {S.NSDECL}", ""))

    def title(self, b: Title, prev, nxt) -> None:
        extra = {}
        if isinstance(nxt, Title) or b.subtitle:
            extra["spacing"] = S.spacing(S.PITCH_TW, before=0, after=0)
        if isinstance(prev, Title):
            extra["keepNext"] = "<w:keepNext/>"
        self.p(S.TITLE, _lines_runs(b.text, b.lang, en_extra={"b": "<w:b/>", "bCs": "<w:bCs/>"}), **extra)
        if b.subtitle:
            self.p(S.SUBTITLE, _lines_runs(b.subtitle, b.lang),
                   **({"spacing": S.spacing(S.PITCH_TW, before=0, after=0)} if isinstance(nxt, Title) else {}))

    def recipients(self, b: Recipients, prev, nxt) -> None:
        self.p(S.RECIPIENTS, _lines_runs(b.text, b.lang))

    def paragraph(self, b: Paragraph, prev, nxt) -> None:
        extra = {}
        if not b.indent or b.align == "center":
            extra["ind"] = S.ind(first_chars=0)
        if b.align != "justify":
            jc = b.align if b.align in ("center", "right", "left") else "both"
            extra["jc"] = f'<w:jc w:val="{jc}"/>'
        elif self.ragged(b):
            extra["jc"] = '<w:jc w:val="left"/>'
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
            pp = S.ppr(pStyle=f'<w:pStyle w:val="{self.ids[style]}"/>', jc=f'<w:jc w:val="{jc}"/>' if jc else "")
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
        for r in rows:
            out.append("<w:tr>" + "".join(cell(t, tw[c], S.TABLE_TEXT, "center" if centre[c] else None)
                                          for c, t in enumerate(r)) + "</w:tr>")
        out.append("</w:tbl>")
        self.out.append("".join(out))

    def attachmentlist(self, b: AttachmentList, prev, nxt) -> None:
        if not b.items:
            return
        en = b.lang == "en"
        label = b.label + (": " if en else "：")
        lw = _width_chars(label)
        numbered = len(b.items) > 1
        num_w = (_width_chars(f"{len(b.items)}.") + 0.25) if numbered else 0.0
        left = L.BODY_FIRST_LINE_INDENT_CHARS + lw + num_w + (0.25 if en else 0)
        first_space = {} if isinstance(prev, AttachmentList) else {
            "spacing": S.spacing(S.PITCH_TW, before=0 if self.tight else S.PITCH_TW, after=0)}
        for i, item in enumerate(b.items, 1):
            num = f"{i}." if numbered else ""
            if i == 1:
                text = label + num + ("\t" if (numbered or en) else "") + item
                hanging = lw + num_w + (0.25 if en else 0)
            else:
                text = num + "\t" + item
                hanging = num_w
            # kept with what follows: the 附件说明 and the signature stay on one page
            self.p(S.ATTACH_LIST, _run(text, _lang_rpr(b.lang)), keepNext="<w:keepNext/>",
                   ind=S.ind(left_chars=left, hanging_chars=hanging), **(first_space if i == 1 else {}))

    def signature(self, b: Signature, prev, nxt) -> None:
        before = {} if isinstance(prev, Signature) else {
            "spacing": S.spacing(S.PITCH_TW, before=0 if self.tight else 2 * S.PITCH_TW, after=0)}
        right = L.SIGNATURE_RIGHT_INDENT_CHARS
        if b.lang == "zh":
            # sealed layout (7.3.5.1): the date 4 字 from the right, each name centred over the date
            dw = _width_chars(b.date)
            for name in b.names:
                r = max(0.0, right + (dw - _width_chars(name)) / 2)
                self.p(S.SIGNATURE, _run(name, _lang_rpr("zh")), ind=S.ind(right_chars=r, first_chars=0),
                       keepNext="<w:keepNext/>", **before)
                before = {}
        else:
            for name in b.names:
                self.p(S.SIGNATURE, _lines_runs(name, b.lang), keepNext="<w:keepNext/>", **before)
                before = {}
        self.p(S.SIGNATURE, _lines_runs(b.date, b.lang), **before)

    def note(self, b: Note, prev, nxt) -> None:
        text = b.text.strip()
        if b.lang == "en":
            text = text if text.startswith("(") else f"({text})"
        elif not text.startswith(("（", "(")):
            text = f"（{text}）"
        self.p(S.NOTE, _lines_runs(text, b.lang))

    def attachmentstart(self, b: AttachmentStart, prev, nxt) -> None:
        self.break_pending = True
        self.p(S.ATTACH_LABEL, _lines_runs(b.label, b.lang))
        self.p(S.ATTACH_TITLE, _lines_runs(b.title, b.lang, en_extra={"b": "<w:b/>", "bCs": "<w:bCs/>"}))

    def pagebreak(self, b: PageBreak, prev, nxt) -> None:
        self.flush_break()
        self.break_pending = True

    def figure(self, b: Figure, prev, nxt) -> None:
        if b.png:
            from docx.shared import Mm
            width = Mm(min(b.width_mm or L.TEXT_WIDTH_MM, L.TEXT_WIDTH_MM))
            try:
                inline = self.document.part.new_pic_inline(io.BytesIO(b.png), width, None)
                max_h = Mm(L.TEXT_HEIGHT_MM - 30)
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
        size_tw = S.twips(L.FONTS["imprint"].size_pt)
        inset = L.IMPRINT_INDENT_CHARS * size_tw
        style = f'<w:pStyle w:val="{self.ids[S.IMPRINT]}"/>'
        cc_ps, pr_ps = [], []
        for im in group:
            en = im.lang == "en"
            if im.cc:
                label = im.cc_label + (":" if en else "：")
                hang = round(_width_chars(label + (" " if en else "")) * size_tw) + (size_tw // 2 if en else 0)
                pp = S.ppr(pStyle=style, ind=S.ind_tw(left=inset + hang, right=inset, hanging=hang))
                cc_ps.append(f"<w:p>{pp}{_run(label + (chr(9) if en else '') + im.cc, _lang_rpr(im.lang))}</w:p>")
            if im.printer or im.printed_date:
                right = ""
                if im.printed_date:
                    right = f"{im.printed_label} {im.printed_date}" if en else f"{im.printed_date}{im.printed_label}"
                pp = S.ppr(pStyle=style,
                           tabs=f'<w:tabs><w:tab w:val="right" w:pos="{S.TEXT_WIDTH_TW - inset}"/></w:tabs>',
                           ind=S.ind_tw(left=inset, right=inset, first=0))
                pr_ps.append(f"<w:p>{pp}{_run((im.printer or '') + chr(9) + right, _lang_rpr(im.lang))}</w:p>")
        rows = [ps for ps in (cc_ps, pr_ps) if ps]
        if not rows:
            return
        keep = S.ppr(keepNext="<w:keepNext/>")[len("<w:pPr>"):-len("</w:pPr>")]
        # every line but the last keeps with the next, so the 版记 never splits across pages
        lines = [p for ps in rows for p in ps]
        last = lines[-1]
        rows = [[p if p is last else p.replace(f"<w:pPr>{style}", f"<w:pPr>{style}{keep}", 1) for p in ps]
                for ps in rows]
        thick, thin = S.eighths(L.IMPRINT_RULE_THICK_MM), S.eighths(L.IMPRINT_RULE_THIN_MM)
        borders = (S.border("top", thick) + '<w:left w:val="nil"/>' + S.border("bottom", thick)
                   + '<w:right w:val="nil"/>' + S.border("insideH", thin) + '<w:insideV w:val="nil"/>')
        float_pr = ('<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
                    'w:vertAnchor="margin" w:horzAnchor="margin" w:tblpXSpec="center" w:tblpYSpec="bottom"/>'
                    '<w:tblOverlap w:val="never"/>') if IMPRINT_AT_PAGE_BOTTOM else ""
        self.out.append(
            f'<w:tbl><w:tblPr>{float_pr}<w:tblW w:w="{S.TEXT_WIDTH_TW}" w:type="dxa"/>'
            + ("" if IMPRINT_AT_PAGE_BOTTOM else '<w:jc w:val="center"/>')
            + f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
            '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{S.TEXT_WIDTH_TW}"/></w:tblGrid>'
            + "".join(f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{S.TEXT_WIDTH_TW}" '
                      f'w:type="dxa"/></w:tcPr>{"".join(ps)}</w:tc></w:tr>' for ps in rows)
            + "</w:tbl>")

    def xml(self) -> str:
        return f"<w:body {_NS}>{''.join(self.out)}</w:body>"


def _scale_issuer_mark(body, ids: dict[str, str]) -> None:
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
                rpr = parse_xml(f"<w:rPr {S.NSDECL}/>")
                r.insert(0, rpr)
            for old in rpr.findall(qn("w:w")):
                rpr.remove(old)
            S._insert_ordered(rpr, parse_xml(f'<w:w {S.NSDECL} w:val="{pct}"/>'), S._RPR_ORDER)


def _core_properties(document, rdoc: RenderDoc) -> None:
    cp = document.core_properties
    cp.title = rdoc.title or ""
    cp.author = rdoc.author or ""
    cp.last_modified_by = rdoc.author or ""
    cp.subject = rdoc.subject or ""
    cp.keywords = "; ".join(k for k in rdoc.keywords if k)
    cp.comments = ""
    cp.category = ""
    cp.revision = 1
    when = dt.datetime.combine(rdoc.date, dt.time())
    cp.created = when
    cp.modified = when
    cp.language = {"en": "en-US", "zh": "zh-CN", "zh-en": "zh-CN"}.get(rdoc.lang, "zh-CN")


def build_document(rdoc: RenderDoc, template: Path | None = None):
    """The finished python-docx Document (not saved)."""
    prepared = _prepare(template)
    document = _open(prepared, rdoc)
    ids = prepared.ids
    S.page_setup(document, "en" if rdoc.lang == "en" else "zh")
    body_el = document.element.body
    anchor = None
    if prepared.jinja:
        for p in body_el.iterchildren(qn("w:p")):
            if BODY_MARKER in "".join(t.text or "" for t in p.iter(qn("w:t"))):
                anchor = p
                break
    builder = _Body(ids, document, draw_letterhead=not prepared.letterhead)
    builder.doc_lang = rdoc.lang
    builder.tight = bool(rdoc.hints.get("tight_signature"))
    builder.build(rdoc.blocks)
    document = _splice_body(document, anchor, builder)
    _scale_issuer_mark(document.element.body, ids)
    _core_properties(document, rdoc)
    return document


_SPLICE = "WORKPLAN-BODY-SPLICE"


def _splice_body(document, anchor, builder: "_Body"):
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
    if nsmap.get("w") != S.W_NS or nsmap.get("r") != _R_NS:   # unusual prefixes: move the elements
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


def write_docx(rdoc: RenderDoc, out: Path, template: Path | None = None) -> None:
    """Render ``rdoc`` to ``out`` (.docx). ``template``: a Word file whose styles, 版头 and
    footers are used (default: templates/gbt9704.docx). Raises WorkplanError for a bad template."""
    document = build_document(rdoc, template)
    S.save_docx(document, str(out))
