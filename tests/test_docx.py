"""DOCX writer: every corpus file is built to .docx in zh, en and zh-en and read back with
python-docx; the layout (page, fonts, spacing, footers, tables, letterhead, imprint) and the
template handling are checked on the files themselves."""
from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn

from workplan import layout as L
from workplan.errors import WorkplanError
from workplan.model import load_document
from workplan.render import build_file
from workplan.render.docx import DEFAULT_TEMPLATE, write_docx
from workplan.render.ir import Figure, Heading, Imprint, PageBreak, Paragraph, RenderDoc, Table, Title
from workplan.render.resolve import build_ir

from conftest import CORPUS

LANGS = ("zh", "en", "zh-en")
ROOT = Path(__file__).resolve().parents[1]
THEME_ATTRS = (b"asciiTheme", b"hAnsiTheme", b"eastAsiaTheme", b"cstheme")
HAN = re.compile(r"[\u4e00-\u9fff]")


# --- building ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(corpus_build) -> dict[tuple[str, str], Path]:
    """(corpus stem, lang) -> .docx, for every corpus file (the session's build: DOCX with the PDF,
    as ``workplan build`` makes them)."""
    _, results = corpus_build("typst")
    files: dict[tuple[str, str], Path] = {}
    for result in results.values():
        for path in result.outputs:
            stem, lang, fmt = path.name.rsplit(".", 2)
            if fmt == "docx":
                files[(stem, lang)] = path
    assert files, "no corpus file was built"
    return files


@pytest.fixture(scope="module")
def winter(built) -> dict[str, Path]:
    return {lang: built[("winter-fire-safety", lang)] for lang in LANGS}


def part_xml(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


# --- style resolution ----------------------------------------------------------------------------
def style_chain(doc, style):
    while style is not None:
        yield style.element
        style = style.base_style


def style_attr(doc, style_name: str, child: str, attr: str) -> str | None:
    """An attribute of rPr/pPr child ``child`` (e.g. "w:rPr/w:rFonts") along the basedOn chain."""
    for el in style_chain(doc, doc.styles[style_name]):
        found = el.find("/".join(qn(p) for p in child.split("/")))
        if found is not None and found.get(qn(attr)) is not None:
            return found.get(qn(attr))
    return None


def para_east_asia(doc, p) -> str | None:
    """The East Asian font a paragraph's text is set in: run, run style, paragraph style."""
    for r in p.runs:
        rf = r._element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if rf is not None and rf.get(qn("w:eastAsia")):
            return rf.get(qn("w:eastAsia"))
    return style_attr(doc, p.style.name, "w:rPr/w:rFonts", "w:eastAsia")


def paragraphs_with_style(doc, name: str):
    return [p for p in doc.paragraphs if p.style is not None and p.style.name == name]


def all_paragraphs(doc):
    yield from doc.paragraphs
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def doc_text(doc) -> str:
    return "\n".join(p.text for p in all_paragraphs(doc))


# --- page ----------------------------------------------------------------------------------------
def test_every_corpus_file_builds_in_every_language(built):
    stems = {p.stem for p in CORPUS.glob("*.yaml")}
    assert {s for s, _ in built} == stems
    for (stem, lang), path in built.items():
        doc = open_docx(path)
        assert doc.paragraphs, (stem, lang)


def test_page_is_a4_with_gbt9704_margins(built):
    for key, path in built.items():
        for s in open_docx(path).sections:
            assert abs(s.page_width.mm - L.PAGE_WIDTH_MM) < 0.1, key
            assert abs(s.page_height.mm - L.PAGE_HEIGHT_MM) < 0.1, key
            assert abs(s.top_margin.mm - L.MARGIN_TOP_MM) < 0.1, key
            assert abs(s.bottom_margin.mm - L.MARGIN_BOTTOM_MM) < 0.1, key
            assert abs(s.left_margin.mm - L.MARGIN_LEFT_MM) < 0.1, key
            assert abs(s.right_margin.mm - L.MARGIN_RIGHT_MM) < 0.1, key
            grid = s._sectPr.find(qn("w:docGrid"))
            assert grid is not None and grid.get(qn("w:linePitch")) == str(round(L.LINE_PITCH_PT * 20))


def test_no_theme_fonts_anywhere(built):
    for key, path in built.items():
        for part in ("word/styles.xml", "word/document.xml"):
            xml = part_xml(path, part)
            for attr in THEME_ATTRS:
                assert attr not in xml, (key, part, attr)


def test_doc_defaults_name_fonts_explicitly(winter):
    styles = part_xml(winter["zh"], "word/styles.xml").decode()
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S).group(0)
    assert 'w:eastAsia="仿宋_GB2312"' in defaults
    assert 'w:ascii="Times New Roman"' in defaults


def test_body_line_spacing_is_exact_22_lines(winter):
    doc = open_docx(winter["zh"])
    pf = doc.styles["WP Body"].paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert abs(pf.line_spacing.pt - L.LINE_PITCH_PT) < 0.03
    assert L.LINES_PER_PAGE * pf.line_spacing.pt <= L.TEXT_HEIGHT_MM / L.MM_PER_PT
    # the first-line indent: 2 characters, in Chars and in twips
    ind = doc.styles["WP Body"].element.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert 600 <= int(ind.get(qn("w:firstLine"))) <= 660
    # 28 characters of 16 pt fit on a 156 mm line with the body tracking
    spacing = doc.styles["WP Body"].element.find(f"{qn('w:rPr')}/{qn('w:spacing')}")
    pitch = L.FONTS["body"].size_pt + int(spacing.get(qn("w:val"))) / 20
    assert L.CHARS_PER_LINE * pitch <= L.TEXT_WIDTH_MM / L.MM_PER_PT
    assert (L.CHARS_PER_LINE + 1) * pitch > L.TEXT_WIDTH_MM / L.MM_PER_PT


def test_table_cells_use_single_spacing(winter):
    doc = open_docx(winter["zh"])
    for name in ("WP Table Text", "WP Table Header"):
        assert doc.styles[name].paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE


# --- fonts per role ------------------------------------------------------------------------------
def test_east_asian_font_per_role(winter):
    doc = open_docx(winter["zh"])
    f = {role: L.FONTS[role].docx_name for role in L.FONTS}
    titles = paragraphs_with_style(doc, "WP Title")
    assert titles and para_east_asia(doc, titles[0]) == f["title"]
    body = paragraphs_with_style(doc, "WP Body")
    assert body and all(para_east_asia(doc, p) == f["body"] for p in body)
    for level in (1, 2, 3, 4):
        assert style_attr(doc, f"WP Heading {level}", "w:rPr/w:rFonts", "w:eastAsia") == f[L.HEADING_ROLES[level]]
    h1 = paragraphs_with_style(doc, "WP Heading 1")
    assert h1 and para_east_asia(doc, h1[0]) == f["h1"]
    assert doc.styles["WP Heading 3"].font.bold is True   # 仿宋 bold
    assert doc.styles["WP Heading 1"].font.bold is False
    cell_style = doc.tables[0].rows[1].cells[0].paragraphs[0].style.name
    assert style_attr(doc, cell_style, "w:rPr/w:rFonts", "w:eastAsia") == f["table"]
    header_style = doc.tables[0].rows[0].cells[0].paragraphs[0].style.name
    assert style_attr(doc, header_style, "w:rPr/w:rFonts", "w:eastAsia") == f["table_header"]
    assert doc.styles["WP Title"].font.size.pt == L.FONTS["title"].size_pt
    assert doc.styles["WP Body"].font.size.pt == L.FONTS["body"].size_pt
    assert doc.styles[cell_style].font.size.pt == L.FONTS["table"].size_pt
    # Latin text in Times New Roman
    assert style_attr(doc, "WP Body", "w:rPr/w:rFonts", "w:ascii") == "Times New Roman"


def test_title_is_centred(winter):
    doc = open_docx(winter["zh"])
    assert doc.styles["WP Title"].paragraph_format.alignment == 1  # CENTER


def test_heading_numbers_and_run_in_body(built):
    for (stem, lang), path in built.items():
        doc = open_docx(path)
        for level, zh_re, en_re in ((1, r"^[一二三四五六七八九十]+、", r"^[IVXLC]+\. "),
                                    (2, r"^（[一二三四五六七八九十]+）", r"^\([IVXLC]+\) ")):
            for p in paragraphs_with_style(doc, f"WP Heading {level}"):
                pattern = zh_re if HAN.search(p.runs[0].text) else en_re
                assert re.match(pattern, p.text), (stem, lang, p.text)
    doc = open_docx(built[("winter-fire-safety", "zh")])
    h1 = [p.text for p in paragraphs_with_style(doc, "WP Heading 1")]
    assert h1[0].startswith("一、") and h1[1].startswith("二、")
    h2 = paragraphs_with_style(doc, "WP Heading 2")
    assert h2[0].text.startswith("（一）")
    run_in = [p for p in h2 if len(p.runs) > 1]
    assert run_in, "tasks have run-in text after their heading"
    body_run = run_in[0].runs[1]
    assert body_run.style.name == "WP Body Char"
    assert style_attr(doc, "WP Body Char", "w:rPr/w:rFonts", "w:eastAsia") == L.FONTS["body"].docx_name
    en = open_docx(built[("winter-fire-safety", "en")])
    assert [p.text for p in paragraphs_with_style(en, "WP Heading 1")][0].startswith("I. ")
    assert paragraphs_with_style(en, "WP Heading 2")[0].text.startswith("(I) ")


# --- page numbers --------------------------------------------------------------------------------
def _has_page_field(el) -> bool:
    return any("PAGE" in (f.get(qn("w:instr")) or "") for f in el.iter(qn("w:fldSimple"))) or any(
        "PAGE" in (t.text or "") for t in el.iter(qn("w:instrText")))


def test_odd_and_even_page_number_footers(built):
    for key, path in built.items():
        doc = open_docx(path)
        assert doc.settings.odd_and_even_pages_header_footer, key
        settings = part_xml(path, "word/settings.xml")
        assert b"<w:evenAndOddHeaders" in settings
        s = doc.sections[0]
        odd, even = s.footer, s.even_page_footer
        assert not odd.is_linked_to_previous and not even.is_linked_to_previous
        for f in (odd, even):
            assert _has_page_field(f._element), key
            assert "—" in "".join(t.text or "" for t in f._element.iter(qn("w:t")))
        jc_odd = odd.paragraphs[0].paragraph_format.alignment
        jc_even = even.paragraphs[0].paragraph_format.alignment
        assert (jc_odd, jc_even) == (2, 0), key   # RIGHT on odd pages, LEFT on even pages
        assert odd.paragraphs[0].paragraph_format.right_indent.pt > 10
        assert even.paragraphs[0].paragraph_format.left_indent.pt > 10
        style = odd.paragraphs[0].style.name
        assert style_attr(doc, style, "w:rPr/w:rFonts", "w:eastAsia") == L.FONTS["page_number"].docx_name
        assert doc.styles[style].font.size.pt == L.FONTS["page_number"].size_pt


# --- tables --------------------------------------------------------------------------------------
def test_task_matrix_header_repeats(winter):
    doc = open_docx(winter["zh"])
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    want = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
    assert want in headers
    table = doc.tables[headers.index(want)]
    tr_pr = table.rows[0]._tr.find(qn("w:trPr"))
    assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    assert table.rows[1].cells[0].text == "1"
    # widths from the content (issue 10 item 6: the IR sizes every table, the writer follows)
    grid = [int(c.get(qn("w:w"))) / 1440 * 25.4 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    ir_table = next(b for b in build_ir(load_document(CORPUS / "winter-fire-safety.yaml"), "zh").blocks
                    if isinstance(b, Table) and b.kind == "task_matrix")
    assert abs(sum(grid) - L.TEXT_WIDTH_MM) < 0.2
    for got, want_mm in zip(grid, ir_table.widths_mm):
        assert abs(got - want_mm) < 0.2
    # grid borders come from the table style
    assert table.style.name == "WP Table"
    borders = table.style.element.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        assert borders.find(qn(f"w:{side}")).get(qn("w:val")) == "single"


def test_bilingual_table_cells_hold_both_languages(winter):
    doc = open_docx(winter["zh-en"])
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header[0] == "序号\nNo." and "Lead Unit" in header[2]
    # English words are not broken: narrow columns were widened for them
    grid = [int(c.get(qn("w:w"))) for c in doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(grid) - round(L.TEXT_WIDTH_MM / 25.4 * 1440)) <= 2
    assert grid[4] > round(L.TASK_TABLE_COLUMNS_MM[4] / 25.4 * 1440)


# --- bilingual -----------------------------------------------------------------------------------
def test_zh_en_contains_both_languages(winter):
    text = doc_text(open_docx(winter["zh-en"]))
    assert "指导思想" in text and "Guiding Ideology" in text
    assert "任务分工表" in text and "Division of Tasks" in text
    en = doc_text(open_docx(winter["en"]))
    assert "Guiding Ideology" in en and not HAN.search(en.replace("—", ""))


def test_english_attachment_list_and_signature(winter):
    doc = open_docx(winter["en"])
    texts = [p.text for p in paragraphs_with_style(doc, "WP Attachment List")]
    assert texts[0].startswith("Annexes: 1.") and texts[1].startswith("2.")
    sig = paragraphs_with_style(doc, "WP Signature")
    assert sig[-1].text == "November 6, 2023"
    assert doc.styles["WP Signature"].paragraph_format.alignment == 2


def test_attachment_list_signature_and_annex_pages(winter):
    doc = open_docx(winter["zh"])
    items = paragraphs_with_style(doc, "WP Attachment List")
    assert items[0].text.replace("\t", "") == "附件：1.任务分工表"
    assert items[1].text.replace("\t", "") == "2.领导小组成员名单"
    # the wrapped/following items align where the first item's name starts
    assert items[0].paragraph_format.left_indent == items[1].paragraph_format.left_indent
    sig = [p.text for p in paragraphs_with_style(doc, "WP Signature")]
    assert sig == ["青松社区居委会", "2023年11月6日"]
    sig_p = paragraphs_with_style(doc, "WP Signature")
    right = sig_p[1].paragraph_format.right_indent or doc.styles["WP Signature"].paragraph_format.right_indent
    assert right.pt >= L.SIGNATURE_RIGHT_INDENT_CHARS * 15          # the date 4 字 from the right
    name_right = sig_p[0].paragraph_format.right_indent
    assert abs(name_right.pt - right.pt) < 16                        # the name centred over the date
    labels = paragraphs_with_style(doc, "WP Attachment Label")
    assert [p.text for p in labels] == ["附件1", "附件2"]
    assert all(p.paragraph_format.page_break_before for p in labels)
    assert para_east_asia(doc, labels[0]) == L.FONTS["attachment_label"].docx_name
    titles = paragraphs_with_style(doc, "WP Attachment Title")
    assert [p.text for p in titles] == ["任务分工表", "领导小组成员名单"]
    assert para_east_asia(doc, titles[0]) == L.FONTS["title"].docx_name
    assert paragraphs_with_style(doc, "WP Recipients")[0].text.endswith("：")


def _boxed_tables(doc):
    """Tables inside text boxes (the 版记 sits in one at the foot of the page)."""
    from docx.table import Table
    return [Table(t, doc) for box in doc.element.body.iter(qn("w:txbxContent")) for t in box.iter(qn("w:tbl"))]


def test_imprint_between_rules(winter):
    doc = open_docx(winter["zh"])
    imprint = [t for t in _boxed_tables(doc) if "抄送" in t.rows[0].cells[0].text]
    assert len(imprint) == 1
    t = imprint[0]
    assert t.rows[0].cells[0].text == "抄送：东湖街道办事处、东湖消防救援站。"
    printed = t.rows[1].cells[0].text
    assert printed.startswith("青松社区居委会\t") and printed.endswith("2023年11月6日印发")
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    sz = {side: int(borders.find(qn(f"w:{side}")).get(qn("w:sz"))) for side in ("top", "bottom", "insideH")}
    assert sz["top"] == sz["bottom"] == round(L.IMPRINT_RULE_THICK_MM / L.MM_PER_PT * 8)
    assert sz["insideH"] == round(L.IMPRINT_RULE_THIN_MM / L.MM_PER_PT * 8)
    p = t.rows[0].cells[0].paragraphs[0]
    assert para_east_asia(doc, p) == L.FONTS["imprint"].docx_name
    # the text box sits at the bottom of the type area (7.4.1), the last thing in the body
    anchor = next(doc.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}anchor"))
    pos_v = anchor.find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}positionV")
    # placed from the page's top edge so that its bottom is the type area's bottom edge
    extent = anchor.find("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
    assert pos_v.get("relativeFrom") == "page"
    bottom_mm = (int(pos_v[0].text) + int(extent.get("cy"))) / 36000
    assert abs(bottom_mm - (L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM)) < 0.01
    assert doc.styles[p.style.name].font.size.pt == L.FONTS["imprint"].size_pt
    # zh-en: both languages inside one set of rules
    both = open_docx(winter["zh-en"])
    tables = [t for t in _boxed_tables(both) if "抄送" in t.rows[0].cells[0].text]
    assert len(tables) == 1
    assert "cc:" in tables[0].rows[0].cells[0].text and "Issued" in tables[0].rows[1].cells[0].text


def test_core_properties(winter):
    cp = open_docx(winter["zh"]).core_properties
    assert cp.title == "青松社区2023年冬季防火工作方案"
    assert cp.author == "青松社区居委会"
    assert cp.subject == "青社发〔2023〕12号"
    assert "冬季防火" in cp.keywords
    assert cp.created.date() == dt.date(2023, 11, 6)
    assert open_docx(winter["en"]).core_properties.title.startswith("Qingsong Community")


def test_output_is_byte_identical_across_runs(winter, tmp_path):
    doc = load_document(CORPUS / "winter-fire-safety.yaml")
    rdoc = build_ir(doc, "zh")
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    write_docx(rdoc, a)
    write_docx(rdoc, b)
    assert a.read_bytes() == b.read_bytes()


# --- letterhead ----------------------------------------------------------------------------------
def _with(doc, **changes):
    data = doc.model_dump(by_alias=True, exclude_none=True)
    data.update(changes)
    return type(doc).model_validate(data)


def _colour(doc, p) -> str | None:
    for r in p.runs:
        c = r._element.find(f"{qn('w:rPr')}/{qn('w:color')}")
        if c is not None:
            return c.get(qn("w:val"))
    return style_attr(doc, p.style.name, "w:rPr/w:color", "w:val")


@pytest.mark.parametrize("template", ["default", "plain"])
def test_letterhead_is_red(tmp_path, template):
    base = load_document(CORPUS / "winter-fire-safety.yaml")
    doc = _with(base, issuer_mark="青松社区居民委员会文件")
    tpl = None
    if template == "plain":   # a template without Jinja tags: the letterhead is drawn in code
        tpl = tmp_path / "plain.docx"
        open_docx().save(tpl)
    out = tmp_path / "lh.docx"
    write_docx(build_ir(doc, "zh"), out, template=tpl)
    d = open_docx(out)
    marks = [p for p in d.paragraphs if p.text == "青松社区居民委员会文件"]
    assert len(marks) == 1
    mark = marks[0]
    assert _colour(d, mark).upper() == L.RED
    assert para_east_asia(d, mark) == L.FONTS["issuer_mark"].docx_name
    assert mark.paragraph_format.alignment == 1 or d.styles[mark.style.name].paragraph_format.alignment == 1
    i = [p._p for p in d.paragraphs].index(mark._p)
    after = [p.text for p in d.paragraphs[i + 1:i + 4]]
    # two blank lines between the mark and the number (7.2.5), as in the PDF
    assert after[:2] == ["", ""] and after[2] == "青社发〔2023〕12号"
    rule = d.paragraphs[i + 4]
    bottom = None
    for el in style_chain(d, rule.style):
        bottom = el.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
        if bottom is not None:
            break
    assert bottom is not None and bottom.get(qn("w:color")).upper() == L.RED
    assert d.paragraphs[i + 5].style.name == "WP Title"
    assert "{{" not in doc_text(d) and "{%" not in doc_text(d)


def test_letterhead_with_signatory_and_long_mark(tmp_path):
    base = load_document(CORPUS / "winter-fire-safety.yaml")
    doc = _with(base, issuer_mark="江口县社会治安综合治理委员会办公室文件", signatory="林晓华")
    out = tmp_path / "up.docx"
    write_docx(build_ir(doc, "zh"), out)
    d = open_docx(out)
    mark = next(p for p in d.paragraphs if p.text == "江口县社会治安综合治理委员会办公室文件")
    scale = mark.runs[0]._element.find(f"{qn('w:rPr')}/{qn('w:w')}")
    assert scale is not None and 33 <= int(scale.get(qn("w:val"))) < 100   # condensed to one line
    number = next(p for p in d.paragraphs if p.text.startswith("青社发"))
    assert number.text == "青社发〔2023〕12号\t签发人：林晓华"


def test_letterhead_by_default_when_a_document_number_is_given(winter):
    # issue 10 item 1: without issuer_mark the number used to be printed nowhere; the 版头 is now
    # drawn from the issuing unit's name + 文件
    d = open_docx(winter["zh"])
    (mark,) = paragraphs_with_style(d, "WP Issuer Mark")
    assert mark.text == "青松社区居委会文件"
    assert any(p.text == "青社发〔2023〕12号" for p in d.paragraphs)
    assert "{{" not in doc_text(d)


def test_no_letterhead_when_turned_off(tmp_path):
    base = load_document(CORPUS / "winter-fire-safety.yaml")
    doc = _with(base, letterhead=False)
    out = tmp_path / "nolh.docx"
    write_docx(build_ir(doc, "zh"), out)
    d = open_docx(out)
    assert not paragraphs_with_style(d, "WP Issuer Mark")
    assert d.paragraphs[0].style.name == "WP Title"
    assert "{{" not in doc_text(d)


# --- templates -----------------------------------------------------------------------------------
def test_default_template_is_reproducible(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "t.docx"
    subprocess.run([sys.executable, str(ROOT / "src/workplan/render/docx/templates/make_docx_template.py"), str(out)], check=True,
                   capture_output=True)
    assert out.read_bytes() == DEFAULT_TEMPLATE.read_bytes()
    names = {s.name for s in open_docx(out).styles}
    for name in ("WP Body", "WP Title", "WP Heading 1", "WP Heading 4", "WP Table", "WP Imprint"):
        assert name in names


def test_custom_template_styles_are_kept(tmp_path):
    from docx.shared import Pt, RGBColor
    tpl = open_docx(DEFAULT_TEMPLATE)
    tpl.styles["WP Body"].font.size = Pt(15)
    tpl.styles["WP Body"].font.color.rgb = RGBColor(0x11, 0x22, 0x99)
    path = tmp_path / "mine.docx"
    tpl.save(path)
    out = tmp_path / "out.docx"
    build = build_file(CORPUS / "winter-fire-safety.yaml", tmp_path, langs=["zh"], formats=["docx"], template=path)
    out = build.outputs[0]
    d = open_docx(out)
    assert d.styles["WP Body"].font.size.pt == 15
    assert str(d.styles["WP Body"].font.color.rgb) == "112299"
    body = paragraphs_with_style(d, "WP Body")
    assert body and all(r.font.size is None and r.font.color.rgb is None for p in body for r in p.runs)


def test_template_without_wp_styles_gets_them(tmp_path):
    plain = tmp_path / "plain.docx"
    d = open_docx()
    d.add_paragraph("sample text that must not appear in the output")
    d.save(plain)
    assert b"asciiTheme" in part_xml(plain, "word/styles.xml")   # python-docx's own template uses theme fonts
    out = tmp_path / "o.docx"
    write_docx(build_ir(load_document(CORPUS / "winter-fire-safety.yaml"), "zh"), out, template=plain)
    doc = open_docx(out)
    assert "sample text" not in doc_text(doc)
    assert doc.styles["WP Body"].font.size.pt == L.FONTS["body"].size_pt
    for attr in THEME_ATTRS:
        assert attr not in part_xml(out, "word/styles.xml")
    assert abs(doc.sections[0].top_margin.mm - L.MARGIN_TOP_MM) < 0.1
    assert _has_page_field(doc.sections[0].even_page_footer._element)


def test_dotx_template_is_accepted(tmp_path):
    src = zipfile.ZipFile(DEFAULT_TEMPLATE)
    dotx = tmp_path / "t.dotx"
    with zipfile.ZipFile(dotx, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            z.writestr(item, data)
    out = tmp_path / "o.docx"
    write_docx(build_ir(load_document(CORPUS / "winter-fire-safety.yaml"), "zh"), out, template=dotx)
    # (the 版头 comes first since issue 10 item 1: the file has a document number)
    texts = [p.text for p in open_docx(out).paragraphs if p.text]
    assert texts[:3] == ["青松社区居委会文件", "青社发〔2023〕12号", "青松社区2023年冬季防火工作方案"]


@pytest.mark.parametrize("kind", ["missing", "not-zip", "not-word", "bad-jinja"])
def test_bad_template_is_a_clear_error(tmp_path, kind):
    path = tmp_path / "bad.docx"
    if kind == "not-zip":
        path.write_text("this is not a Word file")
    elif kind == "not-word":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "hi")
    elif kind == "bad-jinja":
        d = open_docx(DEFAULT_TEMPLATE)
        d.add_paragraph("{{ broken ")
        d.save(path)
    rdoc = build_ir(load_document(CORPUS / "winter-fire-safety.yaml"), "zh")
    out = tmp_path / "out.docx"
    with pytest.raises(WorkplanError) as e:
        write_docx(rdoc, out, template=path)
    assert str(path) in e.value.format()
    assert e.value.problems[0].hint


# --- figures, page breaks, odd input -------------------------------------------------------------
def _png(width: int = 40, height: int = 20) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _rdoc(blocks, lang="zh") -> RenderDoc:
    return RenderDoc(lang=lang, blocks=blocks, title="测试", author="测试单位", subject="", keywords=[],
                     date=dt.date(2024, 1, 2))


def test_figure_and_page_break(tmp_path):
    blocks = [Title("图表测试"), Paragraph("图前的一段文字。"), Figure("图1 示例", width_mm=80, png=_png()),
              Figure("图2 只有矢量图", svg=b"<svg/>"), PageBreak(), Paragraph("新的一页。"),
              Table("generic", ["甲", "乙"], [["1", "2"], ["3"]], (50.0, 50.0)),
              Table("generic", ["丙"], [["x"]], (20.0, 20.0, 20.0))]
    out = tmp_path / "fig.docx"
    write_docx(_rdoc(blocks), out)
    d = open_docx(out)
    assert len(d.inline_shapes) == 1
    assert abs(d.inline_shapes[0].width.mm - 80) < 0.5
    captions = [p.text for p in paragraphs_with_style(d, "WP Caption")]
    assert captions == ["图1 示例", "图2 只有矢量图"]
    new_page = next(p for p in d.paragraphs if p.text == "新的一页。")
    assert new_page.paragraph_format.page_break_before
    assert [c.text for c in d.tables[0].rows[2].cells] == ["3", ""]   # short row padded
    assert len(d.tables) == 2
    fig_style = d.styles["WP Figure"].paragraph_format
    assert fig_style.line_spacing_rule != WD_LINE_SPACING.EXACTLY   # exact spacing would clip the image


def test_bad_image_is_a_clear_error(tmp_path):
    with pytest.raises(WorkplanError, match="图1"):
        write_docx(_rdoc([Figure("图1", png=b"not a png")]), tmp_path / "x.docx")


def test_control_characters_and_markup_in_text(tmp_path):
    blocks = [Title("A & B <c>"), Paragraph("bad\x01char\x0b here & <there>"),
              Heading(1, "一、", "标题", body="正文"), Imprint(cc="甲。", printer=None, printed_date=None)]
    out = tmp_path / "t.docx"
    write_docx(_rdoc(blocks), out)
    text = doc_text(open_docx(out))
    assert "A & B <c>" in text and "badchar here & <there>" in text and "一、标题正文" in text


def test_jinja_tags_in_a_template_header_are_rendered(tmp_path):
    d = open_docx()
    d.sections[0].header.paragraphs[0].text = "{{ title }} · {{ date }}"
    path = tmp_path / "hdr.docx"
    d.save(path)
    out = tmp_path / "o.docx"
    write_docx(build_ir(load_document(CORPUS / "winter-fire-safety.yaml"), "zh"), out, template=path)
    doc = open_docx(out)
    assert doc.sections[0].header.paragraphs[0].text == "青松社区2023年冬季防火工作方案 · 2023年11月6日"
    assert doc.paragraphs[-1].text or doc.tables   # the body was appended
    assert "青松社区2023年冬季防火工作方案" in [p.text for p in paragraphs_with_style(doc, "WP Title")]


def test_unknown_format_writes_nothing(tmp_path):
    """An unknown format is refused before the first file is written (not after the docx)."""
    with pytest.raises(WorkplanError) as e:
        build_file(CORPUS / "winter-fire-safety.yaml", tmp_path, langs=["zh"], formats=["docx", "odt"])
    assert "unknown format 'odt'" in e.value.format()
    assert list(tmp_path.iterdir()) == []


def test_core_properties_stay_in_their_namespace_after_docxtpl_and_docxcompose(tmp_path, monkeypatch):
    """docxcompose (imported by docxtpl and by the volume compiler) rebinds python-docx's ``cp``
    prefix for the whole process: every DOCX written afterwards carried its keywords twice, the
    template's in the right namespace (what Word shows) and its own in a foreign one."""
    from docx.oxml.ns import nsmap

    from workplan.render.docx.template import CORE_PROPERTIES_NS
    monkeypatch.setitem(nsmap, "cp", CORE_PROPERTIES_NS)  # what is put back when the test ends
    import docxcompose.utils  # noqa: F401 - what docxtpl and a volume compile import: it rebinds on first import
    monkeypatch.setitem(nsmap, "cp", docxcompose.utils.NS["cp"])  # as a process is after that first import
    build_file(CORPUS / "winter-fire-safety.yaml", tmp_path, langs=["zh"], formats=["docx"])
    build_file(CORPUS / "winter-fire-safety.yaml", tmp_path / "again", langs=["zh"], formats=["docx"])
    for path in (tmp_path / "winter-fire-safety.zh.docx", tmp_path / "again" / "winter-fire-safety.zh.docx"):
        core = part_xml(path, "docProps/core.xml").decode()
        assert "custom-properties" not in core
        assert core.count("<cp:keywords>") == 1 and "<cp:keywords>冬季防火; 消防安全</cp:keywords>" in core
