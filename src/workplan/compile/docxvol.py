"""A volume as one Word file: python-docx front matter, then each archived DOCX (docxcompose).

The volume takes its page setup, styles and footer (page numbers) from the first archived
Word file, so it looks like the documents; docxcompose keeps one section for the whole
volume, so page numbers run continuously through it (Word has no separate volume numbering).
Each document starts on a new page and carries a bookmark; the contents list its page with a
PAGEREF field, and the file asks Word to update fields when it is opened.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import layout as L
from ..errors import Problem, WorkplanError
from ..i18n import format_date
from ..model.progress import format_pct
from .frontmatter import label
from .plan import Progress, VolumePlan

BOOKMARK_PREFIX = "_wpVolDoc"


def _fonts(run: Any, role: str, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    fr = L.FONTS[role]
    run.font.name = fr.latin_docx
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), fr.latin_docx)
    rfonts.set(qn("w:eastAsia"), fr.docx_name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    run.font.size = Pt(size or fr.size_pt)
    run.font.bold = fr.bold if bold is None else bold


def _para(doc: Any, text: str = "", role: str = "body", *, align: str = "left", size: float | None = None,
          space_before: float = 0, space_after: float = 0, line: float | None = None) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    p = doc.add_paragraph()
    p.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    pf = p.paragraph_format
    pf.first_line_indent = Pt(0)
    pf.left_indent = Pt(0)
    pf.space_before, pf.space_after = Pt(space_before), Pt(space_after)
    pf.line_spacing = Pt(line) if line else None
    if text:
        _fonts(p.add_run(text), role, size)
    return p


def _page_break(doc: Any) -> None:
    from docx.enum.text import WD_BREAK
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _field(paragraph: Any, instr: str, cached: str, role: str, size: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind: str) -> None:
        r = paragraph.add_run()
        _fonts(r, role, size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")
        r._element.append(el)
    fld("begin")
    r = paragraph.add_run()
    _fonts(r, role, size)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r._element.append(it)
    fld("separate")
    _fonts(paragraph.add_run(cached), role, size)
    fld("end")


def _table(doc: Any, header: list[str], rows: list[list[str]], widths_mm: "tuple[float, ...]", size: float) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), str(round(L.TABLE_RULE_PT * 8)))
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)
    for i, row in enumerate([header, *rows]):
        cells = t.rows[i].cells
        for j, text in enumerate(row):
            c = cells[j]
            c.width = Mm(widths_mm[j])
            p = c.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if i == 0 else WD_ALIGN_PARAGRAPH.LEFT
            _fonts(p.add_run(str(text)), "table_header" if i == 0 else "table", size)
    t.rows[0].repeat_header = True  # python-docx ≥ 1.2; harmless otherwise
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    th = OxmlElement("w:tblHeader")
    tr_pr.append(th)


def _front_matter(doc: Any, plan: VolumePlan) -> None:
    lang = plan.lang
    lb = lambda k, **kw: label(k, lang, **kw)  # noqa: E731
    # cover
    _para(doc, plan.title, "title", align="center", size=L.VOLUME_COVER_TITLE_PT, space_before=L.VOLUME_DOCX_COVER_TITLE_BEFORE_PT)
    _para(doc, lb("year", year=plan.year), "h1", align="center", space_before=L.VOLUME_DOCX_YEAR_BEFORE_PT)
    meta = []
    if plan.compiler:
        meta.append(lb("compiled_by") + plan.compiler)
    meta.append(lb("compiled_on") + format_date(plan.date, lang))
    meta.append(lb("extent_docs", n=len(plan.entries)))
    for i, m in enumerate(meta):
        _para(doc, m, "body", align="center", space_before=L.VOLUME_DOCX_COVER_META_BEFORE_PT if i == 0
              else L.VOLUME_DOCX_COVER_META_GAP_PT)
    _page_break(doc)

    # contents with PAGEREF fields to each document's bookmark
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm
    _para(doc, lb("contents"), "title", align="center", size=L.VOLUME_HEADING_PT,
          space_after=L.VOLUME_DOCX_HEADING_AFTER_PT["contents"])
    for unit, entries in plan.groups():
        _para(doc, unit, "h1", size=L.VOLUME_TOC_PT, space_before=L.VOLUME_DOCX_TOC_UNIT_BEFORE_PT)
        for e in entries:
            p = _para(doc, "", "body", size=L.VOLUME_TOC_PT)
            p.paragraph_format.left_indent = Mm(L.VOLUME_DOCX_TOC_INDENT_MM)
            p.paragraph_format.tab_stops.add_tab_stop(Mm(L.TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
            _fonts(p.add_run(e.title(lang) + "\t"), "body", L.VOLUME_TOC_PT)
            if e.file is not None:
                _field(p, f"PAGEREF {BOOKMARK_PREFIX}{e.seq} \\h", "—", "body", L.VOLUME_TOC_PT)
            else:
                _fonts(p.add_run("—"), "body", L.VOLUME_TOC_PT)
    _page_break(doc)

    # statistics
    _para(doc, lb("statistics"), "title", align="center", size=L.VOLUME_HEADING_PT,
          space_after=L.VOLUME_DOCX_HEADING_AFTER_PT["statistics"])
    for key, rows in (("by_kind", plan.by_kind()), ("by_unit", plan.by_unit())):
        _para(doc, lb(key), "h1", space_before=L.VOLUME_DOCX_SECTION_BEFORE_PT, space_after=L.VOLUME_DOCX_SECTION_AFTER_PT)
        head = [lb("kind" if key == "by_kind" else "unit"), lb("docs")]
        body = [[name, str(n)] for name, n, _p in rows] + [[lb("total"), str(len(plan.entries))]]
        _table(doc, head, body, L.VOLUME_DOCX_STATS_COLUMNS_MM, L.VOLUME_TABLE_PT)
    reports = plan.reports()
    if reports:
        _para(doc, lb("reports"), "h1", space_before=L.VOLUME_DOCX_SECTION_BEFORE_PT,
              space_after=L.VOLUME_DOCX_SECTION_AFTER_PT)
        body = []
        for e in reports:
            p = e.progress
            body.append([e.title(lang)] + ([f"{p.targets_met}/{len(p.targets_due)}", format_pct(p.target_attainment),
                                            f"{p.tasks_done}/{len(p.tasks)}", format_pct(p.completion_rate)]
                                           if p else ["—"] * 4))
        tot = plan.report_totals()
        body.append([lb("overall"), f"{tot['targets_met']}/{tot['targets']}", format_pct(tot["target_attainment"]),
                     f"{tot['tasks_done']}/{tot['tasks']}", format_pct(tot["completion_rate"])])
        _table(doc, [lb(k) for k in ("title", "targets_met", "attainment", "tasks_done", "completion")], body,
               L.VOLUME_DOCX_REPORT_COLUMNS_MM, L.VOLUME_TABLE_PT)
        _para(doc, lb("reports_note"), "body", size=L.VOLUME_TABLE_PT, space_before=L.VOLUME_DOCX_NOTE_BEFORE_PT)
    _page_break(doc)

    # catalogue (portrait in Word: one section for the whole volume)
    _para(doc, lb("catalogue"), "title", align="center", size=L.VOLUME_HEADING_PT,
          space_after=L.VOLUME_DOCX_HEADING_AFTER_PT["catalogue"])
    catalogue = [[str(e.seq), e.record.code, e.record.doc_number or "", e.record.issuer, e.title(lang),
                  e.record.date.strftime("%Y%m%d"), e.note] for e in plan.entries]
    _table(doc, [lb(k) for k in ("no", "code", "doc_number", "issuer", "title", "date", "remarks")], catalogue,
           L.VOLUME_DOCX_CATALOGUE_COLUMNS_MM, L.VOLUME_TABLE_PT)


def _mark_start(body: Any, index: int, seq: int) -> None:
    """Start the element at ``index`` on a new page and put the document's bookmark there."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    el = body[index]
    if el.tag != qn("w:p"):
        el = OxmlElement("w:p")
        body.insert(index, el)
    ppr = el.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        el.insert(0, ppr)
    if ppr.find(qn("w:pageBreakBefore")) is None:
        pb = OxmlElement("w:pageBreakBefore")
        ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, pb)
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(10000 + seq))
    start.set(qn("w:name"), f"{BOOKMARK_PREFIX}{seq}")
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(10000 + seq))
    i = list(el).index(ppr) + 1
    el.insert(i, start)
    el.insert(i + 1, end)


def _update_fields_on_open(doc: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        uf = OxmlElement("w:updateFields")
        uf.set(qn("w:val"), "true")
        settings.append(uf)


def _open_docx(path: Path, code: str) -> Any:
    import docx
    try:
        return docx.Document(str(path))
    except Exception as err:  # python-docx raises several types for damaged files
        raise WorkplanError(Problem(f"record {code}: cannot read its Word file: {err}", file=str(path),
                                    hint="run `workplan archive verify`")) from None


def write_docx_volume(plan: VolumePlan, output: Path, progress: Progress | None = None) -> None:
    import docx
    from docx.oxml.ns import nsmap, qn
    from docxcompose.composer import Composer

    from ..render.docx.template import CORE_PROPERTIES_NS
    # docxcompose rebinds python-docx's ``cp`` prefix (core properties) to the custom-properties
    # namespace for the whole process: the volume's core properties would land where Word ignores them
    nsmap["cp"] = CORE_PROPERTIES_NS

    from ..render import atomic_write
    docs = [e for e in plan.entries if e.file is not None]
    if docs:
        assert docs[0].file is not None  # docs are the entries with a file
        master = _open_docx(docs[0].file, docs[0].record.code)
        body = master.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    else:
        master = docx.Document()
    _front_matter(master, plan)
    composer = Composer(master)
    body = master.element.body
    for i, e in enumerate(plan.entries, 1):
        index = composer.append_index()
        if e.file is not None:
            part = _open_docx(e.file, e.record.code)
            try:
                composer.append(part)
            except Exception as err:  # docxcompose raises many types on unusual files
                raise WorkplanError(Problem(f"record {e.record.code}: cannot add its Word file to the volume: {err}",
                                            file=str(e.file), hint="compile a PDF volume instead (--format pdf)")) from None
            _mark_start(body, index, e.seq)
        else:
            p = _para(master, f"{e.title(plan.lang)}（{e.note}，{e.record.code}）" if plan.lang != "en"
                      else f"{e.title(plan.lang)} ({e.note}, {e.record.code})", "body")
            body.remove(p._p)
            body.insert(index, p._p)
            _mark_start(body, index, e.seq)
        if progress:
            progress("composing", i, len(plan.entries))
    composer.renumber_bookmarks()
    _update_fields_on_open(master)
    master.core_properties.title = plan.title
    master.core_properties.author = plan.compiler
    master.core_properties.subject = str(plan.year)
    if plan.log_head_text():
        master.core_properties.comments = plan.log_head_text()
    if progress:
        progress("writing", 0, 1)
    atomic_write(output, lambda tmp: master.save(str(tmp)))
    if progress:
        progress("writing", 1, 1)


__all__ = ["write_docx_volume"]
